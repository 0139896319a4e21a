package engine

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/keeltrade/keel/risk"
	"github.com/keeltrade/keel/strategy"
	"github.com/keeltrade/keel/venue"
)

// Protection: getting flat, and staying protected. See the package doc.

// FailurePolicy is what the engine does with a strategy that failed (an
// Init error after it had orders, or a panic).
type FailurePolicy string

// Failure policies.
const (
	// FlattenOnFailure, the default, cancels the strategy's entries,
	// flattens its positions through the protective path, then cancels its
	// bracket exits: the position is never naked while the flatten is on
	// its way.
	FlattenOnFailure FailurePolicy = "flatten"
	// KeepExits cancels the strategy's entries and leaves its positions to
	// the bracket exits protecting them (an operator takes over).
	KeepExits FailurePolicy = "keep-exits"
)

// Retry backoff of a flatten that did not complete: 250ms, doubling, at
// most 30s (engine clock).
const (
	retryFirst = int64(250 * time.Millisecond)
	retryMax   = int64(30 * time.Second)
)

// flatJob is a standing order to get one scope flat in one contract: the
// engine keeps (re)sending protective orders until it is.
type flatJob struct {
	strategy string // "" for the whole account
	contract *contract
	reason   string
	attempts int  // rounds that sent a protective order
	rounds   int  // rounds run: the retry backoff grows with them
	waiting  bool // a retry is scheduled
	// A roll's job (continuous.go) tags its orders RollTag and opens what
	// they fill in the new month; any other flatten of the scope takes it
	// over (interruptRolls).
	tag  string
	roll *rollRec
}

func (j *flatJob) scope() string {
	if j.strategy == "" {
		return "account"
	}
	return "strategy " + j.strategy
}

// Flatten closes the account's position in symbol ("" for every contract)
// as an operator's flatten: working orders there are cancelled and the
// position is closed with protective market orders, netted across
// strategies, resent until flat. It must be called on the loop goroutine.
func (e *Engine) Flatten(symbol, reason string) error {
	if e.stopped || !e.started {
		return errors.New("flatten: the engine is not running")
	}
	if reason == "" {
		reason = "operator flatten"
	}
	if symbol == "" {
		e.flattenAll("", reason)
		return nil
	}
	c, err := e.contractBySymbol(symbol)
	if err != nil {
		return fmt.Errorf("flatten: %w", err)
	}
	if c.inst.Continuous() {
		for _, m := range e.months(c) {
			e.flattenContract("", m, reason)
		}
	} else {
		e.flattenContract("", c, reason)
	}
	e.drain()
	return nil
}

// flattenAll starts a flatten for strategy ("" for the account) in every
// contract where it holds a position or working orders.
func (e *Engine) flattenAll(strategy, reason string) {
	for i := 0; i < len(e.contracts); i++ {
		if c := e.contracts[i]; !c.inst.Continuous() { // its months hold its orders
			e.flattenContract(strategy, c, reason)
		}
	}
	e.drain()
}

func (e *Engine) flattenContract(strategy string, c *contract, reason string) {
	if len(e.rolls) != 0 {
		e.interruptRolls(strategy, c, reason)
	}
	j := e.job(strategy, c)
	if j == nil {
		j = &flatJob{strategy: strategy, contract: c}
		e.jobs = append(e.jobs, j)
	}
	j.reason = reason
	e.runJob(j)
}

func (e *Engine) job(strategy string, c *contract) *flatJob {
	for _, j := range e.jobs {
		if j.strategy == strategy && j.contract == c {
			return j
		}
	}
	return nil
}

