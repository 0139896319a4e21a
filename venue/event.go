package venue

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// Fill is one execution of an order.
type Fill struct {
	ID       int64  // venue's fill id (unique per venue)
	ClientID string // client order id of the filled order
	VenueID  int64  // venue's order id
	Contract ContractID
	Side     Side
	Qty      int64
	Price    Price
	Time     int64           // execution time, Unix ns
	Fee      decimal.Decimal // total fees charged for this fill (exchange + clearing + broker)
}

// Position is the net position in one contract as a venue reports it.
type Position struct {
	Contract ContractID
	Net      int64           // positive long, negative short
	AvgPrice decimal.Decimal // average entry price of the open position (0 when flat)
	Realized decimal.Decimal // realized PnL in money since the start of the session
}

// Account is an account-level update (cash balance and PnL) from a venue.
type Account struct {
	ID          int64
	Balance     decimal.Decimal
	RealizedPnL decimal.Decimal
	OpenPnL     decimal.Decimal
}

// Modify changes a working order. Zero fields are left as they are.
type Modify struct {
	Qty   int64
	Limit Price
	Stop  Price
}

// EventKind says what an Event reports.
type EventKind uint8

// Event kinds. Every order outcome is one of Accepted, Rejected, Denied
// (refused locally by the risk gate) or Unknown (sent, then lost to a timeout
// or disconnect; to be reconciled, never assumed rejected).
const (
	EventAccepted       EventKind = iota + 1 // the venue accepted the order; it works
	EventRejected                            // the venue refused it; Reason/Text say why
	EventDenied                              // keel's risk gate refused it before sending
	EventUnknown                             // the outcome of a sent order is unknown
	EventFilled                              // a fill, partial or complete; see Fill and Final
	EventCancelled                           // the order was cancelled (by request, OCO or TIF)
	EventModified                            // a modify took effect; see Modify
	EventCancelRejected                      // a cancel request was refused
	EventModifyRejected                      // a modify request was refused
	EventExpired                             // the order expired (Day session end, IOC/FOK remainder)
	EventPosition                            // a position update; see Position
	EventAccount                             // an account update; see Account
	// EventUnprotected says a position is open without the protection keel
	// meant it to have: a bracket exit (stop or target) was cancelled or
	// expired while its position is still open, or a protective order (a
	// flatten) failed and will be retried. Reason says which; Text says
	// what happens next. It changes no order state.
	EventUnprotected
	// EventConnection reports a change of a venue connection's state:
	// Reason is the connection and its new state ("trading Connected",
	// "md Disconnected"), Text why it left, if it did. It changes no
	// order state; journals, metrics and health checks read it.
	EventConnection
)

// ReasonNotSent is the Reason of the Local rejection of a request that
// never left keel (Venue.Submit or Venue.Modify returned an error).
const ReasonNotSent = "NotSent"

// Reasons of EventUnprotected.
const (
	ReasonExitCancelled = "exit-cancelled" // a bracket exit was cancelled; the position is open
	ReasonExitExpired   = "exit-expired"   // a bracket exit expired; the position is open
	ReasonFlattenRetry  = "flatten-retry"  // a protective order did not complete; it will be sent again
	ReasonExitsRolled   = "exits-rolled"   // a roll cancelled the old month's exits; the new month's position has none
)

var eventNames = [...]string{
	EventAccepted: "Accepted", EventRejected: "Rejected", EventDenied: "Denied", EventUnknown: "Unknown",
	EventFilled: "Filled", EventCancelled: "Cancelled", EventModified: "Modified",
	EventCancelRejected: "CancelRejected", EventModifyRejected: "ModifyRejected", EventExpired: "Expired",
	EventPosition: "Position", EventAccount: "Account", EventUnprotected: "Unprotected", EventConnection: "Connection",
}

// String returns the kind's name.
func (k EventKind) String() string {
	if int(k) < len(eventNames) && eventNames[k] != "" {
		return eventNames[k]
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// Event is what a venue (or the risk gate) reports back to the engine. Only
// the fields that belong to Kind are set.
type Event struct {
	Kind     EventKind
	Time     int64 // venue time of the event, Unix ns
	ClientID string
	VenueID  int64
	Contract ContractID
	// Reason is a machine-readable cause: Tradovate's rejectReason
	// (e.g. "SessionClosed") or the risk rule's name.
	Reason string
	// Text is the human-readable explanation.
	Text string
	// Qty is the order's total quantity as the venue now has it, on
	// EventAccepted and EventModified (0 when the venue does not say). A
	// bracket exit placed against a partial entry fill is smaller than its
	// leg asked for; this is how keel learns its real size.
	Qty int64
	// Local marks an event keel raised itself rather than the venue — the
	// risk gate's refusal, a request that was never sent — for a call
	// that already returned it as its error. The order state, the gate and
	// observers see it; the strategy does not get it again in OnOrder.
	Local    bool
	Fill     Fill     // EventFilled
	Final    bool     // EventFilled: the order is now completely filled
	Modify   Modify   // EventModified
	Position Position // EventPosition
	Account  Account  // EventAccount
}

// String gives a one-line description for logs.
func (e Event) String() string {
	switch e.Kind {
	case EventFilled:
		return fmt.Sprintf("%s %s %s %d @ %s", e.Kind, e.ClientID, e.Fill.Side, e.Fill.Qty, e.Fill.Price)
	case EventRejected, EventDenied, EventCancelRejected, EventModifyRejected, EventUnprotected:
		return fmt.Sprintf("%s %s: %s: %s", e.Kind, e.ClientID, e.Reason, e.Text)
	default:
		return fmt.Sprintf("%s %s", e.Kind, e.ClientID)
	}
}

// Transfer is a position moved between two strategies inside keel, with no
// order at any venue: when keel flattens an account whose strategies hold
// opposite positions in a contract, the opposite parts are crossed against
// each other at the contract's mark and only the net goes to the venue.
// The account's position does not change; From sells Qty to To (a negative
// Qty buys) at Price. An empty From hands To a part of the account's
// position that no strategy held (keel's house book adopting what the
// venue reports).
type Transfer struct {
	Time     int64 // Unix ns
	Contract ContractID
	From, To string // strategy instance names
	Qty      int64
	Price    Price
	Reason   string
}
