package sandbox

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/cme"
	"github.com/keeltrade/keel/venue/sim"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// Env is one trading back-end — demo, live or replay — with its own
// accounts, entity ids, matching engines and clock. Ids of one environment
// mean nothing in another, as on Tradovate. Its methods are safe for
// concurrent use.
type Env struct {
	srv   *Server
	svc   Service
	rules *Rules

	mu      sync.Mutex
	clock   Clock
	nextID  int64
	tables  map[string]*table
	accts   []*account // in creation order
	byAcct  map[int64]*account
	orders  map[int64]*orderState
	bySimID map[string]*orderState

	lastQuote map[venue.ContractID]venue.Tick
	lastTrade map[venue.ContractID]venue.Tick

	subs    map[*Conn]*subscription
	pending [][]propsMsg // frames built by the current operation, sent by flush
	accepts int          // orders the engines accepted so far (see settle)
}

// account is one trading account and its matching engine.
type account struct {
	ent       wire.Account
	user      int64
	ex        *sim.Exchange
	cash      wire.CashBalance
	positions map[venue.ContractID]*posState
}

// idBase separates the id ranges of the environments.
var idBase = map[Service]int64{Demo: 100_000, Live: 7_000_000, Replay: 4_000_000}

var accountPrefix = map[Service]string{Demo: "DEMO", Live: "LIVE", Replay: "REPLAY"}

func newEnv(s *Server, svc Service) (*Env, error) {
	e := &Env{
		srv: s, svc: svc, rules: s.rulesFor(svc), clock: s.clock, nextID: idBase[svc],
		tables: map[string]*table{}, byAcct: map[int64]*account{},
		orders: map[int64]*orderState{}, bySimID: map[string]*orderState{},
		lastQuote: map[venue.ContractID]venue.Tick{}, lastTrade: map[venue.ContractID]venue.Tick{},
		subs: map[*Conn]*subscription{},
	}
	for _, name := range tradingEntities {
		e.tables[name] = newTable(name)
	}
	now := s.clock.Now()
	for _, u := range s.cfg.Users {
		bal := u.Balance
		if bal.IsZero() {
			bal = s.cfg.InitialBalance
		}
		if err := e.addAccount(u, bal, now); err != nil {
			return nil, err
		}
	}
	e.pending = nil
	return e, nil
}

// tradingEntities are the entity types an environment stores.
var tradingEntities = []string{
	wire.EntityAccount, wire.EntityCashBalance, wire.EntityPosition, wire.EntityOrder, wire.EntityOrderVersion,
	wire.EntityCommand, wire.EntityCommandReport, wire.EntityExecutionReport, wire.EntityFill, wire.EntityFillPair,
}

func (e *Env) addAccount(u UserConfig, balance decimal.Decimal, now time.Time) error {
	id := e.newID()
	a := &account{
		ent: wire.Account{
			ID: id, Name: fmt.Sprintf("%s%d", accountPrefix[e.svc], u.UserID), UserID: u.UserID,
			AccountType: "Customer", Active: true, ClearingHouseID: 1, RiskCategoryID: 2, AutoLiqProfileID: 1,
			MarginAccountType: "Speculator", LegalStatus: "Individual", Timestamp: wire.TimeOf(now),
		},
		user:      u.UserID,
		positions: map[venue.ContractID]*posState{},
	}
	ex, err := sim.New(sim.Config{Instruments: e.srv.lib, DefaultFee: e.srv.cfg.Fees})
	if err != nil {
		return fmt.Errorf("sandbox: %s account for %s: %w", e.svc, u.Name, err)
	}
	if err := ex.Start(func(ev venue.Event) { e.onSimEvent(a, ev) }); err != nil {
		return err
	}
	a.ex = ex
	a.cash = wire.CashBalance{
		ID: e.newID(), AccountID: id, Timestamp: wire.TimeOf(now), TradeDate: tradeDate("ES", now),
		CurrencyID: currencyUSD, Amount: wire.Dec(balance),
	}
	e.accts = append(e.accts, a)
	e.byAcct[id] = a
	e.put(wire.EntityAccount, a.ent.ID, u.UserID, id, a.ent.Name, a.ent)
	e.put(wire.EntityCashBalance, a.cash.ID, id, id, "", a.cash)
	return nil
}

