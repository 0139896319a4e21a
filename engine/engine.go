package engine

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/keeltrade/keel/risk"
	"github.com/keeltrade/keel/strategy"
	"github.com/keeltrade/keel/venue"
)

// Config is what an Engine needs. Instruments and Venue are required.
type Config struct {
	// Session distinguishes one run's client order ids from another's
	// ("<strategy>-<session>-<seq>"). Default "0", which only a venue that
	// runs in the loop (the simulator) may use: with any other venue it
	// must be unique across every session ever run against the account
	// (see NewSessionID), or a restart would reuse client order ids.
	Session string
	// OnFailure is what happens to the orders and positions of a strategy
	// that fails: FlattenOnFailure (the default) or KeepExits.
	OnFailure FailurePolicy
	// Mode is what strategies read from Context.Mode; default backtest
	// with a venue in the loop, else demo.
	Mode strategy.Mode
	// Instruments resolves symbols; every symbol a strategy uses must be here.
	Instruments venue.Instruments
	// Venue receives orders. An InLoop venue (the simulator) also sees ticks.
	Venue venue.Venue
	// Clock defaults to a SimClock, which the engine sets from tick times.
	// With any other clock (WallClock) tick times do not move the clock.
	Clock Clock
	// Gate checks every intent; nil allows everything.
	Gate risk.Gate
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// Observe, if set, sees every order event (venue or risk gate) after the
	// OMS has applied it and before the strategy does; reports and journals
	// use it. It runs on the loop.
	Observe func(*venue.Event)
	// ObserveTick, if set, sees every tick of a known contract after the
	// strategies did (a live session's report marks positions with it).
	// It runs on the loop.
	ObserveTick func(*venue.Tick)
	// Adopt, if set, is asked about an event for a client id this engine
	// did not send: an order of an earlier session (a restart) returns the
	// order as it was sent, and the engine takes it into its books, owned
	// by its strategy if it runs here (else by the house book), so the
	// venue's report of it — its state, its fills — rebuilds the
	// strategy's position. It runs on the loop.
	Adopt func(clientID string) (venue.Order, bool)
}

// Failure records a strategy stopped by a panic or an Init error.
type Failure struct {
	Strategy string
	Err      error
	Stack    string // the goroutine stack at the panic, if it was one
}

// Stats counts what the loop has seen.
type Stats struct {
	Ticks         int64 // ticks processed
	UnknownTicks  int64 // ticks for contracts no strategy or instrument knows
	Events        int64 // venue events processed
	UnknownEvents int64 // events for client ids this engine never sent
	DuplicateFill int64 // fills seen twice (same fill id) and ignored
	Denied        int64 // intents refused by the risk gate
	Invalid       int64 // intents refused as malformed
	Bars          int64 // bars completed
	Timers        int64 // timers fired
	WarmingUp     int64 // intents refused because their strategy was still warming up
	LateTrades    int64 // trades stamped inside a time bar already closed (live), left out of bars
	// FlattenRetries counts protective rounds sent again because a flatten
	// did not complete (refused, expired, or outrun by a fill).
	FlattenRetries int64
	// ExitsLost counts bracket exits that were cancelled or expired while
	// their position was still open (each also an EventUnprotected).
	ExitsLost int64
	// Transfers counts opposite strategy positions crossed inside keel
	// when flattening the account (venue.Transfer).
	Transfers int64
	// Adopted counts orders of earlier sessions taken into the books
	// (Config.Adopt).
	Adopted int64
	// Rolls counts positions rolled from one month of a continuous
	// contract to the next (see Engine.Rolls).
	Rolls int64
}

// contract is the engine's per-contract state.
type contract struct {
	inst     venue.Instrument
	last     venue.Price
	bid, ask venue.Price
	hasLast  bool
	hasQuote bool
	priceAt  int64 // market time of the last price (a tick's, a data bar's end)
	tickSubs []*runner
	series   []*series

	// The venue's own report of the account's position (EventPosition),
	// and the event sequence numbers of the last report and the last fill
	// in this contract: a report is trusted only when newer than every fill.
	venueNet        int64
	venuePx         venue.Price
	hasVenue        bool
	posSeq, fillSeq int64

	// Continuous contracts (continuous.go): a month's continuous contract,
	// and a continuous contract's front month until the time it changes.
	cont  *contract
	front *contract
	until int64
}

