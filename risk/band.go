package risk

import (
	"fmt"
	"strconv"

	"github.com/keeltrade/keel/venue"
)

// bandRule checks that limit and stop prices are on the tick grid (account
// scope, always — bracket legs and the OCO partner included) and within
// the scope's band of ticks around the last trade (the order's own prices
// and its OCO partner's; bracket legs are placed on a later fill, so only
// their grid is checked now).
type bandRule struct {
	g    *Guard
	grid bool
}

func (bandRule) Name() string { return RulePriceBand }

func (r bandRule) Check(req *Request, s *Scope) *Denied {
	in := req.Intent
	if in.Type == venue.Market && in.OCO == nil && len(in.Brackets) == 0 {
		return nil
	}
	c := r.g.cur.c
	if r.grid {
		if d := gridCheck(c, "", in.Type, in.Limit, in.Stop); d != nil {
			return d
		}
		for i := range in.Brackets {
			l := &in.Brackets[i]
			if d := gridCheck(c, "bracket ", l.Type, l.Limit, l.Stop); d != nil {
				return d
			}
		}
		if l := in.OCO; l != nil {
			if d := gridCheck(c, "OCO ", l.Type, l.Limit, l.Stop); d != nil {
				return d
			}
		}
	}
	if s.lim.bandTicks == 0 {
		return nil
	}
	if d := r.band(c, s, "", in.Type, in.Limit, in.Stop); d != nil {
		return d
	}
	if l := in.OCO; l != nil {
		return r.band(c, s, "OCO ", l.Type, l.Limit, l.Stop)
	}
	return nil
}

func gridCheck(c *contract, what string, t venue.OrderType, limit, stop venue.Price) *Denied {
	if t.NeedsLimit() {
		if _, ok := c.grid.ticks(limit); !ok {
			return offGrid(c, what+"limit", limit)
		}
	}
	if t.NeedsStop() {
		if _, ok := c.grid.ticks(stop); !ok {
			return offGrid(c, what+"stop", stop)
		}
	}
	return nil
}

func offGrid(c *contract, what string, p venue.Price) *Denied {
	lo := p.RoundToTick(c.tick, venue.RoundDown)
	return &Denied{
		Rule: RulePriceBand, Limit: "tick " + c.tick.String(), Observed: p.String(),
		Text: fmt.Sprintf("%s price %s is not on %s's %s tick grid; use %s or %s", what, p, c.symbol, c.tick, lo, lo+c.tick),
	}
}

func (r bandRule) band(c *contract, s *Scope, what string, t venue.OrderType, limit, stop venue.Price) *Denied {
	if !t.NeedsLimit() && !t.NeedsStop() {
		return nil
	}
	if !c.hasLast {
		if !s.lim.bandRefuse {
			return nil
		}
		return &Denied{
			Rule: RulePriceBand, Limit: "price_band.no_last_trade: refuse", Observed: "no trade seen",
			Text: fmt.Sprintf("no trade in %s seen yet, so its %d-tick price band for %s cannot be checked; wait for a trade or set price_band.no_last_trade: allow", c.symbol, s.lim.bandTicks, s.label),
		}
	}
	if t.NeedsLimit() {
		if d := r.within(c, s, what, "limit", limit); d != nil {
			return d
		}
	}
	if t.NeedsStop() {
		return r.within(c, s, what, "stop", stop)
	}
	return nil
}

func (r bandRule) within(c *contract, s *Scope, what, kind string, p venue.Price) *Denied {
	dist := p - c.last
	if dist < 0 {
		dist = -dist
	}
	band := venue.Price(s.lim.bandTicks) * c.tick
	if dist <= band {
		return nil
	}
	ticks := int64((dist + c.tick - 1) / c.tick)
	return &Denied{
		Rule: RulePriceBand, Limit: strconv.FormatInt(s.lim.bandTicks, 10) + " ticks from last " + c.last.String(), Observed: strconv.FormatInt(ticks, 10) + " ticks",
		Text: fmt.Sprintf("%s%s price %s is %d ticks from the last trade %s in %s, outside the %s band of %d ticks (%s to %s)",
			what, kind, p, ticks, c.last, c.symbol, s.label, s.lim.bandTicks, c.last-band, c.last+band),
	}
}
