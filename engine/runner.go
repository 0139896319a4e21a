package engine

import (
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/keeltrade/keel/risk"
	"github.com/keeltrade/keel/strategy"
	"github.com/keeltrade/keel/venue"
	"github.com/shopspring/decimal"
)

// ErrStrategyStopped is returned by Context calls of a strategy that has
// been stopped (by a panic, an Init error or Engine.Stop).
var ErrStrategyStopped = errors.New("strategy is stopped")

// runner is one strategy instance inside the engine; it implements
// strategy.Context for it.
type runner struct {
	e      *Engine
	name   string
	s      strategy.Strategy
	params *strategy.Params
	log    *slog.Logger

	onTickH  strategy.TickHandler
	onBarH   strategy.BarHandler
	onOrderH strategy.OrderHandler
	onFillH  strategy.FillHandler
	onTimerH strategy.TimerHandler

	initing    bool
	dead       bool
	warnedExit bool // the lost-exit warning was logged

	warm    []warmNeed // declared warm-up: bars of series
	warmFor int64      // declared warm-up: data time from the first event
	ready   bool       // the warm-up is complete (set once)
	readyAt int64
	// warmRefused counts intents refused while warming up; warmEvents the
	// market events (ticks or data bars) before it was ready.
	warmRefused, warmEvents int64
	seq                     int64
	// positions by contract; a strategy trades few contracts.
	positions []*position
	orderIDs  []string
	// via marks the months the strategy traded through their continuous
	// contract: its positions there roll with it.
	via map[venue.ContractID]bool
}

var _ strategy.Context = (*runner)(nil)

func newRunner(e *Engine, name string, s strategy.Strategy, p *strategy.Params) *runner {
	r := &runner{e: e, name: name, s: s, params: p, log: e.log.With("strategy", name)}
	r.onTickH, _ = s.(strategy.TickHandler)
	r.onBarH, _ = s.(strategy.BarHandler)
	r.onOrderH, _ = s.(strategy.OrderHandler)
	r.onFillH, _ = s.(strategy.FillHandler)
	r.onTimerH, _ = s.(strategy.TimerHandler)
	return r
}

// recover turns a panic in a strategy callback into a Failure. It must be
// deferred directly by each callback wrapper.
func (r *runner) recover() {
	v := recover()
	if v == nil {
		return
	}
	stack := string(debug.Stack())
	err := fmt.Errorf("panic: %v", v)
	r.fail(err, stack)
}

func (r *runner) fail(err error, stack string) {
	r.dead = true
	r.e.failures = append(r.e.failures, Failure{Strategy: r.name, Err: err, Stack: stack})
	if stack != "" {
		r.log.Error("strategy stopped", "err", err, "stack", stack)
	} else {
		r.log.Error("strategy stopped", "err", err)
	}
	// A stopped strategy must not leave orders working, or a position
	// unprotected, on its behalf: see FailurePolicy.
	r.failed()
}

func (r *runner) init() {
	defer r.recover()
	r.initing = true
	err := r.s.Init(r)
	r.initing = false
	if err != nil {
		r.fail(fmt.Errorf("init: %w", err), "")
	}
}

func (r *runner) stop() {
	if r.dead {
		return
	}
	defer r.recover()
	if st, ok := r.s.(strategy.Stopper); ok {
		st.Stop(r)
	}
	r.dead = true
}

func (r *runner) onEnd() {
	h, ok := r.s.(strategy.EndHandler)
	if r.dead || !ok {
		return
	}
	defer r.recover()
	h.OnEnd(r)
}

func (r *runner) onTick(t *venue.Tick) {
	if r.dead || r.onTickH == nil {
		return
	}
	defer r.recover()
	r.onTickH.OnTick(r, *t)
}

func (r *runner) onBar(b *venue.Bar) {
	if r.dead || r.onBarH == nil {
		return
	}
	defer r.recover()
	r.onBarH.OnBar(r, *b)
}

func (r *runner) onTimer(t strategy.Timer) {
	if r.dead || r.onTimerH == nil {
		return
	}
	defer r.recover()
	r.onTimerH.OnTimer(r, t)
}

func (r *runner) onOrder(ev *venue.Event) {
	if r.dead {
		return
	}
	defer r.recover()
	if r.onOrderH != nil {
		r.onOrderH.OnOrder(r, *ev)
	}
	if ev.Kind == venue.EventFilled && r.onFillH != nil {
		r.onFillH.OnFill(r, ev.Fill)
	}
}

