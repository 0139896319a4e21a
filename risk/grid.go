package risk

import (
	"math"
	"math/bits"

	"github.com/keeltrade/keel/venue"
)

// grid divides prices by a contract's tick size without a hardware
// division, which costs tens of cycles and would otherwise sit on every
// tick and every limit-price check. For d = odd·2^k and n a multiple of d,
// n/d = rotr(n·odd⁻¹ mod 2^64, k); for any other n that value exceeds
// (2^64−1)/d (Granlund–Montgomery), so one multiply tests and divides.
type grid struct {
	inv   uint64 // inverse of the tick's odd part, mod 2^64
	shift int    // trailing zero bits of the tick
	lim   uint64 // (2^64−1) / tick
}

func newGrid(tick venue.Price) grid {
	d := uint64(tick)
	k := bits.TrailingZeros64(d)
	odd := d >> k
	inv := odd // Newton's iteration doubles the correct low bits: 3, 6, 12, 24, 48, 96
	for range 5 {
		inv *= 2 - odd*inv
	}
	return grid{inv: inv, shift: k, lim: math.MaxUint64 / d}
}

// ticks returns p/tick and whether p is on the grid; off the grid the
// quotient is meaningless.
func (g *grid) ticks(p venue.Price) (int64, bool) {
	n := uint64(p)
	if p < 0 {
		n = uint64(-p)
	}
	q := bits.RotateLeft64(n*g.inv, -g.shift)
	if q > g.lim {
		return 0, false
	}
	if p < 0 {
		return -int64(q), true
	}
	return int64(q), true
}
