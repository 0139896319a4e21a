package engine

import (
	"github.com/keeltrade/keel/strategy"
	"github.com/keeltrade/keel/venue"
	"github.com/shopspring/decimal"
)

// lot is an open part of a position at one entry price; positions close
// first-in first-out, so realized PnL is exact with no averaging.
type lot struct {
	qty   int64 // signed: positive long
	price venue.Price
}

// position is one strategy's position in one contract.
type position struct {
	contract *contract
	net      int64
	lots     []lot
	realized decimal.Decimal // in points × contracts; times point value on read
	fees     decimal.Decimal
}

// applyFill updates the position with a fill, closing lots FIFO.
func (p *position) applyFill(f *venue.Fill) {
	qty := f.Side.Sign() * f.Qty
	p.fees = p.fees.Add(f.Fee)
	for qty != 0 && len(p.lots) > 0 && (p.lots[0].qty > 0) != (qty > 0) {
		l := &p.lots[0]
		closing := min(abs(qty), abs(l.qty))
		// Long lot closed by a sell: (exit − entry) × q; short lot: (entry − exit) × q.
		diff := f.Price - l.price
		if l.qty < 0 {
			diff = -diff
		}
		p.realized = p.realized.Add(diff.Mul(closing))
		if l.qty > 0 {
			l.qty -= closing
			qty += closing
		} else {
			l.qty += closing
			qty -= closing
		}
		if l.qty == 0 {
			p.lots = p.lots[1:]
		}
	}
	if qty != 0 {
		p.lots = append(p.lots, lot{qty: qty, price: f.Price})
	}
	p.net += f.Side.Sign() * f.Qty
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// avgPrice is the average entry of the open lots.
func (p *position) avgPrice() decimal.Decimal {
	if p.net == 0 {
		return decimal.Zero
	}
	var cost decimal.Decimal
	for _, l := range p.lots {
		cost = cost.Add(l.price.Mul(l.qty))
	}
	return cost.DivRound(decimal.NewFromInt(p.net), 9)
}

// unrealized values the open lots at the contract's mark price, in money.
func (p *position) unrealized() decimal.Decimal {
	mark, ok := p.contract.mark()
	if !ok || p.net == 0 {
		return decimal.Zero
	}
	var pts decimal.Decimal
	for _, l := range p.lots {
		pts = pts.Add((mark - l.price).Mul(l.qty))
	}
	return pts.Mul(p.contract.inst.PointValue)
}

func (p *position) snapshot() strategy.Position {
	return strategy.Position{
		Symbol:     p.contract.inst.Symbol,
		Net:        p.net,
		AvgPrice:   p.avgPrice(),
		Realized:   p.realized.Mul(p.contract.inst.PointValue),
		Unrealized: p.unrealized(),
		Fees:       p.fees,
	}
}
