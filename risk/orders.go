package risk

import (
	"strings"

	"github.com/keeltrade/keel/venue"
)

// Order lifecycle. The gate records every order it allows and follows it
// through the events the engine forwards:
//
//   - Check (allow): record the client id with its strategy, contract,
//     side and quantity; its remaining quantity counts as working exposure
//     and it counts as an open order, in the account and its strategy. An
//     OCO partner's quantity counts as working on its own side from the
//     same moment (either order of the pair may fill);
//   - Filled: the position moves by the fill (side and contract from the
//     fill), the remaining quantity shrinks; the final fill ends it;
//   - Modified: a new quantity changes the remaining quantity (CheckModify
//     counts an allowed raise at once; ModifyRejected undoes it);
//   - Rejected, Cancelled, Expired (and Denied): the order ends;
//   - Accepted, Unknown: no change (an order whose outcome is unknown keeps
//     counting, so exposure is never understated).
//
// Venues name bracket legs and OCO partners "<parent>/<suffix>". Their
// first event creates a linked record owned by the parent's strategy: their
// fills move that strategy's position. A bracket exit's working size
// (Event.Qty on Accepted and Modified, as the venue sized it; a stop and
// target once) counts on its side for the worst case — where it offsets
// the position it closes, so it costs nothing — and among the reducing
// orders; it is not an open order. A
// parent with linked orders is kept (ended) until its linked orders have
// ended; the trade-date roll sweeps what is left.
//
// Fills for client ids the gate never allowed are booked to the account
// only and counted in Stats.UnknownFills. Fills in contracts whose
// instrument no Check has shown (so no tick size or value) move positions
// but no money, and are counted in Stats.UnpricedFills; such positions are
// valued from the first mark after the instrument becomes known.
type order struct {
	id     string
	h      uint64 // hash of id in the idTable
	strat  *Scope
	slot   int32
	sign   int64
	qty    int64 // ordered quantity
	filled int64
	rem    int64 // remaining quantity counted as working (0 for linked orders)
	prot   bool  // a protective order
	linked bool  // a bracket leg or OCO partner
	exit   bool  // linked: a bracket exit (else an OCO partner)
	links  bool  // has bracket legs or an OCO partner
	parent *order
	kids   int32 // live linked orders
	sawKid bool
	done   bool // ended, kept for its linked orders

	osign int64     // parent of an OCO pair: the partner's side
	orem  int64     // parent of an OCO pair: the partner's remaining quantity
	ocnt  int64     // parent of an OCO pair: how much of orem counts as working (see ocoSync)
	exits [2]*order // parent of a bracket: its live exits
	xw    int64     // parent of a bracket: the exit quantity it counts (the larger exit)
	xrem  int64     // bracket exit: its remaining quantity as the venue sized it
	// pend are the quantities of modifies CheckModify allowed that the
	// venue has not answered yet, oldest first: until each is confirmed or
	// refused, the order counts as the largest of them and its own.
	pend []int64
}

// alloc returns an order record to overwrite, from the free list or new.
func (g *Guard) alloc() *order {
	if n := len(g.free); n > 0 {
		o := g.free[n-1]
		g.free = g.free[:n-1]
		return o
	}
	return new(order)
}

func (g *Guard) drop(o *order) {
	g.orders.remove(o)
	// alloc's callers set every field. These are for the collector and for
	// linked orders that still point at o as their parent (after a reused
	// client id): to them o is an ended order with no links, as if zeroed.
	o.id, o.strat, o.parent, o.kids, o.done = "", nil, nil, 0, false
	o.exits, o.orem, o.ocnt, o.xw = [2]*order{}, 0, 0, 0
	g.free = append(g.free, o)
}

// record starts tracking an allowed intent.
func (g *Guard) record(req *Request) {
	c := &g.cur
	in := req.Intent
	o := g.alloc()
	// Field by field: a record assembled elsewhere and copied in would
	// wait for its parts' stores to land.
	o.id, o.strat, o.parent = req.ClientID, c.strat, nil
	o.slot, o.sign, o.qty, o.filled, o.rem = c.slot, c.sign, c.qty, 0, c.qty
	o.linked, o.links, o.kids, o.sawKid, o.done = false, len(in.Brackets) > 0 || in.OCO != nil, 0, false, false
	o.prot, o.exit, o.osign, o.orem, o.ocnt, o.exits, o.xw, o.xrem, o.pend = req.Protect != NotProtective, false, 0, 0, 0, [2]*order{}, 0, 0, o.pend[:0]
	g.orders.insert(o) // begin refused a client id still tracked
	g.work(o, o.sign, o.rem)
	if in.OCO != nil {
		o.osign, o.orem = in.OCO.Side.Sign(), legQty(in)
		g.ocoSync(o)
	}
	g.account.open++
	c.strat.open++
}

