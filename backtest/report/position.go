package report

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/keeltrade/keel/venue"
)

// position is the open lots of one contract, in a venue.Ledger.
type position struct {
	inst   venue.Instrument
	net    int64 // ledger.Net(): positive long
	ledger venue.Ledger
	closes []venue.Close // scratch for fill
}

// feePlaces is the precision of prorated fees (the ledger's) and of money
// averages.
const feePlaces = venue.FeeSharePlaces

// fill applies f to the position: it closes open lots of the other side
// oldest first, appending one Trade per lot it closes (wholly or partly) to
// trades, and opens a lot with what remains. It returns the trades and the
// gross PnL realized.
func (p *position) fill(f venue.Fill, trades []Trade) ([]Trade, decimal.Decimal) {
	p.closes = p.ledger.AppendFill(p.closes[:0], f)
	p.net = p.ledger.Net()
	realized := decimal.Zero
	for i := range p.closes {
		c := &p.closes[i]
		gross := c.Points().Mul(p.inst.PointValue)
		fees := c.EntryFee.Add(c.ExitFee)
		trades = append(trades, Trade{
			Contract:   p.inst.ID,
			Symbol:     p.inst.Symbol,
			Side:       c.Side,
			Qty:        c.Qty,
			EntryTime:  utc(c.EntryTime),
			EntryPrice: c.EntryPrice,
			ExitTime:   utc(c.ExitTime),
			ExitPrice:  c.ExitPrice,
			GrossPnL:   gross,
			EntryFee:   c.EntryFee,
			ExitFee:    c.ExitFee,
			Fees:       fees,
			NetPnL:     gross.Sub(fees),
			Duration:   time.Duration(c.ExitTime - c.EntryTime),
		})
		realized = realized.Add(gross)
	}
	return trades, realized
}

// basis returns Σ signed qty × entry price over the open lots, in points.
func (p *position) basis() decimal.Decimal { return p.ledger.Basis() }

// openPnL returns the mark-to-market value of the open lots at mark.
func (p *position) openPnL(mark venue.Price) decimal.Decimal {
	if p.net == 0 {
		return decimal.Zero
	}
	return p.ledger.OpenPnL(mark).Mul(p.inst.PointValue)
}

// avgPrice returns the quantity-weighted entry price of the open lots,
// rounded to feePlaces, or zero when flat.
func (p *position) avgPrice() decimal.Decimal { return p.ledger.AvgPrice(feePlaces) }

func utc(ns int64) time.Time { return time.Unix(0, ns).UTC() }
