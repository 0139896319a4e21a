package risk

import (
	"fmt"

	"github.com/keeltrade/keel/venue"
)

// Request is one intent on its way out, with what the gate needs to judge it.
// The gate may keep ClientID and Strategy (strings are immutable) but not
// the pointers.
type Request struct {
	Now        int64 // engine clock, Unix ns
	Strategy   string
	ClientID   string
	Instrument venue.Instrument
	Intent     *venue.OrderIntent
	// Protect marks an order keel itself sends to reduce risk, and who
	// asked for it; such orders are judged apart (see protect.go).
	Protect Protection
}

// Denied is a gate's refusal: which rule, its limit and what was observed.
type Denied struct {
	Rule     string // rule name, e.g. "max-position"
	Limit    string // the configured limit, as text
	Observed string // the value that breached it, as text
	Text     string // a sentence a trader can act on
}

// Error implements error.
func (d *Denied) Error() string {
	if d.Limit == "" && d.Observed == "" {
		return fmt.Sprintf("risk: %s: %s", d.Rule, d.Text)
	}
	return fmt.Sprintf("risk: %s: %s (limit %s, observed %s)", d.Rule, d.Text, d.Limit, d.Observed)
}

// Gate decides on every intent, synchronously, on the engine goroutine.
// Check returns nil to allow. *Guard (see New) is keel's implementation.
type Gate interface {
	Check(req *Request) *Denied
}

// EventObserver is implemented by gates that keep state from order events
// (fills, positions, account updates); the engine calls it for every event
// before strategies see it, including the Denied events of the gate's own
// refusals.
type EventObserver interface {
	ObserveEvent(e *venue.Event)
}

// TickObserver is implemented by gates that track prices; the engine calls it
// for every tick before strategies see it.
type TickObserver interface {
	ObserveTick(t *venue.Tick)
}

// TransferObserver is implemented by gates that keep per-strategy
// positions; the engine calls it when it moves a position between two
// strategies without an order (see venue.Transfer).
type TransferObserver interface {
	ObserveTransfer(t *venue.Transfer)
}

// AllowAll is a Gate that allows everything; the engine uses it when no gate
// is configured.
type AllowAll struct{}

// Check implements Gate.
func (AllowAll) Check(*Request) *Denied { return nil }

// Actor is implemented by gates that need the engine to act for them
// (cancel working orders, flatten positions). The engine polls Actions after
// every event and tick and executes what it returns; flatten orders go
// through Check like any other intent. Actions must not allocate when
// nothing is pending.
type Actor interface {
	Actions() []Action
}
