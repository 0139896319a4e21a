package sim

import (
	"github.com/keeltrade/keel/venue"
)

// OnBar shows the exchange one completed bar, for backtests driven by bars
// instead of ticks. Orders that reached the book by the bar's open
// (submitted after an earlier bar, arrival time ≤ Start) execute against
// its open, high and low as doc.go describes; bars with a high below the
// low or an open or close outside the range are ignored.
func (x *Exchange) OnBar(bar *venue.Bar) {
	if x.closed || bar == nil {
		return
	}
	start, end := bar.Start, max(bar.End, bar.Start)
	if end > x.now {
		x.now = end
	}
	x.seq++
	if len(x.cmds) != 0 {
		x.runCommands(start)
	}
	if x.gtdNext != 0 && start >= x.gtdNext {
		x.expireGTD(start)
	}
	b := x.bookFor(bar.Contract)
	if b == nil || bar.Low > bar.High || bar.Open < bar.Low || bar.Open > bar.High || bar.Close < bar.Low || bar.Close > bar.High {
		return
	}
	if len(b.orders) != 0 {
		x.matchBar(b, bar, start, end)
	}
	b.last, b.sawTrade = bar.Close, true
	b.hasBid, b.hasAsk = false, false
}

// barView is what an order may assume about a bar: its range, the price it
// starts from (the open, or a bracket entry's fill price), whether only
// stop-class orders may execute, and the times of open and later fills.
type barView struct {
	open, high, low venue.Price
	stopsOnly       bool
	openTime, end   int64
}

type barAct uint8

const (
	barNone barAct = iota
	barFill
	barTrigger // a StopLimit triggers but its limit is not reached
	barExpire
)

type barDecision struct {
	act    barAct
	px     venue.Price
	atOpen bool
	dist   venue.Price // |order price − open|: nearer prices are reached first
}

func (x *Exchange) matchBar(b *book, bar *venue.Bar, start, end int64) {
	x.busy++
	if x.busy == 1 {
		b.tidy()
	}
	v := barView{open: bar.Open, high: bar.High, low: bar.Low, openTime: start, end: end}
	n := len(b.orders)
	for i := 0; i < n; i++ {
		o := b.orders[i]
		if o.barSeen != x.seq && x.barEligible(o, start) {
			x.stepBar(b, o, v, start)
		}
	}
	// Exits placed by entries that filled in this bar see the rest of it:
	// all of it after a fill at the open; after a fill inside the bar only
	// their stops can execute, from the entry price on (pessimistic).
	for i := n; i < len(b.orders); i++ {
		o := b.orders[i]
		if o.barSeen == x.seq || !x.bornHere(o) {
			continue
		}
		lv := v
		if !o.bornOpen {
			lv.open, lv.stopsOnly, lv.openTime = o.bornPx, true, end
		}
		x.stepBar(b, o, lv, start)
	}
	x.busy--
	if x.busy == 0 {
		b.tidy()
	}
}

func (x *Exchange) barEligible(o *order, start int64) bool {
	return o.live() && ((x.seq >= o.minSeq && o.arrive <= start) || x.bornHere(o))
}

// bornHere reports whether o is a bracket exit placed during this bar.
func (x *Exchange) bornHere(o *order) bool {
	return o.live() && o.bornSeq == x.seq && o.grp != nil && o.grp.entry != nil && o.legIdx >= 0
}

