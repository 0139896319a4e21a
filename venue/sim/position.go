package sim

import (
	"github.com/keeltrade/keel/venue"
	"github.com/shopspring/decimal"
)

// position is a net position kept as FIFO lots, the way Tradovate pairs
// fills (fillPair): a closing fill is matched against the oldest open lots,
// so realized PnL is exact and needs no rounded average.
type position struct {
	lots     []lot // open lots, oldest first, all on the side of net
	net      int64
	realized decimal.Decimal // money, fees excluded
	pv       decimal.Decimal // point value
	traded   bool
}

type lot struct {
	px  venue.Price
	qty int64 // positive
}

// apply books a fill of qty contracts at px.
func (p *position) apply(side venue.Side, qty int64, px venue.Price) {
	sign := side.Sign()
	p.traded = true
	for qty > 0 && len(p.lots) > 0 && p.net*sign < 0 {
		l := &p.lots[0]
		q := min(qty, l.qty)
		// Closing a long with a sell earns px − entry; closing a short with a
		// buy earns entry − px.
		diff := px.Decimal().Sub(l.px.Decimal())
		if sign > 0 {
			diff = diff.Neg()
		}
		p.realized = p.realized.Add(diff.Mul(decimal.NewFromInt(q)).Mul(p.pv))
		l.qty -= q
		qty -= q
		p.net += sign * q
		if l.qty == 0 {
			p.lots = p.lots[1:]
		}
	}
	if qty > 0 {
		p.lots = append(p.lots, lot{px: px, qty: qty})
		p.net += sign * qty
	}
	if len(p.lots) == 0 {
		p.lots = nil
	}
}

// avgPrice is the quantity-weighted average price of the open lots (0 when
// flat), rounded to 16 decimal places when it does not terminate.
func (p *position) avgPrice() decimal.Decimal {
	if p.net == 0 {
		return decimal.Zero
	}
	var sum decimal.Decimal
	var n int64
	for _, l := range p.lots {
		sum = sum.Add(l.px.Mul(l.qty))
		n += l.qty
	}
	return sum.Div(decimal.NewFromInt(n))
}

func (p *position) snapshot(c venue.ContractID) venue.Position {
	return venue.Position{Contract: c, Net: p.net, AvgPrice: p.avgPrice(), Realized: p.realized}
}