// mark is the price open positions are valued at: the last trade, else the mid.
func (c *contract) mark() (venue.Price, bool) {
	if c.hasLast {
		return c.last, true
	}
	if c.hasQuote && c.bid > 0 && c.ask > 0 {
		return (c.bid + c.ask) / 2, true
	}
	return 0, false
}

// Engine is the loop. It is not safe for concurrent use: every method runs
// on the loop goroutine (Run's, or the caller's in a backtest), except the
// producer handles Run hands out.
type Engine struct {
	cfg        Config
	clock      Clock
	sim        *SimClock
	inLoop     venue.InLoop
	barMatcher venue.BarMatcher
	gate       risk.Gate
	gateEv     risk.EventObserver
	gateTk     risk.TickObserver
	gateAct    risk.Actor
	gateMod    risk.ModifyChecker
	gateTr     risk.TransferObserver
	req        risk.Request // reused for every Check: the gate must not keep it
	scratch    venue.Tick   // a bar's close shown to the gate as a trade
	log        *slog.Logger
	started    bool
	stopped    bool

	runners   []*runner
	byName    map[string]*runner
	house     *runner // positions no strategy holds (protect.go)
	contracts []*contract
	lastC     *contract // cache for the common one-contract case
	byID      map[venue.ContractID]*contract

	orders   map[string]*venue.Order // by client id
	owners   map[string]*runner      // client id → strategy
	fillIDs  map[int64]struct{}
	pending  []venue.Event   // venue and gate events awaiting delivery
	async    venue.EventSink // set by Run: the thread-safe sink for venues on other goroutines
	draining bool

	account    strategy.Account    // the venue's last account report
	jobs       []*flatJob          // flattens under way (protect.go)
	cancelling map[string]struct{} // client ids keel asked the venue to cancel for protection
	lastReject map[string]string   // protective client id → why the venue or gate refused it

	firstAt    int64         // time of the first market event (warm-up by duration)
	halted     string        // why Submit refuses (Halt); "" while running
	haltPolicy FailurePolicy // what Halt did

	conts    map[string]*contract // continuous contracts by root
	contTick venue.Tick           // a front month's tick as its continuous contract's
	contBar  venue.Bar            // the same for a data bar
	rolls    []*rollRec
	rollIDs  map[string]rollLeg // client id → the roll it is a leg of

	timers   timers
	nextBar  int64 // earliest time-bar end across all series
	due      int64 // lower bound of min(nextBar, earliest timer): advance's fast path
	stats    Stats
	failures []Failure
}

