package risk

import (
	"fmt"
	"log/slog"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/cme"
)

// Guard is keel's risk gate: it implements Gate, EventObserver and
// TickObserver, so an engine configured with it checks every intent and
// feeds it every event and tick.
//
// Everything except Trip, Signal, Reset and Tripped runs on the engine
// goroutine and takes no locks; Check allocates nothing when it allows, and
// ObserveTick and Actions (when none are pending) allocate nothing.
type Guard struct {
	cfg  Config
	cal  Calendar
	log  *slog.Logger
	wall func() time.Time
	root string // SessionRoot

	now     int64 // latest time seen (engine clock, tick and event times), Unix ns
	nextDue int64 // earliest time due() has work

	day      int64 // current trade date, Unix seconds of 00:00 CT; 0 before the first look
	dayUntil int64 // the day clock needs no look before this time

	account *Scope
	scopes  []*Scope // account first, then strategies in order of appearance
	byName  map[string]*Scope
	lastS   *Scope
	extra   []Rule

	contracts []*contract
	slots     map[venue.ContractID]int32
	lastC     *contract

	orders idTable
	free   []*order

	dups dupTable
	ks   killSwitch

	tripOn  [numRules]bool
	flatten bool // some scope has a flatten-before-close window

	acts, spare []Action
	cur         cur
	modIntent   venue.OrderIntent // CheckModify's view of the modified order
	stats       Stats
}

// cur is the intent being checked, resolved once for every rule.
type cur struct {
	c     *contract
	slot  int32
	sign  int64
	qty   int64
	strat *Scope
	// What the intent may add to each side: its own quantity on its side,
	// its OCO partner's on the partner's (the larger, when both are on one
	// side: only one of a pair fills).
	addBuy, addSell int64
	rqty            int64 // the quantity judged for reducing: the larger of an OCO pair, 0 when its orders' sides differ

	dup       bool   // some scope has a duplicate window
	dk        dupKey // the duplicate guard's key and hash, when dup
	dh        uint64
	dupAt     int64 // when dup: when the intent was last allowed, if dupHit (else MinInt64)
	dupHit    bool
	dupVictim int // when dup: the entry the duplicate guard records the intent in

	// For the plan's pass conditions (see prepare), as the scopes' rules need them.
	maxQty   int64       // the larger of the order's and its OCO partner's quantity
	closed   bool        // the session is not open (or its state unknown)
	left     int64       // ns until the session closes, when open
	offGrid  bool        // a price is off the tick grid, or there are legs to check
	unbanded bool        // no last trade to band a price against, or there are legs to check
	dist     venue.Price // the farthest of the order's prices from the last trade
}

// Stats counts what the gate has seen.
type Stats struct {
	Checked       int64 // intents checked
	Denied        int64 // intents denied
	UnknownFills  int64 // fills for client ids the gate never allowed (booked to the account only)
	UnpricedFills int64 // fills for contracts whose instrument the gate has not seen in a Check (position only, no money)
	Adopted       int64 // venue position reports that disagreed with the fills and were adopted
}

// Option configures a Guard.
type Option func(*Guard)

// WithCalendar replaces the CME calendar (default cme.DefaultCalendar()).
func WithCalendar(c Calendar) Option { return func(g *Guard) { g.cal = c } }

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(g *Guard) { g.log = l } }

// WithWallClock sets the clock that timestamps kill-switch trips made by
// Trip, Signal and the kill file (default time.Now).
func WithWallClock(now func() time.Time) Option { return func(g *Guard) { g.wall = now } }

// WithRule adds a rule that every scope (the account and each strategy)
// runs after its built-in rules.
func WithRule(r Rule) Option { return func(g *Guard) { g.extra = append(g.extra, r) } }

// New validates cfg and builds a gate. A kill-switch state file left by a
// previous run trips the new gate at once (the latch survives restarts).
func New(cfg Config, opts ...Option) (*Guard, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	g := &Guard{
		cfg:     cfg,
		wall:    time.Now,
		root:    cfg.SessionRoot,
		byName:  make(map[string]*Scope),
		slots:   make(map[venue.ContractID]int32),
		orders:  newIDTable(1024),
		acts:    make([]Action, 0, 16),
		spare:   make([]Action, 0, 16),
		nextDue: math.MinInt64,
	}
	for _, o := range opts {
		o(g)
	}
	if g.cal == nil {
		g.cal = cme.DefaultCalendar()
	}
	if g.log == nil {
		g.log = slog.Default()
	}
	g.log = g.log.With("component", "risk")
	for _, r := range cfg.KillSwitch.TripOn {
		g.tripOn[ruleIndex(r)] = true
	}
	g.free = make([]*order, 0, 256)
	pool := make([]order, 256)
	for i := range pool {
		g.free = append(g.free, &pool[i])
	}
	g.cfg.Strategies = maps.Clone(cfg.Strategies)
	g.account = g.newScope("", cfg.Account)
	// Configured strategies get their scopes now, in name order, so that
	// everything ordered by scope (actions, for one) is deterministic.
	for _, name := range slices.Sorted(maps.Keys(cfg.Strategies)) {
		g.strategy(name)
	}
	if err := g.ks.init(cfg.KillSwitch, g.log); err != nil {
		return nil, err
	}
	return g, nil
}

