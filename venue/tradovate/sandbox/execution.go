package sandbox

import (
	"github.com/shopspring/decimal"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// The matching engine reports venue.Events; this file turns each into the
// Tradovate entities a real account produces, one frame of props events
// per engine event:
//
//	accepted   commandReport(AtExecution) · command Updated · executionReport(New) · order Updated(Working)
//	filled     executionReport(Trade) · fill · position · fillPair(s) · cashBalance · order Updated when complete
//	cancelled  [commandReport · command Updated · executionReport(PendingCancel)] · executionReport(Canceled) · order Updated
//	expired    executionReport(Expired) · order Updated
//	modified   commandReport · command Updated · executionReport(Replaced) (or orderVersion Updated for engine resizes)
//	rejected   commandReport(ExecutionRejected, rejectReason) · command Updated · executionReport(Rejected) · order Updated
//
// All of it runs with e.mu held (the engine calls back synchronously).

func (e *Env) onSimEvent(a *account, ev venue.Event) {
	if ev.Kind == venue.EventPosition || ev.Kind == venue.EventAccount {
		return // positions come from the fills, FIFO-paired as Tradovate does
	}
	st := e.bySimID[ev.ClientID]
	if st == nil {
		e.srv.log.Error("sandbox: engine event for an unknown order", "kind", ev.Kind, "id", ev.ClientID)
		return
	}
	switch ev.Kind {
	case venue.EventAccepted:
		e.accepted(st)
	case venue.EventRejected:
		e.reject(st, st.lastCmd, wire.CommandStatusExecutionRejected, ev.Reason, ev.Text)
	case venue.EventFilled:
		e.fillInChunks(st, ev.Fill, ev.Final) // e.filled, split by an injected partial fill
	case venue.EventCancelled:
		e.ended(st, wire.OrdStatusCanceled, ev.Text)
	case venue.EventExpired:
		e.ended(st, wire.OrdStatusExpired, ev.Text)
	case venue.EventModified:
		e.modified(st, ev.Modify)
	case venue.EventCancelRejected, venue.EventModifyRejected:
		cid := st.pendingCmd
		if cid == 0 {
			return
		}
		e.commandRejected(st, cid, ev.Reason, ev.Text)
	}
}

func (e *Env) accepted(st *orderState) {
	if st.terminal() {
		// A bracket cancelled while its entry was still working: the engine
		// places it when the entry fills; take it back at once.
		_ = st.acct.ex.Cancel(st.simID)
		return
	}
	st.ent.OrdStatus = wire.OrdStatusWorking
	e.accepts++
	e.emit(
		e.commandReport(st, st.lastCmd, wire.CommandStatusAtExecution, "", "", wire.OrdStatusWorking),
		e.setCommandStatus(st, st.lastCmd, wire.CommandStatusAtExecution),
		e.execReport(st, st.lastCmd, wire.ExecNew, nil),
		e.saveOrder(st, wire.EventUpdated),
	)
}

// ended records a cancel or expiry. A bracket entry that ends without a
// fill takes its waiting brackets with it.
func (e *Env) ended(st *orderState, status, text string) {
	if st.terminal() {
		return
	}
	var msgs []propsMsg
	cid := st.lastCmd
	if st.pendingKind == wire.CommandCancel && status == wire.OrdStatusCanceled {
		cid = st.pendingCmd
		st.ent.OrdStatus = wire.OrdStatusPendingCancel
		msgs = append(msgs,
			e.commandReport(st, cid, wire.CommandStatusAtExecution, "", "", wire.OrdStatusCanceled),
			e.setCommandStatus(st, cid, wire.CommandStatusAtExecution),
			e.execReport(st, cid, wire.ExecPendingCancel, nil),
		)
	} else if st.pendingCmd != 0 {
		// A modify overtaken by the order's end.
		msgs = append(msgs,
			e.commandReport(st, st.pendingCmd, wire.CommandStatusExecutionRejected, wire.RejectTooLate, "the order ended first", status),
			e.setCommandStatus(st, st.pendingCmd, wire.CommandStatusExecutionRejected),
		)
	}
	st.pendingCmd, st.pendingKind = 0, ""
	st.ent.OrdStatus = status
	execType := wire.ExecCanceled
	if status == wire.OrdStatusExpired {
		execType = wire.ExecExpired
	}
	msgs = append(msgs,
		e.execReport(st, cid, execType, func(er *wire.ExecutionReport) { er.Text = text }),
		e.saveOrder(st, wire.EventUpdated),
	)
	e.emit(msgs...)
	if st.cumQty == 0 {
		for _, l := range st.legs {
			e.ended(l, wire.OrdStatusCanceled, "the entry order ended unfilled")
		}
	}
}

func (e *Env) modified(st *orderState, m venue.Modify) {
	if st.pendingKind != wire.CommandModify {
		// The engine resized a linked order (OCO/bracket bookkeeping).
		if m.Qty > 0 {
			st.ver.OrderQty = m.Qty
		}
		e.emit(
			e.saveVersion(st, st.ver, wire.EventUpdated),
			e.execReport(st, st.lastCmd, wire.ExecReplaced, nil),
		)
		return
	}
	cid := st.pendingCmd
	st.pendingCmd, st.pendingKind = 0, ""
	st.lastCmd, st.ver = cid, st.pendingVer
	e.emit(
		e.commandReport(st, cid, wire.CommandStatusAtExecution, "", "", st.ent.OrdStatus),
		e.setCommandStatus(st, cid, wire.CommandStatusAtExecution),
		e.execReport(st, cid, wire.ExecReplaced, nil),
	)
}

func (e *Env) commandRejected(st *orderState, cid int64, reason, text string) {
	if st.pendingCmd == cid {
		st.pendingCmd, st.pendingKind = 0, ""
	}
	e.emit(
		e.commandReport(st, cid, wire.CommandStatusExecutionRejected, reason, text, st.ent.OrdStatus),
		e.setCommandStatus(st, cid, wire.CommandStatusExecutionRejected),
	)
}

// posState is an account's position in one contract: the Position entity
// and the open fills, oldest first, that later fills pair against (FIFO).
type posState struct {
	ent     wire.Position
	created bool
	lots    []lot
}

type lot struct {
	fillID int64
	qty    int64
	px     venue.Price
	buy    bool
}

func (e *Env) filled(st *orderState, f venue.Fill, final bool) {
	a := st.acct
	now := e.clock.Now()
	td := tradeDate(st.root, now)
	buy := st.ent.Action == wire.ActionBuy
	st.cumQty += f.Qty
	st.notional = st.notional.Add(f.Price.Mul(f.Qty))
	if final {
		st.ent.OrdStatus = wire.OrdStatusFilled
	}
	px := f.Price
	msgs := []propsMsg{e.execReport(st, st.lastCmd, wire.ExecTrade, func(er *wire.ExecutionReport) {
		er.LastQty, er.LastPx = f.Qty, &px
	})}

	fill := wire.Fill{
		ID: e.newID(), OrderID: st.ent.ID, ContractID: st.ent.ContractID, Timestamp: wire.TimeOf(now), TradeDate: td,
		Action: st.ent.Action, Qty: f.Qty, Price: f.Price, Active: true,
	}
	ps := a.positions[st.contract]
	if ps == nil {
		ps = &posState{ent: wire.Position{ID: e.newID(), AccountID: a.ent.ID, ContractID: st.ent.ContractID}}
		a.positions[st.contract] = ps
	}
	inst, _ := e.srv.lib.ByID(st.contract)
	var pairs []wire.FillPair
	realized := decimal.Zero
	qty := f.Qty
	for qty > 0 && len(ps.lots) > 0 && ps.lots[0].buy != buy {
		l := &ps.lots[0]
		q := min(qty, l.qty)
		p := wire.FillPair{ID: e.newID(), PositionID: ps.ent.ID, Qty: q, Active: true}
		if buy {
			p.BuyFillID, p.BuyPrice, p.SellFillID, p.SellPrice = fill.ID, f.Price, l.fillID, l.px
		} else {
			p.BuyFillID, p.BuyPrice, p.SellFillID, p.SellPrice = l.fillID, l.px, fill.ID, f.Price
		}
		realized = realized.Add(p.SellPrice.Decimal().Sub(p.BuyPrice.Decimal()).Mul(decimal.NewFromInt(q)).Mul(inst.PointValue))
		fill.FinallyPaired += q
		if r := e.tables[wire.EntityFill].get(l.fillID); r != nil {
			old := r.v.(wire.Fill)
			old.FinallyPaired += q
			r.v = old
		}
		pairs = append(pairs, p)
		l.qty -= q
		qty -= q
		if l.qty == 0 {
			ps.lots = ps.lots[1:]
		}
	}
	if qty > 0 {
		ps.lots = append(ps.lots, lot{fillID: fill.ID, qty: qty, px: f.Price, buy: buy})
	}
	e.put(wire.EntityFill, fill.ID, fill.OrderID, a.ent.ID, "", fill)
	msgs = append(msgs, e.props(a.ent.ID, wire.EntityFill, wire.EventCreated, fill))

	pos := &ps.ent
	value := f.Price.Mul(f.Qty)
	if buy {
		pos.Bought += f.Qty
		pos.BoughtValue = wire.Dec(pos.BoughtValue.Add(value))
		pos.NetPos += f.Qty
	} else {
		pos.Sold += f.Qty
		pos.SoldValue = wire.Dec(pos.SoldValue.Add(value))
		pos.NetPos -= f.Qty
	}
	pos.NetPrice = nil
	if len(ps.lots) > 0 {
		sum, n := decimal.Zero, int64(0)
		for _, l := range ps.lots {
			sum = sum.Add(l.px.Mul(l.qty))
			n += l.qty
		}
		avg := wire.Dec(sum.Div(decimal.NewFromInt(n)))
		pos.NetPrice = &avg
	}
	pos.Timestamp, pos.TradeDate = wire.TimeOf(now), td
	ev := wire.EventUpdated
	if !ps.created {
		ps.created, ev = true, wire.EventCreated
	}
	e.put(wire.EntityPosition, pos.ID, a.ent.ID, a.ent.ID, st.symbol, *pos)
	msgs = append(msgs, e.props(a.ent.ID, wire.EntityPosition, ev, *pos))

	if len(pairs) > 0 {
		for _, p := range pairs {
			e.put(wire.EntityFillPair, p.ID, p.PositionID, a.ent.ID, "", p)
		}
		// Several pairs from one fill come as one event whose entity is an array.
		var entity any = pairs[0]
		if len(pairs) > 1 {
			entity = pairs
		}
		msgs = append(msgs, e.props(a.ent.ID, wire.EntityFillPair, wire.EventCreated, entity))
	}

	cb := &a.cash
	cb.Amount = wire.Dec(cb.Amount.Add(realized).Sub(f.Fee))
	cb.RealizedPnL = wire.Dec(cb.RealizedPnL.Add(realized))
	cb.WeekRealizedPnL = wire.Dec(cb.WeekRealizedPnL.Add(realized))
	cb.Timestamp, cb.TradeDate = wire.TimeOf(now), td
	e.put(wire.EntityCashBalance, cb.ID, a.ent.ID, a.ent.ID, "", *cb)
	msgs = append(msgs, e.props(a.ent.ID, wire.EntityCashBalance, wire.EventUpdated, *cb))

	if final {
		msgs = append(msgs, e.saveOrder(st, wire.EventUpdated))
	}
	e.emit(msgs...)
}