// New checks the configuration and returns an engine with no strategies.
func New(cfg Config) (*Engine, error) {
	if cfg.Instruments == nil {
		return nil, errors.New("engine: Config.Instruments is required")
	}
	if cfg.Venue == nil {
		return nil, errors.New("engine: Config.Venue is required")
	}
	if _, inLoop := cfg.Venue.(venue.InLoop); !inLoop && (cfg.Session == "" || cfg.Session == "0") {
		return nil, errors.New("engine: Config.Session must be a session id unique to this run (engine.NewSessionID) for a venue outside the loop: the default \"0\" would reuse client order ids after a restart")
	}
	if cfg.Session == "" {
		cfg.Session = "0"
	}
	if cfg.Mode == "" {
		cfg.Mode = strategy.ModeBacktest
		if _, inLoop := cfg.Venue.(venue.InLoop); !inLoop {
			cfg.Mode = strategy.ModeDemo
		}
	}
	switch cfg.OnFailure {
	case "":
		cfg.OnFailure = FlattenOnFailure
	case FlattenOnFailure, KeepExits:
	default:
		return nil, fmt.Errorf("engine: Config.OnFailure %q: want %q or %q", cfg.OnFailure, FlattenOnFailure, KeepExits)
	}
	if strings.ContainsAny(cfg.Session, " -/") {
		return nil, fmt.Errorf("engine: Config.Session %q may not contain spaces, '-' or '/'", cfg.Session)
	}
	e := &Engine{
		cfg:     cfg,
		clock:   cfg.Clock,
		gate:    cfg.Gate,
		log:     cfg.Logger,
		byName:  map[string]*runner{},
		byID:    map[venue.ContractID]*contract{},
		orders:  map[string]*venue.Order{},
		owners:  map[string]*runner{},
		fillIDs: map[int64]struct{}{},
		nextBar: maxTime,

		cancelling: map[string]struct{}{},
		lastReject: map[string]string{},
		due:        maxTime,
	}
	if e.clock == nil {
		e.sim = NewSimClock(0)
		e.clock = e.sim
	} else if sc, ok := e.clock.(*SimClock); ok {
		e.sim = sc
	}
	if e.gate == nil {
		e.gate = risk.AllowAll{}
	}
	e.gateEv, _ = e.gate.(risk.EventObserver)
	e.gateTk, _ = e.gate.(risk.TickObserver)
	e.gateAct, _ = e.gate.(risk.Actor)
	e.gateMod, _ = e.gate.(risk.ModifyChecker)
	e.gateTr, _ = e.gate.(risk.TransferObserver)
	if e.log == nil {
		e.log = slog.Default()
	}
	e.house = newRunner(e, houseName, houseStrategy{}, strategy.NewParams(nil))
	e.house.dead = true // no callbacks; it only ever sends protective orders
	e.inLoop, _ = cfg.Venue.(venue.InLoop)
	if e.inLoop != nil {
		e.barMatcher, _ = cfg.Venue.(venue.BarMatcher)
	}
	return e, nil
}

// Add registers a strategy under a unique instance name. It must be called
// before Start.
func (e *Engine) Add(name string, s strategy.Strategy, p *strategy.Params) error {
	if e.started {
		return fmt.Errorf("engine: add %s: engine already started", name)
	}
	if name == "" || strings.ContainsAny(name, " -/") {
		return fmt.Errorf("engine: strategy name %q may not be empty or contain spaces, '-' or '/'", name)
	}
	if name == houseName {
		return fmt.Errorf("engine: strategy name %q is keel's own book of positions no strategy holds; choose another", name)
	}
	if _, dup := e.byName[name]; dup {
		return fmt.Errorf("engine: strategy name %q used twice", name)
	}
	if p == nil {
		p = strategy.NewParams(nil)
	}
	r := newRunner(e, name, s, p)
	e.runners = append(e.runners, r)
	e.byName[name] = r
	return nil
}

// Start binds the venue and runs every strategy's Init. A strategy whose
// Init fails or panics is recorded in Failures and gets no callbacks; the
// others start. Start fails only if the venue cannot start.
func (e *Engine) Start() error {
	if e.started {
		return errors.New("engine: already started")
	}
	if sc, ok := e.gate.(interface{ CheckStrategies(running []string) error }); ok {
		names := make([]string, len(e.runners))
		for i, r := range e.runners {
			names[i] = r.name
		}
		if err := sc.CheckStrategies(names); err != nil {
			return fmt.Errorf("engine: risk gate: %w", err)
		}
	}
	e.started = true
	sink := e.enqueue
	if e.async != nil && e.inLoop == nil {
		sink = e.async
	}
	if err := e.cfg.Venue.Start(sink); err != nil {
		return fmt.Errorf("engine: start venue: %w", err)
	}
	for _, r := range e.runners {
		r.init()
	}
	e.drain()
	return nil
}

// enqueue is the venue sink when the engine is driven directly (OnTick from
// the caller's goroutine): the venue must then call it on that goroutine,
// as in-loop venues do. Events wait until the current callback returns.
func (e *Engine) enqueue(ev venue.Event) { e.pending = append(e.pending, ev) }

// Stop calls Stop on every live strategy. The engine processes nothing
// afterwards. Working orders are left as they are: cancelling or
// flattening at the end of a session is the strategy's or the risk gate's
// decision.
func (e *Engine) Stop() {
	if e.stopped {
		return
	}
	for _, r := range e.runners {
		r.stop()
	}
	e.drain()
	e.stopped = true
}