// runJob does one round: cancel the scope's entries in the contract,
// cross opposite strategy positions (account scope), send protective
// orders for what is left, then cancel the bracket exits.
func (e *Engine) runJob(j *flatJob) {
	c := j.contract
	runners := e.jobRunners(j)
	prot := risk.ProtectAccount
	if j.strategy != "" {
		prot = risk.ProtectStrategy
	} else {
		e.adopt(c)
	}
	// eff is where each strategy is headed: its position once its
	// protective orders on the closing side fill.
	eff := make([]int64, len(runners))
	var acct int64
	for i, r := range runners {
		eff[i] = r.netIn(c) + r.protectiveWork(c)
		acct += eff[i]
	}
	for _, r := range runners {
		r.cancelIn(c, func(o *venue.Order) bool { return !o.Protective && o.ParentID == "" })
		// A protective order that no longer closes (the position moved
		// past it) is cancelled too; it was not counted in eff.
		r.cancelIn(c, func(o *venue.Order) bool { return o.Protective && !r.closing(o) })
	}
	if j.strategy == "" {
		e.cross(runners, eff, c, j.reason)
	}
	sent := false
	for i, r := range runners {
		out := eff[i] == 0 // flat: its exits would open a position
		if !out {
			side, qty := venue.Sell, eff[i]
			if qty < 0 {
				side, qty = venue.Buy, -qty
			}
			tag := riskFlattenTag
			if j.tag != "" {
				tag = j.tag
			}
			in := venue.OrderIntent{Symbol: c.inst.Symbol, Side: side, Qty: qty, Type: venue.Market, Tag: tag}
			id, err := r.send(in, prot)
			if j.roll != nil && id != "" {
				e.sentRollLeg(j.roll, id, false)
			}
			if err != nil {
				r.log.Error("protective order not sent", "order", id, "scope", j.scope(), "reason", j.reason, "err", err)
			}
			out, sent = err == nil, true
		}
		// The exits go only once the flatten is on its way: a position
		// whose flatten was refused keeps its protection.
		if out {
			r.cancelIn(c, func(o *venue.Order) bool { return !o.Protective && o.ParentID != "" })
		}
	}
	if sent {
		j.attempts++
	}
	j.rounds++
	e.checkJob(j)
}

// jobRunners are the books a job flattens: one strategy's, or for the
// account every strategy's and the house's.
func (e *Engine) jobRunners(j *flatJob) []*runner {
	if j.strategy != "" {
		return []*runner{e.byName[j.strategy]}
	}
	return append(e.runners[:len(e.runners):len(e.runners)], e.house)
}

// adopt books into the house what the venue reports for the account in c
// beyond what the strategies hold — a manual trade, a fill keel never
// attributed, a position from before a restart — so the account's flatten
// closes it too. Only a position report newer than every fill in c is
// trusted: an older one may not count a fill the strategies already hold.
func (e *Engine) adopt(c *contract) {
	if !c.hasVenue || c.posSeq <= c.fillSeq {
		return
	}
	want := c.venueNet
	for _, r := range e.runners {
		want -= r.netIn(c)
	}
	d := want - e.house.netIn(c)
	if d == 0 {
		return
	}
	price, ok := c.mark()
	if !ok {
		price = c.venuePx
	}
	side := venue.Buy
	if d < 0 {
		side = venue.Sell
	}
	e.log.Error("the venue's account holds a position no strategy holds; keel's house book adopts it to flatten it",
		"contract", c.inst.Symbol, "venue_net", c.venueNet, "adopted", d, "price", price)
	e.house.position(c.inst.ID).applyFill(&venue.Fill{Contract: c.inst.ID, Side: side, Qty: abs(d), Price: price, Time: e.clock.Now()})
	if e.gateTr != nil {
		e.gateTr.ObserveTransfer(&venue.Transfer{Time: e.clock.Now(), Contract: c.inst.ID, To: e.house.name, Qty: d, Price: price, Reason: "adopted from the venue's position"})
	}
}

