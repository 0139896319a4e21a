package indicator

// ATR is Wilder's average true range, fed one bar (high, low, close) at a
// time.
//
// The true range of a bar is max(high, prevClose) − min(low, prevClose): the
// bar's range widened to include any gap from the previous close. The first
// bar has no previous close, so its true range is high − low. The first
// Period true ranges seed ATR as their simple mean; after that each true
// range tr updates it with Wilder smoothing, ATR = (ATR·(n−1) + tr) / n.
// ATR(n) is Ready after n bars and is never negative.
type ATR struct {
	period    int
	atr       float64 // sum of true ranges while seeding
	tr        float64
	prevClose float64

	count    int
	rejected int
}

// NewATR returns a Wilder ATR over period bars (14 is Wilder's own choice).
// It returns an error wrapping ErrPeriod if period < 1 or period > MaxPeriod.
func NewATR(period int) (*ATR, error) {
	if err := checkPeriod("ATR", period); err != nil {
		return nil, err
	}
	return &ATR{period: period}, nil
}

// Update feeds the next bar in O(1) without allocating. A bar with a NaN or
// ±Inf field, or with high < low, is ignored and counted by Rejected; the next
// true range then uses the last accepted close. A close outside [low, high]
// is accepted as given.
func (a *ATR) Update(high, low, close float64) {
	if !finite(high) || !finite(low) || !finite(close) || high < low {
		a.rejected++
		return
	}
	a.count++
	tr := high - low
	if a.count > 1 {
		tr = max(high, a.prevClose) - min(low, a.prevClose)
	}
	a.tr = tr
	a.prevClose = close
	n := float64(a.period)
	switch {
	case a.count > a.period:
		a.atr = (a.atr*(n-1) + tr) / n
	case a.count == a.period:
		a.atr = (a.atr + tr) / n
	default:
		a.atr += tr
	}
}

// Value returns the ATR, or 0 before Ready.
func (a *ATR) Value() float64 {
	if !a.Ready() {
		return 0
	}
	return a.atr
}

// TrueRange returns the true range of the last accepted bar (0 before the
// first bar). It is available before Ready.
func (a *ATR) TrueRange() float64 { return a.tr }

// Ready reports whether Period bars have been seen.
func (a *ATR) Ready() bool { return a.count >= a.period }

// Period returns the number of bars averaged.
func (a *ATR) Period() int { return a.period }

// Count returns the number of bars accepted since construction or Reset.
func (a *ATR) Count() int { return a.count }

// Rejected returns the number of invalid bars ignored since construction or
// Reset.
func (a *ATR) Rejected() int { return a.rejected }

// Reset returns a to its just-constructed state.
func (a *ATR) Reset() {
	*a = ATR{period: a.period}
}
