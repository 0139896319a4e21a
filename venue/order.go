package venue

import (
	"fmt"
	"strings"
)

// OrderType is how an order executes.
type OrderType uint8

// Order types, named as Tradovate names them.
const (
	Market OrderType = iota + 1
	Limit
	Stop      // stop-market
	StopLimit // stop that becomes a limit
	MIT       // market-if-touched
)

var orderTypeNames = [...]string{Market: "Market", Limit: "Limit", Stop: "Stop", StopLimit: "StopLimit", MIT: "MIT"}

// String returns the Tradovate name ("Market", "Limit", "Stop", "StopLimit", "MIT").
func (t OrderType) String() string {
	if int(t) < len(orderTypeNames) && orderTypeNames[t] != "" {
		return orderTypeNames[t]
	}
	return fmt.Sprintf("OrderType(%d)", uint8(t))
}

// NeedsLimit reports whether the type needs a limit price.
func (t OrderType) NeedsLimit() bool { return t == Limit || t == StopLimit }

// NeedsStop reports whether the type needs a trigger (stop) price.
func (t OrderType) NeedsStop() bool { return t == Stop || t == StopLimit || t == MIT }

// ParseOrderType accepts the Tradovate names in any case.
func ParseOrderType(s string) (OrderType, error) {
	for t, name := range orderTypeNames {
		if name != "" && strings.EqualFold(name, s) {
			return OrderType(t), nil
		}
	}
	return 0, fmt.Errorf("parse order type %q: want Market, Limit, Stop, StopLimit or MIT", s)
}

// TimeInForce says how long an order works.
type TimeInForce uint8

// Times in force. The zero value is Day.
const (
	Day TimeInForce = iota
	GTC             // good till cancelled
	IOC             // immediate or cancel: fill what can be filled now, cancel the rest
	FOK             // fill or kill: fill all now or nothing
	GTD             // good till OrderIntent.Expire
)

var tifNames = [...]string{Day: "Day", GTC: "GTC", IOC: "IOC", FOK: "FOK", GTD: "GTD"}

// String returns "Day", "GTC", "IOC", "FOK" or "GTD".
func (t TimeInForce) String() string {
	if int(t) < len(tifNames) {
		return tifNames[t]
	}
	return fmt.Sprintf("TimeInForce(%d)", uint8(t))
}

// Leg is one order of a bracket: a profit target or stop loss placed when
// the parent fills (OSO), or the other half of an OCO pair.
type Leg struct {
	// Side defaults to the opposite of the parent's side for OSO legs.
	Side  Side
	Type  OrderType
	Limit Price
	Stop  Price
	// Qty defaults to the parent's quantity.
	Qty int64
	// TIF, when set, is the leg's time in force. Unset, a bracket exit is
	// GTC — it protects the position for as long as the position is open,
	// not just for the entry's session — and an OCO partner works as long
	// as its order (see LinkedLeg). Use TIFOf to set it.
	TIF *TimeInForce
}

// TIFOf returns a pointer to t, for Leg.TIF.
func TIFOf(t TimeInForce) *TimeInForce { return &t }

// OrderIntent is what a strategy asks for. The engine validates it, assigns
// a deterministic client order id, passes it through the risk gate and only
// then hands it to a venue.
type OrderIntent struct {
	Symbol string
	Side   Side
	Qty    int64
	Type   OrderType
	Limit  Price // limit price, for Limit and StopLimit
	Stop   Price // trigger price, for Stop, StopLimit and MIT
	TIF    TimeInForce
	// Expire is when a GTD order expires (Unix ns); only for GTD.
	Expire int64
	// ReduceOnly refuses the order unless it reduces the strategy's
	// position without flipping it, counting its working orders on the
	// same side: it can never open or grow a position. It takes no
	// brackets.
	ReduceOnly bool
	Tag        string // free text for the strategy's own bookkeeping

	// Brackets are up to two exit orders (profit target, stop loss) placed
	// when this order fills, OSO style; two brackets are OCO-linked, so the
	// fill of one cancels the other.
	Brackets []Leg
	// OCO, when set, is placed together with this order as a one-cancels-other
	// pair; it may not be combined with Brackets.
	OCO *Leg
}

