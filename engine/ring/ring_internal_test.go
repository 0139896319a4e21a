package ring

import (
	"reflect"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
)

func TestHasPointers(t *testing.T) {
	type flat struct {
		A int64
		B [4]float64
		C struct{ D uint8 }
	}
	type withString struct {
		A int64
		S string
	}
	tests := []struct {
		typ  reflect.Type
		want bool
	}{
		{reflect.TypeFor[int64](), false},
		{reflect.TypeFor[flat](), false},
		{reflect.TypeFor[[0]*int](), false},
		{reflect.TypeFor[struct{}](), false},
		{reflect.TypeFor[uintptr](), false},
		{reflect.TypeFor[*int](), true},
		{reflect.TypeFor[string](), true},
		{reflect.TypeFor[[]byte](), true},
		{reflect.TypeFor[map[int]int](), true},
		{reflect.TypeFor[any](), true},
		{reflect.TypeFor[func()](), true},
		{reflect.TypeFor[chan int](), true},
		{reflect.TypeFor[unsafe.Pointer](), true},
		{reflect.TypeFor[withString](), true},
		{reflect.TypeFor[[2]withString](), true},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, hasPointers(tt.typ), tt.typ.String())
	}
}

// TestLayout checks that the fields written by different goroutines are at
// least a cacheLine apart.
func TestLayout(t *testing.T) {
	var s SPSC[int64]
	spsc := []uintptr{
		unsafe.Offsetof(s.tail), unsafe.Offsetof(s.head), unsafe.Offsetof(s.headCache),
		unsafe.Offsetof(s.chead), unsafe.Offsetof(s.notEmpty), unsafe.Offsetof(s.notFull),
		unsafe.Offsetof(s.core),
	}
	var m MPSC[int64]
	mpsc := []uintptr{
		unsafe.Offsetof(m.tail), unsafe.Offsetof(m.head), unsafe.Offsetof(m.chead),
		unsafe.Offsetof(m.notEmpty), unsafe.Offsetof(m.notFull), unsafe.Offsetof(m.seq),
	}
	for name, offs := range map[string][]uintptr{"spsc": spsc, "mpsc": mpsc} {
		assert.GreaterOrEqual(t, offs[0], uintptr(cacheLine), "%s: leading pad", name)
		for i := 1; i < len(offs); i++ {
			assert.GreaterOrEqual(t, offs[i]-offs[i-1], uintptr(cacheLine), "%s: field %d", name, i)
		}
	}
	assert.GreaterOrEqual(t, unsafe.Sizeof(s)-unsafe.Offsetof(s.core)-unsafe.Sizeof(s.core), uintptr(cacheLine), "spsc: trailing pad")
	assert.GreaterOrEqual(t, unsafe.Sizeof(m)-unsafe.Offsetof(m.core)-unsafe.Sizeof(m.core), uintptr(cacheLine), "mpsc: trailing pad")
}
