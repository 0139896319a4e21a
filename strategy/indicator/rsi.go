package indicator

// RSI is Wilder's relative strength index, on a 0–100 scale.
//
// It follows Wilder's original definition: the first Period price changes
// seed the average gain and average loss as simple means; after that each
// change c updates them with Wilder smoothing,
//
//	avgGain = (avgGain·(n−1) + max(c, 0)) / n
//	avgLoss = (avgLoss·(n−1) + max(−c, 0)) / n
//
// and RSI = 100 − 100/(1 + avgGain/avgLoss) = 100·avgGain/(avgGain+avgLoss).
// RSI(n) therefore needs n+1 values (n changes) to be Ready.
//
// Edge cases are defined rather than divided by zero: with gains but no
// losses in the averages RSI is 100, with losses but no gains it is 0, and
// with no movement at all (both averages 0, e.g. a constant input) it is 50,
// the neutral value. RSI always lies in [0, 100].
type RSI struct {
	period  int
	prev    float64
	avgGain float64 // sum of gains while seeding
	avgLoss float64 // sum of losses while seeding
	changes int     // price changes seen, capped at period

	count    int
	rejected int
}

// NewRSI returns a Wilder RSI over period changes (14 is Wilder's own
// choice). It returns an error wrapping ErrPeriod if period < 1 or
// period > MaxPeriod.
func NewRSI(period int) (*RSI, error) {
	if err := checkPeriod("RSI", period); err != nil {
		return nil, err
	}
	return &RSI{period: period}, nil
}

// Update feeds the next price in O(1) without allocating. NaN and ±Inf are
// ignored and counted by Rejected; the next change is then measured from the
// last accepted price.
func (r *RSI) Update(v float64) {
	if !finite(v) {
		r.rejected++
		return
	}
	r.count++
	if r.count == 1 {
		r.prev = v
		return
	}
	c := v - r.prev
	r.prev = v
	var gain, loss float64
	if c > 0 {
		gain = c
	} else if c < 0 {
		loss = -c
	}
	n := float64(r.period)
	if r.changes == r.period {
		r.avgGain = (r.avgGain*(n-1) + gain) / n
		r.avgLoss = (r.avgLoss*(n-1) + loss) / n
		return
	}
	r.avgGain += gain
	r.avgLoss += loss
	r.changes++
	if r.changes == r.period {
		r.avgGain /= n
		r.avgLoss /= n
	}
}

// Value returns the RSI in [0, 100], or 0 before Ready (which is not an
// oversold reading: check Ready).
func (r *RSI) Value() float64 {
	if !r.Ready() {
		return 0
	}
	sum := r.avgGain + r.avgLoss
	if sum == 0 {
		return 50
	}
	return 100 * r.avgGain / sum
}

// Ready reports whether Period price changes (Period+1 prices) have been seen.
func (r *RSI) Ready() bool { return r.changes == r.period }

// AvgGain returns Wilder's smoothed average gain, or 0 before Ready.
func (r *RSI) AvgGain() float64 {
	if !r.Ready() {
		return 0
	}
	return r.avgGain
}

// AvgLoss returns Wilder's smoothed average loss (a non-negative number), or
// 0 before Ready.
func (r *RSI) AvgLoss() float64 {
	if !r.Ready() {
		return 0
	}
	return r.avgLoss
}

// Period returns the number of changes averaged.
func (r *RSI) Period() int { return r.period }

// Count returns the number of prices accepted since construction or Reset.
func (r *RSI) Count() int { return r.count }

// Rejected returns the number of NaN or ±Inf inputs ignored since
// construction or Reset.
func (r *RSI) Rejected() int { return r.rejected }

// Reset returns r to its just-constructed state.
func (r *RSI) Reset() {
	*r = RSI{period: r.period}
}
