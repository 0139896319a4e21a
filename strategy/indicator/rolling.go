package indicator

// rolling keeps the sum and the sum of squares of the last len(ring) values,
// updated in O(1) worst case per value, and from them the window's mean and
// population variance. Bollinger uses it.
//
// Three choices make the result numerically sound however long it runs and
// however far the prices sit from zero:
//
//   - Values are summed relative to an anchor, a value recently seen, so a
//     price of 5000.25 contributes 0.25 rather than 5000.25 and x − anchor is
//     usually exact (Sterbenz).
//   - The sums are double-doubles (see dd) and squares are formed exactly
//     with FMA, so subtracting a leaving value removes what adding it
//     contributed to within a few 2⁻¹⁰⁶ of the result, and the variance
//     (n·Σy² − (Σy)²)/n² is differenced in 106 bits: its relative error is
//     about 1e-31 · max(x − anchor)² / variance, where the float64 formula
//     would have 1e-16 · price² / variance.
//   - Every len(ring) updates the sums are replaced by shadow sums that were
//     built, add-only and anchored at the first value of that stretch, over
//     exactly the values now in the window. Rounding therefore never
//     accumulates for more than one window, and the anchor follows the
//     prices. The shadow costs a constant amount per update, so no single
//     Update pays an O(n) recomputation.
type rolling struct {
	ring []float64
	next int // ring index the next value is written to
	n    int // values in the window, at most len(ring)

	anchor float64 // every value in s1, s2 entered as x − anchor
	s1, s2 dd      // Σ(x − anchor), Σ(x − anchor)²

	// Shadow sums over the values entering the full window since the last
	// swap, relative to their own anchor.
	shN      int
	shAnchor float64
	sh1, sh2 dd
}

func newRolling(period int) rolling {
	return rolling{ring: make([]float64, period)}
}

// push adds x to the window, evicting the oldest value once the window is full.
func (r *rolling) push(x float64) {
	p := len(r.ring)
	if r.n < p {
		if r.n == 0 {
			r.anchor = x
		}
		r.n++
		r.ring[r.next] = x
		r.advance()
		r.add(x)
		return
	}

	old := r.ring[r.next]
	r.ring[r.next] = x
	r.advance()

	// old entered the current sums relative to the current anchor (it was
	// added either during filling or to the shadow that became these sums),
	// so old − anchor is bit for bit what was added.
	yOld := old - r.anchor
	r.s1 = r.s1.addF(-yOld)
	r.s2 = r.s2.add(twoProd(yOld, yOld).neg())
	r.add(x)

	if r.shN == 0 {
		r.shAnchor = x
	}
	r.shN++
	y := x - r.shAnchor
	r.sh1 = r.sh1.addF(y)
	r.sh2 = r.sh2.add(twoProd(y, y))
	if r.shN == p {
		r.anchor, r.s1, r.s2 = r.shAnchor, r.sh1, r.sh2
		r.shN, r.shAnchor, r.sh1, r.sh2 = 0, 0, dd{}, dd{}
	}
}

// add adds x to the main sums.
func (r *rolling) add(x float64) {
	y := x - r.anchor
	r.s1 = r.s1.addF(y)
	r.s2 = r.s2.add(twoProd(y, y))
}

func (r *rolling) advance() {
	r.next++
	if r.next == len(r.ring) {
		r.next = 0
	}
}

func (r *rolling) full() bool { return r.n == len(r.ring) }

// mean returns the mean of the values in the window (0 when empty).
func (r *rolling) mean() float64 {
	if r.n == 0 {
		return 0
	}
	return r.anchor + r.s1.float()/float64(r.n)
}

// variance returns the population variance of the values in the window
// (0 when empty). It is never negative.
func (r *rolling) variance() float64 {
	if r.n == 0 {
		return 0
	}
	n := float64(r.n)
	// n·Σy² − (Σy)² is n² times the variance, and is where the cancellation
	// happens: do it in double-double.
	v := r.s2.mulF(n).add(r.s1.sqr().neg()).float() / (n * n)
	return max(v, 0)
}

// reset empties the window, keeping the ring's storage.
func (r *rolling) reset() {
	clear(r.ring)
	*r = rolling{ring: r.ring}
}
