package risk

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/keeltrade/keel/venue/cme"
)

// Calendar is what the gate needs of the CME calendar; *cme.Calendar
// implements it, tests fake it. Status must return an error wrapping
// cme.ErrCalendarUnknown for times it has no data for.
type Calendar interface {
	Status(root string, t time.Time) (cme.Status, error)
}

// unknownRetry is how long an unknown-calendar answer is cached.
const unknownRetry = int64(time.Minute)

// session caches a contract's cme.Status over the span it stays true:
// until SessionClose while open, until NextOpen while closed. Rules then
// pay one comparison per intent, and the calendar is asked about twice a
// day per contract.
type session struct {
	valid       bool
	from, until int64
	st          cme.Status
	closeNs     int64 // st.SessionClose when open
	open        bool  // err == nil && st.Open
	err         error
	unknown     bool // err wraps cme.ErrCalendarUnknown
}

func (g *Guard) session(c *contract, now int64) *session {
	ss := &c.sess
	if ss.valid && now >= ss.from && now < ss.until {
		return ss
	}
	st, err := g.cal.Status(c.root, time.Unix(0, now))
	prev := *ss
	*ss = session{valid: true, from: now, st: st, err: err}
	switch {
	case err != nil:
		ss.unknown = errors.Is(err, cme.ErrCalendarUnknown)
		ss.until = now + unknownRetry
	case st.Open:
		ss.open = true
		ss.closeNs = st.SessionClose.UnixNano()
		ss.until = ss.closeNs
	default:
		ss.until = st.NextOpen.UnixNano()
	}
	if ss.until <= now {
		ss.until = now + unknownRetry
	}
	if prev.valid && prev.err == nil && err == nil && prev.st.Open == st.Open && prev.until == ss.until {
		// The same span seen from an earlier time (engine clock and tick
		// times need not agree): keep both ends.
		ss.from = min(prev.from, now)
	}
	return ss
}

func fmtCT(t time.Time) string { return t.In(cme.Chicago()).Format("2006-01-02 15:04 CT") }

// hoursRule refuses intents while the session is closed, risk-increasing
// intents inside the no-new-entries window before the close, and applies
// the unknown-calendar policy.
type hoursRule struct{ g *Guard }

func (hoursRule) Name() string { return RuleMarketHours }

func (r hoursRule) Check(req *Request, s *Scope) *Denied {
	c := r.g.cur.c
	ss := r.g.session(c, req.Now)
	if ss.err != nil {
		if ss.unknown {
			if s.lim.unknownAllow {
				return nil
			}
			return &Denied{
				Rule: RuleMarketHours, Limit: "unknown_calendar: refuse", Observed: "no calendar data",
				Text: fmt.Sprintf("the trading calendar has no data for %s at %s: update venue/cme/calendar/globex.yaml (or set market_hours.unknown_calendar: allow for %s)",
					c.symbol, fmtCT(time.Unix(0, req.Now)), s.label),
			}
		}
		return &Denied{
			Rule: RuleMarketHours, Limit: "session open", Observed: "no session for " + c.symbol,
			Text: fmt.Sprintf("cannot tell whether %s is open (%v); set the instrument's Root to a CME product", c.symbol, ss.err),
		}
	}
	if !ss.st.Open {
		return &Denied{
			Rule: RuleMarketHours, Limit: "session open", Observed: "closed (" + ss.st.Reason + ")",
			Text: fmt.Sprintf("market closed for %s (%s); next open %s", c.symbol, ss.st.Reason, fmtCT(ss.st.NextOpen)),
		}
	}
	if w := s.lim.noEntries; w > 0 && req.Now >= ss.closeNs-w && !s.reducing() {
		left := ss.closeNs - req.Now
		return &Denied{
			Rule: RuleMarketHours, Limit: "no new entries " + fmtDur(w) + " before close", Observed: fmtDur(left) + " before close",
			Text: fmt.Sprintf("no new entries for %s in the last %s before the %s close (%s); only orders that reduce a position pass",
				s.label, fmtDur(w), fmtCT(ss.st.SessionClose), ss.st.CloseReason),
		}
	}
	return nil
}

// flattenWindows emits the flatten-before-close actions that are due and
// returns when it next needs to look.
func (g *Guard) flattenWindows(now int64) int64 {
	next := int64(math.MaxInt64)
	for _, c := range g.contracts {
		if !c.known || c.bad != "" {
			continue
		}
		ss := g.session(c, now)
		next = min(next, ss.until)
		if ss.err != nil || !ss.st.Open {
			continue
		}
		for _, s := range g.scopes {
			w := s.lim.flattenBefore
			if w == 0 {
				continue
			}
			at := ss.closeNs - w
			if now < at {
				next = min(next, at)
				continue
			}
			p := s.peek(c.slot)
			if p == nil || p.flat == ss.closeNs || (p.net == 0 && p.buy == 0 && p.sell == 0 && p.xbuy == 0 && p.xsell == 0) {
				continue
			}
			p.flat = ss.closeNs
			reason := fmt.Sprintf("%s: %s closes at %s (%s); flatten %s before the close", s.label, c.symbol, fmtCT(ss.st.SessionClose), ss.st.CloseReason, fmtDur(w))
			g.push(Action{Kind: CancelAll, Strategy: s.name, Contract: c.id, Reason: reason})
			g.push(Action{Kind: Flatten, Strategy: s.name, Contract: c.id, Reason: reason})
		}
	}
	return next
}

// flattenAgain re-emits a flatten when a fill increases a position the
// scope must not hold: the kill switch is tripped (account scope), a loss
// limit with flatten_on_breach is breached, or the flatten-before-close
// window is open.
func (g *Guard) flattenAgain(s *Scope, c *contract) {
	var reason string
	switch {
	case s == g.account && g.ks.tripped:
		reason = "kill switch tripped: " + g.ks.reason
	case s.lim.flattenOnBreach && (s.dayBrk || s.ddBrk):
		reason = s.label + ": loss limit breached"
	case s.lim.flattenBefore > 0 && c.known && c.bad == "":
		ss := g.session(c, g.now)
		if ss.err != nil || !ss.st.Open || g.now < ss.closeNs-s.lim.flattenBefore {
			return
		}
		reason = fmt.Sprintf("%s: inside the %s flatten window before the %s close", s.label, fmtDur(s.lim.flattenBefore), fmtCT(ss.st.SessionClose))
	default:
		return
	}
	g.push(Action{Kind: CancelAll, Strategy: s.name, Contract: c.id, Reason: reason})
	g.push(Action{Kind: Flatten, Strategy: s.name, Contract: c.id, Reason: reason})
}