func (r *runner) position(c venue.ContractID) *position {
	for _, p := range r.positions {
		if p.contract.inst.ID == c {
			return p
		}
	}
	p := &position{contract: r.e.contractFor(c)}
	if p.contract == nil {
		// The venue filled a contract the instrument set lacks: keep the
		// books anyway, valued with a unit point value.
		p.contract = &contract{inst: venue.Instrument{ID: c, Symbol: strconv.FormatInt(int64(c), 10), PointValue: decimal.NewFromInt(1)}}
	}
	r.positions = append(r.positions, p)
	return p
}

// --- strategy.Context ---

func (r *runner) Name() string { return r.name }

func (r *runner) Subscribe(symbol string) error {
	if !r.initing {
		return fmt.Errorf("%s: Subscribe is only allowed in Init", r.name)
	}
	c, err := r.e.contractBySymbol(symbol)
	if err != nil {
		return err
	}
	for _, s := range c.tickSubs {
		if s == r {
			return nil
		}
	}
	c.tickSubs = append(c.tickSubs, r)
	return nil
}

func (r *runner) Bars(symbol string, spec venue.BarSpec) error {
	_, err := r.series(symbol, spec, "Bars")
	return err
}

// warmNeed is one declared warm-up: n completed bars of a series.
type warmNeed struct {
	s      *series
	symbol string
	n      int64
}

func (r *runner) WarmUp(symbol string, spec venue.BarSpec, n int) error {
	if n < 1 || n > 1<<20 {
		return fmt.Errorf("%s: WarmUp %s %s: want 1 to %d bars, got %d", r.name, symbol, spec, 1<<20, n)
	}
	s, err := r.series(symbol, spec, "WarmUp")
	if err != nil {
		return err
	}
	s.hist.Grow(n)
	r.warm = append(r.warm, warmNeed{s: s, symbol: symbol, n: int64(n)})
	return nil
}

func (r *runner) WarmUpFor(d time.Duration) error {
	if !r.initing {
		return fmt.Errorf("%s: WarmUpFor is only allowed in Init", r.name)
	}
	if d <= 0 {
		return fmt.Errorf("%s: WarmUpFor %s: want a positive duration", r.name, d)
	}
	r.warmFor = max(r.warmFor, int64(d))
	return nil
}

func (r *runner) Ready() bool {
	if r.ready {
		return true
	}
	for _, w := range r.warm {
		if w.s.hist.Seen() < w.n {
			return false
		}
	}
	now := r.e.clock.Now()
	if r.warmFor > 0 && (r.e.firstAt == 0 || now-r.e.firstAt < r.warmFor) {
		return false
	}
	r.ready, r.readyAt, r.warmEvents = true, now, r.e.stats.Ticks
	if len(r.warm) > 0 || r.warmFor > 0 {
		r.log.Info("warm-up complete", "at", unixTime(now))
	}
	return true
}

// warmStatus says what the warm-up still waits for.
func (r *runner) warmStatus() string {
	var parts []string
	for _, w := range r.warm {
		parts = append(parts, fmt.Sprintf("%d of %d %s bars of %s", min(w.s.hist.Seen(), w.n), w.n, w.s.spec, w.symbol))
	}
	if r.warmFor > 0 {
		var seen int64
		if r.e.firstAt != 0 {
			seen = r.e.clock.Now() - r.e.firstAt
		}
		parts = append(parts, fmt.Sprintf("%s of %s of data", time.Duration(max(seen, 0)), time.Duration(r.warmFor)))
	}
	return strings.Join(parts, ", ")
}

func (r *runner) History(symbol string, spec venue.BarSpec) *strategy.Series {
	inst, ok := r.e.cfg.Instruments.BySymbol(symbol)
	if !ok {
		return nil
	}
	c := r.e.contractFor(inst.ID)
	if c == nil {
		return nil
	}
	for _, s := range c.series {
		if s.spec == spec && slices.Contains(s.subs, r) {
			return s.hist
		}
	}
	return nil
}

