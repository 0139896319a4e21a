package sim

import (
	"fmt"
	"sort"

	"github.com/keeltrade/keel/venue"
)

type cmdKind uint8

const (
	cmdCancel cmdKind = iota + 1
	cmdModify
)

// command is a cancel or modify travelling to the book; it takes effect at
// the first market event with time ≥ at.
type command struct {
	at   int64
	kind cmdKind
	o    *order
	mod  venue.Modify
}

// Cancel asks to cancel a working order. The outcome is an event:
// EventCancelled, or EventCancelRejected with Reason "UnknownReason" (no
// such working order), "TooLate" (already filled, cancelled or expired —
// also when a fill wins the race against a delayed cancel) or
// "AnotherCommandPending". With zero latency the cancel takes effect at
// once; otherwise at the first market event Latency after the call, and the
// order may still fill until then.
func (x *Exchange) Cancel(clientID string) error {
	if err := x.ready("cancel"); err != nil {
		return err
	}
	now := x.clock()
	o, ok := x.lookup(clientID, venue.EventCancelRejected, now)
	if !ok {
		return nil
	}
	if x.latency == 0 {
		x.finish(o, venue.Cancelled, now, "cancelled by request")
		return nil
	}
	o.pending = true
	x.cmds = append(x.cmds, command{at: now + x.latency, kind: cmdCancel, o: o})
	return nil
}

// Modify asks to change a working order's quantity, limit or stop price
// (zero fields stay). The outcome is EventModified or EventModifyRejected
// ("InvalidPrice" off the grid or for a price the type does not take,
// "Unsupported" for the size of a bracket leg, which follows its entry, and
// the Cancel reasons). A new price, or a larger size, loses the order's
// place in the queue; a smaller size keeps it. Latency applies as for
// Cancel.
func (x *Exchange) Modify(clientID string, m venue.Modify) error {
	if err := x.ready("modify"); err != nil {
		return err
	}
	now := x.clock()
	o, ok := x.lookup(clientID, venue.EventModifyRejected, now)
	if !ok {
		return nil
	}
	if reason, text := o.checkModify(m); reason != "" {
		x.refuse(venue.EventModifyRejected, o, now, reason, text)
		return nil
	}
	if x.latency == 0 {
		x.modify(o, m, now, x.seq+1)
		return nil
	}
	o.pending = true
	x.cmds = append(x.cmds, command{at: now + x.latency, kind: cmdModify, o: o, mod: m})
	return nil
}

// lookup finds the working order a cancel or modify is about, or reports
// why there is none.
func (x *Exchange) lookup(id string, kind venue.EventKind, now int64) (*order, bool) {
	o, ok := x.ids[id]
	switch {
	case !ok:
		x.emit(venue.Event{Kind: kind, Time: now, ClientID: id, Reason: reasonUnknown, Text: fmt.Sprintf("no order with client id %q", id)})
		return nil, false
	case o.status == venue.PendingNew:
		x.refuse(kind, o, now, reasonUnknown, fmt.Sprintf("bracket leg %s is not working: it is placed when %s fills", id, o.parentID))
		return nil, false
	case o.status.Terminal():
		x.refuse(kind, o, now, reasonTooLate, fmt.Sprintf("order %s is already %s", id, o.status))
		return nil, false
	case o.pending:
		x.refuse(kind, o, now, reasonPending, fmt.Sprintf("order %s has a cancel or modify in flight", id))
		return nil, false
	}
	return o, true
}

func (x *Exchange) refuse(kind venue.EventKind, o *order, now int64, reason, text string) {
	ev := venue.Event{Kind: kind, Time: now, ClientID: o.id, VenueID: o.venueID, Reason: reason, Text: text}
	if o.bk != nil {
		ev.Contract = o.bk.inst.ID
	}
	x.emit(ev)
}

