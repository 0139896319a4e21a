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
// Only the side an intent adds to is checked, so an order that shrinks an
// over-limit position always passes. Bracket legs (OrderIntent.Brackets)
// and OCO partners only ever exit the parent's position, so they are not
// counted as exposure and not as open orders. (A bracket stop left working
// after the position was closed by other means can still open a position;
// cancel it when closing manually.)

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

// positionRule caps the worst-case net position per contract.
type positionRule struct{ g *Guard }

func (positionRule) Name() string { return RuleMaxPosition }

func (r positionRule) Check(req *Request, s *Scope) *Denied {
	c := &r.g.cur
	var net, work int64
	if p := s.peek(c.slot); p != nil {
		net, work = p.net, p.buy
		if c.sign < 0 {
			work = p.sell
		}
	}
	worst := c.sign*net + work + c.qty
	if worst <= s.lim.maxPos {
		return nil
	}
	side, works := "long", "buys"
	if c.sign < 0 {
		side, works = "short", "sells"
	}
	return &Denied{
		Rule: RuleMaxPosition, Limit: strconv.FormatInt(s.lim.maxPos, 10), Observed: strconv.FormatInt(worst, 10),
		Text: fmt.Sprintf("worst-case %s position in %s would be %d (net %+d, working %s %d, this order %d), above the %s limit of %d; reduce the size or cancel working orders",
			side, c.c.symbol, worst, net, works, work, c.qty, s.label, s.lim.maxPos),
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
		e := exposure(p.net, p.buy, p.sell)
		before += e
		if int32(i) == c.slot {
			if c.sign > 0 {
				e = exposure(p.net, p.buy+c.qty, p.sell)
			} else {
				e = exposure(p.net, p.buy, p.sell+c.qty)
			}
		}
		after += e
	}
	if int(c.slot) >= len(s.pos) {
		after += c.qty
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