// stepBar executes o on the bar. When o's OCO partner could execute on the
// same bar, the two are ordered pessimistically (see doc.go) and only the
// first executes, unless the second is a stop still working afterwards.
func (x *Exchange) stepBar(b *book, o *order, v barView, start int64) {
	o.barSeen = x.seq
	p := o.partner()
	if p == nil || p.barSeen == x.seq || !x.barEligible(p, start) {
		x.execBar(b, o, x.evalBar(b, o, v), v)
		return
	}
	p.barSeen = x.seq
	first, second := o, p
	d1, d2 := x.evalBar(b, o, v), x.evalBar(b, p, v)
	if barBefore(d2, d1, p, o) {
		first, second, d1, d2 = p, o, d2, d1
	}
	x.execBar(b, first, d1, v)
	if !second.live() {
		return
	}
	if d1.act == barFill || d1.act == barTrigger {
		if second.stopClass() {
			x.execBar(b, second, x.evalBar(b, second, v), v)
		} else {
			if !second.arrived && second.immediate() {
				x.expireImmediate(second, v.openTime, "its OCO partner executed first")
			}
			second.arrived = true
		}
		return
	}
	x.execBar(b, second, d2, v)
}

// barBefore orders two OCO partners' decisions: executions before
// non-executions, at-the-open fills first, then stops before targets, then
// the price nearer the open, then time priority.
func barBefore(a, b barDecision, oa, ob *order) bool {
	if (a.act == barNone) != (b.act == barNone) {
		return b.act == barNone
	}
	if a.atOpen != b.atOpen {
		return a.atOpen
	}
	if oa.stopClass() != ob.stopClass() {
		return oa.stopClass()
	}
	if a.dist != b.dist {
		return a.dist < b.dist
	}
	return oa.venueID < ob.venueID
}

// evalBar decides what o does on the bar, without doing it. Sells are
// worked out as buys with prices negated, so each rule is written once.
func (x *Exchange) evalBar(b *book, o *order, v barView) barDecision {
	arriving := !o.arrived
	open, high, low, lim, stop := v.open, v.high, v.low, o.limit, o.stop
	sell := o.side == venue.Sell
	if sell {
		open, high, low, lim, stop = -open, -low, -high, -lim, -stop
	}
	touch := x.cfg.QueueModel == TouchWithQueue
	var d barDecision
	switch {
	case v.stopsOnly && !o.stopClass():
		// A target placed by an entry filled inside this bar: unknown
		// whether the market came back to it afterwards, so not this bar.
	case o.marketLike():
		d = barDecision{act: barFill, px: open + b.slip, atOpen: true}
	case o.limitLike():
		switch {
		case open < lim || (open == lim && (arriving || touch)):
			d = barDecision{act: barFill, px: open, atOpen: true}
		case low < lim || (low == lim && touch):
			d = barDecision{act: barFill, px: lim}
		}
		d.dist = lim - open
	case o.typ == venue.MIT:
		if low <= stop {
			d = barDecision{act: barFill, px: min(open, stop) + b.slip, atOpen: open <= stop}
		}
		d.dist = open - stop
	default: // Stop, StopLimit not yet triggered
		if high >= stop {
			tp := max(open, stop)
			switch {
			case o.typ == venue.Stop:
				d = barDecision{act: barFill, px: tp + b.slip}
			case tp <= lim:
				d = barDecision{act: barFill, px: tp}
			default:
				d = barDecision{act: barTrigger}
			}
			d.atOpen = open >= stop
		}
		d.dist = stop - open
	}
	if arriving && o.immediate() && !(d.act == barFill && d.atOpen) {
		d = barDecision{act: barExpire}
	}
	if d.dist < 0 {
		d.dist = -d.dist
	}
	if sell {
		d.px = -d.px
	}
	return d
}

func (x *Exchange) execBar(b *book, o *order, d barDecision, v barView) {
	o.arrived = true
	switch d.act {
	case barExpire:
		x.expireImmediate(o, v.openTime, "not executable at the open")
	case barTrigger:
		o.triggered = true
	case barFill:
		if !o.triggered && (o.typ == venue.Stop || o.typ == venue.StopLimit || o.typ == venue.MIT) {
			o.triggered = true
		}
		t := v.end
		if d.atOpen {
			t = v.openTime
		}
		x.fill(b, o, o.remaining(), d.px, t, d.atOpen)
	}
}