// checkModify returns the reject reason and text for a modify request that
// can never succeed.
func (o *order) checkModify(m venue.Modify) (reason, text string) {
	tick := o.bk.inst.TickSize
	switch {
	case m.Qty < 0:
		return reasonUnknown, fmt.Sprintf("quantity %d must be positive", m.Qty)
	case m.Qty > 0 && m.Qty != o.qty && o.grp != nil && o.grp.entry != nil && o.legIdx >= 0:
		return reasonUnsupported, fmt.Sprintf("the size of bracket leg %s follows its entry %s; modify the entry", o.id, o.parentID)
	case m.Qty > 0 && m.Qty <= o.filled:
		return reasonUnknown, fmt.Sprintf("quantity %d is not above the %d already filled", m.Qty, o.filled)
	case m.Limit != 0 && !o.typ.NeedsLimit():
		return reasonInvalidPrice, fmt.Sprintf("a %s order takes no limit price", o.typ)
	case m.Limit < 0 || (m.Limit != 0 && !m.Limit.OnGrid(tick)):
		return reasonInvalidPrice, fmt.Sprintf("limit price %s is not on the %s tick grid", m.Limit, tick)
	case m.Stop != 0 && !o.typ.NeedsStop():
		return reasonInvalidPrice, fmt.Sprintf("a %s order takes no stop price", o.typ)
	case m.Stop < 0 || (m.Stop != 0 && !m.Stop.OnGrid(tick)):
		return reasonInvalidPrice, fmt.Sprintf("stop price %s is not on the %s tick grid", m.Stop, tick)
	}
	return "", ""
}

// modify applies m to o at time t; a repriced or enlarged order arrives
// again (marketability, queue position, trigger) from event minSeq.
func (x *Exchange) modify(o *order, m venue.Modify, t int64, minSeq uint64) {
	if m.Qty > 0 && m.Qty <= o.filled {
		x.refuse(venue.EventModifyRejected, o, t, reasonTooLate, fmt.Sprintf("order %s filled %d meanwhile", o.id, o.filled))
		return
	}
	again := false
	if m.Qty > 0 && m.Qty != o.qty {
		if g := o.grp; g != nil && g.entry == nil {
			g.caps[o.legIdx] = m.Qty - o.filled + g.exitFilled
		}
		again = m.Qty > o.qty
		o.qty = m.Qty
	}
	if m.Limit != 0 && m.Limit != o.limit {
		o.limit, again = m.Limit, true
	}
	if m.Stop != 0 && m.Stop != o.stop {
		o.stop, again = m.Stop, true
	}
	o.updated = t
	if again && o.arrived {
		o.arrived, o.crossing = false, false
		o.arrive = t
		o.minSeq = minSeq
	}
	ev := x.event(venue.EventModified, o, t)
	ev.Modify = m
	x.emit(ev)
}

// runCommands applies the cancels and modifies that reach the book by t.
func (x *Exchange) runCommands(t int64) {
	due := 0
	for i := range x.cmds {
		if x.cmds[i].at <= t {
			due++
		}
	}
	if due == 0 {
		return
	}
	run := make([]command, 0, due)
	rest := x.cmds[:0]
	for _, c := range x.cmds {
		if c.at <= t {
			run = append(run, c)
		} else {
			rest = append(rest, c)
		}
	}
	clear(x.cmds[len(rest):])
	x.cmds = rest
	for _, c := range run {
		o := c.o
		o.pending = false
		kind := venue.EventCancelRejected
		if c.kind == cmdModify {
			kind = venue.EventModifyRejected
		}
		if !o.live() {
			x.refuse(kind, o, c.at, reasonTooLate, fmt.Sprintf("order %s was %s before the request reached the book", o.id, o.status))
			continue
		}
		if c.kind == cmdCancel {
			x.finish(o, venue.Cancelled, c.at, "cancelled by request")
		} else {
			x.modify(o, c.mod, c.at, x.seq)
		}
	}
}

// ExpireDay ends the trading day: every working Day order (bracket legs and
// OCO partners of Day orders included) expires with EventExpired, in venue
// id order. The driver calls it at each session end; GTC orders are kept.
func (x *Exchange) ExpireDay() {
	if x.closed || x.sink == nil {
		return
	}
	t := x.clock()
	var day []*order
	for _, b := range x.list {
		for _, o := range b.orders {
			if o.live() && o.tif == venue.Day {
				day = append(day, o)
			}
		}
	}
	sort.Slice(day, func(i, j int) bool { return day[i].venueID < day[j].venueID })
	for _, o := range day {
		x.finish(o, venue.Expired, t, "Day order expired at the end of the session")
	}
	if x.busy == 0 {
		for _, b := range x.list {
			b.tidy()
		}
	}
}
