package engine

import (
	"fmt"
	"time"

	"github.com/keeltrade/keel/risk"
	"github.com/keeltrade/keel/strategy"
	"github.com/keeltrade/keel/venue"
	"github.com/shopspring/decimal"
)

// Continuous contracts: see the package doc.

// RollTag tags both orders of a roll: the protective market order that
// closes a position in the month that stops being the front, and the
// market order that opens it again in the new front month.
const RollTag = "roll"

// RollMarkAge is how old a contract's last price may be, when a roll's
// leg is sent, to measure the leg's slippage against.
const RollMarkAge = 5 * time.Minute

// Roll is one roll of a strategy's position from one month of a
// continuous contract to the next.
type Roll struct {
	Strategy string
	Root     string // the continuous contract the strategy trades, e.g. "ES"
	From, To string // the months
	Qty      int64  // the strategy's position in From when the roll began (signed)
	// Closed is how many contracts the closing leg took off the position
	// in From, Opened how many the opening leg put on in To; each of the
	// closing leg's fills is mirrored in To, so both are |Qty| when the
	// roll completes. They differ from |Qty| when another order in From
	// filled during the roll (an exit racing its cancel): the Note says so.
	Closed int64
	Opened int64
	At     int64 // when the roll began (engine clock, Unix ns)
	// Cost is what the roll cost in money: the fees of both legs plus each
	// leg's slippage from the contract's mark when the leg was sent. A leg
	// sent with no mark, or one older than RollMarkAge (a gap in the
	// data), adds no slippage: the price moved, and that is not the roll's
	// cost. Positive is a cost.
	Cost decimal.Decimal
	// Note says why the roll did not complete, if it did not ("" when it
	// did or is still under way).
	Note string
}

// rollRec is a roll under way, or done.
type rollRec struct {
	Roll
	r        *runner
	from, to *contract
	done     bool // no more opening legs: the roll was interrupted
	exits    bool // the roll cancelled bracket exits in from
	warned   bool // the strategy was told its position in to has no exits
}

// rollLeg is what the engine knows of one order of a roll.
type rollLeg struct {
	rec     *rollRec
	open    bool // the opening leg (else a closing one)
	mark    venue.Price
	hasMark bool
}

// Rolls returns every roll of every strategy, in the order they began.
func (e *Engine) Rolls() []Roll {
	out := make([]Roll, len(e.rolls))
	for i, rec := range e.rolls {
		out[i] = rec.Roll
		switch {
		case out[i].Note != "":
		case e.rollPending(rec):
			out[i].Note = fmt.Sprintf("still under way: %d of %d closed in %s, %d opened in %s", rec.Closed, abs(rec.Qty), rec.From, rec.Opened, rec.To)
		case rec.Closed != abs(rec.Qty) || rec.Opened != rec.Closed:
			out[i].Note = fmt.Sprintf("closed %d of %d in %s and opened %d in %s: other orders in %s filled during the roll", rec.Closed, abs(rec.Qty), rec.From, rec.Opened, rec.To, rec.From)
		}
	}
	return out
}

// link ties a new contract to its continuous contract: a month to its
// root's continuous contract, a continuous contract to the months the
// engine already knows.
func (e *Engine) link(c *contract) {
	if c.inst.Root == "" {
		return
	}
	if !c.inst.Continuous() {
		c.cont = e.conts[c.inst.Root]
		return
	}
	if e.conts == nil {
		e.conts = map[string]*contract{}
	}
	e.conts[c.inst.Root] = c
	for _, m := range e.contracts {
		if m != c && m.inst.Root == c.inst.Root && !m.inst.Continuous() {
			m.cont = c
		}
	}
}

// frontOf returns the month cc maps to at t (Unix ns), nil if none. When
// the front month changes, strategies' positions roll to the new one
// before anything else happens at t.
func (e *Engine) frontOf(cc *contract, t int64) *contract {
	if t < cc.until {
		return cc.front // inlined fast path
	}
	return e.refront(cc, t)
}

func (e *Engine) refront(cc *contract, t int64) *contract {
	fm, ok := e.cfg.Instruments.(venue.FrontMonths)
	if !ok {
		e.log.Error("the instrument set cannot map a continuous contract to a month (it has no venue.FrontMonths); trade a month instead", "contract", cc.inst.Symbol)
		cc.until = maxTime
		return cc.front
	}
	in, until, err := fm.FrontMonth(cc.inst.Root, t)
	var nf *contract
	if err == nil {
		if nf = e.contractFor(in.ID); nf == nil || nf.cont != cc {
			err = fmt.Errorf("front month %s (contract %d) is not a month of %s in the instrument set", in.Symbol, in.ID, cc.inst.Symbol)
		}
	}
	if err != nil {
		// Asked again a day later: a calendar without the date will not
		// have it a tick later either.
		e.log.Error("no front month for a continuous contract; it keeps its last one", "contract", cc.inst.Symbol, "at", unixTime(t), "front", frontSymbol(cc), "err", err)
		cc.until = t + int64(24*time.Hour)
		return cc.front
	}
	old := cc.front
	cc.front, cc.until = nf, max(until, t+1)
	if old != nil && old != nf {
		e.log.Info("continuous contract rolls to a new front month", "contract", cc.inst.Symbol, "from", old.inst.Symbol, "to", nf.inst.Symbol, "at", unixTime(t))
		e.roll(cc, nf)
	}
	return nf
}

