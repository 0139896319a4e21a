package risk

import "github.com/keeltrade/keel/venue"

// The plan: Check's fast path. Every built-in rule has a pass condition —
// a comparison or two of integers the gate already holds — that implies the
// rule's Check returns nil. Check evaluates, for each scope, the pass
// conditions of the scope's enabled built-in rules, straight-line and
// without interface calls, from what begin resolved once for the intent
// (g.cur); only when one of them does not hold does it run the scope's rule
// list as is, so the rules' Check methods remain the source of every
// denial and of its order. Either way the scope's WithRule rules run after
// the built-in ones, as they always did: the answer, and what custom rules
// see, is the same as running the rule list.

// Built-in rules in a scope's plan (bits of Scope.plan).
const (
	pKill uint16 = 1 << iota
	pHours
	pQty
	pPos
	pTotal
	pOpen
	pDaily
	pDD
	pGrid // the price band's tick-grid check (account)
	pBand // the price band proper (band ticks > 0)
	pDup
	pRate
)

// planOf returns the plan bits of a scope's built-in rules.
func planOf(s *Scope, rs []Rule) uint16 {
	var f uint16
	for _, r := range rs {
		switch r := r.(type) {
		case killRule:
			f |= pKill
		case hoursRule:
			f |= pHours
		case qtyRule:
			f |= pQty
		case positionRule:
			f |= pPos
		case totalRule:
			f |= pTotal
		case openOrdersRule:
			f |= pOpen
		case dailyLossRule:
			f |= pDaily
		case drawdownRule:
			f |= pDD
		case bandRule:
			if r.grid {
				f |= pGrid
			}
			if s.lim.bandTicks > 0 {
				f |= pBand
			}
		case dupRule:
			f |= pDup
		case rateRule:
			f |= pRate
		}
	}
	return f
}

// prepare resolves, into g.cur, what the pass conditions of the rules in
// plan need of the intent beyond its contract, side and quantity: the
// session, the prices against the tick grid and the last trade, the
// duplicate guard's last sighting.
func (g *Guard) prepare(req *Request, plan uint16) {
	cu := &g.cur
	c := cu.c
	in := req.Intent
	now := req.Now
	if plan&pQty != 0 {
		cu.maxQty = in.Qty
		if o := in.OCO; o != nil && o.Qty > in.Qty {
			cu.maxQty = o.Qty
		}
	}
	if plan&pHours != 0 {
		ss := &c.sess
		if !ss.valid || now < ss.from || now >= ss.until {
			ss = g.session(c, now)
		}
		cu.closed = !ss.open
		cu.left = ss.closeNs - now
	}
	if plan&(pGrid|pBand) != 0 {
		cu.offGrid, cu.unbanded, cu.dist = false, false, 0
		t := in.Type
		if in.OCO != nil || len(in.Brackets) != 0 {
			cu.offGrid, cu.unbanded = true, true // the rule checks the legs
		} else if lim, stop := t.NeedsLimit(), t.NeedsStop(); lim || stop {
			cu.unbanded = !c.hasLast
			if lim {
				_, ok := c.grid.ticks(in.Limit)
				cu.offGrid = !ok
				cu.dist = max(in.Limit-c.last, c.last-in.Limit)
			}
			if stop {
				_, ok := c.grid.ticks(in.Stop)
				cu.offGrid = cu.offGrid || !ok
				cu.dist = max(cu.dist, in.Stop-c.last, c.last-in.Stop)
			}
		}
	}
	if cu.dup {
		g.findDup(now)
	}
}

// passes reports whether every built-in rule of s allows the intent being
// checked, from g.cur (see prepare). False only means "ask the rules": one
// of them may still allow (a reducing intent past a loss breach, say).
func (g *Guard) passes(req *Request, s *Scope) bool {
	f := s.plan
	c := &g.cur
	l := &s.lim
	// A loss breach latches only in a scope with that loss limit (so no
	// plan bits needed), and only the account has the kill switch.
	if s.dayBrk || s.ddBrk || (f&pKill != 0 && g.ks.tripped) {
		return false
	}
	if f&pHours != 0 && (c.closed || (l.noEntries > 0 && c.left <= l.noEntries)) {
		return false
	}
	if f&pQty != 0 && c.maxQty > l.maxQty {
		return false
	}
	if f&(pPos|pTotal) != 0 {
		var net, buy, sell int64
		if int(c.slot) < len(s.pos) {
			p := &s.pos[c.slot]
			net, buy, sell = p.net, p.buy+p.xbuy, p.sell+p.xsell
		}
		if f&pPos != 0 && ((c.addBuy > 0 && net+buy+c.addBuy > l.maxPos) || (c.addSell > 0 && sell-net+c.addSell > l.maxPos)) {
			return false
		}
		// totalRule: the scope's total exposure with this contract's
		// replaced by what it would be.
		if f&pTotal != 0 {
			after := exposure(net, buy+c.addBuy, sell+c.addSell)
			if after += s.expo - exposure(net, buy, sell); after > l.maxTotal && after > s.expo {
				return false
			}
		}
	}
	if f&pOpen != 0 && s.open >= l.maxOpen {
		return false
	}
	if f&pGrid != 0 && c.offGrid {
		return false
	}
	if f&pBand != 0 && (c.unbanded || c.dist > venue.Price(l.bandTicks)*c.c.tick) {
		return false
	}
	if f&pDup != 0 && c.dupAt >= req.Now-l.dupWindow+1 { // dupAt is MinInt64 unless dupHit
		return false
	}
	// rateRule: max(tat, now) − now ≤ τ, and τ ≥ 0.
	if f&pRate != 0 && s.rate.tat-req.Now > l.rateTau {
		return false
	}
	return true
}