// series subscribes r to a bar series of symbol, creating it.
func (r *runner) series(symbol string, spec venue.BarSpec, call string) (*series, error) {
	if !r.initing {
		return nil, fmt.Errorf("%s: %s is only allowed in Init", r.name, call)
	}
	switch {
	case spec.Kind == venue.TimeBars && spec.Duration > 0:
	case spec.Kind == venue.TickBars && spec.Count > 0:
	default:
		return nil, fmt.Errorf("%s: invalid bar spec %+v: want venue.Every(d) with d > 0 or venue.EveryTrades(n) with n > 0", r.name, spec)
	}
	c, err := r.e.contractBySymbol(symbol)
	if err != nil {
		return nil, err
	}
	for _, s := range c.series {
		if s.spec == spec {
			if !slices.Contains(s.subs, r) {
				s.subs = append(s.subs, r)
			}
			return s, nil
		}
	}
	s := &series{spec: spec, subs: []*runner{r}, hist: strategy.NewSeries(defaultHistory)}
	c.series = append(c.series, s)
	return s, nil
}

func (r *runner) Instrument(symbol string) (venue.Instrument, bool) {
	return r.e.cfg.Instruments.BySymbol(symbol)
}

func (r *runner) Symbol(id venue.ContractID) string {
	if c := r.e.contractFor(id); c != nil {
		return c.inst.Symbol
	}
	return ""
}

func (r *runner) Mode() strategy.Mode { return r.e.cfg.Mode }

func (r *runner) Account() strategy.Account { return r.e.account }

func (r *runner) Order(clientID string) (venue.Order, bool) {
	o, ok := r.e.orders[clientID]
	if !ok || r.e.owners[clientID] != r {
		return venue.Order{}, false
	}
	return o.Clone(), true
}

// Flatten implements strategy.Context through the protective path.
func (r *runner) Flatten(symbol string) error {
	if r.dead || r.e.stopped {
		return ErrStrategyStopped
	}
	if r.initing {
		return fmt.Errorf("%s: Flatten is not allowed in Init", r.name)
	}
	c, reason := (*contract)(nil), "strategy "+r.name+" flattens"
	if symbol != "" {
		var err error
		if c, err = r.e.contractBySymbol(symbol); err != nil {
			return err
		}
		reason += " " + symbol
		if !c.inst.Continuous() {
			r.e.flattenContract(r.name, c, reason)
			return nil
		}
	}
	// Every contract, or every month of a continuous one, where the
	// strategy holds a position or has orders working.
	for i := 0; i < len(r.e.contracts); i++ {
		m := r.e.contracts[i]
		if c != nil && m.cont != c {
			continue
		}
		if live, _ := r.liveOthers(m); r.netIn(m) != 0 || live {
			r.e.flattenContract(r.name, m, reason)
		}
	}
	return nil
}

// reduceOnly checks a reduce-only intent against the strategy's position
// and its working orders on the same side (bracket exits included).
func (r *runner) reduceOnly(in *venue.OrderIntent, c *contract) error {
	net := r.netIn(c)
	sign := in.Side.Sign()
	var same int64
	for _, id := range r.orderIDs {
		o := r.e.orders[id]
		if o.Contract == c.inst.ID && !o.Status.Terminal() && o.Intent.Side == in.Side {
			same += o.Remaining()
		}
	}
	if net == 0 || sign*net > 0 || in.Qty+same > abs(net) {
		return &venue.IntentError{Symbol: in.Symbol, Field: "reduce_only", Reason: fmt.Sprintf(
			"%s %d would not reduce the position without flipping it (net %+d, working %s orders %d)", in.Side, in.Qty, net, in.Side, same)}
	}
	return nil
}

func (r *runner) Submit(in venue.OrderIntent) (string, error) {
	if r.dead || r.e.stopped {
		return "", ErrStrategyStopped
	}
	if r.initing {
		return "", fmt.Errorf("%s: orders cannot be submitted in Init", r.name)
	}
	if r.e.halted != "" {
		return "", fmt.Errorf("%s: %w (%s)", r.name, ErrHalted, r.e.halted)
	}
	if !r.Ready() {
		r.e.stats.WarmingUp++
		r.warmRefused++
		return "", fmt.Errorf("%s: %w: %s", r.name, strategy.ErrWarmingUp, r.warmStatus())
	}
	return r.send(in, risk.NotProtective)
}

