// Package venuetest provides test doubles for venue.Venue.
package venuetest

import (
	"fmt"

	"github.com/keeltrade/keel/venue"
)

// Recorder is an in-loop venue for tests. It records every request,
// accepts every order at once, and fills market orders in full at the next
// trade it sees (no slippage, no fees). Limit and stop orders rest until
// cancelled. It is a test double, not a simulator: use venue/sim for
// anything that measures a strategy.
type Recorder struct {
	sink     venue.EventSink
	Orders   []venue.Order // every submitted order, as submitted
	Cancels  []string
	Modifies []string
	working  []venue.Order // market orders awaiting a trade
	resting  map[string]bool
	fillID   int64
	orderID  int64
	now      int64
	// FailSubmit, when set, makes Submit return it (the order was not sent).
	FailSubmit error
}

var _ venue.InLoop = (*Recorder)(nil)

// Start implements venue.Venue.
func (r *Recorder) Start(sink venue.EventSink) error {
	r.sink = sink
	r.resting = map[string]bool{}
	return nil
}

// Submit implements venue.Venue.
func (r *Recorder) Submit(o venue.Order) error {
	if r.FailSubmit != nil {
		return r.FailSubmit
	}
	r.Orders = append(r.Orders, o)
	r.orderID++
	r.sink(venue.Event{Kind: venue.EventAccepted, Time: r.now, ClientID: o.ClientID, VenueID: r.orderID, Contract: o.Contract})
	if o.Intent.Type == venue.Market {
		r.working = append(r.working, o)
	} else {
		r.resting[o.ClientID] = true
	}
	return nil
}

// Cancel implements venue.Venue.
func (r *Recorder) Cancel(clientID string) error {
	r.Cancels = append(r.Cancels, clientID)
	if !r.resting[clientID] {
		r.sink(venue.Event{Kind: venue.EventCancelRejected, Time: r.now, ClientID: clientID, Reason: "UnknownOrder", Text: fmt.Sprintf("no working order %s", clientID)})
		return nil
	}
	delete(r.resting, clientID)
	r.sink(venue.Event{Kind: venue.EventCancelled, Time: r.now, ClientID: clientID})
	return nil
}

// Modify implements venue.Venue.
func (r *Recorder) Modify(clientID string, m venue.Modify) error {
	r.Modifies = append(r.Modifies, clientID)
	r.sink(venue.Event{Kind: venue.EventModified, Time: r.now, ClientID: clientID, Modify: m})
	return nil
}

// Close implements venue.Venue.
func (r *Recorder) Close() error { return nil }

// OnTick implements venue.InLoop: pending market orders fill at a trade.
func (r *Recorder) OnTick(t *venue.Tick) {
	r.now = t.Time
	if t.Flags&venue.HasTrade == 0 || len(r.working) == 0 {
		return
	}
	keep := r.working[:0]
	for _, o := range r.working {
		if o.Contract != t.Contract {
			keep = append(keep, o)
			continue
		}
		r.fillID++
		r.sink(venue.Event{
			Kind: venue.EventFilled, Time: t.Time, ClientID: o.ClientID, Contract: o.Contract, Final: true,
			Fill: venue.Fill{ID: r.fillID, ClientID: o.ClientID, Contract: o.Contract, Side: o.Intent.Side, Qty: o.Intent.Qty, Price: t.Price, Time: t.Time},
		})
	}
	r.working = keep
}