// work adds q to the working quantity of side sign in the account and o's
// strategy (and to their protective quantity, for a protective order).
func (g *Guard) work(o *order, sign, q int64) {
	if q == 0 {
		return
	}
	a, s := g.account, o.strat
	slot := int(o.slot)
	if slot >= len(a.pos) || slot >= len(s.pos) {
		growPos(a, s, slot+1)
	}
	pa, ps := &a.pos[slot], &s.pos[slot]
	a.addWork(pa, sign, q)
	s.addWork(ps, sign, q)
	if o.prot {
		if sign > 0 {
			pa.pbuy += q
			ps.pbuy += q
		} else {
			pa.psell += q
			ps.psell += q
		}
	}
}

// ocoSync brings the working quantity an OCO pair's partner counts up to
// date: all of it on the other side, and on the parent's side only what
// exceeds the parent's own remaining quantity (one of a pair fills, not
// both).
func (g *Guard) ocoSync(p *order) {
	want := p.orem
	if p.osign == p.sign {
		want = max(0, p.orem-p.rem)
	}
	if d := want - p.ocnt; d != 0 && p.strat != nil {
		g.work(p, p.osign, d)
		p.ocnt = want
	}
}

// exitWork brings the exit quantity a bracket parent counts up to date:
// the larger of its live exits (a stop and a target close the same
// contracts; only one of them can).
func (g *Guard) exitWork(p *order) {
	var w int64
	for _, x := range p.exits {
		if x != nil {
			w = max(w, x.xrem)
		}
	}
	d := w - p.xw
	if d == 0 || p.strat == nil {
		return
	}
	p.xw = w
	a, s := g.account, p.strat
	growPos(a, s, int(p.slot)+1)
	a.addExit(&a.pos[p.slot], -p.sign, d)
	s.addExit(&s.pos[p.slot], -p.sign, d)
}

// growPos grows the positions of a and s to n contracts.
func growPos(a, s *Scope, n int) {
	if n > len(a.pos) {
		a.grow(n)
	}
	if n > len(s.pos) {
		s.grow(n)
	}
}

// lookup finds the record of an event's order, creating the linked record
// of a bracket leg or OCO partner on its first event.
func (g *Guard) lookup(id string) *order {
	if o := g.orders.get(id); o != nil {
		return o
	}
	i := strings.LastIndexByte(id, '/')
	if i <= 0 {
		return nil
	}
	parent := g.orders.get(id[:i])
	if parent == nil {
		return nil
	}
	o := g.alloc()
	*o = order{id: id, strat: parent.strat, slot: parent.slot, linked: true, parent: parent}
	o.exit = id[i:] != venue.OCOSuffix
	if o.exit {
		o.sign = -parent.sign
		for k := range parent.exits {
			if parent.exits[k] == nil {
				parent.exits[k] = o
				break
			}
		}
	} else {
		o.sign = parent.osign
	}
	parent.kids++
	parent.sawKid = true
	g.orders.insert(o)
	return o
}

// sized applies the venue's size of a linked order (Event.Qty).
func (g *Guard) sized(o *order, qty int64) {
	if qty <= 0 || o.done {
		return
	}
	o.qty = qty
	p := o.parent
	if p == nil {
		return
	}
	rem := max(0, qty-o.filled)
	if o.exit {
		o.xrem = rem
		g.exitWork(p)
		return
	}
	p.orem = rem
	g.ocoSync(p)
}

// finish ends an order.
func (g *Guard) finish(o *order) {
	if o.done {
		return
	}
	if o.linked {
		if p := o.parent; p != nil {
			if o.exit {
				o.xrem = 0
				for k := range p.exits {
					if p.exits[k] == o {
						p.exits[k] = nil
					}
				}
				g.exitWork(p)
			} else {
				p.orem = 0
				g.ocoSync(p)
			}
			p.kids--
			if p.done && p.kids == 0 {
				g.drop(p)
			}
		}
		g.drop(o)
		return
	}
	g.work(o, o.sign, -o.rem)
	o.rem = 0
	if !o.sawKid {
		// Ended before its OCO partner ever reported: the venue never
		// placed it.
		o.orem = 0
	}
	g.ocoSync(o)
	g.account.open--
	o.strat.open--
	if o.links && (!o.sawKid || o.kids > 0) {
		o.done = true // its linked orders may still report
		return
	}
	g.drop(o)
}

