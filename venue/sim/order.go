package sim

import (
	"github.com/keeltrade/keel/venue"
	"github.com/shopspring/decimal"
)

// order is the exchange's own copy of an order. Nothing in it points into
// the caller's venue.Order.
type order struct {
	// Hot fields first: the per-tick loop reads only these, so they share
	// a cache line.
	status    venue.OrderStatus // PendingNew until placed (bracket legs wait for the entry)
	side      venue.Side
	typ       venue.OrderType
	tif       venue.TimeInForce
	expire    int64 // GTD: when it expires (Unix ns)
	arrived   bool  // arrival processing (marketability, IOC/FOK, queue estimate) has run; a price or size change clears it
	triggered bool  // Stop, StopLimit, MIT: the trigger has fired
	// crossing: a marketable limit that took all displayed size and rests
	// at or through the opposite touch; it keeps taking the touch until
	// the touch moves beyond its limit.
	crossing bool
	pending  bool // a cancel or modify is on its way to the book
	// When the order may first execute: at market events with Time ≥ arrive
	// that are processed after the one during which it was placed
	// (event sequence ≥ minSeq).
	minSeq uint64
	arrive int64
	limit  venue.Price
	stop   venue.Price
	qty    int64 // total quantity, filled included
	filled int64
	queue  int64 // TouchWithQueue: displayed size ahead of us; -1 unknown

	id       string // client order id
	parentID string
	strategy string
	symbol   string
	tag      string
	venueID  int64
	bk       *book
	notional decimal.Decimal // Σ price × qty of fills, for the average price
	created  int64
	updated  int64

	grp    *group
	legIdx int // index in grp.legs; -1 for a bracket entry

	// Bar bookkeeping: the bar (event sequence) that last saw the order;
	// for bracket legs, the bar that placed them, the entry's fill price
	// and whether the entry filled at the open.
	barSeen  uint64
	bornSeq  uint64
	bornPx   venue.Price
	bornOpen bool

	intent    venue.OrderIntent // deep copy for snapshots (parent orders only)
	hasIntent bool
}

func (o *order) live() bool       { return o.status == venue.Working }
func (o *order) remaining() int64 { return o.qty - o.filled }

// marketLike reports whether the order executes as a market order now.
func (o *order) marketLike() bool {
	return o.typ == venue.Market || (o.triggered && (o.typ == venue.Stop || o.typ == venue.MIT))
}

// limitLike reports whether the order executes as a limit order now.
func (o *order) limitLike() bool {
	return o.typ == venue.Limit || (o.triggered && o.typ == venue.StopLimit)
}

// stopClass reports whether the order protects a position by trading with
// the move (Stop, StopLimit): what bar fills assume happens first.
func (o *order) stopClass() bool { return o.typ == venue.Stop || o.typ == venue.StopLimit }

func (o *order) immediate() bool { return o.tif == venue.IOC || o.tif == venue.FOK }

// snapshot returns the order as a venue.Order; it shares no memory with o.
func (o *order) snapshot() venue.Order {
	out := venue.Order{
		ClientID: o.id,
		Strategy: o.strategy,
		VenueID:  o.venueID,
		ParentID: o.parentID,
		Status:   o.status,
		Filled:   o.filled,
		Created:  o.created,
		Updated:  o.updated,
	}
	if o.bk != nil {
		out.Contract = o.bk.inst.ID
	}
	if o.hasIntent {
		out.Intent = o.intent
		if o.intent.Brackets != nil {
			out.Intent.Brackets = append([]venue.Leg(nil), o.intent.Brackets...)
		}
		if o.intent.OCO != nil {
			leg := *o.intent.OCO
			out.Intent.OCO = &leg
		}
	} else {
		out.Intent.Symbol = o.symbol
		out.Intent.Tag = o.tag
	}
	out.Intent.Side, out.Intent.Type, out.Intent.TIF, out.Intent.Expire = o.side, o.typ, o.tif, o.expire
	out.Intent.Qty, out.Intent.Limit, out.Intent.Stop = o.qty, o.limit, o.stop
	if o.filled > 0 {
		avg := o.notional.Div(decimal.NewFromInt(o.filled)).Round(9)
		if p, err := venue.PriceFromDecimal(avg); err == nil {
			out.AvgPrice = p
		}
	}
	return out
}
