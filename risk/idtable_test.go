package risk

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestIDTableMatchesMap runs random inserts and removals against a map.
func TestIDTableMatchesMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	tb := newIDTable(4)
	want := map[string]*order{}
	for i := 0; i < 200_000; i++ {
		id := "s-0-" + strconv.Itoa(rng.IntN(300))
		switch rng.IntN(3) {
		case 0, 1:
			o := &order{id: id}
			old := tb.insert(o)
			require.Equal(t, want[id], old, "insert %s", id)
			if old == nil {
				want[id] = o
			}
		default:
			if o := want[id]; o != nil {
				tb.remove(o)
				delete(want, id)
			}
		}
		if i%1000 == 0 {
			require.Equal(t, len(want), tb.len())
			for id, o := range want {
				require.Same(t, o, tb.get(id))
			}
			require.Nil(t, tb.get("absent"))
		}
	}
	n := 0
	tb.each(func(o *order) {
		n++
		if n%2 == 0 {
			tb.remove(o)
			delete(want, o.id)
		}
	})
	require.Equal(t, len(want), tb.len())
	for id, o := range want {
		require.Same(t, o, tb.get(id))
	}
}
