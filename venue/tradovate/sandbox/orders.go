package sandbox

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/cme"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// orderState is the sandbox's view of one order: its entities and its
// identity in the matching engine.
type orderState struct {
	acct     *account
	ent      wire.Order
	ver      wire.OrderVersion
	simID    string
	contract venue.ContractID
	symbol   string
	root     string
	legs     []*orderState // OSO brackets waiting for this entry to fill

	fillChunk int64 // an injected partial fill: book fills in chunks of this size (fault_orders.go)

	lastCmd     int64 // the New or Modify command now in force
	pendingCmd  int64 // a Cancel or Modify sent to the engine, not yet answered
	pendingKind string
	pendingVer  wire.OrderVersion

	cumQty   int64
	notional decimal.Decimal
}

func (st *orderState) terminal() bool {
	switch st.ent.OrdStatus {
	case wire.OrdStatusFilled, wire.OrdStatusCanceled, wire.OrdStatusRejected, wire.OrdStatusExpired:
		return true
	}
	return false
}

var orderTypeNames = map[string]string{
	"limit": wire.OrderTypeLimit, "mit": wire.OrderTypeMIT, "market": wire.OrderTypeMarket, "qts": wire.OrderTypeQTS,
	"stop": wire.OrderTypeStop, "stoplimit": wire.OrderTypeStopLimit, "trailingstop": wire.OrderTypeTrailingStop,
	"trailingstoplimit": wire.OrderTypeTrailingStopLimit,
}

var tifNames = map[string]string{"": wire.TIFDay, "day": wire.TIFDay, "gtc": wire.TIFGTC, "gtd": wire.TIFGTD, "ioc": wire.TIFIOC, "fok": wire.TIFFOK}

// terms are an order's execution terms as the engine takes them.
type terms struct {
	typ   venue.OrderType
	limit venue.Price
	stop  venue.Price
	tif   venue.TimeInForce
}

func price(p *venue.Price) venue.Price {
	if p == nil {
		return 0
	}
	return *p
}

func first(ps ...*venue.Price) venue.Price {
	for _, p := range ps {
		if p != nil {
			return *p
		}
	}
	return 0
}

// termsOf maps Tradovate's order fields to the engine's. A Stop takes
// stopPrice (or price, as the spec's placeOCO example sends); an MIT its
// trigger in price (or stopPrice). GTD works as GTC: expireTime is not
// modelled. A non-empty reason is a synchronous failure.
func termsOf(orderType string, px, stopPx *venue.Price, tif string) (terms, string, string) {
	var t terms
	name, ok := orderTypeNames[lower(orderType)]
	if !ok {
		return t, wire.RejectUnknownReason, fmt.Sprintf("orderType %q: want Market, Limit, Stop, StopLimit or MIT", orderType)
	}
	switch name {
	case wire.OrderTypeMarket:
		t.typ = venue.Market
	case wire.OrderTypeLimit:
		t.typ, t.limit = venue.Limit, price(px)
	case wire.OrderTypeStop:
		t.typ, t.stop = venue.Stop, first(stopPx, px)
	case wire.OrderTypeStopLimit:
		t.typ, t.limit, t.stop = venue.StopLimit, price(px), price(stopPx)
	case wire.OrderTypeMIT:
		t.typ, t.stop = venue.MIT, first(px, stopPx)
	default:
		return t, wire.RejectUnsupported, fmt.Sprintf("%s orders are not supported by the sandbox", name)
	}
	switch tifNames[lower(tif)] {
	case wire.TIFDay:
		t.tif = venue.Day
	case wire.TIFGTC:
		t.tif = venue.GTC
	case wire.TIFGTD:
		t.tif = venue.GTD
	case wire.TIFIOC:
		t.tif = venue.IOC
	case wire.TIFFOK:
		t.tif = venue.FOK
	default:
		return t, wire.RejectUnknownReason, fmt.Sprintf("timeInForce %q: want Day, GTC, GTD, IOC or FOK", tif)
	}
	return t, "", ""
}

func parseAction(s string) (venue.Side, string, bool) {
	switch lower(s) {
	case "buy":
		return venue.Buy, wire.ActionBuy, true
	case "sell":
		return venue.Sell, wire.ActionSell, true
	}
	return venue.SideNone, "", false
}

