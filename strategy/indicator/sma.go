package indicator

// SMA is the simple moving average: the arithmetic mean of the last Period
// values.
//
// The running sum is kept relative to an anchor (a recent value) and is
// rebuilt every Period updates from a shadow sum over exactly the values in
// the window, so rounding never accumulates beyond one window however long
// the run: the error stays within a few Period·ε of the window's spread.
// Bollinger uses a double-double variant of the same scheme, because a
// variance, unlike a mean, cancels.
type SMA struct {
	ring []float64
	next int // ring index the next value is written to
	n    int // values in the window, at most len(ring)

	anchor float64 // mean = anchor + sum/n
	sum    float64 // Σ(x − anchor) over the window

	// shadow sum over the values entering the full window since the last
	// swap, relative to their own anchor.
	shN      int
	shAnchor float64
	shSum    float64

	count    int
	rejected int
}

// NewSMA returns an SMA over the last period values. It returns an error
// wrapping ErrPeriod if period < 1 or period > MaxPeriod, before allocating
// the window.
func NewSMA(period int) (*SMA, error) {
	if err := checkPeriod("SMA", period); err != nil {
		return nil, err
	}
	return &SMA{ring: make([]float64, period)}, nil
}

// Update feeds the next value in O(1) without allocating. NaN and ±Inf are
// ignored and counted by Rejected.
func (s *SMA) Update(v float64) {
	if !finite(v) {
		s.rejected++
		return
	}
	s.count++
	p := len(s.ring)
	old := s.ring[s.next]
	s.ring[s.next] = v
	s.next++
	if s.next == p {
		s.next = 0
	}
	if s.n < p {
		if s.n == 0 {
			s.anchor = v
		}
		s.n++
		s.sum += v - s.anchor
		return
	}
	// old entered this sum relative to this anchor, so old − anchor is bit
	// for bit what was added.
	s.sum += (v - s.anchor) - (old - s.anchor)

	if s.shN == 0 {
		s.shAnchor = v
	}
	s.shN++
	s.shSum += v - s.shAnchor
	if s.shN == p {
		s.anchor, s.sum = s.shAnchor, s.shSum
		s.shN, s.shAnchor, s.shSum = 0, 0, 0
	}
}

// Value returns the mean of the last Period values, or 0 before Ready.
// A constant input returns exactly that constant.
func (s *SMA) Value() float64 {
	if s.n < len(s.ring) {
		return 0
	}
	return s.anchor + s.sum/float64(s.n)
}

// Ready reports whether Period values have been seen.
func (s *SMA) Ready() bool { return s.n == len(s.ring) }

// Period returns the window length.
func (s *SMA) Period() int { return len(s.ring) }

// Count returns the number of values accepted since construction or Reset.
func (s *SMA) Count() int { return s.count }

// Rejected returns the number of NaN or ±Inf inputs ignored since
// construction or Reset.
func (s *SMA) Rejected() int { return s.rejected }

// Reset returns s to its just-constructed state without allocating.
func (s *SMA) Reset() {
	clear(s.ring)
	*s = SMA{ring: s.ring}
}