// EndOfData tells strategies (strategy.EndHandler) that exactly one more
// market event follows; backtest drivers call it before the last tick or bar.
func (e *Engine) EndOfData() {
	if e.stopped {
		return
	}
	for _, r := range e.runners {
		r.onEnd()
		e.drain()
	}
}

// Now returns the engine clock.
func (e *Engine) Now() int64 { return e.clock.Now() }

// Stats returns counters.
func (e *Engine) Stats() Stats { return e.stats }

// WarmUp is a strategy's declared warm-up and how it went.
type WarmUp struct {
	Strategy string
	Declared bool   // the strategy declared one (WarmUp, WarmUpFor)
	Ready    bool   // it completed
	ReadyAt  int64  // when (engine clock, Unix ns)
	Status   string // what it waited for, and how much of it came
	Refused  int64  // intents refused while warming up
	Events   int64  // market events (ticks or data bars) that went to the warm-up
}

// WarmUps reports every strategy's warm-up, in the order they were added.
func (e *Engine) WarmUps() []WarmUp {
	out := make([]WarmUp, 0, len(e.runners))
	for _, r := range e.runners {
		w := WarmUp{Strategy: r.name, Declared: len(r.warm) > 0 || r.warmFor > 0}
		if w.Declared {
			w.Ready = r.Ready()
			w.ReadyAt, w.Status = r.readyAt, r.warmStatus()
			w.Events = r.warmEvents
			if !w.Ready {
				w.Events = e.stats.Ticks
			}
		}
		w.Refused = r.warmRefused
		out = append(out, w)
	}
	return out
}

// Failures returns the strategies stopped by a panic or an Init error.
func (e *Engine) Failures() []Failure { return append([]Failure(nil), e.failures...) }

// Orders returns a copy of every order the engine has sent, in client-id order of creation.
func (e *Engine) Orders() []venue.Order {
	out := make([]venue.Order, 0, len(e.orders))
	for _, r := range append(e.runners[:len(e.runners):len(e.runners)], e.house) {
		for _, id := range r.orderIDs {
			out = append(out, *e.orders[id])
		}
	}
	return out
}

// contractFor finds the engine's state for a contract id, creating it from
// the instrument set the first time. It returns nil for unknown contracts.
func (e *Engine) contractFor(id venue.ContractID) *contract {
	if c := e.lastC; c != nil && c.inst.ID == id {
		return c // inlined fast path
	}
	return e.contractSlow(id)
}

func (e *Engine) contractSlow(id venue.ContractID) *contract {
	c, ok := e.byID[id]
	if !ok {
		inst, found := e.cfg.Instruments.ByID(id)
		if !found {
			return nil
		}
		c = &contract{inst: inst}
		e.byID[id] = c
		e.contracts = append(e.contracts, c)
		e.link(c)
	}
	e.lastC = c
	return c
}

func (e *Engine) contractBySymbol(symbol string) (*contract, error) {
	inst, ok := e.cfg.Instruments.BySymbol(symbol)
	if !ok {
		return nil, &venue.IntentError{Symbol: symbol, Field: "symbol", Reason: "unknown symbol (not in the instrument set)"}
	}
	return e.contractFor(inst.ID), nil
}

// OnTick processes one tick: see the package doc for the order of work.
// Ticks for contracts the instrument set does not know are counted and
// dropped. It does not allocate.
func (e *Engine) OnTick(t *venue.Tick) {
	if e.stopped {
		return
	}
	e.stats.Ticks++
	if e.firstAt == 0 {
		e.firstAt = t.Time
	}
	if e.sim == nil {
		e.advance(e.clock.Now())
	} else if t.Time >= e.due {
		e.advanceSlow(t.Time)
	} else if t.Time > e.sim.now {
		e.sim.now = t.Time // nothing due: the common case, inlined
	}
	if e.inLoop != nil {
		e.inLoop.OnTick(t)
		e.drain()
	}
	if e.gateTk != nil {
		e.gateTk.ObserveTick(t)
	}
	c := e.contractFor(t.Contract)
	if c == nil {
		e.stats.UnknownTicks++
		return
	}
	e.feedTick(c, t)
	if cc := c.cont; cc != nil && e.frontOf(cc, t.Time) == c {
		// The front month's tick is also its continuous contract's.
		e.contTick = *t
		e.contTick.Contract = cc.inst.ID
		e.feedTick(cc, &e.contTick)
	}
	e.drain() // the gate may have asked for action on this tick
	if e.cfg.ObserveTick != nil {
		e.cfg.ObserveTick(t)
	}
}

