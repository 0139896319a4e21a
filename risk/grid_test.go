package risk

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
)

func TestGridMatchesDivision(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	ticks := []venue.Price{px("0.25"), px("0.01"), px("0.005"), px("0.0000005"), px("0.015625"), px("0.1"), px("1"), px("0.000001"), 1, 3, 7, px("0.03125")}
	for _, tick := range ticks {
		g := newGrid(tick)
		for i := 0; i < 20000; i++ {
			var p venue.Price
			switch i % 3 {
			case 0: // on the grid
				p = venue.Price(rng.Int64N(1e6)-1e3) * tick
			case 1: // near the grid
				p = venue.Price(rng.Int64N(1e6))*tick + venue.Price(rng.Int64N(3)-1)
			default:
				p = venue.Price(rng.Int64N(1 << 50))
			}
			q, ok := g.ticks(p)
			require.Equal(t, p%tick == 0, ok, "tick %s price %d", tick, p)
			if ok {
				require.Equal(t, int64(p/tick), q, "tick %s price %d", tick, p)
			}
		}
	}
}