// send validates, numbers, risk-checks and sends an intent on the
// strategy's behalf; protective orders (prot set) use it directly, so a
// stopped strategy can still be taken flat.
func (r *runner) send(in venue.OrderIntent, prot risk.Protection) (string, error) {
	e := r.e
	c, err := e.contractBySymbol(in.Symbol)
	if err != nil {
		e.stats.Invalid++
		return "", err
	}
	via := false // sent through a continuous contract
	if c.inst.Continuous() {
		// The order goes to the front month, and names it.
		f := e.frontOf(c, e.clock.Now())
		if f == nil {
			e.stats.Invalid++
			return "", &venue.IntentError{Symbol: in.Symbol, Field: "symbol", Reason: "continuous contract with no front month now (see the log): trade a month instead"}
		}
		in.Symbol, c, via = f.inst.Symbol, f, true
	}
	if err := in.Validate(c.inst); err != nil {
		e.stats.Invalid++
		return "", err
	}
	if in.ReduceOnly {
		if err := r.reduceOnly(&in, c); err != nil {
			e.stats.Invalid++
			return "", err
		}
	}
	r.seq++
	id := r.name + "-" + e.cfg.Session + "-" + strconv.FormatInt(r.seq, 10)
	now := e.clock.Now()
	o := &venue.Order{
		ClientID:   id,
		Strategy:   r.name,
		Contract:   c.inst.ID,
		Intent:     in.Clone(),
		Status:     venue.PendingNew,
		Created:    now,
		Updated:    now,
		Protective: prot != risk.NotProtective,
	}
	e.orders[id] = o
	e.owners[id] = r
	r.orderIDs = append(r.orderIDs, id)

	e.req = risk.Request{Now: now, Strategy: r.name, ClientID: id, Instrument: c.inst, Intent: &o.Intent, Protect: prot}
	d := e.gate.Check(&e.req)
	e.req = risk.Request{}
	if d != nil {
		e.stats.Denied++
		r.log.Warn("order denied by risk gate", "order", id, "rule", d.Rule, "limit", d.Limit, "observed", d.Observed, "reason", d.Text)
		e.enqueue(venue.Event{Kind: venue.EventDenied, Time: now, ClientID: id, Contract: c.inst.ID, Reason: d.Rule, Text: d.Error(), Local: true})
		return id, d
	}
	if err := e.cfg.Venue.Submit(o.Clone()); err != nil {
		// Certainly not sent: a local rejection, not an unknown outcome.
		e.enqueue(venue.Event{Kind: venue.EventRejected, Time: now, ClientID: id, Contract: c.inst.ID, Reason: venue.ReasonNotSent, Text: err.Error(), Local: true})
		return id, fmt.Errorf("submit %s: %w", id, err)
	}
	if via {
		r.markVia(c)
	}
	return id, nil
}

func (r *runner) ownOrder(clientID string) (*venue.Order, error) {
	if r.dead || r.e.stopped {
		return nil, ErrStrategyStopped
	}
	o, ok := r.e.orders[clientID]
	if !ok || r.e.owners[clientID] != r {
		return nil, fmt.Errorf("%s: no order %q of this strategy", r.name, clientID)
	}
	if o.Status.Terminal() {
		return nil, fmt.Errorf("%s: order %s is already %s", r.name, clientID, o.Status)
	}
	return o, nil
}

func (r *runner) Cancel(clientID string) error {
	if _, err := r.ownOrder(clientID); err != nil {
		return err
	}
	if err := r.e.cfg.Venue.Cancel(clientID); err != nil {
		return fmt.Errorf("cancel %s: %w", clientID, err)
	}
	return nil
}

