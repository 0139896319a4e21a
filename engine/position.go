package engine

import (
	"github.com/keeltrade/keel/strategy"
	"github.com/keeltrade/keel/venue"
	"github.com/shopspring/decimal"
)

// avgPlaces is the precision of a strategy position's AvgPrice.
const avgPlaces = 9

// position is one strategy's position in one contract: FIFO lots in a
// venue.Ledger, so realized PnL is exact with no averaging.
type position struct {
	contract *contract
	net      int64 // ledger.Net(), read by the runner
	fees     decimal.Decimal
	ledger   venue.Ledger
}

// applyFill updates the position with a fill, closing lots FIFO. A
// negative quantity trades the other side, as a venue.Transfer's does.
func (p *position) applyFill(f *venue.Fill) {
	p.fees = p.fees.Add(f.Fee)
	g := *f
	if g.Qty < 0 {
		g.Side, g.Qty = g.Side.Opposite(), -g.Qty
	}
	p.ledger.Fill(g)
	p.net = p.ledger.Net()
}

// avgPrice is the average entry of the open lots.
func (p *position) avgPrice() decimal.Decimal { return p.ledger.AvgPrice(avgPlaces) }

// unrealized values the open lots at the contract's mark price, in money.
func (p *position) unrealized() decimal.Decimal {
	mark, ok := p.contract.mark()
	if !ok || p.net == 0 {
		return decimal.Zero
	}
	return p.ledger.OpenPnL(mark).Mul(p.contract.inst.PointValue)
}

func (p *position) snapshot() strategy.Position {
	return strategy.Position{
		Symbol:     p.contract.inst.Symbol,
		Net:        p.net,
		AvgPrice:   p.avgPrice(),
		Realized:   p.ledger.RealizedPoints().Mul(p.contract.inst.PointValue),
		Unrealized: p.unrealized(),
		Fees:       p.fees,
	}
}