// sweepOrders drops ended parents whose linked orders never showed up.
func (g *Guard) sweepOrders() {
	g.orders.each(func(o *order) {
		if o.done && o.kids == 0 {
			g.drop(o)
		}
	})
}

func (g *Guard) onFill(e *venue.Event) {
	id := e.ClientID
	if id == "" {
		id = e.Fill.ClientID
	}
	o := g.lookup(id)
	f := &e.Fill
	cid := f.Contract
	if cid == 0 {
		cid = e.Contract
	}
	if cid == 0 && o != nil {
		cid = g.contracts[o.slot].id
	}
	c, _ := g.contractByID(cid)
	q := f.Side.Sign() * f.Qty
	if o == nil {
		g.stats.UnknownFills++
		g.log.Warn("fill for an order the risk gate did not allow; booked to the account only", "client_id", id, "contract", cid, "side", f.Side, "qty", f.Qty, "price", f.Price)
	}
	if q != 0 {
		var price, fee int64
		if c.known && c.bad == "" {
			price = c.ticks(f.Price)
			fee = feeMicros(f.Fee)
		} else {
			g.stats.UnpricedFills++
			g.log.Warn("fill in a contract the risk gate has no instrument for; position tracked, PnL not", "client_id", id, "contract", cid)
		}
		g.book(g.account, c, q, price, fee)
		if o != nil {
			g.book(o.strat, c, q, price, fee)
		}
	}
	if o == nil {
		return
	}
	o.filled += f.Qty
	switch {
	case !o.linked:
		dec := min(f.Qty, o.rem)
		g.work(o, o.sign, -dec)
		o.rem -= dec
		g.ocoSync(o)
		if e.Final || o.filled >= o.qty {
			g.finish(o)
		}
	case e.Final:
		g.finish(o)
	case o.parent != nil && o.exit:
		o.xrem = max(0, o.xrem-f.Qty)
		g.exitWork(o.parent)
	case o.parent != nil:
		p := o.parent
		p.orem = max(0, p.orem-f.Qty)
		g.ocoSync(p)
	}
}

func (g *Guard) onModified(e *venue.Event) {
	o := g.lookup(e.ClientID)
	if o == nil || o.done {
		return
	}
	qty := e.Modify.Qty
	if qty <= 0 {
		qty = e.Qty
	}
	if len(o.pend) > 0 {
		o.pend = o.pend[1:] // the oldest modify in flight is answered
	}
	if qty > 0 {
		g.setQty(o, qty)
	} else {
		g.setQty(o, o.qty)
	}
}

// onModifyRejected drops the oldest modify in flight: the venue refused
// it, or it was never sent (ReasonNotSent). The gate's own denial (Local,
// any other reason) was never counted.
func (g *Guard) onModifyRejected(e *venue.Event) {
	o := g.orders.get(e.ClientID)
	if o == nil || o.done || (e.Local && e.Reason != venue.ReasonNotSent) || len(o.pend) == 0 {
		return
	}
	o.pend = o.pend[1:]
	g.setQty(o, o.qty)
}

// setQty sets the venue's quantity of o and recounts its working
// quantity: the largest of it and the modifies in flight.
func (g *Guard) setQty(o *order, qty int64) {
	eff := qty
	for _, q := range o.pend {
		eff = max(eff, q)
	}
	if o.linked {
		o.qty = qty
		g.sized(o, eff)
		o.qty = qty
		return
	}
	g.resize(o, eff)
	o.qty = qty
}

// resize sets an order's counted quantity and its remaining working quantity.
func (g *Guard) resize(o *order, qty int64) {
	o.qty = qty
	rem := max(0, o.qty-o.filled)
	g.work(o, o.sign, rem-o.rem)
	o.rem = rem
	g.ocoSync(o)
}

// onPosition adopts the venue's net position for the account when it
// disagrees with the fills seen (a restart, a manual trade, a missed
// fill). The adopted part is valued from the current mark on.
func (g *Guard) onPosition(e *venue.Event) {
	cid := e.Position.Contract
	if cid == 0 {
		cid = e.Contract
	}
	c, slot := g.contractByID(cid)
	p := g.account.at(slot)
	if p.net == e.Position.Net {
		return
	}
	g.stats.Adopted++
	g.log.Warn("venue position differs from the fills the risk gate saw; adopting it", "contract", cid, "gate", p.net, "venue", e.Position.Net)
	prev := p.net
	g.account.setNet(p, e.Position.Net)
	if abs(p.net) > abs(prev) {
		g.flattenAgain(g.account, c)
	}
}
