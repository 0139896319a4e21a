package sandbox

import (
	"fmt"
	"strconv"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// Commands on existing orders: modify, cancel, liquidate.

// ownOrder returns the caller's order. Called with e.mu held.
func (e *Env) ownOrder(c *Call, id int64) *orderState {
	st := e.orders[id]
	if st == nil || st.acct.user != c.Session.UserID() {
		return nil
	}
	return st
}

func commandFailure(reason, text string) wire.CommandResult {
	return wire.CommandResult{FailureReason: reason, FailureText: text}
}

// modifyOrder serves order/modifyorder: a Modify command and the new
// orderVersion (same id) are created at once (fixture F-14), the answer is
// {commandId}, and the engine's verdict follows as a commandReport.
func (s *Server) modifyOrder(c *Call) {
	var p wire.ModifyOrder
	if !c.Decode(&p, false) {
		return
	}
	e := c.Env
	e.mu.Lock()
	defer e.mu.Unlock()
	defer e.flush()
	st := e.ownOrder(c, p.OrderID)
	if st == nil {
		c.Reply(200, commandFailure(wire.RejectUnknownReason, textAccessDenied))
		return
	}
	name := orderTypeNames[lower(p.OrderType)]
	if name != st.ver.OrderType {
		c.Reply(200, commandFailure(wire.RejectUnsupported, fmt.Sprintf("changing orderType from %s to %q is not supported: cancel and place a new order", st.ver.OrderType, p.OrderType)))
		return
	}
	if p.OrderQty <= 0 {
		c.Reply(200, violation("orderQty", strconv.FormatInt(p.OrderQty, 10), "orderQty should be positive"))
		return
	}
	t, reason, text := termsOf(p.OrderType, p.Price, p.StopPrice, st.ver.TimeInForce)
	if reason != "" {
		c.Reply(200, commandFailure(reason, text))
		return
	}
	now := e.clock.Now()
	cid := e.newID()
	cmd := wire.Command{
		ID: cid, OrderID: st.ent.ID, Timestamp: wire.TimeOf(now), ClOrdID: p.ClOrdID, CommandType: wire.CommandModify,
		CommandStatus: wire.CommandStatusPending, SenderID: c.Session.UserID(), UserSessionID: c.Session.ID(),
		ActivationTime: p.ActivationTime, CustomTag50: p.CustomTag50, IsAutomated: p.IsAutomated,
	}
	e.put(wire.EntityCommand, cid, st.ent.ID, st.ent.AccountID, "", cmd)
	tif := st.ver.TimeInForce
	if p.TimeInForce != "" {
		tif = tifNames[lower(p.TimeInForce)]
	}
	ver := wire.OrderVersion{
		ID: cid, OrderID: st.ent.ID, OrderQty: p.OrderQty, OrderType: name, Price: p.Price, StopPrice: p.StopPrice,
		MaxShow: p.MaxShow, PegDifference: p.PegDifference, TimeInForce: tif, ExpireTime: p.ExpireTime, Text: p.Text,
	}
	e.emit(e.saveCommand(st, cid, wire.EventCreated), e.saveVersion(st, ver, wire.EventCreated))
	c.Reply(200, wire.CommandResult{CommandID: cid})

	if st.pendingCmd != 0 {
		e.commandRejected(st, cid, wire.RejectAnotherCommandPending, "another command is pending for this order")
		return
	}
	st.pendingCmd, st.pendingKind, st.pendingVer = cid, wire.CommandModify, ver
	m := venue.Modify{Qty: p.OrderQty, Limit: t.limit, Stop: t.stop}
	if err := st.acct.ex.Modify(st.simID, m); err != nil {
		e.commandRejected(st, cid, wire.RejectUnknownReason, err.Error())
		return
	}
	e.settle(st.acct, st.contract)
}

// cancelOrder serves order/cancelorder.
func (s *Server) cancelOrder(c *Call) {
	var p wire.CancelOrder
	if !c.Decode(&p, false) {
		return
	}
	e := c.Env
	e.mu.Lock()
	defer e.mu.Unlock()
	defer e.flush()
	st := e.ownOrder(c, p.OrderID)
	if st == nil {
		c.Reply(200, commandFailure(wire.RejectUnknownReason, textAccessDenied))
		return
	}
	cid := e.cancel(c, st, p.ClOrdID, p.CustomTag50, p.IsAutomated, p.ActivationTime)
	c.Reply(200, wire.CommandResult{CommandID: cid})
	e.runCancel(st, cid)
}

// cancel creates a Cancel command. Called with e.mu held.
func (e *Env) cancel(c *Call, st *orderState, clOrdID, tag50 string, automated bool, activation wire.Time) int64 {
	cid := e.newID()
	cmd := wire.Command{
		ID: cid, OrderID: st.ent.ID, Timestamp: wire.TimeOf(e.clock.Now()), ClOrdID: clOrdID, CommandType: wire.CommandCancel,
		CommandStatus: wire.CommandStatusPending, SenderID: c.Session.UserID(), UserSessionID: c.Session.ID(),
		ActivationTime: activation, CustomTag50: tag50, IsAutomated: automated,
	}
	e.put(wire.EntityCommand, cid, st.ent.ID, st.ent.AccountID, "", cmd)
	e.emit(e.saveCommand(st, cid, wire.EventCreated))
	return cid
}

// runCancel sends a Cancel command to the engine. Brackets still waiting
// for their entry are cancelled here: the engine only knows them once the
// entry fills. Called with e.mu held.
func (e *Env) runCancel(st *orderState, cid int64) {
	if st.pendingCmd != 0 {
		e.commandRejected(st, cid, wire.RejectAnotherCommandPending, "another command is pending for this order")
		return
	}
	st.pendingCmd, st.pendingKind = cid, wire.CommandCancel
	if st.ent.OrdStatus == wire.OrdStatusPendingNew && st.ent.ParentID != 0 && !st.terminal() {
		if o, ok := st.acct.ex.Order(st.simID); !ok || o.Status == venue.PendingNew {
			e.ended(st, wire.OrdStatusCanceled, "cancelled by request before its entry filled")
			return
		}
	}
	if err := st.acct.ex.Cancel(st.simID); err != nil {
		e.commandRejected(st, cid, wire.RejectUnknownReason, err.Error())
	}
}

// liquidatePosition serves order/liquidateposition: cancel the account's
// working orders in the contract, then flatten the position with a market
// order, whose id is the answer ({} when already flat).
func (s *Server) liquidatePosition(c *Call) {
	var p wire.LiquidatePosition
	if !c.Decode(&p, false) {
		return
	}
	e := c.Env
	e.mu.Lock()
	defer e.mu.Unlock()
	defer e.flush()
	a := e.byAcct[p.AccountID]
	if a == nil || a.user != c.Session.UserID() {
		c.Reply(200, failure(wire.RejectUnknownReason, textAccessDenied))
		return
	}
	con, ok := s.lib.contractByID(p.ContractID)
	if !ok {
		c.Reply(200, failure(wire.RejectUnknownReason, textAccessDenied))
		return
	}
	sym, _, _ := s.lib.symbolOfContract(con.ID)
	now := e.clock.Now()
	type cancel struct {
		st  *orderState
		cid int64
	}
	var cancels []cancel
	for _, r := range sortedRows(e.tables[wire.EntityOrder].visible(a.user, func(r *row) bool { return r.account == a.ent.ID })) {
		st := e.orders[r.id]
		if st.ent.ContractID == con.ID && !st.terminal() {
			cancels = append(cancels, cancel{st, e.cancel(c, st, "", p.CustomTag50, false, wire.Time{})})
		}
	}
	var flat *orderState
	var net int64
	if ps := a.positions[venue.ContractID(con.ID)]; ps != nil {
		net = ps.ent.NetPos
	}
	if net != 0 {
		act, side := wire.ActionSell, venue.Sell
		if net < 0 {
			act, side = wire.ActionBuy, venue.Buy
		}
		flat = e.newOrder(c, a, con, sym, act, abs(net), "", wire.OrderVersion{OrderType: wire.OrderTypeMarket, TimeInForce: wire.TIFDay}, wire.Time{}, p.CustomTag50, false, now)
		flat.simID = "o" + strconv.FormatInt(flat.ent.ID, 10)
		e.bySimID[flat.simID] = flat
		e.emit(e.saveOrder(flat, wire.EventCreated))
		e.emit(e.saveCommand(flat, flat.lastCmd, wire.EventCreated), e.saveVersion(flat, flat.ver, wire.EventCreated))
		c.Reply(200, wire.PlaceOrderResult{OrderID: flat.ent.ID})
		for _, cl := range cancels {
			e.runCancel(cl.st, cl.cid)
		}
		if closed, why := e.sessionClosed(sym.Root, now); closed {
			e.reject(flat, flat.lastCmd, wire.CommandStatusRiskRejected, wire.RejectSessionClosed, why)
			return
		}
		in := venue.OrderIntent{Symbol: sym.String(), Side: side, Qty: abs(net), Type: venue.Market}
		if err := a.ex.Submit(venue.Order{ClientID: flat.simID, Contract: venue.ContractID(con.ID), Intent: in}); err != nil {
			e.reject(flat, flat.lastCmd, wire.CommandStatusRiskRejected, wire.RejectUnknownReason, err.Error())
			return
		}
		e.settle(a, venue.ContractID(con.ID))
		return
	}
	c.Reply(200, wire.PlaceOrderResult{})
	for _, cl := range cancels {
		e.runCancel(cl.st, cl.cid)
	}
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}
