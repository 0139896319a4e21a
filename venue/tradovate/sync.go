package tradovate

import (
	"encoding/json"
	"fmt"
	"strconv"
	"sync"

	"github.com/shopspring/decimal"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// account is the adapter's view of one Tradovate account, built from the
// user/syncrequest snapshot and the props stream, and translated into the
// engine's events. Snapshots and props go through the same apply
// functions, which emit only what changed since the engine was last told:
// a fill is emitted once per fill id, an order's state once per state, a
// position when its net changes. So a fresh snapshot after a reconnect,
// diffed against what was known, emits exactly what happened during the
// drop — nothing lost, nothing twice.
//
// Client order ids come from the New command's clOrdId (keel sets it on
// every order and bracket leg), or from the place answer; events for an
// order whose client id is not known yet wait for it.
type account struct {
	mu   sync.Mutex
	id   int64
	spec string
	emit func(venue.Event)

	orders   map[int64]*orderState // by Tradovate order id
	byClient map[string]int64      // keel client id → order id
	commands map[int64]wire.Command
	fills    map[int64]bool // fill ids emitted
	pos      map[int64]int64
	held     map[int64][]venue.Event // events of orders whose client id is not known yet
	cash     map[int64]wire.CashBalance
	others   map[int64]bool // order ids of the user's other accounts: not ours
}

// maxHeld bounds the orders whose events wait for a client id: orders
// keel did not place (a manual trade) never get one.
const maxHeld = 256

type orderState struct {
	id       int64
	client   string
	contract int64
	side     venue.Side
	qty      int64  // from the latest version
	typ      string // Tradovate orderType of the latest version
	limit    venue.Price
	stop     venue.Price
	filled   int64
	status   string // Tradovate ordStatus last applied
	told     venue.OrderStatus
	accepted bool
	ver      int64                       // id of the version in force (its command's id)
	pend     map[int64]wire.OrderVersion // modifies' versions awaiting the venue's verdict
	passed   map[int64]bool              // modifies the venue accepted before their version arrived
	tif      string
	expire   wire.Time
}

func newAccount(emit func(venue.Event)) *account {
	return &account{
		emit: emit, orders: map[int64]*orderState{}, byClient: map[string]int64{}, commands: map[int64]wire.Command{},
		fills: map[int64]bool{}, pos: map[int64]int64{}, held: map[int64][]venue.Event{}, cash: map[int64]wire.CashBalance{}, others: map[int64]bool{},
	}
}

// orderOf returns the state of Tradovate order id, creating it.
func (a *account) orderOf(id int64) *orderState {
	o := a.orders[id]
	if o == nil {
		o = &orderState{id: id}
		a.orders[id] = o
	}
	return o
}

// bind records that order id is keel's client id, and releases what
// waited for it.
func (a *account) bind(id int64, client string) {
	if client == "" || id == 0 {
		return
	}
	o := a.orderOf(id)
	if o.client == "" {
		o.client = client
	}
	a.byClient[client] = id
	if evs := a.held[id]; len(evs) > 0 {
		delete(a.held, id)
		for _, ev := range evs {
			ev.ClientID = client
			a.emit(ev)
		}
	}
}

// send emits ev for order o, or holds it until o's client id is known.
func (a *account) send(o *orderState, ev venue.Event) {
	ev.VenueID = o.id
	if o.contract != 0 && ev.Contract == 0 {
		ev.Contract = venue.ContractID(o.contract)
	}
	if o.client == "" {
		if _, ok := a.held[o.id]; ok || len(a.held) < maxHeld {
			a.held[o.id] = append(a.held[o.id], ev)
		}
		return
	}
	ev.ClientID = o.client
	a.emit(ev)
}

// applySnapshot applies a user/syncrequest snapshot.
func (a *account) applySnapshot(m *wire.SyncMessage) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, c := range m.Commands {
		a.applyCommand(c)
	}
	for _, v := range m.OrderVersions {
		a.applyVersion(v, false)
	}
	for _, o := range m.Orders {
		a.applyOrder(o)
	}
	for _, r := range m.CommandReports {
		a.applyReport(r)
	}
	for _, f := range m.Fills {
		a.applyFill(f)
	}
	for _, p := range m.Positions {
		a.applyPosition(p)
	}
	for _, c := range m.CashBalances {
		a.applyCash(c)
	}
}

// applyProps applies one props event.
func (a *account) applyProps(p wire.PropsEvent) error {
	raws, err := p.Entities()
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, raw := range raws {
		if err := a.applyEntity(p.EntityType, p.EventType, raw); err != nil {
			return fmt.Errorf("props %s %s: %w", p.EntityType, p.EventType, err)
		}
	}
	return nil
}

