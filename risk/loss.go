package risk

import (
	"fmt"
	"time"

	"github.com/keeltrade/keel/venue/cme"
)

// Loss limits. Each scope keeps its equity — realized + unrealized PnL
// minus fees since the gate started — in micro-units, updated in O(1):
//
//	fill of signed qty q at price p: equity += q × (mark − p) × tickValue − fee
//	mark m → m′:                     equity += net × (m′ − m) × tickValue
//
// with prices and marks in ticks (the mark is the last trade; before the
// first trade, the first fill's price). The day's PnL is equity minus its
// value at the start of the CME trade date; the trailing drawdown is the
// high-water mark minus equity. A breach latches — the daily loss until the
// trade date changes, the drawdown until Reset — and from then on only
// intents that reduce the scope's position pass.

type dailyLossRule struct{ g *Guard }

func (dailyLossRule) Name() string { return RuleDailyLoss }

func (r dailyLossRule) Check(req *Request, s *Scope) *Denied {
	if !s.dayBrk || s.reducing() {
		return nil
	}
	return &Denied{
		Rule: RuleDailyLoss, Limit: fmtMicros(s.lim.dailyLoss), Observed: fmtMicros(s.DayPnL()),
		Text: fmt.Sprintf("%s reached its daily loss limit of %s on trade date %s (day PnL %s); only orders that reduce a position pass until the next trade date",
			s.label, fmtMicros(s.lim.dailyLoss), r.g.tradeDate(), fmtMicros(s.DayPnL())),
	}
}

type drawdownRule struct{ g *Guard }

func (drawdownRule) Name() string { return RuleTrailingDrawdown }

func (r drawdownRule) Check(req *Request, s *Scope) *Denied {
	if !s.ddBrk || s.reducing() {
		return nil
	}
	return &Denied{
		Rule: RuleTrailingDrawdown, Limit: fmtMicros(s.lim.trailDD), Observed: fmtMicros(s.Drawdown()),
		Text: fmt.Sprintf("%s breached its trailing drawdown of %s (equity %s, high-water mark %s); only orders that reduce a position pass until an operator calls Reset",
			s.label, fmtMicros(s.lim.trailDD), fmtMicros(s.equity), fmtMicros(s.peak)),
	}
}

func (g *Guard) tradeDate() string {
	if g.day == 0 {
		return "unknown"
	}
	return time.Unix(g.day, 0).In(cme.Chicago()).Format(time.DateOnly)
}

// afterEquity moves the high-water mark and detects breaches.
func (g *Guard) afterEquity(s *Scope) {
	if !s.lim.eod && s.equity > s.peak {
		s.peak = s.equity
	}
	if s.lim.dailyLoss > 0 && !s.dayBrk && s.dayStart-s.equity >= s.lim.dailyLoss {
		s.dayBrk = true
		g.breach(s, RuleDailyLoss, fmt.Sprintf("%s day PnL %s reached the daily loss limit of %s", s.label, fmtMicros(s.DayPnL()), fmtMicros(s.lim.dailyLoss)))
	}
	if s.lim.trailDD > 0 && !s.ddBrk && s.peak-s.equity >= s.lim.trailDD {
		s.ddBrk = true
		g.breach(s, RuleTrailingDrawdown, fmt.Sprintf("%s drawdown %s from the high-water mark %s reached the trailing limit of %s", s.label, fmtMicros(s.Drawdown()), fmtMicros(s.peak), fmtMicros(s.lim.trailDD)))
	}
}

func (g *Guard) breach(s *Scope, rule, text string) {
	g.log.Warn("risk limit breached", "rule", rule, "scope", s.label, "detail", text, "flatten", s.lim.flattenOnBreach)
	if s.lim.flattenOnBreach {
		g.push(Action{Kind: CancelAll, Strategy: s.name, Reason: text})
		g.push(Action{Kind: Flatten, Strategy: s.name, Reason: text})
	}
	if g.tripOn[ruleIndex(rule)] {
		g.tripLoop("rule "+rule+": "+text, g.now)
	}
}

// book applies a fill of signed quantity q at price to a scope.
func (g *Guard) book(s *Scope, c *contract, q int64, price int64, fee int64) {
	p := s.at(c.slot)
	prev := p.net
	s.setNet(p, p.net+q)
	if c.known && c.bad == "" {
		if !c.hasMark {
			g.setMark(c, price)
		}
		s.equity += q*(c.mark-price)*c.tv - fee
		s.fees += fee
		g.afterEquity(s)
	}
	if abs(p.net) > abs(prev) {
		g.flattenAgain(s, c)
	}
}

// dayClock looks at the trade date of the session root. The day rolls when
// a session with a new trade date is open (17:00 CT for ES), not at the
// 16:00 close: the break belongs to the day that just ended.
func (g *Guard) dayClock(now int64) {
	t := time.Unix(0, now)
	var td, until int64
	open := true
	if st, err := g.cal.Status(g.root, t); err == nil {
		td, open = st.TradeDate.Unix(), st.Open
		if open {
			until = st.SessionClose.UnixNano()
		} else {
			until = st.NextOpen.UnixNano()
		}
	} else {
		// Beyond the calendar: roll at 17:00 CT every day.
		td, until = fallbackDay(t)
	}
	if until <= now {
		until = now + int64(time.Minute)
	}
	g.dayUntil = until
	switch {
	case g.day == 0:
		g.day = td
	case td != g.day && open:
		g.rollDay(td)
	}
}

// fallbackDay returns the trade date of t when sessions open at 17:00 CT
// every day, and the next 17:00 CT.
func fallbackDay(t time.Time) (td, next int64) {
	ct := t.In(cme.Chicago()).Add(7 * time.Hour)
	y, m, d := ct.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, cme.Chicago()).Unix(), time.Date(y, m, d, 17, 0, 0, 0, cme.Chicago()).UnixNano()
}

func (g *Guard) rollDay(td int64) {
	prev := g.tradeDate()
	g.day = td
	for _, s := range g.scopes {
		if s.lim.eod && s.equity > s.peak {
			s.peak = s.equity
		}
		s.dayStart = s.equity
		s.dayBrk = false
	}
	g.sweepOrders()
	g.log.Info("trade date changed; daily loss limits reset", "from", prev, "to", g.tradeDate())
}