// feedTick updates c with a tick and hands it to c's bar series and tick
// subscribers.
func (e *Engine) feedTick(c *contract, t *venue.Tick) {
	if t.Flags&venue.HasQuote != 0 {
		c.bid, c.ask, c.hasQuote, c.priceAt = t.Bid, t.Ask, true, t.Time
	}
	if t.Flags&venue.HasTrade != 0 {
		c.last, c.hasLast, c.priceAt = t.Price, true, t.Time
		for _, s := range c.series {
			if s.open && s.spec.Kind == venue.TimeBars && t.Time >= s.bar.End {
				// Live: the tick's exchange time ran ahead of the wall clock.
				e.closeBar(s)
			}
			if s.spec.Kind == venue.TimeBars && t.Time < s.closedEnd {
				// Live: a trade stamped inside a bar the wall clock already
				// closed. The bar was delivered; do not open a second one.
				e.stats.LateTrades++
				continue
			}
			if s.addTrade(t) {
				e.emitBar(s)
			} else if s.spec.Kind == venue.TimeBars && s.bar.End < e.nextBar {
				e.nextBar = s.bar.End
				e.due = min(e.due, e.nextBar)
			}
		}
	}
	for _, r := range c.tickSubs {
		r.onTick(t)
		e.drain()
	}
}

// OnBarData processes one bar of a bar-data backtest (bars, not ticks, are
// the input). Its contents are only known at its end, so:
//
//  1. the clock advances to the bar's start (what was due before it fires);
//  2. an in-loop venue that matches on bars (venue.BarMatcher) sees it, so
//     orders decided earlier fill no earlier than this bar;
//  3. the bar is folded into the contract's time-bar series (series
//     durations should be whole multiples of the data's bar length;
//     tick-count series get nothing from bar data);
//  4. the clock advances to the bar's end, closing the series it completes,
//     so strategies see their bars at the time they would have closed.
//
// It does not allocate.
func (e *Engine) OnBarData(b *venue.Bar) {
	if e.stopped {
		return
	}
	e.stats.Ticks++
	if e.firstAt == 0 {
		e.firstAt = b.Start
	}
	if e.sim != nil {
		e.advance(b.Start)
	} else {
		e.advance(e.clock.Now())
	}
	if e.barMatcher != nil {
		e.barMatcher.OnBar(b)
		e.drain()
	}
	if e.gateTk != nil {
		// The gate marks positions and checks loss limits at the bar's
		// close, the only price a bar gives a time to.
		e.scratch = venue.Tick{Time: b.End, Contract: b.Contract, Price: b.Close, Size: int32(min(b.Volume, 1<<31-1)), Flags: venue.HasTrade}
		e.gateTk.ObserveTick(&e.scratch)
	}
	c := e.contractFor(b.Contract)
	if c == nil {
		e.stats.UnknownTicks++
		return
	}
	e.feedBar(c, b)
	if cc := c.cont; cc != nil && e.frontOf(cc, b.Start) == c {
		e.contBar = *b
		e.contBar.Contract = cc.inst.ID
		e.feedBar(cc, &e.contBar)
	}
	if e.sim != nil {
		e.advance(b.End)
	}
	e.drain()
}

// feedBar folds a data bar into c's time-bar series.
func (e *Engine) feedBar(c *contract, b *venue.Bar) {
	c.last, c.hasLast, c.priceAt = b.Close, true, b.End
	for _, s := range c.series {
		if s.spec.Kind != venue.TimeBars {
			continue
		}
		if s.open && b.Start >= s.bar.End {
			e.closeBar(s)
		}
		s.addBar(b)
		if s.bar.End < e.nextBar {
			e.nextBar = s.bar.End
			e.due = min(e.due, e.nextBar)
		}
	}
}

