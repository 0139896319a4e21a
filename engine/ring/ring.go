package ring

import (
	"errors"
	"fmt"
	"math/bits"
	"reflect"
	"unsafe"
)

// ErrClosed is returned by a publish ordered after Close, and by the
// consumer's blocking calls once the ring is closed and every item published
// before Close has been consumed.
var ErrClosed = errors.New("ring: closed")

// ErrTimeout is returned by WaitTimeout when its duration elapsed with
// nothing to consume and the ring not closed.
var ErrTimeout = errors.New("ring: wait timed out")

// ErrCapacity is wrapped by the constructors' error when the requested
// capacity is outside [MinCapacity, MaxCapacity].
var ErrCapacity = errors.New("ring: invalid capacity")

const (
	// MinCapacity is the smallest capacity a ring accepts.
	MinCapacity = 2
	// MaxCapacity is the largest capacity a ring accepts (2^30 slots). A
	// ring that large is already gigabytes of preallocated memory for any
	// useful T.
	MaxCapacity = 1 << 30
)

// cacheLine is the padding unit between fields written by different
// goroutines. 128 bytes rather than 64 because x86's adjacent-line prefetcher
// pulls cache lines in pairs, so two hot fields 64 bytes apart still collide.
const cacheLine = 128

// closedBit is set in a ring's producer cursor by Close. Keeping it in the
// same word as the position makes "publish succeeded" and "ring closed" a
// single atomic order: a publish whose compare-and-swap saw the bit clear
// happened before Close, and its items are delivered.
const closedBit = 1 << 63

// Option configures a ring at construction.
type Option func(*config)

type config struct {
	wait WaitStrategy
}

// WithWait sets how the ring's producer(s) and consumer wait when they cannot
// proceed. The zero WaitStrategy selects the default, Park(DefaultMaxSleep).
func WithWait(w WaitStrategy) Option {
	return func(c *config) {
		if w.kind != 0 {
			c.wait = w
		}
	}
}

// core is the part of a ring that is written once at construction and only
// read afterwards, by both sides.
type core[T any] struct {
	buf   []T    // len is a power of two
	mask  uint64 // len(buf) - 1
	size  uint64 // len(buf)
	clear bool   // zero consumed slots so the ring keeps no pointer alive
	wait  WaitStrategy
	done  chan struct{} // closed by the first Close; wakes parked waiters
}

func newCore[T any](capacity int, opts []Option) (core[T], error) {
	if capacity < MinCapacity || capacity > MaxCapacity {
		return core[T]{}, fmt.Errorf("%w: %d, want %d..%d", ErrCapacity, capacity, MinCapacity, MaxCapacity)
	}
	cfg := config{wait: Park(DefaultMaxSleep)}
	for _, o := range opts {
		o(&cfg)
	}
	n := uint64(1) << bits.Len64(uint64(capacity-1))
	return core[T]{
		buf:   padded[T](int(n)),
		mask:  n - 1,
		size:  n,
		clear: hasPointers(reflect.TypeFor[T]()),
		wait:  cfg.wait,
		done:  make(chan struct{}),
	}, nil
}

// padded allocates n slots with a cacheLine of unused slots on each side, so
// the hot ends of the buffer share no cache line with whatever the allocator
// placed next to it.
func padded[T any](n int) []T {
	var zero T
	pad := 0
	if size := int(unsafe.Sizeof(zero)); size > 0 {
		pad = (cacheLine + size - 1) / size
	}
	raw := make([]T, n+2*pad)
	return raw[pad : pad+n : pad+n]
}

// hasPointers reports whether values of t hold anything the garbage collector
// follows; only then is it worth zeroing consumed slots.
func hasPointers(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return false
	case reflect.Array:
		return t.Len() > 0 && hasPointers(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if hasPointers(t.Field(i).Type) {
				return true
			}
		}
		return false
	default:
		return true
	}
}

// batchLimit turns a caller's batch limit into a slot count: limit <= 0
// means "everything", and no batch can exceed the ring's size.
func (c *core[T]) batchLimit(limit int) uint64 {
	if limit <= 0 || uint64(limit) > c.size {
		return c.size
	}
	return uint64(limit)
}

// copyIn writes src into the slots starting at position pos, wrapping.
func (c *core[T]) copyIn(pos uint64, src []T) {
	n := copy(c.buf[pos&c.mask:], src)
	if n < len(src) {
		copy(c.buf, src[n:])
	}
}

// copyOut reads len(dst) slots starting at position pos into dst, wrapping,
// and zeroes them if T holds pointers.
func (c *core[T]) copyOut(pos uint64, dst []T) {
	i := pos & c.mask
	n := copy(dst, c.buf[i:])
	if n < len(dst) {
		copy(dst[n:], c.buf)
	}
	if c.clear {
		c.zero(pos, uint64(len(dst)))
	}
}

// visit calls fn with the n slots starting at position pos, as one or (when
// they wrap) two slices, then zeroes them if T holds pointers.
func (c *core[T]) visit(pos, n uint64, fn func([]T)) {
	i := pos & c.mask
	if end := i + n; end <= c.size {
		fn(c.buf[i:end:end])
	} else {
		fn(c.buf[i:c.size:c.size])
		fn(c.buf[: end-c.size : end-c.size])
	}
	if c.clear {
		c.zero(pos, n)
	}
}

func (c *core[T]) zero(pos, n uint64) {
	i := pos & c.mask
	if end := i + n; end <= c.size {
		clear(c.buf[i:end])
	} else {
		clear(c.buf[i:])
		clear(c.buf[:end-c.size])
	}
}
