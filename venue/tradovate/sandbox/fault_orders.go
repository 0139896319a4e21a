package sandbox

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/keeltrade/keel/venue"
)

// Order faults: rejections and partial fills. A synchronous rejection
// answers the request in a middleware before the order path runs; the
// others act on the new order from inside the order path (place calls
// placed; fills go through fillInChunks).

// isPlacement reports whether an endpoint places a new order.
func isPlacement(key string) bool {
	return key == "order/placeorder" || key == "order/placeoso" || key == "order/placeoco"
}

// installMiddleware wraps every handler with the fault middleware, once,
// when the first order fault or renewal mark needs it.
func (f *faultSet) installMiddleware() {
	f.install.Do(func() { f.srv.Use(f.middleware) })
}

func (f *faultSet) middleware(next Handler) Handler {
	return func(c *Call) {
		if f.calls.Load() > 0 {
			switch {
			case isPlacement(c.Key) && c.Env != nil:
				if a := f.takeOrderFault(c, FaultReject, true); a != nil {
					c.Reply(200, failure(a.RejectReason, a.Text))
					return
				}
			case c.Key == "auth/renewaccesstoken" && c.Session != nil && c.Conn != nil:
				if f.takeRenewFailure(c.Session) {
					c.Fail(401, textExpiredToken)
					return
				}
			}
		}
		next(c)
	}
}

// takeOrderFault uses up one firing of the first active fault of kind
// (sync rejections apart from the others) that matches the call, and
// returns the fault; nil if none fires.
func (f *faultSet) takeOrderFault(c *Call, kind FaultKind, sync bool) *Fault {
	if f.calls.Load() == 0 {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.prune(time.Now())
	for _, a := range f.active {
		if a.f.Kind != kind || a.f.Sync != sync || !a.f.Target.matchesCall(c) {
			continue
		}
		if a.fire() {
			ft := a.f
			return &ft
		}
	}
	return nil
}

// placed applies order faults to an order place has just created and
// answered: an injected rejection rejects it (and its linked orders) with
// a commandReport, reporting true; an injected partial fill marks it.
// Called with the environment's lock held.
func (f *faultSet) placed(c *Call, entry *orderState, linked []*orderState) bool {
	if f.calls.Load() == 0 {
		return false
	}
	e := c.Env
	if a := f.takeOrderFault(c, FaultReject, false); a != nil {
		e.reject(entry, entry.lastCmd, a.CommandStatus, a.RejectReason, a.Text)
		for _, l := range linked {
			e.reject(l, l.lastCmd, a.CommandStatus, "ParentRejected", "the entry order was rejected")
		}
		return true
	}
	if a := f.takeOrderFault(c, FaultPartialFill, false); a != nil {
		entry.fillChunk = a.Chunk
	}
	return false
}

// fillInChunks books an engine fill, split into chunks of the order's
// injected chunk size: one executionReport, fill, position and
// cashBalance frame per chunk, the order Filled only with the last.
// Fees are shared per contract; the last chunk takes any remainder so the
// total is exact. Called with e.mu held.
func (e *Env) fillInChunks(st *orderState, f venue.Fill, final bool) {
	k := st.fillChunk
	if k <= 0 || f.Qty <= k {
		e.filled(st, f, final)
		return
	}
	perLot := f.Fee.Div(decimal.NewFromInt(f.Qty))
	feeLeft := f.Fee
	for left := f.Qty; left > 0; {
		part := f
		part.Qty = min(k, left)
		left -= part.Qty
		part.Fee = perLot.Mul(decimal.NewFromInt(part.Qty))
		if left == 0 {
			part.Fee = feeLeft
		}
		feeLeft = feeLeft.Sub(part.Fee)
		e.filled(st, part, final && left == 0)
	}
}