// Advance moves the clock to now (Unix ns), closing due bars and firing
// due timers in time order. Live loops call it when they wake without data;
// backtests may call it at the end of data to flush timers up to a time.
func (e *Engine) Advance(now int64) {
	if !e.stopped {
		e.advance(now)
	}
}

func (e *Engine) advance(now int64) {
	if now < e.due { // inlined fast path: nothing is due
		if e.sim != nil {
			e.sim.Set(now)
		}
		return
	}
	e.advanceSlow(now)
}

func (e *Engine) advanceSlow(now int64) {
	if e.sim != nil && e.sim.now == 0 {
		// The data clock starts with the first event: timers set in Init
		// for earlier times fire then, at the data's time, not in 1970.
		e.sim.Set(now)
	}
	for {
		tNext := e.timers.next()
		due := min(e.nextBar, tNext)
		e.due = due
		if due > now || due == maxTime { // maxTime: nothing pending at all
			break
		}
		if e.sim != nil {
			e.sim.Set(due)
		}
		if e.nextBar <= tNext {
			e.closeBarsAt(e.nextBar)
		} else {
			e.fireTimer()
		}
		e.drain()
	}
	if e.sim != nil {
		e.sim.Set(now)
	}
}

// closeBarsAt closes every time-bar series ending at or before end and
// recomputes the next bar end.
func (e *Engine) closeBarsAt(end int64) {
	next := maxTime
	for _, c := range e.contracts {
		for _, s := range c.series {
			if s.open && s.spec.Kind == venue.TimeBars && s.bar.End <= end {
				e.closeBar(s)
			}
			if s.end() < next {
				next = s.end()
			}
		}
	}
	e.nextBar = next
}

func (e *Engine) closeBar(s *series) {
	s.open = false
	s.closedEnd = s.bar.End
	e.emitBar(s)
}

func (e *Engine) emitBar(s *series) {
	e.stats.Bars++
	s.hist.Push(s.bar)
	for _, r := range s.subs {
		r.onBar(&s.bar)
		e.drain()
	}
}

func (e *Engine) fireTimer() {
	t := e.timers.pop()
	if t == nil {
		return
	}
	if t.fn != nil {
		t.fn()
		return
	}
	e.stats.Timers++
	t.owner.onTimer(strategy.Timer{ID: t.id, At: unixTime(t.at), Tag: t.tag})
}

// drain delivers queued venue and gate events, then carries out what the
// risk gate asked for; events raised meanwhile are delivered in the same
// drain.
func (e *Engine) drain() {
	if len(e.pending) == 0 && e.gateAct == nil {
		return // inlined fast path
	}
	e.drainSlow()
}

func (e *Engine) drainSlow() {
	if e.draining {
		return
	}
	e.draining = true
	for {
		for i := 0; i < len(e.pending); i++ {
			e.OnEvent(e.pending[i])
		}
		clear(e.pending)
		e.pending = e.pending[:0]
		if e.gateAct == nil {
			break
		}
		acts := e.gateAct.Actions()
		if len(acts) == 0 {
			break
		}
		e.act(acts)
	}
	e.draining = false
}

// act carries out the risk gate's actions. A CancelAll cancels the scope's
// entries; the Flatten that follows it (the gate always queues them in
// that order) sends the protective orders and then cancels the bracket
// exits, so a position is never left without its exits before the flatten
// is on its way. A CancelAll with no Flatten after it cancels exits too.
func (e *Engine) act(acts []risk.Action) {
	for i, a := range acts {
		e.log.Warn("risk gate action", "action", a.String())
		switch a.Kind {
		case risk.CancelAll:
			flattens := false
			for _, b := range acts[i+1:] {
				if b.Kind == risk.Flatten && b.Strategy == a.Strategy && (b.Contract == 0 || b.Contract == a.Contract) {
					flattens = true
				}
			}
			for _, r := range e.runners {
				if a.Strategy != "" && a.Strategy != r.name {
					continue
				}
				for _, c := range e.contracts {
					if a.Contract == 0 || c.inst.ID == a.Contract {
						r.cancelIn(c, func(o *venue.Order) bool { return !o.Protective && (!flattens || o.ParentID == "") })
					}
				}
			}
		case risk.Flatten:
			if a.Strategy != "" && e.byName[a.Strategy] == nil {
				e.log.Error("risk gate asked to flatten a strategy this engine does not run", "strategy", a.Strategy)
				continue
			}
			for _, c := range e.contracts {
				if a.Contract == 0 || c.inst.ID == a.Contract {
					e.flattenContract(a.Strategy, c, a.Reason)
				}
			}
		}
	}
}