func violation(field, value, text string) *wire.ViolationError {
	return &wire.ViolationError{Violations: []wire.Violation{{Constraint: field, Value: value, Description: text}}}
}

func failure(reason, text string) wire.PlaceOrderResult {
	return wire.PlaceOrderResult{FailureReason: reason, FailureText: text}
}

// resolveAccount finds the order's account: accountId if given (it must
// be one of the user's), else accountSpec as an account or user name.
// Called with e.mu held.
func (e *Env) resolveAccount(c *Call, id int64, spec string) (*account, *wire.ViolationError, string) {
	uid := c.Session.UserID()
	if id != 0 {
		if a := e.byAcct[id]; a != nil && a.user == uid {
			return a, nil, ""
		}
		return nil, nil, textAccessDenied
	}
	if spec != "" {
		for _, a := range e.userAccounts(uid) {
			if strings.EqualFold(a.ent.Name, spec) || strings.EqualFold(c.Session.UserName(), spec) {
				return a, nil, ""
			}
		}
		return nil, nil, textAccessDenied
	}
	return nil, violation("accountId", "", "Account should be specified (accountId, or accountSpec with the account name)"), ""
}

// sessionClosed says whether root's Globex session is closed at now, and
// when it opens. Times outside the calendar count as open.
func (e *Env) sessionClosed(root string, now time.Time) (bool, string) {
	if e.srv.cfg.IgnoreSessions {
		return false, ""
	}
	st, err := cme.DefaultCalendar().Status(root, now)
	if err != nil || st.Open {
		return false, ""
	}
	return true, fmt.Sprintf("Session is closed for %s (%s); it opens %s", root, st.Reason, st.NextOpen.Format("Mon 2006-01-02 15:04 MST"))
}

// legSpec is a linked order of placeoso/placeoco.
type legSpec struct {
	rov   *wire.RestrainedOrderVersion
	side  venue.Side
	act   string
	terms terms
}

// placeOrder serves order/placeorder.
func (s *Server) placeOrder(c *Call) {
	var p wire.PlaceOrder
	if c.Decode(&p, false) {
		s.place(c, &p, nil, false)
	}
}

// placeOSO serves order/placeoso.
func (s *Server) placeOSO(c *Call) {
	var p wire.PlaceOSO
	if !c.Decode(&p, false) {
		return
	}
	if p.Bracket1 == nil {
		c.Reply(200, violation("bracket1", "", "bracket1 should be specified"))
		return
	}
	legs := []*wire.RestrainedOrderVersion{p.Bracket1}
	if p.Bracket2 != nil {
		legs = append(legs, p.Bracket2)
	}
	s.place(c, &p.PlaceOrder, legs, false)
}

// placeOCO serves order/placeoco.
func (s *Server) placeOCO(c *Call) {
	var p wire.PlaceOCO
	if !c.Decode(&p, false) {
		return
	}
	if p.Other == nil {
		c.Reply(200, violation("other", "", "other should be specified"))
		return
	}
	s.place(c, &p.PlaceOrder, []*wire.RestrainedOrderVersion{p.Other}, true)
}

