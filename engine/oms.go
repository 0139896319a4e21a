package engine

import (
	"github.com/keeltrade/keel/venue"
	"github.com/shopspring/decimal"
)

// applyEvent updates an order's state from one of its events.
func applyEvent(o *venue.Order, e *venue.Event) {
	o.Updated = e.Time
	if e.VenueID != 0 {
		o.VenueID = e.VenueID
	}
	switch e.Kind {
	case venue.EventAccepted:
		if o.Status == venue.PendingNew || o.Status == venue.Unknown {
			o.Status = venue.Working
		}
		if e.Qty > 0 {
			// The venue's size: a bracket exit placed against a partial
			// entry fill is smaller than its leg.
			o.Intent.Qty = e.Qty
		}
	case venue.EventRejected, venue.EventDenied:
		o.Status = venue.Rejected
	case venue.EventUnknown:
		if !o.Status.Terminal() {
			o.Status = venue.Unknown
		}
	case venue.EventFilled:
		filled := o.Filled + e.Fill.Qty
		// Average fill price, rounded to the nearest nano-unit.
		total := o.AvgPrice.Mul(o.Filled).Add(e.Fill.Price.Mul(e.Fill.Qty))
		if avg, err := venue.PriceFromDecimal(total.DivRound(decimal.NewFromInt(filled), 9)); err == nil {
			o.AvgPrice = avg
		}
		o.Filled = filled
		switch {
		case e.Final || o.Filled >= o.Intent.Qty:
			o.Status = venue.Filled
		case !o.Status.Terminal():
			// A fill that crossed a cancel leaves the order cancelled.
			o.Status = venue.Working
		}
	case venue.EventCancelled:
		o.Status = venue.Cancelled
	case venue.EventExpired:
		o.Status = venue.Expired
	case venue.EventModified:
		if e.Modify.Qty > 0 {
			o.Intent.Qty = e.Modify.Qty
		} else if e.Qty > 0 {
			o.Intent.Qty = e.Qty
		}
		if e.Modify.Limit != 0 {
			o.Intent.Limit = e.Modify.Limit
		}
		if e.Modify.Stop != 0 {
			o.Intent.Stop = e.Modify.Stop
		}
	}
}