func frontSymbol(cc *contract) string {
	if cc.front == nil {
		return "none"
	}
	return cc.front.inst.Symbol
}

// roll moves the positions strategies hold through cc into its new front
// month to: every live strategy that traded a month of cc through cc and
// holds a position there, or has orders working there, gets a roll.
func (e *Engine) roll(cc, to *contract) {
	for _, r := range e.runners {
		if r.dead {
			continue
		}
		for i := 0; i < len(e.contracts); i++ {
			m := e.contracts[i]
			if m.cont != cc || m == to || !r.via[m.inst.ID] {
				continue
			}
			net := r.netIn(m)
			if live, _ := r.liveOthers(m); net != 0 || live {
				e.startRoll(r, cc, m, to, net)
			}
		}
	}
}

// startRoll closes r's position in from, and cancels its orders there,
// with a flatten job tagged as a roll; each fill of that job opens the
// same quantity in to (rollEvent). The job resends the close until r is
// flat in from, as any flatten does.
func (e *Engine) startRoll(r *runner, cc, from, to *contract, net int64) {
	if e.job(r.name, from) != nil || e.job("", from) != nil {
		return // a flatten is closing it already: there is nothing to carry over
	}
	var rec *rollRec
	if net != 0 {
		rec = &rollRec{Roll: Roll{Strategy: r.name, Root: cc.inst.Symbol, From: from.inst.Symbol, To: to.inst.Symbol, Qty: net, At: e.clock.Now()}, r: r, from: from, to: to}
		for _, id := range r.orderIDs {
			if o := e.orders[id]; o.Contract == from.inst.ID && o.ParentID != "" && !o.Protective && !o.Status.Terminal() {
				rec.exits = true
			}
		}
		e.rolls = append(e.rolls, rec)
		e.stats.Rolls++
		r.log.Info("rolling position", "contract", cc.inst.Symbol, "from", from.inst.Symbol, "to", to.inst.Symbol, "net", net)
	}
	r.markVia(to) // what the roll opens there is the root's too
	j := &flatJob{strategy: r.name, contract: from, reason: fmt.Sprintf("%s rolls from %s to %s", cc.inst.Symbol, from.inst.Symbol, to.inst.Symbol), tag: RollTag, roll: rec}
	e.jobs = append(e.jobs, j)
	e.runJob(j)
}

// markVia records that r trades c through its continuous contract.
func (r *runner) markVia(c *contract) {
	if r.via == nil {
		r.via = map[venue.ContractID]bool{}
	}
	r.via[c.inst.ID] = true
}

// sentRollLeg records an order a roll sent, with its month's mark then.
func (e *Engine) sentRollLeg(rec *rollRec, id string, open bool) {
	if e.rollIDs == nil {
		e.rollIDs = map[string]rollLeg{}
	}
	c := rec.from
	if open {
		c = rec.to
	}
	leg := rollLeg{rec: rec, open: open}
	leg.mark, leg.hasMark = e.rollMark(c)
	e.rollIDs[id] = leg
}

// interruptRolls stops the rolls a flatten of strategy ("" for the
// account) in c overrides: their closing job becomes the flatten's, and
// nothing more is opened in the new month.
func (e *Engine) interruptRolls(strategy string, c *contract, reason string) {
	for _, rec := range e.rolls {
		if rec.done || (strategy != "" && rec.r.name != strategy) || (rec.from != c && rec.to != c) || !e.rollPending(rec) {
			continue
		}
		rec.done = true
		rec.Note = "interrupted by a flatten (" + reason + ")"
		if j := e.job(rec.r.name, rec.from); j != nil && j.roll == rec {
			j.roll, j.tag = nil, ""
		}
	}
}

// rollPending reports whether a roll still has work under way: its
// closing job, or an opening leg working.
func (e *Engine) rollPending(rec *rollRec) bool {
	if j := e.job(rec.r.name, rec.from); j != nil && j.roll == rec {
		return true
	}
	for id, leg := range e.rollIDs {
		if leg.rec == rec && leg.open && !e.orders[id].Status.Terminal() {
			return true
		}
	}
	return false
}