func (a *account) applyEntity(typ, ev string, raw json.RawMessage) error {
	switch typ {
	case wire.EntityCommand:
		var c wire.Command
		if err := json.Unmarshal(raw, &c); err != nil {
			return err
		}
		a.applyCommand(c)
	case wire.EntityOrderVersion:
		var v wire.OrderVersion
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		a.applyVersion(v, true)
	case wire.EntityOrder:
		var o wire.Order
		if err := json.Unmarshal(raw, &o); err != nil {
			return err
		}
		a.applyOrder(o)
	case wire.EntityCommandReport:
		var r wire.CommandReport
		if err := json.Unmarshal(raw, &r); err != nil {
			return err
		}
		a.applyReport(r)
	case wire.EntityFill:
		var f wire.Fill
		if err := json.Unmarshal(raw, &f); err != nil {
			return err
		}
		if ev != "Deleted" {
			a.applyFill(f)
		}
	case wire.EntityPosition:
		var p wire.Position
		if err := json.Unmarshal(raw, &p); err != nil {
			return err
		}
		a.applyPosition(p)
	case wire.EntityCashBalance:
		var c wire.CashBalance
		if err := json.Unmarshal(raw, &c); err != nil {
			return err
		}
		a.applyCash(c)
	}
	return nil
}

func (a *account) applyCommand(c wire.Command) {
	if _, seen := a.commands[c.ID]; seen {
		return
	}
	a.commands[c.ID] = c
	if c.CommandType == wire.CommandNew && c.ClOrdID != "" {
		a.bind(c.OrderID, c.ClOrdID)
	}
}

// applyVersion applies an order's terms. The first version, or an update
// of the version in force (the venue resizing an exit), takes effect at
// once; a new version is a modify's (its id is the Modify command's) and
// waits for the venue's verdict on that command: Tradovate creates it with
// the Pending command, before it knows.
func (a *account) applyVersion(v wire.OrderVersion, live bool) {
	o := a.orderOf(v.OrderID)
	c, known := a.commands[v.ID]
	switch {
	case o.ver == 0 && (!known || c.CommandType == wire.CommandNew), v.ID == o.ver:
		a.setVersion(o, v)
	case o.passed[v.ID]:
		delete(o.passed, v.ID)
		a.setVersion(o, v)
	default:
		if o.pend == nil {
			o.pend = map[int64]wire.OrderVersion{}
		}
		o.pend[v.ID] = v
	}
}

// setVersion puts a version in force, reporting a change as EventModified.
func (a *account) setVersion(o *orderState, v wire.OrderVersion) {
	var limit, stop venue.Price
	if v.Price != nil {
		limit = *v.Price
	}
	if v.StopPrice != nil {
		stop = *v.StopPrice
	}
	if v.OrderType == wire.OrderTypeMIT {
		limit, stop = 0, limit // keel keeps an MIT's trigger in Stop
	}
	first := o.ver == 0 && o.qty == 0
	changed := v.OrderQty != o.qty || limit != o.limit || stop != o.stop
	o.ver = v.ID
	o.qty, o.limit, o.stop = v.OrderQty, limit, stop
	if v.OrderType != "" {
		o.typ = v.OrderType
	}
	if v.TimeInForce != "" {
		o.tif, o.expire = v.TimeInForce, v.ExpireTime
	}
	if !first && changed && o.accepted {
		a.send(o, venue.Event{Kind: venue.EventModified, Qty: v.OrderQty, Modify: venue.Modify{Qty: v.OrderQty, Limit: limit, Stop: stop}})
	}
}

// modifyVerdict settles a modify: accepted, its version takes effect (now,
// or when it arrives); rejected, it is dropped.
func (a *account) modifyVerdict(o *orderState, cmd int64, accepted bool) {
	v, ok := o.pend[cmd]
	delete(o.pend, cmd)
	switch {
	case accepted && ok:
		a.setVersion(o, v)
	case accepted:
		if o.passed == nil {
			o.passed = map[int64]bool{}
		}
		o.passed[cmd] = true
	}
}

func (a *account) applyOrder(w wire.Order) {
	if w.AccountID != 0 && a.id != 0 && w.AccountID != a.id {
		a.others[w.ID] = true // the user's other account: not ours to report
		delete(a.orders, w.ID)
		delete(a.held, w.ID)
		return
	}
	o := a.orderOf(w.ID)
	o.contract = w.ContractID
	o.side = sideOf(w.Action)
	if w.OrdStatus == o.status {
		return
	}
	o.status = w.OrdStatus
	at := w.Timestamp.UnixNano()
	switch w.OrdStatus {
	case wire.OrdStatusWorking:
		a.accept(o, at)
	case wire.OrdStatusCanceled:
		a.finish(o, venue.Cancelled, venue.Event{Kind: venue.EventCancelled, Time: at})
	case wire.OrdStatusExpired:
		a.finish(o, venue.Expired, venue.Event{Kind: venue.EventExpired, Time: at})
	case wire.OrdStatusRejected:
		a.finish(o, venue.Rejected, venue.Event{Kind: venue.EventRejected, Time: at, Reason: "Rejected", Text: "rejected by Tradovate"})
	}
}