// Service returns the environment's service.
func (e *Env) Service() Service { return e.svc }

// Live reports whether this is the live environment.
func (e *Env) Live() bool { return e.svc == Live }

// Now returns the environment's time.
func (e *Env) Now() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.clock.Now()
}

// SetClock gives the environment its own clock (replay time, say).
func (e *Env) SetClock(c Clock) {
	e.mu.Lock()
	e.clock = c
	e.mu.Unlock()
}

// Accounts returns the accounts of a user in this environment.
func (e *Env) Accounts(userID int64) []wire.Account {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []wire.Account
	for _, a := range e.accts {
		if a.user == userID {
			out = append(out, a.ent)
		}
	}
	return out
}

// ContractID returns the contract id of a Tradovate contract name
// ("ESU9"), resolved at the environment's clock (a replay in 2019 reads
// ESU9 as September 2019).
func (e *Env) ContractID(symbol string) (venue.ContractID, error) {
	c, ok := e.srv.lib.contractByName(symbol, e.Now())
	if !ok {
		return 0, fmt.Errorf("sandbox: %s: unknown contract %q: want a listed CME contract like ESM6", e.svc, symbol)
	}
	return venue.ContractID(c.ID), nil
}

// ResetAccounts discards every account of the environment — orders,
// positions, fills, matching engines, synced sockets' subscriptions — and
// opens a fresh one per user with the given cash (zero: each user's
// configured balance). Market replay does this on replay/initializeclock.
func (e *Env) ResetAccounts(balance decimal.Decimal) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, a := range e.accts {
		_ = a.ex.Close()
	}
	e.accts, e.byAcct = nil, map[int64]*account{}
	e.orders, e.bySimID = map[int64]*orderState{}, map[string]*orderState{}
	e.lastQuote, e.lastTrade = map[venue.ContractID]venue.Tick{}, map[venue.ContractID]venue.Tick{}
	e.subs, e.pending = map[*Conn]*subscription{}, nil
	for _, name := range tradingEntities {
		e.tables[name] = newTable(name)
	}
	now := e.clock.Now()
	for _, u := range e.srv.cfg.Users {
		bal := balance
		if bal.IsZero() {
			bal = u.Balance
		}
		if bal.IsZero() {
			bal = e.srv.cfg.InitialBalance
		}
		if err := e.addAccount(u, bal, now); err != nil {
			return err
		}
	}
	return nil
}

// Feed shows a tick to every account's matching engine of this
// environment and publishes what it sets off.
func (e *Env) Feed(t venue.Tick) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if t.Flags&venue.HasQuote != 0 {
		e.lastQuote[t.Contract] = t
	}
	if t.Flags&venue.HasTrade != 0 {
		e.lastTrade[t.Contract] = t
	}
	for _, a := range e.accts {
		before := e.accepts
		a.ex.OnTick(&t)
		if e.accepts != before {
			e.settle(a, t.Contract)
		}
	}
	e.flush()
}

// ExpireDay ends the trading day: working Day orders of every account
// expire. The market-data driver calls it at each session end.
func (e *Env) ExpireDay() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, a := range e.accts {
		a.ex.ExpireDay()
	}
	e.flush()
}

// settle lets orders that just reached the engine meet the standing book:
// venue/sim matches on market events only, so the latest quote (or trade)
// of contract c is shown to a's engine again, as long as that places more
// orders (a bracket entry filling places its exits). Called with e.mu held.
func (e *Env) settle(a *account, c venue.ContractID) {
	if e.srv.cfg.DeferMatching {
		return
	}
	for range 4 {
		before := e.accepts
		e.reshow(a, c)
		if e.accepts == before {
			return
		}
	}
}

