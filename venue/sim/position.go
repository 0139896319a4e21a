package sim

import (
	"github.com/keeltrade/keel/venue"
	"github.com/shopspring/decimal"
)

// avgPlaces is the precision of AvgPrice in position events (that of
// decimal's Div, which the simulator used before the ledger).
const avgPlaces = 16

// position is a net position kept as FIFO lots in a venue.Ledger, the way
// Tradovate pairs fills (fillPair): a closing fill is matched against the
// oldest open lots, so realized PnL is exact and needs no rounded average.
type position struct {
	ledger   venue.Ledger
	net      int64           // ledger.Net()
	realized decimal.Decimal // money, fees excluded: the ledger's realized points × pv
	pv       decimal.Decimal // point value
	traded   bool
}

// lot is an open lot as the invariant checks see it.
type lot struct {
	px  venue.Price
	qty int64 // positive
}

// apply books a fill of qty contracts at px.
func (p *position) apply(side venue.Side, qty int64, px venue.Price) {
	p.traded = true
	closes := p.net != 0 && (p.net > 0) != (side == venue.Buy)
	p.ledger.Fill(venue.Fill{Side: side, Qty: qty, Price: px})
	p.net = p.ledger.Net()
	if closes {
		p.realized = p.ledger.RealizedPoints().Mul(p.pv)
	}
}

// lots yields the open lots, oldest first.
func (p *position) lots(yield func(int, lot) bool) {
	i := 0
	for l := range p.ledger.Lots() {
		if !yield(i, lot{px: l.Price, qty: l.Qty}) {
			return
		}
		i++
	}
}

// avgPrice is the quantity-weighted average price of the open lots (0 when
// flat), rounded to avgPlaces decimal places when it does not terminate.
func (p *position) avgPrice() decimal.Decimal { return p.ledger.AvgPrice(avgPlaces) }

func (p *position) snapshot(c venue.ContractID) venue.Position {
	return venue.Position{Contract: c, Net: p.net, AvgPrice: p.avgPrice(), Realized: p.realized}
}
