package indicator

// VWAP is the volume-weighted average price since the session start:
// Σ(price·volume) / Σvolume over every accepted trade since construction or
// Reset. Call Reset at each session open.
//
// The sum is kept relative to the first accepted price, so a session of
// millions of prints near 5000 keeps its sub-tick precision.
//
// The zero value is an empty session, ready to use.
type VWAP struct {
	anchor float64 // first accepted price; the sums are relative to it
	pv     float64 // Σ(price − anchor)·volume
	volume float64 // Σvolume

	count    int
	rejected int
}

// NewVWAP returns an empty session VWAP. It cannot fail: there is no period.
func NewVWAP() *VWAP { return &VWAP{} }

// Update feeds one trade in O(1) without allocating. A trade whose price or
// volume is NaN or ±Inf, or whose volume is negative, is ignored and counted
// by Rejected. A zero-volume trade is accepted (it counts) but does not move
// the VWAP.
func (w *VWAP) Update(price, volume float64) {
	if !finite(price) || !finite(volume) || volume < 0 {
		w.rejected++
		return
	}
	w.count++
	if w.count == 1 {
		w.anchor = price
	}
	w.pv += (price - w.anchor) * volume
	w.volume += volume
}

// Value returns the session VWAP, or 0 before Ready.
func (w *VWAP) Value() float64 {
	if !w.Ready() {
		return 0
	}
	return w.anchor + w.pv/w.volume
}

// Ready reports whether any volume has traded since the session start.
func (w *VWAP) Ready() bool { return w.volume > 0 }

// Volume returns the total volume accepted since the session start.
func (w *VWAP) Volume() float64 { return w.volume }

// Count returns the number of trades accepted since construction or Reset,
// including zero-volume ones.
func (w *VWAP) Count() int { return w.count }

// Rejected returns the number of invalid trades ignored since construction
// or Reset.
func (w *VWAP) Rejected() int { return w.rejected }

// Reset starts a new session: the VWAP forgets every trade.
func (w *VWAP) Reset() { *w = VWAP{} }