// cross nets strategies holding opposite positions in c against each
// other at the contract's mark, so that only the account's net reaches the
// venue: strategy A long 2 and B short 1 (the account +1) become A long 1
// and B flat, and A's one contract is sold. eff is updated in place.
func (e *Engine) cross(runners []*runner, eff []int64, c *contract, reason string) {
	price, ok := c.mark()
	for i := range runners {
		for k := range runners {
			if eff[i] <= 0 || eff[k] >= 0 {
				continue
			}
			if !ok {
				price, ok = runners[i].markFor(c)
			}
			q := min(eff[i], -eff[k])
			t := venue.Transfer{Time: e.clock.Now(), Contract: c.inst.ID, From: runners[i].name, To: runners[k].name, Qty: q, Price: price, Reason: reason}
			e.transfer(&t)
			eff[i] -= q
			eff[k] += q
		}
	}
}

// transfer books t in both strategies' positions and tells the gate.
func (e *Engine) transfer(t *venue.Transfer) {
	from, to := e.byName[t.From], e.byName[t.To]
	from.position(t.Contract).applyFill(&venue.Fill{Contract: t.Contract, Side: venue.Sell, Qty: t.Qty, Price: t.Price, Time: t.Time})
	to.position(t.Contract).applyFill(&venue.Fill{Contract: t.Contract, Side: venue.Buy, Qty: t.Qty, Price: t.Price, Time: t.Time})
	if e.gateTr != nil {
		e.gateTr.ObserveTransfer(t)
	}
	e.stats.Transfers++
	e.log.Info("crossed opposite strategy positions instead of sending both to the venue",
		"contract", t.Contract, "from", t.From, "to", t.To, "qty", t.Qty, "price", t.Price, "reason", t.Reason)
}

// checkJobs looks at the flatten jobs of c after an event there.
func (e *Engine) checkJobs(c venue.ContractID) {
	for _, j := range append([]*flatJob(nil), e.jobs...) {
		if j.contract.inst.ID == c && e.job(j.strategy, j.contract) == j {
			e.checkJob(j)
		}
	}
}

// checkJob ends a job whose scope is flat, and schedules a retry for one
// that is not flat with no protective order working: the venue refused it,
// it expired, or a fill moved the position meanwhile.
func (e *Engine) checkJob(j *flatJob) {
	runners := e.jobRunners(j)
	flat, working, cancelling := true, false, false
	var last string
	for _, r := range runners {
		if r.netIn(j.contract) != 0 {
			flat = false
		}
		if id := r.workingProtective(j.contract); id != "" {
			working = true
		}
		if id := r.lastProtective(j.contract); id != "" {
			last = id
		}
		live, pending := r.liveOthers(j.contract)
		if live {
			flat = false // nothing may be left working either
		}
		cancelling = cancelling || pending
	}
	if j.strategy == "" && j.contract.hasVenue && j.contract.venueNet != 0 {
		flat = false // the venue still reports a position: adopt it next round
	}
	switch {
	case flat && !working:
		e.endJob(j)
		return
	case working || cancelling || j.waiting:
		return // a protective order or a cancel is on its way: wait for it
	}
	delay := min(retryFirst<<min(max(j.rounds-1, 0), 20), retryMax)
	j.waiting = true
	text := fmt.Sprintf("%s position in %s is not flat, or orders are left working, with no protective order or cancel on its way (%s); sending again in %s",
		j.scope(), j.contract.inst.Symbol, e.lastOutcome(last), time.Duration(delay))
	e.log.Error("flatten did not complete; retrying", "scope", j.scope(), "contract", j.contract.inst.Symbol, "attempts", j.attempts, "retry_in", time.Duration(delay), "reason", j.reason, "last", e.lastOutcome(last))
	for _, r := range runners {
		if r.netIn(j.contract) != 0 && r != e.house {
			e.notify(r, venue.Event{Kind: venue.EventUnprotected, Time: e.clock.Now(), ClientID: r.lastProtective(j.contract), Contract: j.contract.inst.ID, Reason: venue.ReasonFlattenRetry, Text: text})
		}
	}
	if e.cfg.Observe != nil && j.strategy == "" {
		ev := venue.Event{Kind: venue.EventUnprotected, Time: e.clock.Now(), ClientID: last, Contract: j.contract.inst.ID, Reason: venue.ReasonFlattenRetry, Text: text}
		e.cfg.Observe(&ev)
	}
	e.after(delay, func() {
		j.waiting = false
		if e.job(j.strategy, j.contract) != j || e.stopped {
			return
		}
		e.stats.FlattenRetries++
		e.runJob(j)
	})
}

