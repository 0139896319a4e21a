package risk

import (
	"fmt"

	"github.com/keeltrade/keel/venue"
)

// RuleUnknownOrder refuses a modify of an order the gate is not tracking.
const RuleUnknownOrder = "unknown-order"

// ModifyRequest is a modify of a working order on its way out. The gate may
// keep ClientID and Strategy but not the pointers.
type ModifyRequest struct {
	Now        int64 // engine clock, Unix ns
	Strategy   string
	ClientID   string
	Instrument venue.Instrument
	// Intent is the order as keel knows it now (type and prices before the
	// modify); the gate reads the order's type and unchanged prices from it.
	Intent *venue.OrderIntent
	Modify venue.Modify
}

// ModifyChecker is implemented by gates that judge modifies; the engine
// calls CheckModify for every modify a strategy asks for, before it
// reaches the venue, and refuses the modify on a denial.
type ModifyChecker interface {
	CheckModify(req *ModifyRequest) *Denied
}

// CheckModify judges a modify as the new order it makes: a raise in
// quantity is judged like an intent of the added contracts (kill switch,
// market hours, order size, position limits, loss limits — it passes them
// where it reduces), new prices by the tick grid and the price band, and
// every modify by the order rate (it is a request like any other). An
// allowed modify counts at once: until the venue answers it (EventModified,
// or EventModifyRejected that is not Local), the order counts as the
// largest of its size and the modifies in flight. A bracket exit may move
// its prices; its size is its entry's to keep.
func (g *Guard) CheckModify(req *ModifyRequest) *Denied {
	if g.moveTo(req.Now) {
		g.catchUp()
	}
	g.stats.Checked++
	m := req.Modify
	o := g.orders.get(req.ClientID)
	if o == nil || o.done || req.Intent == nil {
		return g.denied(&Denied{Rule: RuleUnknownOrder, Limit: "a working order", Observed: req.ClientID,
			Text: fmt.Sprintf("the risk gate is not tracking a working order %s; it cannot be modified", req.ClientID)})
	}
	mi := &g.modIntent
	*mi = venue.OrderIntent{Symbol: req.Intent.Symbol, Side: req.Intent.Side, Qty: o.qty, Type: req.Intent.Type, Limit: req.Intent.Limit, Stop: req.Intent.Stop}
	if m.Limit != 0 {
		mi.Limit = m.Limit
	}
	if m.Stop != 0 {
		mi.Stop = m.Stop
	}
	if (m.Limit != 0 && !mi.Type.NeedsLimit()) || (m.Stop != 0 && !mi.Type.NeedsStop()) || m.Qty < 0 || (m.Qty > 0 && m.Qty < o.filled) {
		return g.denied(&Denied{Rule: RuleInstrument, Limit: "a modify the order can take", Observed: fmt.Sprintf("%s order, %+v", mi.Type, m),
			Text: fmt.Sprintf("%s order %s cannot take this modify (a price it does not have, or a quantity below the %d already filled)", mi.Type, req.ClientID, o.filled)})
	}
	var delta int64
	if m.Qty > 0 && !o.exit {
		// An order or an OCO partner (either of a pair may fill); a
		// bracket exit's size is its entry's. The raise is judged against
		// what the order counts now (its size or a modify in flight).
		delta = m.Qty - (o.rem + o.filled)
		if o.linked {
			delta = m.Qty - o.qty
			if p := o.parent; p != nil {
				delta = m.Qty - (p.orem + o.filled)
			}
		}
		mi.Qty = m.Qty
	}
	c, _ := g.contractFor(&req.Instrument)
	if c.bad != "" {
		return g.denied(&Denied{Rule: RuleInstrument, Limit: "exact tick value", Observed: c.bad, Text: c.bad})
	}
	s := g.strategy(req.Strategy)
	cu := &g.cur
	cu.c, cu.slot, cu.sign, cu.strat = c, c.slot, mi.Side.Sign(), s
	cu.qty, cu.rqty, cu.addBuy, cu.addSell = max(delta, 0), max(delta, 0), 0, 0
	if cu.sign > 0 {
		cu.addBuy = cu.qty
	} else {
		cu.addSell = cu.qty
	}
	r := Request{Now: req.Now, Strategy: req.Strategy, ClientID: req.ClientID, Instrument: req.Instrument, Intent: mi}
	for _, sc := range [2]*Scope{g.account, s} {
		for _, rule := range sc.rules[:sc.nb] {
			switch rule.(type) {
			case killRule, hoursRule, positionRule, totalRule, dailyLossRule, drawdownRule:
				if delta <= 0 {
					continue
				}
			case qtyRule:
			case bandRule:
				if m.Limit == 0 && m.Stop == 0 {
					continue
				}
			case rateRule:
			default: // open orders and duplicates: a modify adds no order
				continue
			}
			if d := rule.Check(&r, sc); d != nil {
				return g.denied(d)
			}
		}
	}
	for _, sc := range [2]*Scope{g.account, s} {
		if sc.plan&pRate != 0 {
			sc.rate.tat = max(sc.rate.tat, req.Now) + sc.lim.rateT
		}
	}
	if m.Qty > 0 && !o.exit {
		o.pend = append(o.pend, m.Qty)
		g.setQty(o, o.qty)
	}
	return nil
}