// applyAfterStop applies a late venue event to the OMS after Stop (the
// outcome of a cancel sent while stopping) without calling strategies.
func (e *Engine) applyAfterStop(ev venue.Event) {
	if ev.Kind == venue.EventPosition || ev.Kind == venue.EventAccount {
		return
	}
	if o, ok := e.orders[ev.ClientID]; ok {
		applyEvent(o, &ev)
	}
}

// OnEvent applies one venue event to the OMS and the risk gate and hands it
// to the strategy that owns the order. Events for client ids this engine
// never sent are counted and logged; a fill whose id was already seen is
// ignored.
func (e *Engine) OnEvent(ev venue.Event) {
	if e.stopped {
		return
	}
	e.stats.Events++
	if ev.Kind == venue.EventFilled && ev.Fill.ID != 0 {
		if _, dup := e.fillIDs[ev.Fill.ID]; dup {
			e.stats.DuplicateFill++
			return
		}
		e.fillIDs[ev.Fill.ID] = struct{}{}
	}
	if e.cfg.Adopt != nil && ev.ClientID != "" {
		if _, ok := e.orders[ev.ClientID]; !ok {
			e.orderFor(&ev) // an earlier session's order: known to the gate before it sees the event
		}
	}
	if e.gateEv != nil {
		e.gateEv.ObserveEvent(&ev)
	}
	switch ev.Kind {
	case venue.EventFilled:
		if c := e.contractFor(ev.Fill.Contract); c != nil {
			c.fillSeq = e.stats.Events
		} else if c := e.contractFor(ev.Contract); c != nil {
			c.fillSeq = e.stats.Events
		}
	case venue.EventPosition:
		id := ev.Position.Contract
		if id == 0 {
			id = ev.Contract
		}
		if c := e.contractFor(id); c != nil {
			c.venueNet, c.hasVenue, c.posSeq = ev.Position.Net, true, e.stats.Events
			if px, err := venue.PriceFromDecimal(ev.Position.AvgPrice); err == nil && px != 0 {
				c.venuePx = px.RoundToTick(c.inst.TickSize, venue.RoundNearest)
			}
		}
	}
	switch ev.Kind {
	case venue.EventConnection:
		if ev.Text != "" {
			e.log.Warn("venue connection", "state", ev.Reason, "why", ev.Text)
		} else {
			e.log.Info("venue connection", "state", ev.Reason)
		}
		if e.cfg.Observe != nil {
			e.cfg.Observe(&ev)
		}
		return
	case venue.EventAccount:
		e.account = strategy.Account{Balance: ev.Account.Balance, RealizedPnL: ev.Account.RealizedPnL, OpenPnL: ev.Account.OpenPnL}
		return
	case venue.EventPosition, venue.EventUnprotected:
		return // account-level; strategies account their own fills
	}
	o, r := e.orderFor(&ev)
	if o == nil {
		e.stats.UnknownEvents++
		e.log.Warn("event for an order this engine did not send", "event", ev.String())
		return
	}
	applyEvent(o, &ev)
	if ev.Kind == venue.EventFilled {
		if ev.Fill.ClientID == "" {
			ev.Fill.ClientID = ev.ClientID
		}
		r.position(o.Contract).applyFill(&ev.Fill)
	}
	if len(e.rollIDs) != 0 {
		// Before the strategy hears of it: a roll's closing fill has its
		// opening leg on the way by then, so the root never reads flat.
		if leg, ok := e.rollIDs[o.ClientID]; ok {
			e.rollEvent(leg, o, &ev)
		}
	}
	if o.Status.Terminal() || ev.Kind == venue.EventCancelRejected {
		delete(e.cancelling, o.ClientID)
	}
	if e.cfg.Observe != nil {
		e.cfg.Observe(&ev)
	}
	if !ev.Local { // keel's own refusals were the call's error already
		r.onOrder(&ev)
	}
	e.afterOrderEvent(o, r, &ev)
}