func (e *Engine) endJob(j *flatJob) {
	for i, k := range e.jobs {
		if k == j {
			e.jobs = append(e.jobs[:i], e.jobs[i+1:]...)
			return
		}
	}
}

// lastOutcome describes how the protective order id ended, for messages.
func (e *Engine) lastOutcome(id string) string {
	o, ok := e.orders[id]
	if !ok {
		return "none was sent"
	}
	if r := e.lastReject[id]; r != "" {
		return fmt.Sprintf("last %s %s: %s", o.ClientID, o.Status, r)
	}
	return fmt.Sprintf("last %s %s", o.ClientID, o.Status)
}

// notify hands r an event about its positions that is not an order's
// state change (EventUnprotected).
func (e *Engine) notify(r *runner, ev venue.Event) {
	if e.cfg.Observe != nil {
		e.cfg.Observe(&ev)
	}
	r.onOrder(&ev)
}

// afterOrderEvent runs the protection checks an order event calls for:
// a lost bracket exit, the flatten jobs of its contract.
func (e *Engine) afterOrderEvent(o *venue.Order, r *runner, ev *venue.Event) {
	if ev.Kind == venue.EventRejected || ev.Kind == venue.EventDenied {
		if o.Protective {
			e.lastReject[o.ClientID] = ev.Reason + ": " + ev.Text
		}
	}
	if (ev.Kind == venue.EventCancelled || ev.Kind == venue.EventExpired) && o.ParentID != "" && !strings.HasSuffix(o.ClientID, venue.OCOSuffix) {
		e.exitEnded(o, r, ev)
	}

	if len(e.jobs) != 0 {
		e.checkJobs(o.Contract)
	}
}

// exitEnded reports a bracket exit that ended while its position is open:
// its entry filled more than its exits did, the strategy still holds the
// position, and no flatten is closing it.
func (e *Engine) exitEnded(o *venue.Order, r *runner, ev *venue.Event) {
	parent := e.orders[o.ParentID]
	if parent == nil {
		return
	}
	open := parent.Filled
	for _, id := range venue.BracketIDs(parent.ClientID, parent.Intent.Brackets) {
		if x := e.orders[id]; x != nil {
			open -= x.Filled
		}
	}
	net := r.netIn(e.contractFor(o.Contract))
	if open <= 0 || net*parent.Intent.Side.Sign() <= 0 {
		return
	}
	for _, j := range e.jobs {
		if j.contract.inst.ID == o.Contract && (j.strategy == "" || j.strategy == r.name) {
			return // keel is closing the position itself
		}
	}
	e.stats.ExitsLost++
	reason, how := venue.ReasonExitCancelled, "was cancelled"
	if ev.Kind == venue.EventExpired {
		reason, how = venue.ReasonExitExpired, "expired"
	}
	text := fmt.Sprintf("bracket exit %s %s while %d of %s's %s position it protected is still open; the position has no exit from that order now (give exits TIF GTC, the default, or place a new one)",
		o.ClientID, how, open, r.name, o.Intent.Symbol)
	if !r.warnedExit {
		r.warnedExit = true
		r.log.Warn("exit ended while its position is open (warned once per strategy; Stats.ExitsLost counts them)", "order", o.ClientID, "reason", reason, "open", open)
	}
	e.notify(r, venue.Event{Kind: venue.EventUnprotected, Time: ev.Time, ClientID: o.ClientID, Contract: o.Contract, Reason: reason, Text: text})
}

// --- per-strategy views used above ---