// IntentError is the reason an intent was refused before reaching any venue.
type IntentError struct {
	Symbol string
	Field  string
	Reason string
}

func (e *IntentError) Error() string {
	if e.Symbol == "" {
		return fmt.Sprintf("invalid order intent: %s: %s", e.Field, e.Reason)
	}
	return fmt.Sprintf("invalid order intent for %s: %s: %s", e.Symbol, e.Field, e.Reason)
}

// Validate checks the intent against the instrument it trades: positive
// quantity, a known side and type, the prices its type needs, every price on
// the tick grid, and well-formed brackets.
func (in *OrderIntent) Validate(inst Instrument) error {
	bad := func(field, format string, args ...any) error {
		return &IntentError{Symbol: in.Symbol, Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	if in.Symbol != inst.Symbol {
		return bad("symbol", "intent is for %q but instrument is %q", in.Symbol, inst.Symbol)
	}
	if in.Qty <= 0 {
		return bad("qty", "quantity %d must be positive", in.Qty)
	}
	if !in.Side.Valid() {
		return bad("side", "side must be Buy or Sell")
	}
	if in.TIF > GTD {
		return bad("tif", "unknown time in force %d", in.TIF)
	}
	switch {
	case in.TIF == GTD && in.Expire <= 0:
		return bad("expire", "a GTD order needs Expire, the time it expires")
	case in.TIF != GTD && in.Expire != 0:
		return bad("expire", "only a GTD order takes Expire (the order is %s)", in.TIF)
	}
	for i, leg := range in.legs() {
		if leg.TIF != nil && *leg.TIF > FOK {
			return bad(legField(in, i)+".tif", "a linked order is Day, GTC, IOC or FOK (got %s)", *leg.TIF)
		}
		if leg.TIF != nil && (*leg.TIF == IOC || *leg.TIF == FOK) && len(in.Brackets) > 0 {
			return bad(legField(in, i)+".tif", "a bracket exit waits for the market; it cannot be %s", *leg.TIF)
		}
	}
	if err := checkPrices("", in.Type, in.Limit, in.Stop, inst, bad); err != nil {
		return err
	}
	if in.ReduceOnly && (len(in.Brackets) > 0 || in.OCO != nil) {
		return bad("reduce_only", "a reduce-only order takes no brackets or OCO partner")
	}
	if len(in.Brackets) > 2 {
		return bad("brackets", "at most two bracket legs (target and stop), got %d", len(in.Brackets))
	}
	if len(in.Brackets) > 0 && in.OCO != nil {
		return bad("oco", "an order cannot have both brackets and an OCO partner")
	}
	for i, leg := range in.Brackets {
		field := fmt.Sprintf("brackets[%d]", i)
		if leg.Side != SideNone && leg.Side != in.Side.Opposite() {
			return bad(field+".side", "a bracket leg must be on the opposite side (%s)", in.Side.Opposite())
		}
		if leg.Qty < 0 || leg.Qty > in.Qty {
			return bad(field+".qty", "quantity %d must be between 1 and the parent's %d (0 means the parent's)", leg.Qty, in.Qty)
		}
		if err := checkPrices(field+".", leg.Type, leg.Limit, leg.Stop, inst, bad); err != nil {
			return err
		}
	}
	if in.OCO != nil {
		if !in.OCO.Side.Valid() {
			return bad("oco.side", "side must be Buy or Sell")
		}
		if in.OCO.Qty < 0 {
			return bad("oco.qty", "quantity %d must be positive (0 means the same as the order)", in.OCO.Qty)
		}
		if err := checkPrices("oco.", in.OCO.Type, in.OCO.Limit, in.OCO.Stop, inst, bad); err != nil {
			return err
		}
	}
	return nil
}

// legs returns the intent's linked legs: its brackets, or its OCO partner.
func (in *OrderIntent) legs() []Leg {
	if in.OCO != nil {
		return []Leg{*in.OCO}
	}
	return in.Brackets
}

func legField(in *OrderIntent, i int) string {
	if in.OCO != nil {
		return "oco"
	}
	return fmt.Sprintf("brackets[%d]", i)
}

func checkPrices(prefix string, t OrderType, limit, stop Price, inst Instrument, bad func(string, string, ...any) error) error {
	if t < Market || t > MIT {
		return bad(prefix+"type", "unknown order type %d", t)
	}
	if t.NeedsLimit() {
		if limit <= 0 {
			return bad(prefix+"limit", "%s order needs a positive limit price", t)
		}
		if !limit.OnGrid(inst.TickSize) {
			return bad(prefix+"limit", "limit price %s is not on the %s tick grid", limit, inst.TickSize)
		}
	} else if limit != 0 {
		return bad(prefix+"limit", "%s order takes no limit price (got %s)", t, limit)
	}
	if t.NeedsStop() {
		if stop <= 0 {
			return bad(prefix+"stop", "%s order needs a positive stop price", t)
		}
		if !stop.OnGrid(inst.TickSize) {
			return bad(prefix+"stop", "stop price %s is not on the %s tick grid", stop, inst.TickSize)
		}
	} else if stop != 0 {
		return bad(prefix+"stop", "%s order takes no stop price (got %s)", t, stop)
	}
	return nil
}

// OrderStatus is where an order stands as far as keel knows.
type OrderStatus uint8

// Order statuses. Unknown is its own state: an order sent and then lost to
// a timeout or disconnect is never assumed rejected; reconciliation resolves it.
const (
	PendingNew OrderStatus = iota + 1 // sent, not yet acknowledged
	Working                           // accepted and resting (possibly partially filled)
	Filled
	Cancelled
	Rejected
	Expired
	Unknown
)

var statusNames = [...]string{PendingNew: "PendingNew", Working: "Working", Filled: "Filled", Cancelled: "Cancelled", Rejected: "Rejected", Expired: "Expired", Unknown: "Unknown"}

// String returns the status name.
func (s OrderStatus) String() string {
	if int(s) < len(statusNames) && statusNames[s] != "" {
		return statusNames[s]
	}
	return fmt.Sprintf("OrderStatus(%d)", uint8(s))
}

// Terminal reports whether no further fills can happen.
func (s OrderStatus) Terminal() bool {
	return s == Filled || s == Cancelled || s == Rejected || s == Expired
}

// Order is an order keel has sent: the intent plus its identity and state.
type Order struct {
	ClientID string     // deterministic client order id, assigned before sending
	Strategy string     // name of the strategy instance that asked for it
	VenueID  int64      // the venue's order id once known (0 before)
	Contract ContractID // resolved contract
	Intent   OrderIntent
	// ParentID is the client id of the parent for bracket legs and OCO partners.
	ParentID string
	Status   OrderStatus
	Filled   int64 // contracts filled so far
	AvgPrice Price // average fill price, rounded to the nearest nano-unit
	Created  int64 // clock time when submitted, Unix ns
	Updated  int64 // clock time of the last change, Unix ns
	// Protective marks an order keel itself sent to reduce risk (a
	// kill-switch, loss-breach, before-the-close or failed-strategy
	// flatten, or an operator's flatten). The risk gate judges such orders
	// only on reducing the account's real exposure and on the tick grid,
	// and keel resends them until the position is flat.
	Protective bool
}

// Clone returns a deep copy of o: its brackets and OCO partner are copied
// too, so the copy shares nothing with o.
func (o *Order) Clone() Order {
	c := *o
	c.Intent = o.Intent.Clone()
	return c
}

// Clone returns a deep copy of the intent (brackets and OCO partner copied).
func (in OrderIntent) Clone() OrderIntent {
	if len(in.Brackets) > 0 {
		legs := make([]Leg, len(in.Brackets))
		for i, l := range in.Brackets {
			legs[i] = l.clone()
		}
		in.Brackets = legs
	} else {
		in.Brackets = nil
	}
	if in.OCO != nil {
		l := in.OCO.clone()
		in.OCO = &l
	}
	return in
}

func (l Leg) clone() Leg {
	if l.TIF != nil {
		l.TIF = TIFOf(*l.TIF)
	}
	return l
}

// Remaining returns the quantity still working.
func (o *Order) Remaining() int64 { return o.Intent.Qty - o.Filled }
