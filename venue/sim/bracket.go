package sim

import (
	"github.com/keeltrade/keel/venue"
)

// Linked orders are named as venue.BracketIDs and venue.OCOSuffix say.
const ocoSuffix = venue.OCOSuffix

// group links orders that cancel each other: an OCO pair (entry nil, legs
// are the two orders) or an OSO bracket (entry is the parent, legs are the
// exits, OCO-linked between themselves and placed when the entry fills).
//
// For each leg i, base(i) is the quantity it may trade in total: its own
// size for an OCO pair, the entry's filled quantity (capped at the leg's
// Qty) for a bracket. exitFilled is what all legs filled together. A leg's
// quantity is kept at filled + max(0, base(i) − exitFilled): a fill of one
// leg reduces the other, and a bracket's entry fills grow both.
type group struct {
	entry      *order
	legs       [2]*order
	caps       [2]int64 // OCO: each order's own size; bracket: Leg.Qty (0 follows the entry)
	n          int
	exitFilled int64
}

func (g *group) base(i int) int64 {
	if g.entry == nil {
		return g.caps[i]
	}
	f := g.entry.filled
	if c := g.caps[i]; c > 0 && c < f {
		return c
	}
	return f
}

// partner returns the other live leg of o's OCO link, if any.
func (o *order) partner() *order {
	g := o.grp
	if g == nil || o.legIdx < 0 || g.n != 2 {
		return nil
	}
	p := g.legs[1-o.legIdx]
	if p == nil || !p.live() {
		return nil
	}
	return p
}

// bracketIDs derives the client ids of a bracket's legs from the parent's.
func bracketIDs(parent string, legs []venue.Leg) []string { return venue.BracketIDs(parent, legs) }

// newOCO places o's OCO partner next to it; leg is resolved by
// venue.OrderIntent.LinkedLeg (quantity and time in force set).
func (x *Exchange) newOCO(b *book, o *order, leg venue.Leg, id string, now int64) *order {
	p := &order{
		id: id, parentID: o.id, strategy: o.strategy, symbol: o.symbol, tag: o.tag,
		side: leg.Side, typ: leg.Type, tif: *leg.TIF, qty: leg.Qty, limit: leg.Limit, stop: leg.Stop,
		created: now, updated: now, queue: -1,
	}
	x.ids[id] = p
	x.place(b, p, o.arrive)
	if p.tif == venue.GTD { // the parent's partner: until the parent's Expire
		p.expire = o.expire
		x.watchGTD(p)
	}
	g := &group{legs: [2]*order{o, p}, caps: [2]int64{o.qty, p.qty}, n: 2}
	o.grp, o.legIdx = g, 0
	p.grp, p.legIdx = g, 1
	return p
}

// newBracket creates o's exit legs, not yet placed: they get venue ids now
// (as Tradovate's placeOSO returns oso1Id/oso2Id) and work once o fills.
func (x *Exchange) newBracket(b *book, o *order, legs []venue.Leg, ids []string, now int64) {
	g := &group{entry: o, n: len(legs)}
	o.grp, o.legIdx = g, -1
	for i := range legs {
		leg, _ := o.intent.LinkedLeg(o.id, ids[i])
		l := &order{
			id: ids[i], parentID: o.id, strategy: o.strategy, symbol: o.symbol, tag: o.tag,
			side: leg.Side, typ: leg.Type, tif: *leg.TIF, limit: leg.Limit, stop: leg.Stop,
			status: venue.PendingNew, created: now, updated: now, queue: -1,
			bk: b, grp: g, legIdx: i,
		}
		x.nextOrder++
		l.venueID = x.nextOrder
		x.ids[l.id] = l
		g.legs[i] = l
		g.caps[i] = legs[i].Qty
	}
}

// linked runs the consequences of a fill of q on o, a member of a group:
// placing or growing a bracket's exits after an entry fill, reducing or
// cancelling the other leg after an exit or OCO fill, and cancelling the
// rest of a bracket's entry once its exits have closed everything.
func (x *Exchange) linked(o *order, q int64, t int64) {
	g := o.grp
	if o == g.entry {
		x.syncLegs(g, t, o)
		return
	}
	g.exitFilled += q
	x.syncLegs(g, t, nil)
	if e := g.entry; e != nil && e.live() {
		for i := 0; i < g.n; i++ {
			if g.legs[i].live() {
				return
			}
		}
		x.finish(e, venue.Cancelled, t, "bracket exits closed the filled quantity; rest of entry cancelled")
	}
}

// syncLegs brings every leg to the size the group rules give it. entry is
// the bracket entry that just filled (nil otherwise): its unplaced legs are
// placed now.
func (x *Exchange) syncLegs(g *group, t int64, entry *order) {
	for i := 0; i < g.n; i++ {
		l := g.legs[i]
		rem := max(0, g.base(i)-g.exitFilled)
		if l.status == venue.PendingNew {
			if entry == nil || rem == 0 {
				continue
			}
			l.qty = rem
			l.created, l.updated = t, t
			x.place(l.bk, l, t)
			l.bornSeq, l.bornPx, l.bornOpen = x.seq, x.lastPx, x.lastOpen
			x.emit(x.event(venue.EventAccepted, l, t))
			continue
		}
		if !l.live() {
			continue
		}
		want := l.filled + rem
		switch {
		case want == l.qty:
		case rem == 0:
			x.finish(l, venue.Cancelled, t, "OCO: the linked order filled")
		default:
			grew := want > l.qty
			l.qty = want
			l.updated = t
			if grew && l.arrived && l.limitLike() {
				l.bk.estimateQueue(l) // added size joins the back of the queue
			}
			ev := x.event(venue.EventModified, l, t)
			ev.Modify = venue.Modify{Qty: want}
			x.emit(ev)
		}
	}
}