var _ interface {
	Gate
	EventObserver
	TickObserver
	ModifyChecker
	TransferObserver
} = (*Guard)(nil)

func (g *Guard) newScope(name string, l Limits) *Scope {
	s := &Scope{g: g, id: int32(len(g.scopes)), name: name, label: "account"}
	if len(g.scopes) > 0 {
		s.label = "strategy " + name
	}
	s.lim = compile(l)
	s.rules = g.buildRules(s)
	s.nb = len(s.rules) - len(g.extra)
	s.plan = planOf(s, s.rules[:s.nb])
	s.xrules = s.rules[s.nb:]
	s.dup = s.lim.dupWindow > 0 || (g.account != nil && g.account.lim.dupWindow > 0)
	for _, r := range s.rules[s.nb:] {
		if c, ok := r.(Committer); ok {
			s.xcomm = append(s.xcomm, c)
		}
	}
	if s.lim.flattenBefore > 0 {
		g.flatten = true
	}
	g.scopes = append(g.scopes, s)
	return s
}

// strategy returns the scope of a strategy, creating it from its
// configuration (or Defaults) the first time.
func (g *Guard) strategy(name string) *Scope {
	if s := g.lastS; s != nil && sameString(s.name, name) {
		return s
	}
	s, ok := g.byName[name]
	if !ok {
		s = g.newScope(name, g.cfg.For(name))
		g.byName[name] = s
	}
	g.lastS = s
	return s
}

// Strategy returns the scope of a strategy the gate knows, for inspection.
func (g *Guard) Strategy(name string) (*Scope, bool) {
	s, ok := g.byName[name]
	return s, ok
}

// Account returns the account scope, for inspection.
func (g *Guard) Account() *Scope { return g.account }

// Stats returns counters.
func (g *Guard) Stats() Stats { return g.stats }

// Check implements Gate: it runs every rule of the account scope and then
// of the intent's strategy scope — the built-in ones by their pass
// conditions first (see plan.go) — and on allow records the order (client
// id, strategy, contract, side, remaining quantity) for lifecycle tracking.
func (g *Guard) Check(req *Request) *Denied {
	if g.moveTo(req.Now) {
		g.catchUp()
	}
	g.stats.Checked++
	if req.Protect != NotProtective {
		return g.checkProtective(req)
	}
	if d := g.begin(req); d != nil {
		return g.denied(d)
	}
	cu := &g.cur
	a, s := g.account, cu.strat
	rs := a.xrules
	if a.plan != 0 && !g.passes(req, a) {
		rs = a.rules
	}
	if len(rs) != 0 {
		if d := check(req, a, rs); d != nil {
			return g.denied(d)
		}
	}
	rs = s.xrules
	if s.plan != 0 && !g.passes(req, s) {
		rs = s.rules
	}
	if len(rs) != 0 {
		if d := check(req, s, rs); d != nil {
			return g.denied(d)
		}
	}
	// Committers: the order rate's, inline, then those of WithRule rules.
	now := req.Now
	if a.plan&pRate != 0 {
		a.rate.tat = max(a.rate.tat, now) + a.lim.rateT
	}
	if len(a.xcomm) != 0 {
		commit(req, a)
	}
	if s.plan&pRate != 0 {
		s.rate.tat = max(s.rate.tat, now) + s.lim.rateT
	}
	if len(s.xcomm) != 0 {
		commit(req, s)
	}
	if cu.dup {
		g.dups.put(cu.dupVictim, cu.dh, &cu.dk, now)
	}
	g.record(req)
	return nil
}

// Adopter is a gate that can take over the orders of an earlier session.
type Adopter interface {
	Adopt(req *Request) error
}

var _ Adopter = (*Guard)(nil)

// Adopt takes into the gate's books an order an earlier session sent (a
// restart, engine.Config.Adopt), as if the gate had allowed it: its fills
// count in its strategy's position and PnL, and while it works it counts
// on its side; it is not checked, nor counted against the order rate. It
// refuses a malformed intent and a client id the gate already tracks.
func (g *Guard) Adopt(req *Request) error {
	if g.moveTo(req.Now) {
		g.catchUp()
	}
	if d := g.begin(req); d != nil {
		return d
	}
	g.record(req)
	return nil
}

