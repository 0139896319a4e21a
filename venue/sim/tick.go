package sim

import (
	"fmt"

	"github.com/keeltrade/keel/venue"
)

// OnTick shows the exchange one market event. The engine calls it for every
// tick, before strategies see the tick; fills it causes are reported through
// the sink before OnTick returns. Ticks for contracts the instruments do not
// know only advance market time; ticks with neither a trade nor a quote are
// ignored.
func (x *Exchange) OnTick(t *venue.Tick) {
	if x.closed || t == nil || t.Flags&(venue.HasTrade|venue.HasQuote) == 0 {
		return
	}
	if t.Time > x.now {
		x.now = t.Time
	}
	x.seq++
	if len(x.cmds) != 0 {
		x.runCommands(t.Time)
	}
	if x.gtdNext != 0 && x.now >= x.gtdNext {
		x.expireGTD(x.now)
	}
	b := x.last
	if b == nil || b.inst.ID != t.Contract {
		if b = x.bookFor(t.Contract); b == nil {
			return
		}
	}
	b.observe(t)
	if len(b.orders) != 0 {
		x.matchTick(b, t)
	}
}

// matchTick runs every eligible order of b against t, in time priority.
// Orders placed while it runs (by the sink, or bracket legs) wait for the
// next event.
func (x *Exchange) matchTick(b *book, t *venue.Tick) {
	x.busy++
	if x.busy == 1 {
		b.tidy()
	}
	b.used = 0
	n := len(b.orders)
	for i := 0; i < n; i++ {
		o := b.orders[i]
		if !o.live() || x.seq < o.minSeq || t.Time < o.arrive {
			continue
		}
		x.stepTick(b, o, t)
	}
	x.busy--
	if x.busy == 0 {
		b.tidy()
	}
}

func (x *Exchange) stepTick(b *book, o *order, t *venue.Tick) {
	if !o.arrived {
		o.arrived = true
		switch {
		case o.marketLike():
			x.marketTick(b, o, t)
		case o.limitLike():
			x.limitArrive(b, o, t)
		case b.triggered(o):
			x.trigger(b, o, t)
		case o.immediate():
			x.expireImmediate(o, t.Time, "not triggered when it reached the book")
		}
		return
	}
	switch {
	case o.marketLike():
		x.marketTick(b, o, t)
	case o.limitLike():
		x.restTick(b, o, t)
	case b.triggered(o):
		x.trigger(b, o, t)
	}
}

// trigger turns a Stop or MIT into a market order and a StopLimit into a
// limit order arriving now.
func (x *Exchange) trigger(b *book, o *order, t *venue.Tick) {
	o.triggered = true
	if o.typ == venue.StopLimit {
		x.limitArrive(b, o, t)
		return
	}
	x.marketTick(b, o, t)
}

// marketTick executes a market (or triggered stop/MIT) order at the
// opposite touch, or at this tick's trade when no quote is known, moved by
// the slippage.
func (x *Exchange) marketTick(b *book, o *order, t *venue.Tick) {
	px, avail, ok := b.takeable(o.side, t)
	if !ok {
		if o.immediate() {
			x.expireImmediate(o, t.Time, "no price to execute against")
		}
		return
	}
	x.take(b, o, b.slipped(o.side, px), avail, t.Time, false)
}

// limitArrive handles a limit order reaching the book: if marketable it
// takes the opposite touch (the better of touch and limit) up to the
// displayed size; what is left rests (Day, GTC) or expires (IOC, FOK).
func (x *Exchange) limitArrive(b *book, o *order, t *venue.Tick) {
	px, avail, ok := b.takeable(o.side, t)
	marketable := ok && ((o.side == venue.Buy && px <= o.limit) || (o.side == venue.Sell && px >= o.limit))
	if marketable {
		x.take(b, o, px, avail, t.Time, false)
		if !o.live() {
			return
		}
		o.crossing = true
		return
	} else if o.immediate() {
		x.expireImmediate(o, t.Time, fmt.Sprintf("limit %s not marketable", o.limit))
		return
	}
	b.estimateQueue(o)
}

// restTick works a resting limit order. Passive fills are at the limit
// price: all of it when a trade goes through the price; with
// TouchWithQueue, the part of a trade at the price left after the estimated
// queue ahead; up to the opposite displayed size when the opposite quote
// crosses the price (or touches it, with TouchWithQueue). A remainder left
// crossing the book on arrival takes the touch instead (crossTick).
func (x *Exchange) restTick(b *book, o *order, t *venue.Tick) {
	lim := o.limit
	buy := o.side == venue.Buy
	touch := x.cfg.QueueModel == TouchWithQueue
	if t.Flags&venue.HasTrade != 0 {
		rem := o.remaining()
		var q int64
		p := t.Price
		switch {
		case (buy && p < lim) || (!buy && p > lim):
			q = rem
		case p == lim && touch && o.queue >= 0 && t.Size > 0:
			if reach := int64(t.Size) - b.used; reach > 0 {
				q = min(rem, max(0, reach-o.queue))
				o.queue = max(0, o.queue-reach)
				b.used += q
			}
		}
		if q > 0 {
			x.fill(b, o, q, lim, t.Time, false)
			if !o.live() {
				return
			}
		}
	}
	if o.crossing && x.crossTick(b, o, t) {
		return
	}
	if t.Flags&venue.HasQuote != 0 {
		if q := b.crossing(o, touch, o.remaining()); q > 0 {
			b.consume(o.side, q)
			x.fill(b, o, q, lim, t.Time, false)
			if !o.live() {
				return
			}
		}
		if touch {
			b.refreshQueue(o)
		}
	}
}

// crossTick works a limit order left crossing the book: while the opposite
// touch is at or better than the limit it takes the touch, bounded by the
// displayed size (trades are ignored: they took that liquidity). Once the
// touch moves beyond the limit the order becomes an ordinary resting order
// and crossTick returns false.
func (x *Exchange) crossTick(b *book, o *order, t *venue.Tick) bool {
	px, size, has := b.ask, b.askLeft, b.hasAsk
	sized := b.askSized
	through := px <= o.limit
	if o.side == venue.Sell {
		px, size, has, sized = b.bid, b.bidLeft, b.hasBid, b.bidSized
		through = px >= o.limit
	}
	if !has {
		return true
	}
	if !through {
		o.crossing = false
		b.estimateQueue(o)
		return false
	}
	if !sized {
		size = unlimited
	}
	if size > 0 {
		x.take(b, o, px, size, t.Time, false)
	}
	return true
}

// crossing returns how much of want a resting limit gets from an opposite
// quote at or through its price.
func (b *book) crossing(o *order, touch bool, want int64) int64 {
	lim := o.limit
	if o.side == venue.Buy {
		if !b.hasAsk || !(b.ask < lim || (touch && b.ask == lim)) {
			return 0
		}
		if b.askSized {
			return min(want, b.askLeft)
		}
		return want
	}
	if !b.hasBid || !(b.bid > lim || (touch && b.bid == lim)) {
		return 0
	}
	if b.bidSized {
		return min(want, b.bidLeft)
	}
	return want
}