// rollEvent books an event of a roll's order. Each fill of the closing
// leg is mirrored in the new month: the same quantity on the opposite
// side, so whatever the closing orders did in the old month (a resend that
// buys back an overshoot included) the roll's two legs always net to zero.
// It runs before the strategy hears of the fill.
func (e *Engine) rollEvent(leg rollLeg, o *venue.Order, ev *venue.Event) {
	rec := leg.rec
	switch ev.Kind {
	case venue.EventFilled:
		f := &ev.Fill
		rec.Cost = rec.Cost.Add(f.Fee)
		if leg.hasMark {
			slip := (f.Price - leg.mark).Decimal().Mul(decimal.NewFromInt(f.Side.Sign() * f.Qty))
			rec.Cost = rec.Cost.Add(slip.Mul(e.pointValue(o.Contract)))
		}
		dir := int64(1) // +1 for a long position
		if rec.Qty < 0 {
			dir = -1
		}
		if leg.open {
			rec.Opened += dir * f.Side.Sign() * f.Qty
			if rec.exits && !rec.warned && !rec.r.dead {
				rec.warned = true
				e.stats.ExitsLost++
				e.notify(rec.r, venue.Event{Kind: venue.EventUnprotected, Time: ev.Time, ClientID: o.ClientID, Contract: o.Contract, Reason: venue.ReasonExitsRolled,
					Text: fmt.Sprintf("the roll from %s to %s cancelled %s's bracket exits in %s; its position in %s has no exits until it places them", rec.From, rec.To, rec.Strategy, rec.From, rec.To)})
			}
			return
		}
		rec.Closed -= dir * f.Side.Sign() * f.Qty
		switch {
		case rec.done:
			return
		case rec.r.dead || e.stopped:
			rec.done, rec.Note = true, "the strategy stopped during the roll: nothing more opened"
			return
		case e.job(rec.r.name, rec.to) != nil || e.job("", rec.to) != nil:
			rec.done, rec.Note = true, "a flatten of "+rec.To+" is under way: nothing more opened"
			return
		}
		// The mirror of a fill that reduces the position in the new month
		// (the close overshot, another order filled meanwhile) only reduces
		// it there: protective, so no limit refuses it.
		in := venue.OrderIntent{Symbol: rec.to.inst.Symbol, Side: f.Side.Opposite(), Qty: f.Qty, Type: venue.Market, Tag: RollTag}
		prot := risk.NotProtective
		if net := rec.r.netIn(rec.to); net*in.Side.Sign() < 0 && f.Qty <= abs(net) {
			prot = risk.ProtectStrategy
		}
		id, err := rec.r.send(in, prot)
		if id != "" {
			e.sentRollLeg(rec, id, true)
		}
		if err != nil {
			rec.Note = "opening leg refused: " + err.Error()
			rec.r.log.Error("roll closed the old month but could not open the new one: the strategy is flat there", "from", rec.From, "to", rec.To, "qty", f.Qty, "order", id, "err", err)
		}
	case venue.EventRejected, venue.EventCancelled, venue.EventExpired:
		if leg.open && o.Filled < o.Intent.Qty {
			rec.Note = fmt.Sprintf("opening leg %s %s: %s %s", o.ClientID, o.Status, ev.Reason, ev.Text)
			rec.r.log.Error("roll's opening leg ended unfilled: the strategy holds less in the new month than it held in the old", "order", o.ClientID, "status", o.Status, "reason", ev.Reason, "text", ev.Text)
		}
	}
}

// rollMark is c's mark if it is recent enough to measure a roll's leg
// against.
func (e *Engine) rollMark(c *contract) (venue.Price, bool) {
	if e.clock.Now()-c.priceAt > int64(RollMarkAge) {
		return 0, false
	}
	return c.mark()
}

func (e *Engine) pointValue(id venue.ContractID) decimal.Decimal {
	if c := e.contractFor(id); c != nil {
		return c.inst.PointValue
	}
	return decimal.NewFromInt(1)
}

// covers reports whether an order or position in contract id belongs to
// c: c itself, or one of c's months when c is continuous.
func (e *Engine) covers(c *contract, id venue.ContractID) bool {
	if c.inst.ID == id {
		return true
	}
	if !c.inst.Continuous() {
		return false
	}
	m := e.byID[id]
	return m != nil && m.cont == c
}

// months returns the months of continuous contract cc the engine knows.
func (e *Engine) months(cc *contract) []*contract {
	var out []*contract
	for _, m := range e.contracts {
		if m.cont == cc {
			out = append(out, m)
		}
	}
	return out
}

// continuousPosition sums r's positions in the months of cc.
func (r *runner) continuousPosition(symbol string, cc *contract) strategy.Position {
	out := strategy.Position{Symbol: symbol}
	for _, p := range r.positions {
		if p.contract.cont != cc {
			continue
		}
		s := p.snapshot()
		out.Net += s.Net
		out.Realized = out.Realized.Add(s.Realized)
		out.Unrealized = out.Unrealized.Add(s.Unrealized)
		out.Fees = out.Fees.Add(s.Fees)
		if s.Net != 0 && (out.AvgPrice.IsZero() || p.contract == cc.front) {
			out.AvgPrice = s.AvgPrice
		}
	}
	// A roll's opening leg still working is the position too: mid-roll the
	// root does not read flat, so a strategy does not enter again.
	for _, id := range r.orderIDs {
		if leg, ok := r.e.rollIDs[id]; ok && leg.open {
			if o := r.e.orders[id]; !o.Status.Terminal() {
				out.Net += o.Intent.Side.Sign() * o.Remaining()
			}
		}
	}
	return out
}