func (r *runner) netIn(c *contract) int64 {
	if c == nil {
		return 0
	}
	for _, p := range r.positions {
		if p.contract.inst.ID == c.inst.ID {
			return p.net
		}
	}
	return 0
}

// closing reports whether a protective order still closes r's position.
func (r *runner) closing(o *venue.Order) bool {
	net := r.netIn(r.e.contractFor(o.Contract))
	return net != 0 && o.Intent.Side.Sign()*net < 0
}

// protectiveWork is the signed remaining quantity of r's working
// protective orders in c that still close its position.
func (r *runner) protectiveWork(c *contract) int64 {
	var w int64
	for _, id := range r.orderIDs {
		o := r.e.orders[id]
		if o.Protective && o.Contract == c.inst.ID && !o.Status.Terminal() && r.closing(o) {
			w += o.Intent.Side.Sign() * o.Remaining()
		}
	}
	return w
}

// liveOthers reports whether r has non-protective orders working in c,
// and whether a cancel keel sent for one of them is still unanswered.
func (r *runner) liveOthers(c *contract) (live, cancelling bool) {
	for _, id := range r.orderIDs {
		o := r.e.orders[id]
		if o.Protective || o.Contract != c.inst.ID || o.Status.Terminal() {
			continue
		}
		live = true
		if _, ok := r.e.cancelling[id]; ok {
			cancelling = true
		}
	}
	return live, cancelling
}

func (r *runner) workingProtective(c *contract) string {
	for _, id := range r.orderIDs {
		if o := r.e.orders[id]; o.Protective && o.Contract == c.inst.ID && !o.Status.Terminal() {
			return id
		}
	}
	return ""
}

func (r *runner) lastProtective(c *contract) string {
	for i := len(r.orderIDs) - 1; i >= 0; i-- {
		if o := r.e.orders[r.orderIDs[i]]; o.Protective && o.Contract == c.inst.ID {
			return o.ClientID
		}
	}
	return ""
}

// cancelIn asks the venue to cancel r's working orders in c that match,
// once per order.
func (r *runner) cancelIn(c *contract, match func(*venue.Order) bool) {
	for _, id := range r.orderIDs {
		o := r.e.orders[id]
		if o.Status.Terminal() || o.Contract != c.inst.ID || !match(o) {
			continue
		}
		if _, sent := r.e.cancelling[id]; sent {
			continue
		}
		r.e.cancelling[id] = struct{}{}
		if err := r.e.cfg.Venue.Cancel(id); err != nil {
			delete(r.e.cancelling, id) // not sent: the next round sends it again
			r.log.Error("protective cancel not sent", "order", id, "err", err)
		}
	}
}

// markFor is a price to cross r's position in c at when the contract has
// no mark yet: its average entry, on the tick grid.
func (r *runner) markFor(c *contract) (venue.Price, bool) {
	for _, p := range r.positions {
		if p.contract == c && p.net != 0 {
			if px, err := venue.PriceFromDecimal(p.avgPrice()); err == nil {
				return px.RoundToTick(c.inst.TickSize, venue.RoundNearest), true
			}
		}
	}
	return 0, false
}

// failed applies the failure policy to a strategy that just failed.
func (r *runner) failed() {
	e := r.e
	for _, c := range e.contracts {
		r.cancelIn(c, func(o *venue.Order) bool { return o.ParentID == "" && !o.Protective })
	}
	if e.cfg.OnFailure == KeepExits {
		return
	}
	for _, c := range e.contracts {
		if live, _ := r.liveOthers(c); r.netIn(c) != 0 || live {
			// A job even when flat: its cancels must be seen through.
			e.flattenContract(r.name, c, "strategy "+r.name+" failed")
		}
	}
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// houseName is the book of positions no strategy holds (see adopt). It
// is not a strategy: it gets no callbacks, and its orders are only
// protective ones.
const houseName = "keel"

type houseStrategy struct{}

func (houseStrategy) Init(strategy.Context) error { return nil }