// place validates an order (synchronous failures are HTTP 200 results),
// records its entities, answers with its id, then hands it to the
// matching engine; what follows arrives as props events. legs are OSO
// brackets, or the OCO partner when oco is set.
func (s *Server) place(c *Call, p *wire.PlaceOrder, rovs []*wire.RestrainedOrderVersion, oco bool) {
	e := c.Env
	e.mu.Lock()
	defer e.mu.Unlock()
	defer e.flush()
	now := e.clock.Now()

	a, v, denied := e.resolveAccount(c, p.AccountID, p.AccountSpec)
	switch {
	case v != nil:
		c.Reply(200, v)
		return
	case denied != "":
		c.Reply(200, failure(wire.RejectUnknownReason, denied))
		return
	}
	con, ok := s.lib.contractByName(p.Symbol, now)
	if !ok {
		// What Tradovate answers for a symbol it does not have (issue #45).
		c.Reply(200, failure(wire.RejectUnknownReason, textAccessDenied))
		return
	}
	sym, _, _ := s.lib.symbolOfContract(con.ID)
	if exp, at := s.lib.expired(sym, now); exp {
		c.Reply(200, failure(wire.RejectInvalidContract, fmt.Sprintf("%s expired at %s; trade the front month (contract/suggest)", con.Name, at.Format(time.RFC3339))))
		return
	}
	side, act, ok := parseAction(p.Action)
	if !ok {
		c.Reply(200, violation("action", p.Action, "action should be Buy or Sell"))
		return
	}
	if p.OrderQty <= 0 {
		c.Reply(200, violation("orderQty", strconv.FormatInt(p.OrderQty, 10), "orderQty should be positive"))
		return
	}
	t, reason, text := termsOf(p.OrderType, p.Price, p.StopPrice, p.TimeInForce)
	if reason != "" {
		c.Reply(200, failure(reason, text))
		return
	}
	if t.tif == venue.GTD && p.ExpireTime.IsZero() {
		c.Reply(200, violation("expireTime", "", "expireTime is required for GTD"))
		return
	}
	legs := make([]legSpec, len(rovs))
	for i, r := range rovs {
		lside, lact, ok := parseAction(r.Action)
		if !ok {
			c.Reply(200, violation("action", r.Action, "linked order action should be Buy or Sell"))
			return
		}
		// A linked order's own timeInForce, else the parent's.
		lt, reason, text := termsOf(r.OrderType, r.Price, r.StopPrice, firstNonEmpty(r.TimeInForce, p.TimeInForce))
		if reason != "" {
			c.Reply(200, failure(reason, text))
			return
		}
		legs[i] = legSpec{rov: r, side: lside, act: lact, terms: lt}
	}

	entry := e.newOrder(c, a, con, sym, act, p.OrderQty, p.ClOrdID, wire.OrderVersion{
		OrderType: orderTypeNames[lower(p.OrderType)], Price: p.Price, StopPrice: p.StopPrice, MaxShow: p.MaxShow,
		PegDifference: p.PegDifference, TimeInForce: tifNames[lower(p.TimeInForce)], ExpireTime: p.ExpireTime, Text: p.Text,
	}, p.ActivationTime, p.CustomTag50, p.IsAutomated, now)
	entry.simID = "o" + strconv.FormatInt(entry.ent.ID, 10)
	e.bySimID[entry.simID] = entry

	intent := venue.OrderIntent{Symbol: sym.String(), Side: side, Qty: p.OrderQty, Type: t.typ, Limit: t.limit, Stop: t.stop, TIF: t.tif}
	if t.tif == venue.GTD {
		intent.Expire = p.ExpireTime.UnixNano()
	}
	var linked []*orderState
	for _, l := range legs {
		ls := e.newOrder(c, a, con, sym, l.act, p.OrderQty, l.rov.ClOrdID, wire.OrderVersion{
			OrderType: orderTypeNames[lower(l.rov.OrderType)], Price: l.rov.Price, StopPrice: l.rov.StopPrice,
			MaxShow: l.rov.MaxShow, PegDifference: l.rov.PegDifference, TimeInForce: firstNonEmpty(tifNames[lower(l.rov.TimeInForce)], entry.ver.TimeInForce), Text: l.rov.Text,
		}, wire.Time{}, p.CustomTag50, p.IsAutomated, now)
		leg := venue.Leg{Side: l.side, Type: l.terms.typ, Limit: l.terms.limit, Stop: l.terms.stop}
		if l.rov.TimeInForce != "" && l.terms.tif != venue.GTD {
			leg.TIF = venue.TIFOf(l.terms.tif)
		}
		if oco {
			intent.OCO = &leg
			ls.ent.LinkedID, entry.ent.LinkedID = entry.ent.ID, ls.ent.ID
		} else {
			intent.Brackets = append(intent.Brackets, leg)
			ls.ent.ParentID = entry.ent.ID
		}
		linked = append(linked, ls)
	}
	if len(linked) == 2 {
		linked[0].ent.LinkedID, linked[1].ent.LinkedID = linked[1].ent.ID, linked[0].ent.ID
	}
	for _, st := range append([]*orderState{entry}, linked...) {
		e.emit(e.saveOrder(st, wire.EventCreated))
		e.emit(e.saveCommand(st, st.lastCmd, wire.EventCreated), e.saveVersion(st, st.ver, wire.EventCreated))
	}

	switch {
	case oco:
		c.Reply(200, wire.PlaceOCOResult{OrderID: entry.ent.ID, OcoID: linked[0].ent.ID})
	case rovs != nil:
		r := wire.PlaceOSOResult{OrderID: entry.ent.ID, OSO1ID: linked[0].ent.ID}
		if len(linked) > 1 {
			r.OSO2ID = linked[1].ent.ID
		}
		c.Reply(200, r)
	default:
		c.Reply(200, wire.PlaceOrderResult{OrderID: entry.ent.ID})
	}

	if s.faults.placed(c, entry, linked) { // an injected rejection (fault_orders.go)
		return
	}
	if closed, why := e.sessionClosed(sym.Root, now); closed {
		e.reject(entry, entry.lastCmd, wire.CommandStatusRiskRejected, wire.RejectSessionClosed, why)
		for _, l := range linked {
			e.reject(l, l.lastCmd, wire.CommandStatusRiskRejected, wire.RejectSessionClosed, why)
		}
		return
	}
	ids := simLinkedIDs(entry.simID, intent)
	for i, l := range linked {
		l.simID = ids[i]
		e.bySimID[l.simID] = l
	}
	if !oco {
		entry.legs = linked
	}
	if err := a.ex.Submit(venue.Order{ClientID: entry.simID, Contract: venue.ContractID(con.ID), Intent: intent}); err != nil {
		e.srv.log.Error("sandbox: engine refused an order", "order", entry.ent.ID, "err", err)
		e.reject(entry, entry.lastCmd, wire.CommandStatusRiskRejected, wire.RejectUnknownReason, err.Error())
		return
	}
	for _, l := range linked {
		if _, ok := a.ex.Order(l.simID); !ok {
			e.srv.log.Error("sandbox: linked order not found in the engine", "id", l.simID)
		}
	}
	e.settle(a, venue.ContractID(con.ID))
}

