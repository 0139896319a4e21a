package indicator

import (
	"fmt"
	"math"
)

// Bollinger holds Bollinger bands: the SMA of the last Period values plus and
// minus K population standard deviations of the same values (dividing by
// Period, as Bollinger defines them, not by Period−1).
//
// The variance is computed in O(1) per update without cancellation: see the
// package's Numerics section. A constant input gives bands of width exactly 0.
type Bollinger struct {
	w        rolling
	k        float64
	count    int
	rejected int
}

// NewBollinger returns Bollinger bands over the last period values, k
// standard deviations wide on each side (the classic setting is 20, 2).
// It returns an error wrapping ErrPeriod if period < 1 or period > MaxPeriod,
// or ErrMultiplier if k is not a finite number above 0.
func NewBollinger(period int, k float64) (*Bollinger, error) {
	if err := checkPeriod("Bollinger", period); err != nil {
		return nil, err
	}
	if !(k > 0) || math.IsInf(k, 0) {
		return nil, fmt.Errorf("Bollinger multiplier %v: %w", k, ErrMultiplier)
	}
	return &Bollinger{w: newRolling(period), k: k}, nil
}

// Update feeds the next value in O(1) without allocating. NaN and ±Inf are
// ignored and counted by Rejected.
func (b *Bollinger) Update(v float64) {
	if !finite(v) {
		b.rejected++
		return
	}
	b.count++
	b.w.push(v)
}

// Ready reports whether Period values have been seen.
func (b *Bollinger) Ready() bool { return b.w.full() }

// Middle returns the middle band, the mean of the window (SMA.Value up to
// rounding), or 0 before Ready.
func (b *Bollinger) Middle() float64 {
	if !b.w.full() {
		return 0
	}
	return b.w.mean()
}

// StdDev returns the population standard deviation of the window, or 0
// before Ready. It is never negative.
func (b *Bollinger) StdDev() float64 {
	if !b.w.full() {
		return 0
	}
	return math.Sqrt(b.w.variance())
}

// Upper returns Middle + K·StdDev, or 0 before Ready.
func (b *Bollinger) Upper() float64 {
	_, _, upper := b.Bands()
	return upper
}

// Lower returns Middle − K·StdDev, or 0 before Ready.
func (b *Bollinger) Lower() float64 {
	lower, _, _ := b.Bands()
	return lower
}

// Bands returns the lower, middle and upper bands, all 0 before Ready.
// lower ≤ mid ≤ upper whenever the readings are finite.
func (b *Bollinger) Bands() (lower, mid, upper float64) {
	if !b.w.full() {
		return 0, 0, 0
	}
	mid = b.w.mean()
	d := b.k * math.Sqrt(b.w.variance())
	return mid - d, mid, mid + d
}

// Width returns the absolute band width 2·K·StdDev (Upper − Lower up to
// rounding), or 0 before Ready. Divide by Middle for the relative
// "bandwidth" some platforms plot.
func (b *Bollinger) Width() float64 {
	return 2 * b.k * b.StdDev()
}

// K returns the band multiplier.
func (b *Bollinger) K() float64 { return b.k }

// Period returns the window length.
func (b *Bollinger) Period() int { return len(b.w.ring) }

// Count returns the number of values accepted since construction or Reset.
func (b *Bollinger) Count() int { return b.count }

// Rejected returns the number of NaN or ±Inf inputs ignored since
// construction or Reset.
func (b *Bollinger) Rejected() int { return b.rejected }

// Reset returns b to its just-constructed state without allocating.
func (b *Bollinger) Reset() {
	b.w.reset()
	b.count, b.rejected = 0, 0
}
