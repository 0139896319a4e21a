package tradovate

import (
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// placeBody builds the request for an order: order/placeorder, placeoso
// (brackets) or placeoco (an OCO partner). The symbol is the contract's
// name (MESZ6), never its id; accountSpec and accountId come from
// account/list; isAutomated is always true (exchange rule for program
// orders); clOrdId is keel's client order id, and every linked order gets
// its own (venue.BracketIDs, "/oco"), so the venue's records name them.
func (a *Adapter) placeBody(o venue.Order) (string, any, error) {
	in := &o.Intent
	if o.ClientID == "" {
		return "", nil, fmt.Errorf("tradovate: submit: no client order id")
	}
	longest := len(o.ClientID)
	if in.OCO != nil || len(in.Brackets) > 0 {
		longest += len(venue.OCOSuffix) // the linked orders' ids: "/oco", "/tp", "/sl", "/1"
	}
	if longest > 64 {
		return "", nil, fmt.Errorf("tradovate: submit %s: client order id (with its linked orders' suffix) longer than Tradovate's 64 characters", o.ClientID)
	}
	if in.Symbol == "" {
		return "", nil, fmt.Errorf("tradovate: submit %s: no symbol", o.ClientID)
	}
	if a.acct == nil {
		return "", nil, fmt.Errorf("tradovate: submit %s: %w", o.ClientID, ErrNotConnected)
	}
	tif, err := tifName(in.TIF)
	if err != nil {
		return "", nil, fmt.Errorf("tradovate: submit %s: %w", o.ClientID, err)
	}
	base := wire.PlaceOrder{
		AccountSpec: a.acct.spec, AccountID: a.acct.id, ClOrdID: o.ClientID,
		Action: actionOf(in.Side), Symbol: in.Symbol, OrderQty: in.Qty, OrderType: in.Type.String(),
		TimeInForce: tif, IsAutomated: true, Text: in.Tag,
	}
	if in.TIF == venue.GTD {
		base.ExpireTime = wire.TimeOf(time.Unix(0, in.Expire).UTC())
	}
	base.Text = truncate(base.Text, 64)
	base.Price, base.StopPrice = prices(in.Type, in.Limit, in.Stop)
	switch {
	case in.OCO != nil:
		id := o.ClientID + venue.OCOSuffix
		leg, _ := in.LinkedLeg(o.ClientID, id)
		if leg.Qty != in.Qty {
			return "", nil, fmt.Errorf("tradovate: submit %s: an OCO partner has the order's quantity on Tradovate (placeOCO); got %d and %d", o.ClientID, in.Qty, leg.Qty)
		}
		other, err := restrained(id, leg, base.ExpireTime)
		if err != nil {
			return "", nil, fmt.Errorf("tradovate: submit %s: %w", o.ClientID, err)
		}
		return "order/placeoco", &wire.PlaceOCO{PlaceOrder: base, Other: other}, nil
	case len(in.Brackets) > 0:
		body := &wire.PlaceOSO{PlaceOrder: base}
		for i, id := range venue.BracketIDs(o.ClientID, in.Brackets) {
			leg, _ := in.LinkedLeg(o.ClientID, id)
			if leg.Qty != in.Qty {
				return "", nil, fmt.Errorf("tradovate: submit %s: a bracket exit has the entry's quantity on Tradovate (placeOSO); leg %d asks %d of %d", o.ClientID, i, leg.Qty, in.Qty)
			}
			r, err := restrained(id, leg, base.ExpireTime)
			if err != nil {
				return "", nil, fmt.Errorf("tradovate: submit %s: %w", o.ClientID, err)
			}
			if i == 0 {
				body.Bracket1 = r
			} else {
				body.Bracket2 = r
			}
		}
		return "order/placeoso", body, nil
	}
	return "order/placeorder", &base, nil
}

func restrained(id string, leg venue.Leg, expire wire.Time) (*wire.RestrainedOrderVersion, error) {
	tif, err := tifName(*leg.TIF)
	if err != nil {
		return nil, err
	}
	r := &wire.RestrainedOrderVersion{Action: actionOf(leg.Side), ClOrdID: id, OrderType: leg.Type.String(), TimeInForce: tif}
	if *leg.TIF == venue.GTD {
		r.ExpireTime = expire
	}
	r.Price, r.StopPrice = prices(leg.Type, leg.Limit, leg.Stop)
	return r, nil
}

// prices returns the price and stopPrice fields an order type takes:
// price for Limit and StopLimit (the limit) and for MIT (its trigger, which
// keel keeps in Stop), stopPrice for Stop and StopLimit.
func prices(t venue.OrderType, limit, stop venue.Price) (price, stopPrice *venue.Price) {
	switch t {
	case venue.Limit:
		price = &limit
	case venue.StopLimit:
		price, stopPrice = &limit, &stop
	case venue.Stop:
		stopPrice = &stop
	case venue.MIT:
		price = &stop
	}
	return price, stopPrice
}

func tifName(t venue.TimeInForce) (string, error) {
	switch t {
	case venue.Day:
		return wire.TIFDay, nil
	case venue.GTC:
		return wire.TIFGTC, nil
	case venue.IOC:
		return wire.TIFIOC, nil
	case venue.FOK:
		return wire.TIFFOK, nil
	case venue.GTD:
		return wire.TIFGTD, nil
	}
	return "", fmt.Errorf("time in force %s has no Tradovate equivalent", t)
}

// truncate cuts s to at most n bytes on a character boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// encodeBody appends a request body's JSON to buf: a plain order through
// wire.AppendPlaceOrder (the hot path, no allocation), anything else
// through encoding/json.
func encodeBody(buf []byte, body any) ([]byte, error) {
	if p, ok := body.(*wire.PlaceOrder); ok {
		return wire.AppendPlaceOrder(buf, p), nil
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return buf, err
	}
	return append(buf, raw...), nil
}
