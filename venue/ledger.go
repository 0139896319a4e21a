package venue

import (
	"iter"
	"math/big"
	"math/bits"

	"github.com/shopspring/decimal"
)

// Ledger is a position in one contract kept as first-in first-out lots, the
// way Tradovate pairs fills: a fill first closes the oldest lots of the
// other side, then opens a lot with what is left. Realized PnL is therefore
// exact and needs no rounded average; the simulator, the engine's OMS and
// the backtest report all book fills through a Ledger so that they agree.
//
// Amounts are in points × contracts (multiply by Instrument.PointValue for
// money) and exact: the ledger keeps its sums in 128-bit integers of Price
// units and builds decimals only when they are read. Fill therefore does no
// decimal arithmetic and does not allocate beyond the amortized growth of
// the lot slice; AppendFill computes decimals for the fee shares only.
//
// Each lot carries the part of its opening fill's fee not yet charged. The
// fee of a fill for n contracts is shared out so that the shares of any k
// of them are fee × k / n rounded half away from zero to FeeSharePlaces
// decimals, taken as the difference of cumulative amounts: the shares of
// one fee always add up to the fee exactly.
//
// The zero Ledger is flat and ready to use. A Ledger is not safe for
// concurrent use. Prices are assumed to stay within ±MaxPrice/2, so that
// the difference of two of them fits a Price.
type Ledger struct {
	lots     []Lot // lots[head:] are open, oldest first, all on the side of net
	head     int
	net      int64
	basis    int128 // Σ signed qty × entry price over the open lots, in Price units
	realized int128 // Σ Close.Points, in Price units
}

// FeeSharePlaces is the number of decimals a fee share is rounded to.
const FeeSharePlaces = 10

// Lot is the open remainder of one opening fill.
type Lot struct {
	Side  Side  // Buy for a long lot
	Qty   int64 // contracts still open, positive
	Price Price // entry price
	Time  int64 // entry time, Unix ns

	// The fee: the opening fill charged fillFee for fillQty contracts, of
	// which qty0 opened this lot (the rest closed older lots). The lot's
	// part, feeTotal, is worked out the first time a share is asked for, so
	// that a caller that never asks pays nothing for it.
	fillFee  decimal.Decimal
	fillQty  int64
	qty0     int64
	feeTotal decimal.Decimal
	hasTotal bool
}

// Close is one lot matched, wholly or partly, by a closing fill.
type Close struct {
	Side       Side  // the lot's side: Buy when a long is closed
	Qty        int64 // contracts closed, positive
	EntryPrice Price
	EntryTime  int64 // Unix ns
	ExitPrice  Price
	ExitTime   int64           // Unix ns
	EntryFee   decimal.Decimal // these contracts' share of the opening fill's fee
	ExitFee    decimal.Decimal // these contracts' share of the closing fill's fee
}

// Points returns the PnL of the close in points × contracts, fees excluded:
// (exit − entry) × qty for a long lot, (entry − exit) × qty for a short one.
func (c Close) Points() decimal.Decimal { return c.diff().Mul(c.Qty) }

func (c Close) diff() Price {
	d := c.ExitPrice - c.EntryPrice
	if c.Side == Sell {
		d = -d
	}
	return d
}

// Fill books f. A fill with no side or a non-positive quantity changes
// nothing.
func (l *Ledger) Fill(f Fill) { l.fill(&f, nil, false) }

// AppendFill books f like Fill and appends to closes one Close per lot the
// fill matched, oldest first, with the fee shares of both sides.
func (l *Ledger) AppendFill(closes []Close, f Fill) []Close {
	return l.fill(&f, closes, true)
}

func (l *Ledger) fill(f *Fill, closes []Close, collect bool) []Close {
	sign := f.Side.Sign()
	if sign == 0 || f.Qty <= 0 {
		return closes
	}
	exit := feeSplit{total: f.Fee, qty: f.Qty}
	rem := f.Qty
	for rem > 0 && l.head < len(l.lots) && l.lots[l.head].Side != f.Side {
		o := &l.lots[l.head]
		k := min(rem, o.Qty)
		c := Close{Side: o.Side, Qty: k, EntryPrice: o.Price, EntryTime: o.Time, ExitPrice: f.Price, ExitTime: f.Time}
		l.realized = l.realized.add(mul128(int64(c.diff()), k))
		// The lot held −sign × k of these contracts at its entry price.
		l.basis = l.basis.add(mul128(int64(o.Price), sign*k))
		if collect {
			c.EntryFee = o.takeFee(k)
			c.ExitFee = exit.take(k)
			closes = append(closes, c)
		} else {
			exit.done += k
		}
		o.Qty -= k
		rem -= k
		l.net += sign * k
		if o.Qty == 0 {
			*o = Lot{} // drop the fee's references
			l.head++
		}
	}
	if l.head == len(l.lots) {
		l.lots, l.head = l.lots[:0], 0
	} else if l.head > 32 && l.head*2 > len(l.lots) {
		n := copy(l.lots, l.lots[l.head:])
		clear(l.lots[n:])
		l.lots, l.head = l.lots[:n], 0
	}
	if rem > 0 {
		l.lots = append(l.lots, Lot{
			Side: f.Side, Qty: rem, Price: f.Price, Time: f.Time,
			fillFee: f.Fee, fillQty: f.Qty, qty0: rem,
		})
		l.net += sign * rem
		l.basis = l.basis.add(mul128(int64(f.Price), sign*rem))
	}
	return closes
}