func (a *account) accept(o *orderState, at int64) {
	if o.accepted || o.told.Terminal() {
		return // a late place answer after the venue already ended it
	}
	o.accepted = true
	o.told = venue.Working
	a.send(o, venue.Event{Kind: venue.EventAccepted, Time: at, Qty: o.qty})
}

func (a *account) finish(o *orderState, st venue.OrderStatus, ev venue.Event) {
	if o.told.Terminal() {
		return
	}
	o.told = st
	a.send(o, ev)
}

// applyReport settles a modify (accepted or not) and turns a command's
// rejection into the event of its kind.
func (a *account) applyReport(r wire.CommandReport) {
	c, ok := a.commands[r.CommandID]
	if !ok {
		return
	}
	o := a.orderOf(c.OrderID)
	rejected := r.CommandStatus == wire.CommandStatusRiskRejected || r.CommandStatus == wire.CommandStatusExecutionRejected
	if c.CommandType == wire.CommandModify && (rejected || r.CommandStatus == wire.CommandStatusAtExecution) {
		a.modifyVerdict(o, r.CommandID, !rejected)
	}
	if !rejected {
		return
	}
	reason := r.RejectReason
	if reason == "" {
		reason = "UnknownReason"
	}
	at := r.Timestamp.UnixNano()
	switch c.CommandType {
	case wire.CommandNew:
		a.finish(o, venue.Rejected, venue.Event{Kind: venue.EventRejected, Time: at, Reason: reason, Text: (&RejectError{ClientID: o.client, Reason: reason, Text: r.Text}).Error()})
	case wire.CommandModify:
		a.send(o, venue.Event{Kind: venue.EventModifyRejected, Time: at, Reason: reason, Text: r.Text})
	case wire.CommandCancel:
		a.send(o, venue.Event{Kind: venue.EventCancelRejected, Time: at, Reason: reason, Text: r.Text})
	}
}

func (a *account) applyFill(f wire.Fill) {
	if a.fills[f.ID] || a.others[f.OrderID] {
		return // a duplicated or re-synced fill, or another account's
	}
	a.fills[f.ID] = true
	o := a.orderOf(f.OrderID)
	if o.contract == 0 {
		o.contract = f.ContractID
	}
	if !o.accepted {
		a.accept(o, f.Timestamp.UnixNano())
	}
	o.filled += f.Qty
	final := o.qty > 0 && o.filled >= o.qty
	if final {
		o.told = venue.Filled
	}
	a.send(o, venue.Event{
		Kind: venue.EventFilled, Time: f.Timestamp.UnixNano(), Contract: venue.ContractID(f.ContractID), Final: final,
		Fill: venue.Fill{ID: f.ID, VenueID: f.OrderID, Contract: venue.ContractID(f.ContractID), Side: sideOf(f.Action), Qty: f.Qty, Price: f.Price, Time: f.Timestamp.UnixNano()},
	})
}

func (a *account) applyPosition(p wire.Position) {
	if p.AccountID != 0 && a.id != 0 && p.AccountID != a.id {
		return
	}
	if prev, ok := a.pos[p.ContractID]; ok && prev == p.NetPos {
		return
	}
	a.pos[p.ContractID] = p.NetPos
	avg := decimal.Zero
	if p.NetPrice != nil {
		avg = p.NetPrice.Decimal
	}
	a.emit(venue.Event{Kind: venue.EventPosition, Time: p.Timestamp.UnixNano(), Contract: venue.ContractID(p.ContractID),
		Position: venue.Position{Contract: venue.ContractID(p.ContractID), Net: p.NetPos, AvgPrice: avg}})
}

func (a *account) applyCash(c wire.CashBalance) {
	if c.AccountID != 0 && a.id != 0 && c.AccountID != a.id {
		return
	}
	if prev, ok := a.cash[c.CurrencyID]; ok && prev.Amount.Equal(c.Amount.Decimal) && prev.RealizedPnL.Equal(c.RealizedPnL.Decimal) {
		return
	}
	a.cash[c.CurrencyID] = c
	a.emit(venue.Event{Kind: venue.EventAccount, Time: c.Timestamp.UnixNano(),
		Account: venue.Account{ID: c.AccountID, Balance: c.Amount.Decimal, RealizedPnL: c.RealizedPnL.Decimal}})
}

// Position returns the account's net position in a contract as Tradovate
// last reported it.
func (a *account) Position(contract int64) int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.pos[contract]
}

// orderID returns the Tradovate order id of a keel client id.
func (a *account) orderID(client string) (int64, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	id, ok := a.byClient[client]
	return id, ok
}

// known reports whether the account has seen an order with this client id.
func (a *account) known(client string) bool {
	_, ok := a.orderID(client)
	return ok
}

func sideOf(action string) venue.Side {
	switch action {
	case "Buy":
		return venue.Buy
	case "Sell":
		return venue.Sell
	}
	return venue.SideNone
}

func actionOf(s venue.Side) string {
	if s == venue.Sell {
		return "Sell"
	}
	return "Buy"
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
