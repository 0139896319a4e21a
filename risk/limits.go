package risk

import (
	"fmt"
	"strconv"
)

// Size and exposure rules. Exposure is worst case: every working order
// (remaining quantity, as the order lifecycle reports it) is assumed to
// fill, on each side separately:
//
//	long  = net + working buys  (+ this intent if it buys)
//	short = −net + working sells (+ this intent if it sells)
//
// Only the sides an intent adds to are checked, so an order that shrinks an
// over-limit position always passes. An OCO partner is exposure on its own
// side: either order of the pair may fill. Bracket exits count on their
// side too (a stop and a target once, the larger): placed against a filled
// entry they offset it exactly and cost nothing, while an exit left working
// after its position was closed by other means is the exposure it is.
// Neither exits nor OCO partners count as open orders.

// qtyRule caps one order's quantity.
type qtyRule struct{ g *Guard }

func (qtyRule) Name() string { return RuleMaxOrderQty }

func (r qtyRule) Check(req *Request, s *Scope) *Denied {
	q := req.Intent.Qty
	if o := req.Intent.OCO; o != nil && o.Qty > q {
		q = o.Qty
	}
	if q <= s.lim.maxQty {
		return nil
	}
	return &Denied{
		Rule: RuleMaxOrderQty, Limit: strconv.FormatInt(s.lim.maxQty, 10), Observed: strconv.FormatInt(q, 10),
		Text: fmt.Sprintf("order quantity %d exceeds the %s limit of %d contracts per order; split the order or raise max_order_qty", q, s.label, s.lim.maxQty),
	}
}

// positionRule caps the worst-case net position per contract, on each side
// the intent adds to (its OCO partner's side included).
type positionRule struct{ g *Guard }

func (positionRule) Name() string { return RuleMaxPosition }

func (r positionRule) Check(req *Request, s *Scope) *Denied {
	c := &r.g.cur
	var net, buy, sell int64
	if p := s.peek(c.slot); p != nil {
		net, buy, sell = p.net, p.buy+p.xbuy, p.sell+p.xsell
	}
	if c.addBuy > 0 {
		if worst := net + buy + c.addBuy; worst > s.lim.maxPos {
			return r.deny(s, "long", "buys", worst, net, buy, c.addBuy)
		}
	}
	if c.addSell > 0 {
		if worst := sell - net + c.addSell; worst > s.lim.maxPos {
			return r.deny(s, "short", "sells", worst, net, sell, c.addSell)
		}
	}
	return nil
}

func (r positionRule) deny(s *Scope, side, works string, worst, net, work, add int64) *Denied {
	c := &r.g.cur
	return &Denied{
		Rule: RuleMaxPosition, Limit: strconv.FormatInt(s.lim.maxPos, 10), Observed: strconv.FormatInt(worst, 10),
		Text: fmt.Sprintf("worst-case %s position in %s would be %d (net %+d, working %s %d, this order %d), above the %s limit of %d; reduce the size or cancel working orders",
			side, c.c.symbol, worst, net, works, work, add, s.label, s.lim.maxPos),
	}
}

// exposure is one contract's worst-case absolute position.
func exposure(net, buy, sell int64) int64 {
	return max(net+buy, sell-net, 0)
}

// totalRule caps the sum of worst-case exposures across contracts.
type totalRule struct{ g *Guard }

func (totalRule) Name() string { return RuleMaxTotalPosition }

func (r totalRule) Check(req *Request, s *Scope) *Denied {
	c := &r.g.cur
	var before, after int64
	for i := range s.pos {
		p := &s.pos[i]
		e := p.exposure()
		before += e
		if int32(i) == c.slot {
			e = exposure(p.net, p.buy+p.xbuy+c.addBuy, p.sell+p.xsell+c.addSell)
		}
		after += e
	}
	if int(c.slot) >= len(s.pos) {
		after += max(c.addBuy, c.addSell)
	}
	if after <= s.lim.maxTotal || after <= before {
		return nil
	}
	return &Denied{
		Rule: RuleMaxTotalPosition, Limit: strconv.FormatInt(s.lim.maxTotal, 10), Observed: strconv.FormatInt(after, 10),
		Text: fmt.Sprintf("worst-case contracts across all contracts would be %d with this order (now %d), above the %s limit of %d",
			after, before, s.label, s.lim.maxTotal),
	}
}

// openOrdersRule caps working orders.
type openOrdersRule struct{ g *Guard }

func (openOrdersRule) Name() string { return RuleMaxOpenOrders }

func (r openOrdersRule) Check(req *Request, s *Scope) *Denied {
	if s.open < s.lim.maxOpen {
		return nil
	}
	return &Denied{
		Rule: RuleMaxOpenOrders, Limit: strconv.FormatInt(s.lim.maxOpen, 10), Observed: strconv.FormatInt(s.open+1, 10),
		Text: fmt.Sprintf("%s already has %d working orders (limit %d); cancel one first", s.label, s.open, s.lim.maxOpen),
	}
}
