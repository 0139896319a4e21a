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
	Closed   int64  // contracts the closing leg filled
	Opened   int64  // contracts the opening leg filled
	At       int64  // when the roll began (engine clock, Unix ns)
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
	done     bool        // no more opening legs: the roll was interrupted
	mark     venue.Price // from's mark when the roll began
	hasMark  bool
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
		if out[i].Note == "" && e.rollPending(rec) {
			out[i].Note = fmt.Sprintf("still under way: %d of %d closed in %s, %d opened in %s", rec.Closed, abs(rec.Qty), rec.From, rec.Opened, rec.To)
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
		rec.mark, rec.hasMark = e.rollMark(from)
		e.rolls = append(e.rolls, rec)
		e.stats.Rolls++
		r.log.Info("rolling position", "contract", cc.inst.Symbol, "from", from.inst.Symbol, "to", to.inst.Symbol, "net", net)
	}
	j := &flatJob{strategy: r.name, contract: from, reason: fmt.Sprintf("%s rolls from %s to %s", cc.inst.Symbol, from.inst.Symbol, to.inst.Symbol), tag: RollTag, roll: rec}
	e.jobs = append(e.jobs, j)
	e.runJob(j)
}

// sentRollLeg records a closing order a roll's job sent. Every close,
// resent ones too, is measured against the mark when the roll began.
func (e *Engine) sentRollLeg(rec *rollRec, id string) {
	if e.rollIDs == nil {
		e.rollIDs = map[string]rollLeg{}
	}
	e.rollIDs[id] = rollLeg{rec: rec, mark: rec.mark, hasMark: rec.hasMark}
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

// rollEvent books an event of a roll's order: each fill of the closing leg
// opens as many contracts on the position's side in the new month.
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
		if leg.open {
			rec.Opened += f.Qty
			return
		}
		rec.Closed += f.Qty
		switch {
		case rec.done:
			return
		case rec.r.dead || e.stopped:
			rec.done, rec.Note = true, "the strategy stopped during the roll: nothing reopened"
			return
		case e.job(rec.r.name, rec.to) != nil || e.job("", rec.to) != nil:
			rec.done, rec.Note = true, "a flatten of "+rec.To+" is under way: nothing reopened"
			return
		}
		side := venue.Buy
		if rec.Qty < 0 {
			side = venue.Sell
		}
		mark, hasMark := e.rollMark(rec.to)
		in := venue.OrderIntent{Symbol: rec.to.inst.Symbol, Side: side, Qty: f.Qty, Type: venue.Market, Tag: RollTag}
		id, err := rec.r.send(in, risk.NotProtective)
		if id != "" {
			e.rollIDs[id] = rollLeg{rec: rec, open: true, mark: mark, hasMark: hasMark}
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
	return out
}
