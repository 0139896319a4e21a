package report

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/keeltrade/keel/venue"
)

// position is the open lots of one contract, oldest first.
type position struct {
	inst venue.Instrument
	net  int64 // signed: positive long
	lots []lot // lots[head:] are open; all on the same side
	head int
}

// lot is the open remainder of one opening fill.
type lot struct {
	side  venue.Side
	qty   int64 // still open
	price venue.Price
	time  int64
	fee   feeSplit // the opening fee still to be charged to the trades that close this lot
}

// feePlaces is the precision of prorated fees and money averages.
const feePlaces = 10

// feeSplit hands out a fee charged for qty contracts in exact shares that
// add up to the fee.
type feeSplit struct {
	total decimal.Decimal
	qty   int64
	done  int64 // contracts already charged
}

func (s *feeSplit) alloc(n int64) decimal.Decimal {
	switch n {
	case 0:
		return decimal.Zero
	case s.qty:
		return s.total
	}
	return s.total.Mul(decimal.NewFromInt(n)).DivRound(decimal.NewFromInt(s.qty), feePlaces)
}

// take returns the share of the next k contracts.
func (s *feeSplit) take(k int64) decimal.Decimal {
	before := s.alloc(s.done)
	s.done += k
	return s.alloc(s.done).Sub(before)
}

// rest returns what is left of the fee.
func (s *feeSplit) rest() decimal.Decimal { return s.total.Sub(s.alloc(s.done)) }

// fill applies f to the position: it closes open lots of the other side
// oldest first, appending one Trade per lot it closes (wholly or partly) to
// trades, and opens a lot with what remains. It returns the trades and the
// gross PnL realized.
func (p *position) fill(f venue.Fill, trades []Trade) ([]Trade, decimal.Decimal) {
	exit := feeSplit{total: f.Fee, qty: f.Qty}
	rem := f.Qty
	realized := decimal.Zero
	for rem > 0 && p.head < len(p.lots) && p.lots[p.head].side != f.Side {
		l := &p.lots[p.head]
		k := min(rem, l.qty)
		diff := f.Price - l.price
		if l.side == venue.Sell {
			diff = -diff
		}
		gross := diff.Mul(k).Mul(p.inst.PointValue)
		entryFee := l.fee.take(k)
		exitFee := exit.take(k)
		fees := entryFee.Add(exitFee)
		trades = append(trades, Trade{
			Contract:   p.inst.ID,
			Symbol:     p.inst.Symbol,
			Side:       l.side,
			Qty:        k,
			EntryTime:  utc(l.time),
			EntryPrice: l.price,
			ExitTime:   utc(f.Time),
			ExitPrice:  f.Price,
			GrossPnL:   gross,
			EntryFee:   entryFee,
			ExitFee:    exitFee,
			Fees:       fees,
			NetPnL:     gross.Sub(fees),
			Duration:   time.Duration(f.Time - l.time),
		})
		realized = realized.Add(gross)
		l.qty -= k
		rem -= k
		p.net += f.Side.Sign() * k
		if l.qty == 0 {
			p.lots[p.head] = lot{}
			p.head++
		}
	}
	if p.head == len(p.lots) {
		p.lots, p.head = p.lots[:0], 0
	} else if p.head > 32 && p.head*2 > len(p.lots) {
		n := copy(p.lots, p.lots[p.head:])
		p.lots, p.head = p.lots[:n], 0
	}
	if rem > 0 {
		p.lots = append(p.lots, lot{
			side: f.Side, qty: rem, price: f.Price, time: f.Time,
			fee: feeSplit{total: exit.rest(), qty: rem},
		})
		p.net += f.Side.Sign() * rem
	}
	return trades, realized
}

// basis returns Σ signed qty × entry price over the open lots, in points.
func (p *position) basis() decimal.Decimal {
	b := decimal.Zero
	for _, l := range p.lots[p.head:] {
		b = b.Add(l.price.Mul(l.side.Sign() * l.qty))
	}
	return b
}

// openPnL returns the mark-to-market value of the open lots at mark.
func (p *position) openPnL(mark venue.Price) decimal.Decimal {
	if p.net == 0 {
		return decimal.Zero
	}
	return mark.Mul(p.net).Sub(p.basis()).Mul(p.inst.PointValue)
}

// avgPrice returns the quantity-weighted entry price of the open lots,
// rounded to feePlaces, or zero when flat.
func (p *position) avgPrice() decimal.Decimal {
	if p.net == 0 {
		return decimal.Zero
	}
	return p.basis().DivRound(decimal.NewFromInt(p.net), feePlaces)
}

func utc(ns int64) time.Time { return time.Unix(0, ns).UTC() }
