package engine

import (
	"errors"
	"fmt"

	"github.com/keeltrade/keel/venue"
)

// ErrHalted is Submit's error once the engine is halted: the session is
// stopping and takes no new orders.
var ErrHalted = errors.New("the session is stopping: no new orders")

// Halt is the start of a session's orderly stop. From now on every
// strategy's Submit refuses with ErrHalted (keel's own protective orders
// still go), and then, by policy:
//
//   - FlattenOnFailure (the default): each strategy's working orders are
//     cancelled and its positions closed through the protective path,
//     resent until flat, exactly as Context.Flatten does;
//   - KeepExits: each strategy's entries are cancelled; its positions stay
//     open at the venue with their bracket exits, for an operator.
//
// Positions no strategy holds (a manual trade) are left alone. Settled
// says when the venue has answered. Halt must run on the loop goroutine
// (Feed.Call).
func (e *Engine) Halt(policy FailurePolicy, reason string) error {
	switch policy {
	case "":
		policy = FlattenOnFailure
	case FlattenOnFailure, KeepExits:
	default:
		return fmt.Errorf("engine: halt policy %q: want %q or %q", policy, FlattenOnFailure, KeepExits)
	}
	if !e.started || e.stopped {
		return errors.New("engine: halt: the engine is not running")
	}
	if reason == "" {
		reason = "session stopping"
	}
	e.halted, e.haltPolicy = reason, policy
	e.log.Warn("halting: no new orders", "reason", reason, "policy", string(policy))
	for _, r := range e.runners {
		for i := 0; i < len(e.contracts); i++ {
			c := e.contracts[i]
			if c.inst.Continuous() {
				continue // its months hold its orders
			}
			live, _ := r.liveOthers(c)
			switch {
			case policy == KeepExits:
				r.cancelIn(c, func(o *venue.Order) bool { return !o.Protective && o.ParentID == "" })
			case r.netIn(c) != 0 || live:
				e.flattenContract(r.name, c, reason)
			}
		}
	}
	e.drain()
	return nil
}

// Settled reports, after Halt, what is still outstanding: orders of the
// strategies still working (under KeepExits, entries only: the exits are
// meant to stay), and contracts they still hold open (under
// FlattenOnFailure). Both zero means the stop is complete. It must run on
// the loop goroutine.
func (e *Engine) Settled() (working int, open int64) {
	for _, r := range append(e.runners[:len(e.runners):len(e.runners)], e.house) {
		for _, id := range r.orderIDs {
			o := e.orders[id]
			if o.Status.Terminal() || (e.haltPolicy == KeepExits && o.ParentID != "") {
				continue
			}
			if r == e.house && !o.Protective {
				continue // adopted from an earlier session's strategy that does not run here: left as it is
			}
			working++
		}
		if e.haltPolicy != KeepExits && r != e.house {
			for _, p := range r.positions {
				open += abs(p.net)
			}
		}
	}
	return working, open
}