// simLinkedIDs are the client ids venue/sim gives an order's linked
// orders: parent+"/oco" for an OCO partner; for brackets "/tp" and "/sl"
// when one is a target (Limit, MIT) and the other a stop (Stop,
// StopLimit), else "/1", "/2".
func simLinkedIDs(parent string, in venue.OrderIntent) []string {
	if in.OCO != nil {
		return []string{parent + "/oco"}
	}
	kind := func(t venue.OrderType) string {
		switch t {
		case venue.Limit, venue.MIT:
			return "/tp"
		case venue.Stop, venue.StopLimit:
			return "/sl"
		}
		return ""
	}
	ids := make([]string, len(in.Brackets))
	distinct := true
	for i, l := range in.Brackets {
		if k := kind(l.Type); k == "" || (i > 0 && k == kind(in.Brackets[0].Type)) {
			distinct = false
		}
	}
	for i, l := range in.Brackets {
		if distinct {
			ids[i] = parent + kind(l.Type)
		} else {
			ids[i] = parent + "/" + strconv.Itoa(i+1)
		}
	}
	return ids
}

// newOrder creates an order with its New command and first version.
// Called with e.mu held.
func (e *Env) newOrder(c *Call, a *account, con wire.Contract, sym cme.Symbol, act string, qty int64, clOrdID string, ver wire.OrderVersion, activation wire.Time, tag50 string, automated bool, now time.Time) *orderState {
	oid, cid := e.newID(), e.newID()
	ver.ID, ver.OrderID, ver.OrderQty = cid, oid, qty
	st := &orderState{
		acct: a, contract: venue.ContractID(con.ID), symbol: con.Name, root: sym.Root, lastCmd: cid, ver: ver,
		ent: wire.Order{ID: oid, AccountID: a.ent.ID, ContractID: con.ID, Timestamp: wire.TimeOf(now), Action: act, OrdStatus: wire.OrdStatusPendingNew},
	}
	cmd := wire.Command{
		ID: cid, OrderID: oid, Timestamp: wire.TimeOf(now), ClOrdID: clOrdID, CommandType: wire.CommandNew,
		CommandStatus: wire.CommandStatusPending, SenderID: c.Session.UserID(), UserSessionID: c.Session.ID(),
		ActivationTime: activation, CustomTag50: tag50, IsAutomated: automated,
	}
	e.put(wire.EntityCommand, cid, oid, a.ent.ID, "", cmd)
	e.orders[oid] = st
	return st
}

