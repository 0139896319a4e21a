package risk

import (
	"time"
)

// numRules is len(ruleNames).
const numRules = 12

// ruleIndex returns the index of a built-in rule name in ruleNames, or -1.
// It does not allocate.
func ruleIndex(name string) int {
	for i, n := range ruleNames {
		if n == name {
			return i
		}
	}
	return -1
}

// limits is Limits compiled for the hot path: durations in nanoseconds,
// money in micro-units, policies as booleans.
type limits struct {
	hours         bool
	unknownAllow  bool
	noEntries     int64 // ns before close; max(no_entries_before_close, flatten_before_close)
	flattenBefore int64 // ns before close

	maxQty, maxPos, maxTotal, maxOpen int64

	dailyLoss, trailDD int64 // micro-units
	eod                bool
	flattenOnBreach    bool

	rate    Rate
	rateT   int64 // ns between orders at the sustained rate
	rateTau int64 // burst tolerance, ns

	dupWindow int64

	bandTicks  int64
	bandRefuse bool
}

// compile assumes l has been validated.
func compile(l Limits) limits {
	c := limits{
		hours:        l.MarketHours.Enabled,
		unknownAllow: l.MarketHours.UnknownCalendar == Allow,
		maxQty:       l.MaxOrderQty,
		maxPos:       l.MaxPosition,
		maxTotal:     l.MaxTotalPosition,
		maxOpen:      l.MaxOpenOrders,
		eod:          l.TrailingMode == EndOfDay,
		rate:         l.OrderRate,
		dupWindow:    int64(l.DuplicateWindow),
		bandTicks:    l.PriceBand.Ticks,
		bandRefuse:   l.PriceBand.NoLastTrade == Refuse,
	}
	c.flattenOnBreach = l.FlattenOnBreach
	if c.hours {
		c.flattenBefore = int64(l.MarketHours.FlattenBeforeClose)
		c.noEntries = max(int64(l.MarketHours.NoEntriesBeforeClose), c.flattenBefore)
	}
	c.dailyLoss, _ = micros(l.DailyLoss)
	c.trailDD, _ = micros(l.TrailingDrawdown)
	if r := l.OrderRate; r.Max > 0 && r.Per > 0 {
		// Round the interval up: the gate may be slightly stricter than
		// configured, never looser.
		c.rateT = (int64(r.Per) + r.Max - 1) / r.Max
		burst := max(r.Burst, 1)
		c.rateTau = (burst - 1) * c.rateT
	}
	return c
}

// buildRules returns a scope's rules in evaluation order: the kill switch
// (account only), market hours, order size, position, total position, open
// orders, daily loss, trailing drawdown, price band (the tick-grid check
// always runs for the account), duplicate guard, order rate, then any
// WithRule rules. Only enabled rules are in the list.
func (g *Guard) buildRules(s *Scope) []Rule {
	l := &s.lim
	acct := len(g.scopes) == 0 // the account scope is created first
	var rs []Rule
	if acct {
		rs = append(rs, killRule{g})
	}
	if l.hours {
		rs = append(rs, hoursRule{g})
	}
	if l.maxQty > 0 {
		rs = append(rs, qtyRule{g})
	}
	if l.maxPos > 0 {
		rs = append(rs, positionRule{g})
	}
	if l.maxTotal > 0 {
		rs = append(rs, totalRule{g})
	}
	if l.maxOpen > 0 {
		rs = append(rs, openOrdersRule{g})
	}
	if l.dailyLoss > 0 {
		rs = append(rs, dailyLossRule{g})
	}
	if l.trailDD > 0 {
		rs = append(rs, drawdownRule{g})
	}
	if acct || l.bandTicks > 0 {
		rs = append(rs, bandRule{g: g, grid: acct})
	}
	if l.dupWindow > 0 {
		rs = append(rs, dupRule{g})
	}
	if l.rateT > 0 {
		rs = append(rs, rateRule{g})
	}
	return append(rs, g.extra...)
}

func fmtDur(ns int64) string { return time.Duration(ns).String() }
