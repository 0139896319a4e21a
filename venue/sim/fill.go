package sim

import (
	"fmt"

	"github.com/keeltrade/keel/venue"
	"github.com/shopspring/decimal"
)

// slipped moves an aggressive fill price SlippageTicks against side.
func (b *book) slipped(side venue.Side, px venue.Price) venue.Price {
	if side == venue.Buy {
		return px + b.slip
	}
	return px - b.slip
}

// take executes an aggressive order (market, triggered stop, marketable
// limit) against avail contracts at px, applying its time in force: FOK
// fills all or expires, IOC expires whatever is left, Day and GTC keep
// working.
func (x *Exchange) take(b *book, o *order, px venue.Price, avail int64, t int64, atOpen bool) {
	rem := o.remaining()
	q := min(rem, avail)
	if o.tif == venue.FOK && q < rem {
		x.finish(o, venue.Expired, t, fmt.Sprintf("FOK: %d of %d available at %s", q, rem, px))
		return
	}
	if q > 0 {
		b.consume(o.side, q)
		x.fill(b, o, q, px, t, atOpen)
	}
	if o.immediate() && o.live() {
		x.finish(o, venue.Expired, t, fmt.Sprintf("%s: unfilled %d cancelled", o.tif, o.remaining()))
	}
}

// expireImmediate ends an IOC or FOK order that found nothing to execute
// against when it reached the book.
func (x *Exchange) expireImmediate(o *order, t int64, why string) {
	x.finish(o, venue.Expired, t, fmt.Sprintf("%s: %s", o.tif, why))
}

// fill books q contracts of o at px: the fill event (with fees), the
// position event, then whatever the fill sets off in linked orders.
func (x *Exchange) fill(b *book, o *order, q int64, px venue.Price, t int64, atOpen bool) {
	if q <= 0 || !o.live() {
		return
	}
	q = min(q, o.remaining())
	o.filled += q
	o.notional = o.notional.Add(px.Mul(q))
	o.updated = t
	final := o.filled == o.qty
	if final {
		o.status = venue.Filled
		b.dead++
	}
	b.pos.apply(o.side, q, px)
	x.nextFill++
	ev := x.event(venue.EventFilled, o, t)
	ev.Fill = venue.Fill{
		ID: x.nextFill, ClientID: o.id, VenueID: o.venueID, Contract: b.inst.ID,
		Side: o.side, Qty: q, Price: px, Time: t, Fee: b.fee.Mul(decimal.NewFromInt(q)),
	}
	ev.Final = final
	pos := venue.Event{Kind: venue.EventPosition, Time: t, Contract: b.inst.ID, Position: b.pos.snapshot(b.inst.ID)}
	x.emit(ev)
	x.emit(pos)
	if o.grp != nil {
		x.lastPx, x.lastOpen = px, atOpen
		x.linked(o, q, t)
	}
}