// Entity savers store an entity and return its props event. Called with e.mu held.

func (e *Env) saveOrder(st *orderState, eventType string) propsMsg {
	e.put(wire.EntityOrder, st.ent.ID, st.ent.AccountID, st.ent.AccountID, "", st.ent)
	return e.props(st.ent.AccountID, wire.EntityOrder, eventType, st.ent)
}

func (e *Env) saveVersion(st *orderState, v wire.OrderVersion, eventType string) propsMsg {
	e.put(wire.EntityOrderVersion, v.ID, v.OrderID, st.ent.AccountID, "", v)
	return e.props(st.ent.AccountID, wire.EntityOrderVersion, eventType, v)
}

// saveCommand re-emits a stored command (after changing it with setCommand).
func (e *Env) saveCommand(st *orderState, id int64, eventType string) propsMsg {
	r := e.tables[wire.EntityCommand].get(id)
	return e.props(st.ent.AccountID, wire.EntityCommand, eventType, r.v)
}

// setCommandStatus updates a command's status and returns the Updated event.
func (e *Env) setCommandStatus(st *orderState, id int64, status string) propsMsg {
	r := e.tables[wire.EntityCommand].get(id)
	cmd := r.v.(wire.Command)
	cmd.CommandStatus = status
	r.v = cmd
	return e.props(st.ent.AccountID, wire.EntityCommand, wire.EventUpdated, cmd)
}

func (e *Env) commandReport(st *orderState, cmdID int64, status, reason, text, ordStatus string) propsMsg {
	rep := wire.CommandReport{
		ID: e.newID(), CommandID: cmdID, Timestamp: wire.TimeOf(e.clock.Now()),
		CommandStatus: status, RejectReason: reason, Text: text, OrdStatus: ordStatus,
	}
	e.put(wire.EntityCommandReport, rep.ID, cmdID, st.ent.AccountID, "", rep)
	return e.props(st.ent.AccountID, wire.EntityCommandReport, wire.EventCreated, rep)
}

func (e *Env) execReport(st *orderState, cmdID int64, execType string, mod func(*wire.ExecutionReport)) propsMsg {
	now := e.clock.Now()
	td := tradeDate(st.root, now)
	er := wire.ExecutionReport{
		ID: e.newID(), CommandID: cmdID, Name: st.symbol, AccountID: st.ent.AccountID, ContractID: st.ent.ContractID,
		Timestamp: wire.TimeOf(now), TradeDate: &td, OrderID: st.ent.ID, ExecType: execType,
		OrdStatus: st.ent.OrdStatus, Action: st.ent.Action, CumQty: st.cumQty,
	}
	if st.cumQty > 0 {
		avg := wire.Dec(st.notional.Div(decimal.NewFromInt(st.cumQty)))
		er.AvgPx = &avg
	}
	if mod != nil {
		mod(&er)
	}
	e.put(wire.EntityExecutionReport, er.ID, cmdID, st.ent.AccountID, er.Name, er)
	return e.props(st.ent.AccountID, wire.EntityExecutionReport, wire.EventCreated, er)
}

// reject ends an order refused before or by the engine: commandReport
// (status, rejectReason, text), the command updated, an executionReport
// Rejected and the order updated; its waiting brackets follow it.
// Called with e.mu held.
func (e *Env) reject(st *orderState, cmdID int64, status, reason, text string) {
	if st.terminal() {
		return
	}
	st.ent.OrdStatus = wire.OrdStatusRejected
	e.emit(
		e.commandReport(st, cmdID, status, reason, text, wire.OrdStatusRejected),
		e.setCommandStatus(st, cmdID, status),
		e.execReport(st, cmdID, wire.ExecRejected, func(er *wire.ExecutionReport) { er.RejectReason, er.Text = reason, text }),
		e.saveOrder(st, wire.EventUpdated),
	)
	for _, l := range st.legs {
		e.reject(l, l.lastCmd, status, "ParentRejected", "the entry order was rejected")
	}
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