// begin resolves the intent being checked into g.cur, or refuses it
// outright (rule "instrument").
func (g *Guard) begin(req *Request) *Denied {
	in := req.Intent
	if in == nil || in.Qty <= 0 || !in.Side.Valid() {
		return &Denied{Rule: RuleInstrument, Text: "malformed intent (no intent, quantity not positive or no side)"}
	}
	c := g.lastC
	if c == nil || c.id != req.Instrument.ID || !c.known {
		c, _ = g.contractFor(&req.Instrument)
	}
	slot := c.slot
	if c.bad != "" {
		return &Denied{Rule: RuleInstrument, Limit: "exact tick value", Observed: c.bad,
			Text: fmt.Sprintf("%s cannot be tracked exactly (%s); fix the instrument definition", req.Instrument.Symbol, c.bad)}
	}
	if g.orders.get(req.ClientID) != nil {
		return &Denied{Rule: RuleClientID, Limit: "a new client order id", Observed: req.ClientID,
			Text: fmt.Sprintf("client order id %s belongs to an order the gate still tracks; client ids are never reused", req.ClientID)}
	}
	s := g.lastS
	if s == nil || !sameString(s.name, req.Strategy) {
		s = g.strategy(req.Strategy)
	}
	cu := &g.cur
	cu.c, cu.slot, cu.sign, cu.qty, cu.strat = c, slot, in.Side.Sign(), in.Qty, s
	cu.addBuy, cu.addSell, cu.rqty = 0, 0, in.Qty
	if cu.sign > 0 {
		cu.addBuy = in.Qty
	} else {
		cu.addSell = in.Qty
	}
	if o := in.OCO; o != nil {
		q := legQty(in)
		if o.Side == venue.Buy {
			cu.addBuy = max(cu.addBuy, q)
		} else {
			cu.addSell = max(cu.addSell, q)
		}
		cu.rqty = 0
		if o.Side == in.Side {
			cu.rqty = max(in.Qty, q)
		}
	}
	if len(in.Brackets) > 0 {
		cu.rqty = 0 // its exits would open what it closes: never reducing
	}
	cu.dup = s.dup
	if cu.dup {
		// Field by field, and the hash from the intent rather than from
		// cu.dk: a key assembled elsewhere and copied in, or read back
		// whole right after, would wait for its parts' stores to land.
		k := &cu.dk
		k.strat, k.slot, k.side, k.typ, k.qty, k.limit, k.stop = s.id, slot, in.Side, in.Type, in.Qty, in.Limit, in.Stop
		cu.dh = dupHash(s.id, slot, in.Side, in.Type, in.Qty, in.Limit, in.Stop)
	}
	if p := g.account.plan | s.plan; p != 0 {
		g.prepare(req, p)
	}
	return nil
}

// check runs rules in scope s; the first refusal wins.
func check(req *Request, s *Scope, rules []Rule) *Denied {
	for _, r := range rules {
		if d := r.Check(req, s); d != nil {
			return d
		}
	}
	return nil
}

// commit calls the committers of a scope's WithRule rules.
func commit(req *Request, s *Scope) {
	for _, cm := range s.xcomm {
		cm.Commit(req, s)
	}
}

func (g *Guard) denied(d *Denied) *Denied {
	g.stats.Denied++
	if i := ruleIndex(d.Rule); i >= 0 && g.tripOn[i] {
		g.tripLoop("rule "+d.Rule+": "+d.Text, g.now)
	}
	return d
}

// ObserveTick implements TickObserver: a trade moves the contract's mark
// and, in O(1) per scope holding the contract, the scopes' equity, peaks
// and loss-limit state. It does not allocate.
func (g *Guard) ObserveTick(t *venue.Tick) {
	if g.moveTo(t.Time) {
		g.catchUp()
	}
	if t.Flags&venue.HasTrade == 0 {
		return
	}
	c, _ := g.contractByID(t.Contract)
	c.last, c.hasLast = t.Price, true
	if c.known && c.bad == "" {
		g.setMark(c, c.ticks(t.Price))
	}
}

// ObserveEvent implements EventObserver: fills update positions, working
// quantities and PnL; terminal events end an order's tracking; venue
// position reports correct the account's net position.
func (g *Guard) ObserveEvent(e *venue.Event) {
	if g.moveTo(e.Time) {
		g.catchUp()
	}
	switch e.Kind {
	case venue.EventFilled:
		g.onFill(e)
	case venue.EventCancelled, venue.EventRejected, venue.EventExpired, venue.EventDenied:
		if o := g.lookup(e.ClientID); o != nil {
			g.finish(o)
		}
	case venue.EventModified:
		g.onModified(e)
	case venue.EventModifyRejected:
		g.onModifyRejected(e)
	case venue.EventAccepted:
		// Creates the record of a bracket leg or OCO partner, sized as the
		// venue placed it — an exit whose size the venue does not say, as
		// its entry's fill (which is how exits are sized).
		if o := g.lookup(e.ClientID); o != nil && o.linked {
			q := e.Qty
			if q <= 0 && o.exit && o.parent != nil {
				q = o.parent.filled
			}
			g.sized(o, q)
		}
	case venue.EventUnknown:
		g.lookup(e.ClientID)
	case venue.EventPosition:
		g.onPosition(e)
	}
}