// orderFor finds the order an event is about. Venues place bracket legs and
// OCO partners themselves, naming them "<parent>/<leg>"; the first event of
// such a child creates its record, owned by the parent's strategy.
func (e *Engine) orderFor(ev *venue.Event) (*venue.Order, *runner) {
	if o, ok := e.orders[ev.ClientID]; ok {
		return o, e.owners[ev.ClientID]
	}
	i := strings.LastIndexByte(ev.ClientID, '/')
	if i <= 0 {
		return e.adoptOrder(ev.ClientID)
	}
	parentID := ev.ClientID[:i]
	parent, ok := e.orders[parentID]
	if !ok {
		if parent, _ = e.adoptOrder(parentID); parent == nil {
			return nil, nil
		}
	}
	r := e.owners[parentID]
	o := &venue.Order{
		ClientID: ev.ClientID,
		Strategy: r.name,
		Contract: parent.Contract,
		ParentID: parentID,
		Status:   venue.PendingNew,
		Created:  ev.Time,
		Intent:   venue.OrderIntent{Symbol: parent.Intent.Symbol, Side: parent.Intent.Side.Opposite(), Qty: parent.Intent.Qty, TIF: parent.Intent.TIF},
	}
	if leg, ok := parent.Intent.LinkedLeg(parentID, ev.ClientID); ok {
		o.Intent.Side, o.Intent.Qty, o.Intent.Type, o.Intent.Limit, o.Intent.Stop, o.Intent.TIF = leg.Side, leg.Qty, leg.Type, leg.Limit, leg.Stop, *leg.TIF
	}
	e.orders[o.ClientID] = o
	e.owners[o.ClientID] = r
	r.orderIDs = append(r.orderIDs, o.ClientID)
	return o, r
}

// adoptOrder takes an order of an earlier session into the books (Config.Adopt).
func (e *Engine) adoptOrder(clientID string) (*venue.Order, *runner) {
	if e.cfg.Adopt == nil || clientID == "" {
		return nil, nil
	}
	sent, ok := e.cfg.Adopt(clientID)
	if !ok || sent.ClientID != clientID {
		return nil, nil
	}
	r := e.byName[sent.Strategy]
	if r == nil {
		r = e.house
		e.log.Warn("an order of a strategy this session does not run is taken into keel's house book; it is left as it is", "order", clientID, "strategy", sent.Strategy)
	}
	o := sent.Clone()
	o.Status, o.Filled, o.AvgPrice, o.VenueID = venue.PendingNew, 0, venue.Price(0), 0
	if c := e.contractFor(o.Contract); c == nil {
		if in, ok := e.cfg.Instruments.BySymbol(o.Intent.Symbol); ok {
			o.Contract = in.ID
		}
	}
	e.orders[clientID] = &o
	e.owners[clientID] = r
	r.orderIDs = append(r.orderIDs, clientID)
	e.stats.Adopted++
	if a, ok := e.gate.(risk.Adopter); ok {
		if c := e.contractFor(o.Contract); c != nil {
			prot := risk.NotProtective
			if o.Protective {
				prot = risk.ProtectStrategy
			}
			if err := a.Adopt(&risk.Request{Now: e.clock.Now(), Strategy: r.name, ClientID: clientID, Instrument: c.inst, Intent: &o.Intent, Protect: prot}); err != nil {
				e.log.Error("the risk gate did not take an earlier session's order; its fills count for the account only", "order", clientID, "err", err)
			}
		}
	}
	e.log.Info("order of an earlier session adopted", "order", clientID, "strategy", r.name)
	return &o, r
}

// PnL returns the named strategy's PnL, summed over its contracts.
func (e *Engine) PnL(strategyName string) (strategy.PnL, bool) {
	r, ok := e.byName[strategyName]
	if !ok {
		return strategy.PnL{}, false
	}
	return r.PnL(), true
}
