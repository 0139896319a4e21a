package sim

import (
	"math"

	"github.com/keeltrade/keel/venue"
	"github.com/shopspring/decimal"
)

// book is the exchange's view of one contract: the last market data it was
// shown, the orders working on it and the position they built.
type book struct {
	inst venue.Instrument
	fee  decimal.Decimal // per contract per side
	slip venue.Price     // SlippageTicks × tick size

	// Top of book after the latest quote. *Left is the displayed size our own
	// fills have not yet taken; it is only meaningful when *Sized.
	bid, ask           venue.Price
	bidSize, askSize   int64
	bidLeft, askLeft   int64
	hasBid, hasAsk     bool
	bidSized, askSized bool

	// last is the latest trade price; sawTrade turns the contract into
	// "trade data": from then on only trades trigger stops and MITs.
	last     venue.Price
	sawTrade bool

	// used is the volume of the current trade already given to our own
	// resting orders at the trade price (TouchWithQueue).
	used int64

	orders []*order // placed orders in time priority; terminal ones until tidied
	dead   int      // how many entries of orders are terminal
	pos    position
}

const unlimited = math.MaxInt64

// observe records a tick's market data.
func (b *book) observe(t *venue.Tick) {
	if t.Flags&venue.HasQuote != 0 {
		b.bid, b.ask = t.Bid, t.Ask
		b.hasBid = t.Bid != 0 || t.BidSize > 0
		b.hasAsk = t.Ask != 0 || t.AskSize > 0
		b.bidSize, b.askSize = int64(t.BidSize), int64(t.AskSize)
		b.bidLeft, b.askLeft = b.bidSize, b.askSize
		b.bidSized, b.askSized = t.BidSize > 0, t.AskSize > 0
	}
	if t.Flags&venue.HasTrade != 0 {
		b.last = t.Price
		b.sawTrade = true
	}
}

// takeable returns the price and size an aggressive order on side can take
// now: the opposite quote if one is known (bounded by its unconsumed
// displayed size), else the trade on this tick (unbounded). ok is false when
// there is nothing to take.
func (b *book) takeable(side venue.Side, t *venue.Tick) (px venue.Price, avail int64, ok bool) {
	if side == venue.Buy && b.hasAsk {
		if !b.askSized {
			return b.ask, unlimited, true
		}
		return b.ask, b.askLeft, b.askLeft > 0
	}
	if side == venue.Sell && b.hasBid {
		if !b.bidSized {
			return b.bid, unlimited, true
		}
		return b.bid, b.bidLeft, b.bidLeft > 0
	}
	if t != nil && t.Flags&venue.HasTrade != 0 {
		return t.Price, unlimited, true
	}
	return 0, 0, false
}

// consume takes q of the displayed size opposite side.
func (b *book) consume(side venue.Side, q int64) {
	if side == venue.Buy && b.hasAsk && b.askSized {
		b.askLeft -= min(q, b.askLeft)
	}
	if side == venue.Sell && b.hasBid && b.bidSized {
		b.bidLeft -= min(q, b.bidLeft)
	}
}

// triggered reports whether a Stop, StopLimit or MIT order's trigger has
// been reached by the market as the book knows it: the last trade for
// trade data, else the touch (ask for buys, bid for sells).
func (b *book) triggered(o *order) bool {
	s := o.stop
	buy := o.side == venue.Buy
	if b.sawTrade {
		p := b.last
		if o.typ == venue.MIT {
			return (buy && p <= s) || (!buy && p >= s)
		}
		return (buy && p >= s) || (!buy && p <= s)
	}
	if buy {
		if !b.hasAsk {
			return false
		}
		if o.typ == venue.MIT {
			return b.ask <= s
		}
		return b.ask >= s
	}
	if !b.hasBid {
		return false
	}
	if o.typ == venue.MIT {
		return b.bid >= s
	}
	return b.bid <= s
}

// sameSideQuote returns our side's best price and displayed size.
func (b *book) sameSideQuote(side venue.Side) (px venue.Price, size int64, has, sized bool) {
	if side == venue.Buy {
		return b.bid, b.bidSize, b.hasBid, b.bidSized
	}
	return b.ask, b.askSize, b.hasAsk, b.askSized
}

// estimateQueue sets a resting limit's queue position from the quote: zero
// when the limit improves on our side's best price or the best has moved
// behind it, the displayed size when it joins the best, unknown (-1) when it
// sits behind the best.
func (b *book) estimateQueue(o *order) {
	o.queue = -1
	b.refreshQueue(o)
}

// refreshQueue tightens a queue estimate from a new quote: the queue ahead
// can never exceed what is displayed at our price.
func (b *book) refreshQueue(o *order) {
	px, size, has, sized := b.sameSideQuote(o.side)
	if !has {
		return
	}
	ahead := o.limit - px // > 0: our limit is better than the best
	if o.side == venue.Sell {
		ahead = px - o.limit
	}
	switch {
	case ahead > 0:
		o.queue = 0
	case ahead == 0 && sized:
		if o.queue < 0 || size < o.queue {
			o.queue = size
		}
	}
}

// add appends a placed order to the book.
func (b *book) add(o *order) { b.orders = append(b.orders, o) }

// tidy drops terminal orders, keeping priority order.
func (b *book) tidy() {
	if b.dead == 0 {
		return
	}
	keep := b.orders[:0]
	for _, o := range b.orders {
		if o.live() {
			keep = append(keep, o)
		}
	}
	clear(b.orders[len(keep):])
	b.orders = keep
	b.dead = 0
}