// moveTo moves the gate's time forward and reports whether catchUp has
// work. Check, ObserveEvent and ObserveTick call
//
//	if g.moveTo(now) {
//		g.catchUp()
//	}
//
// so that the common case, nothing due, is inlined.
func (g *Guard) moveTo(now int64) bool {
	if now > g.now {
		g.now = now
	}
	return g.now >= g.nextDue || g.ks.pending()
}

// catchUp runs the work moveTo found due: a kill-switch change, then due.
func (g *Guard) catchUp() {
	if g.ks.pending() {
		g.applyKill()
	}
	if g.now >= g.nextDue {
		g.due()
	}
}

// due runs the time-driven work — the trade-date roll, the kill-file
// check, flatten-before-close windows — and schedules the next look.
func (g *Guard) due() {
	now := g.now
	if now >= g.dayUntil {
		g.dayClock(now)
	}
	next := g.dayUntil
	if g.ks.file != "" {
		if now >= g.ks.nextFile {
			g.ks.nextFile = now + int64(time.Second)
			if g.ks.fileExists() {
				g.tripLoop("kill file "+g.ks.file+" exists", now)
			}
		}
		next = min(next, g.ks.nextFile)
	}
	if g.flatten {
		next = min(next, g.flattenWindows(now))
	}
	g.nextDue = next
}

// contract is the gate's per-contract state.
type contract struct {
	id      venue.ContractID
	slot    int32
	symbol  string
	root    string
	known   bool   // the instrument was seen in a Check
	bad     string // non-empty: why intents for it are refused
	tick    venue.Price
	grid    grid
	tv      int64 // tick value, micro-units
	last    venue.Price
	hasLast bool
	mark    int64 // last trade in ticks, once known
	hasMark bool
	sess    session
}

// ticks returns p in ticks, rounding an off-grid price to the nearest tick.
func (c *contract) ticks(p venue.Price) int64 {
	if q, ok := c.grid.ticks(p); ok {
		return q
	}
	return int64(p.RoundToTick(c.tick, venue.RoundNearest) / c.tick)
}

// contractByID returns the state of a contract, creating it unknown.
func (g *Guard) contractByID(id venue.ContractID) (*contract, int32) {
	if c := g.lastC; c != nil && c.id == id {
		return c, c.slot
	}
	slot, ok := g.slots[id]
	if !ok {
		slot = int32(len(g.contracts))
		g.contracts = append(g.contracts, &contract{id: id, slot: slot})
		g.slots[id] = slot
	}
	c := g.contracts[slot]
	g.lastC = c
	return c, slot
}

// contractFor returns the state of the request's contract, learning its
// instrument the first time.
func (g *Guard) contractFor(in *venue.Instrument) (*contract, int32) {
	c, slot := g.contractByID(in.ID)
	if !c.known {
		g.learn(c, in)
	}
	return c, slot
}

func (g *Guard) learn(c *contract, in *venue.Instrument) {
	c.known = true
	c.symbol = in.Symbol
	c.root = in.Root
	if c.root == "" {
		if sym, err := cme.ParseSymbol(in.Symbol, time.Unix(0, g.now)); err == nil {
			c.root = sym.Root
		}
	}
	if in.TickSize <= 0 {
		c.bad = fmt.Sprintf("tick size %s is not positive", in.TickSize)
		return
	}
	tv, ok := micros(in.TickValue())
	if !ok || tv <= 0 {
		c.bad = fmt.Sprintf("tick value %s is not a positive whole number of micro-units", in.TickValue())
		return
	}
	c.tick, c.tv, c.grid = in.TickSize, tv, newGrid(in.TickSize)
	if c.hasLast {
		g.setMark(c, c.ticks(c.last))
	}
	g.nextDue = math.MinInt64 // a new contract may have session windows to schedule
}

// setMark moves a contract's mark and revalues every scope holding it:
// equity += net × (new − old) × tick value. The first mark values
// positions known before it (adopted from the venue, or filled before the
// instrument was known) from that mark on.
func (g *Guard) setMark(c *contract, m int64) {
	if !c.hasMark {
		c.mark, c.hasMark = m, true
		return
	}
	d := m - c.mark
	if d == 0 {
		return
	}
	c.mark = m
	for _, s := range g.scopes {
		if p := s.peek(c.slot); p != nil && p.net != 0 {
			s.equity += p.net * d * c.tv
			g.afterEquity(s)
		}
	}
}