// Net returns the net position: positive long, negative short.
func (l *Ledger) Net() int64 { return l.net }

// Lots returns the open lots, oldest first. They are all on the side of Net
// and their quantities add up to |Net|. The ledger must not be changed
// while the sequence is read.
func (l *Ledger) Lots() iter.Seq[Lot] {
	return func(yield func(Lot) bool) {
		for _, o := range l.lots[l.head:] {
			if !yield(o) {
				return
			}
		}
	}
}

// Basis returns Σ signed qty × entry price over the open lots, in points:
// zero when flat.
func (l *Ledger) Basis() decimal.Decimal { return l.basis.decimal() }

// AvgPrice returns the quantity-weighted entry price of the open lots,
// Basis / Net rounded half away from zero to places decimals, or zero when
// flat. Callers choose places so that a report, an event or a snapshot
// keeps the precision it documents.
func (l *Ledger) AvgPrice(places int32) decimal.Decimal {
	if l.net == 0 {
		return decimal.Zero
	}
	return l.Basis().DivRound(decimal.NewFromInt(l.net), places)
}

// OpenPnL returns the open lots' PnL at mark, in points × contracts: Net ×
// mark − Basis, zero when flat.
func (l *Ledger) OpenPnL(mark Price) decimal.Decimal {
	if l.net == 0 {
		return decimal.Zero
	}
	return mul128(int64(mark), l.net).sub(l.basis).decimal()
}

// RealizedPoints returns the PnL of every close so far, in points ×
// contracts, fees excluded: the sum of Close.Points over all fills.
func (l *Ledger) RealizedPoints() decimal.Decimal { return l.realized.decimal() }

// OpenFee returns the part of the lot's opening fee not yet charged to a
// close: what the closes of its remaining contracts will carry as EntryFee.
func (o Lot) OpenFee() decimal.Decimal {
	s := o.split()
	return s.rest()
}

// takeFee returns the share of the next k contracts of the lot's fee.
func (o *Lot) takeFee(k int64) decimal.Decimal {
	s := o.split()
	if !o.hasTotal {
		o.feeTotal, o.hasTotal = s.total, true
	}
	return s.take(k)
}

// split returns the lot's fee as a feeSplit over its opening quantity.
func (o *Lot) split() feeSplit {
	total := o.feeTotal
	if !o.hasTotal {
		opening := feeSplit{total: o.fillFee, qty: o.fillQty, done: o.fillQty - o.qty0}
		total = opening.rest()
	}
	return feeSplit{total: total, qty: o.qty0, done: o.qty0 - o.Qty}
}

// feeSplit hands out a fee charged for qty contracts in exact shares that
// add up to the fee; done contracts have been charged.
type feeSplit struct {
	total decimal.Decimal
	qty   int64
	done  int64
}

// alloc returns the cumulative share of the first n contracts.
func (s *feeSplit) alloc(n int64) decimal.Decimal {
	switch n {
	case 0:
		return decimal.Zero
	case s.qty:
		return s.total
	}
	return s.total.Mul(decimal.NewFromInt(n)).DivRound(decimal.NewFromInt(s.qty), FeeSharePlaces)
}

// take returns the share of the next k contracts.
func (s *feeSplit) take(k int64) decimal.Decimal {
	before := s.alloc(s.done)
	s.done += k
	return s.alloc(s.done).Sub(before)
}

// rest returns what is left of the fee.
func (s *feeSplit) rest() decimal.Decimal { return s.total.Sub(s.alloc(s.done)) }

// int128 is a two's complement 128-bit integer: the exact sums of products
// of two int64s the ledger keeps.
type int128 struct {
	hi int64
	lo uint64
}

// mul128 returns a × b exactly.
func mul128(a, b int64) int128 {
	hi, lo := bits.Mul64(uabs(a), uabs(b))
	p := int128{hi: int64(hi), lo: lo}
	if (a < 0) != (b < 0) {
		return p.neg()
	}
	return p
}

func uabs(v int64) uint64 {
	if v < 0 {
		return uint64(-v) // also right for MinInt64
	}
	return uint64(v)
}

func (x int128) add(y int128) int128 {
	lo, carry := bits.Add64(x.lo, y.lo, 0)
	return int128{hi: x.hi + y.hi + int64(carry), lo: lo}
}

func (x int128) sub(y int128) int128 { return x.add(y.neg()) }

func (x int128) neg() int128 {
	lo, borrow := bits.Sub64(0, x.lo, 0)
	return int128{hi: -x.hi - int64(borrow), lo: lo}
}

// decimal returns x Price units as an exact decimal number of points.
func (x int128) decimal() decimal.Decimal {
	if x.hi == int64(x.lo)>>63 { // fits an int64
		return decimal.New(int64(x.lo), -priceDecimals)
	}
	neg := x.hi < 0
	if neg {
		x = x.neg()
	}
	var v, lo big.Int
	v.SetUint64(uint64(x.hi))
	v.Lsh(&v, 64)
	v.Or(&v, lo.SetUint64(x.lo))
	if neg {
		v.Neg(&v)
	}
	return decimal.NewFromBigInt(&v, -priceDecimals)
}
