package venue

// EventSink receives a venue's events. A venue calls it from its own
// goroutine (or, for an InLoop venue, from the engine's).
type EventSink func(Event)

// Venue is where orders go: the simulator, the Tradovate adapter, or the
// adapter pointed at the local sandbox. Calls are made from the engine's
// goroutine. Submit, Cancel and Modify return once the request is handed
// over; outcomes arrive as events. An error from Submit means the order
// was certainly not sent; once sent, a lost outcome is EventUnknown, never
// an error.
type Venue interface {
	// Start binds the sink that receives every event; called once, before
	// any other call.
	Start(sink EventSink) error
	// Submit sends a new order. The order's ClientID is set and unique. o
	// is the venue's own deep copy (see Order.Clone): keel keeps mutating
	// its record of the order, so a venue that works on another goroutine
	// must use what it was given, never a pointer into keel's books.
	Submit(o Order) error
	// Cancel asks the venue to cancel a working order.
	Cancel(clientID string) error
	// Modify asks the venue to change a working order.
	Modify(clientID string, m Modify) error
	// Close releases the venue's resources; working orders are left as they are.
	Close() error
}

// InLoop is a Venue that runs on the engine's goroutine, such as the
// simulator: the engine shows it every tick before strategies see the tick,
// and it reports events by calling the sink synchronously.
type InLoop interface {
	Venue
	OnTick(t *Tick)
}

// BarMatcher is implemented by in-loop venues that can also match orders
// against bars, for backtests on bar data. The engine calls OnBar with each
// data bar before strategies see anything derived from it.
type BarMatcher interface {
	OnBar(b *Bar)
}
