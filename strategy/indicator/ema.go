package indicator

// EMA is the exponential moving average with the standard smoothing factor
// alpha = 2/(Period+1).
//
// It is seeded the classic way: the first Period values are averaged (an
// SMA), that mean is the first EMA value, and from then on each value v moves
// it by alpha·(v − EMA). So EMA(n) is Ready after n values and, at that
// point, equals SMA(n); a constant input returns exactly that constant.
type EMA struct {
	period int
	alpha  float64
	ema    float64

	// seed mean over the first period values, as anchor + mu (see rolling).
	anchor, mu float64

	count    int
	rejected int
}

// NewEMA returns an EMA with alpha = 2/(period+1), seeded with the SMA of its
// first period values. It returns an error wrapping ErrPeriod if period < 1
// or period > MaxPeriod.
func NewEMA(period int) (*EMA, error) {
	if err := checkPeriod("EMA", period); err != nil {
		return nil, err
	}
	return &EMA{period: period, alpha: 2 / float64(period+1)}, nil
}

// Update feeds the next value in O(1) without allocating. NaN and ±Inf are
// ignored and counted by Rejected.
func (e *EMA) Update(v float64) {
	if !finite(v) {
		e.rejected++
		return
	}
	e.count++
	if e.count > e.period {
		e.ema += e.alpha * (v - e.ema)
		return
	}
	if e.count == 1 {
		e.anchor = v
	}
	e.mu += (v - e.anchor - e.mu) / float64(e.count)
	if e.count == e.period {
		e.ema = e.anchor + e.mu
	}
}

// Value returns the current EMA, or 0 before Ready.
func (e *EMA) Value() float64 {
	if !e.Ready() {
		return 0
	}
	return e.ema
}

// Ready reports whether Period values have been seen (the seed is complete).
func (e *EMA) Ready() bool { return e.count >= e.period }

// Alpha returns the smoothing factor 2/(Period+1).
func (e *EMA) Alpha() float64 { return e.alpha }

// Period returns the period the EMA was built with.
func (e *EMA) Period() int { return e.period }

// Count returns the number of values accepted since construction or Reset.
func (e *EMA) Count() int { return e.count }

// Rejected returns the number of NaN or ±Inf inputs ignored since
// construction or Reset.
func (e *EMA) Rejected() int { return e.rejected }

// Reset returns e to its just-constructed state.
func (e *EMA) Reset() {
	*e = EMA{period: e.period, alpha: e.alpha}
}