// reshow shows a's engine the latest market state of contract c again.
func (e *Env) reshow(a *account, c venue.ContractID) {
	if q, ok := e.lastQuote[c]; ok {
		q.Flags = venue.HasQuote
		a.ex.OnTick(&q)
		return
	}
	if t, ok := e.lastTrade[c]; ok {
		a.ex.OnTick(&t)
	}
}

func (e *Env) close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, a := range e.accts {
		_ = a.ex.Close()
	}
}

// newID returns the next entity id of the environment. Called with e.mu held.
func (e *Env) newID() int64 {
	e.nextID++
	return e.nextID
}

// put stores an entity. Called with e.mu held.
func (e *Env) put(entityType string, id, master, acct int64, name string, v any) {
	user := int64(0)
	if a := e.byAcct[acct]; a != nil {
		user = a.user
	} else if entityType == wire.EntityAccount {
		user = master
	}
	e.tables[entityType].put(&row{id: id, master: master, account: acct, user: user, name: name, v: v})
}

// propsMsg is one encoded props event and whom it concerns.
type propsMsg struct {
	account    int64
	entityType string
	raw        []byte
}

// props encodes a props event; entity is an entity or a slice of them.
func (e *Env) props(acct int64, entityType, eventType string, entity any) propsMsg {
	ent, err := wire.Marshal(entity)
	if err != nil {
		panic(fmt.Sprintf("sandbox: encode %s: %v", entityType, err))
	}
	d := make([]byte, 0, len(ent)+64)
	d = append(d, `{"entityType":`...)
	d = wire.AppendString(d, entityType)
	d = append(d, `,"eventType":`...)
	d = wire.AppendString(d, eventType)
	d = append(d, `,"entity":`...)
	d = append(d, ent...)
	d = append(d, '}')
	return propsMsg{account: acct, entityType: entityType, raw: wire.AppendEvent(nil, wire.EventProps, d)}
}

// emit queues one frame of props events. Called with e.mu held.
func (e *Env) emit(msgs ...propsMsg) {
	if len(msgs) > 0 {
		e.pending = append(e.pending, msgs)
	}
}

// flush sends the queued frames to every synced socket, each frame
// filtered to the socket's accounts and entity types. Called with e.mu held.
func (e *Env) flush() {
	frames := e.pending
	e.pending = nil
	if len(frames) == 0 || len(e.subs) == 0 {
		return
	}
	for c, sub := range e.subs {
		for _, f := range frames {
			var msgs [][]byte
			for _, m := range f {
				if sub.wants(m) {
					msgs = append(msgs, m.raw)
				}
			}
			if len(msgs) > 0 {
				c.Send(wire.AppendArrayFrame(nil, msgs...))
			}
		}
	}
}

// subscription is what a user/syncrequest on a socket asked for.
type subscription struct {
	accounts map[int64]bool
	types    map[string]bool // nil: every type
}

func (s *subscription) wants(m propsMsg) bool {
	if !s.accounts[m.account] {
		return false
	}
	return s.types == nil || s.types[lower(m.entityType)]
}

func (e *Env) unsubscribe(c *Conn) {
	e.mu.Lock()
	delete(e.subs, c)
	e.mu.Unlock()
}

// userAccounts returns a user's accounts. Called with e.mu held.
func (e *Env) userAccounts(userID int64) []*account {
	var out []*account
	for _, a := range e.accts {
		if a.user == userID {
			out = append(out, a)
		}
	}
	return out
}

// tradeDate is the CME trade date of t for a product root (t's CT date
// outside the calendar).
func tradeDate(root string, t time.Time) wire.TradeDate {
	if d, err := cme.DefaultCalendar().TradeDate(root, t); err == nil {
		return wire.TradeDateOf(d)
	}
	return wire.TradeDateOf(t.In(cme.Chicago()))
}

// sortedRows returns rows by id.
func sortedRows(rows []*row) []*row {
	sort.Slice(rows, func(i, j int) bool { return rows[i].id < rows[j].id })
	return rows
}