func (r *runner) Modify(clientID string, m venue.Modify) error {
	o, err := r.ownOrder(clientID)
	if err != nil {
		return err
	}
	c := r.e.contractFor(o.Contract)
	if m.Qty < 0 {
		return &venue.IntentError{Symbol: o.Intent.Symbol, Field: "qty", Reason: fmt.Sprintf("quantity %d must be positive", m.Qty)}
	}
	if c != nil {
		for _, p := range []struct {
			field string
			v     venue.Price
		}{{"limit", m.Limit}, {"stop", m.Stop}} {
			if p.v != 0 && (p.v < 0 || !p.v.OnGrid(c.inst.TickSize)) {
				return &venue.IntentError{Symbol: o.Intent.Symbol, Field: p.field, Reason: fmt.Sprintf("price %s is not a positive price on the %s tick grid", p.v, c.inst.TickSize)}
			}
		}
	}
	if g := r.e.gateMod; g != nil && c != nil {
		now := r.e.clock.Now()
		d := g.CheckModify(&risk.ModifyRequest{Now: now, Strategy: r.name, ClientID: clientID, Instrument: c.inst, Intent: &o.Intent, Modify: m})
		if d != nil {
			r.e.stats.Denied++
			r.log.Warn("modify denied by risk gate", "order", clientID, "rule", d.Rule, "limit", d.Limit, "observed", d.Observed, "reason", d.Text)
			// Local: the gate's own refusal, not a modify the venue answered.
			r.e.enqueue(venue.Event{Kind: venue.EventModifyRejected, Time: now, ClientID: clientID, Contract: o.Contract, Reason: d.Rule, Text: d.Error(), Local: true})
			return d
		}
	}
	if err := r.e.cfg.Venue.Modify(clientID, m); err != nil {
		// Not sent: the gate counted it, so it hears the refusal (NotSent).
		r.e.enqueue(venue.Event{Kind: venue.EventModifyRejected, Time: r.e.clock.Now(), ClientID: clientID, Contract: o.Contract, Reason: venue.ReasonNotSent, Text: err.Error(), Local: true})
		return fmt.Errorf("modify %s: %w", clientID, err)
	}
	return nil
}

// riskFlattenTag marks the protective market orders the engine sends to
// flatten a position.
const riskFlattenTag = "risk-flatten"

// inSymbol returns what matches the orders of symbol ("" for every one):
// its contract, or with a continuous contract its months. An unknown
// symbol is an error.
func (r *runner) inSymbol(symbol string) (func(*venue.Order) bool, error) {
	if symbol == "" {
		return func(*venue.Order) bool { return true }, nil
	}
	c, err := r.e.contractBySymbol(symbol)
	if err != nil {
		return nil, err
	}
	return func(o *venue.Order) bool { return r.e.covers(c, o.Contract) }, nil
}

func (r *runner) CancelAll(symbol string) error {
	match, err := r.inSymbol(symbol)
	if err != nil {
		return err
	}
	var errs []error
	for _, id := range r.orderIDs {
		o := r.e.orders[id]
		if o.Status.Terminal() || !match(o) {
			continue
		}
		if err := r.Cancel(id); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (r *runner) Position(symbol string) strategy.Position {
	inst, ok := r.e.cfg.Instruments.BySymbol(symbol)
	if !ok {
		return strategy.Position{Symbol: symbol}
	}
	if inst.Continuous() {
		if cc := r.e.contractFor(inst.ID); cc != nil {
			return r.continuousPosition(symbol, cc)
		}
	}
	for _, p := range r.positions {
		if p.contract.inst.ID == inst.ID {
			return p.snapshot()
		}
	}
	return strategy.Position{Symbol: symbol}
}

func (r *runner) OpenOrders(symbol string) []venue.Order {
	match, err := r.inSymbol(symbol)
	if err != nil {
		return nil
	}
	var out []venue.Order
	for _, id := range r.orderIDs {
		o := r.e.orders[id]
		if !o.Status.Terminal() && match(o) {
			out = append(out, *o)
		}
	}
	return out
}

func (r *runner) PnL() strategy.PnL {
	var t strategy.PnL
	for _, p := range r.positions {
		s := p.snapshot()
		t.Realized = t.Realized.Add(s.Realized)
		t.Unrealized = t.Unrealized.Add(s.Unrealized)
		t.Fees = t.Fees.Add(s.Fees)
	}
	return t
}

func (r *runner) Now() time.Time { return unixTime(r.e.clock.Now()) }

func (r *runner) SetTimer(at time.Time, tag string) strategy.TimerID {
	return r.e.addTimer(r, at.UnixNano(), tag)
}

func (r *runner) After(d time.Duration, tag string) strategy.TimerID {
	return r.e.addTimer(r, r.e.clock.Now()+int64(d), tag)
}

func (r *runner) CancelTimer(id strategy.TimerID) bool {
	t, ok := r.e.timers.pending[id]
	if !ok || t.owner != r {
		return false
	}
	return r.e.timers.cancel(id)
}

func (r *runner) Log() *slog.Logger { return r.log }

func (r *runner) Params() *strategy.Params { return r.params }

func unixTime(ns int64) time.Time { return time.Unix(0, ns).UTC() }
