package venue

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func buyFill(qty int64, price string, fee string) Fill {
	return Fill{Side: Buy, Qty: qty, Price: MustParsePrice(price), Fee: dec(fee)}
}

func sellFill(qty int64, price string, fee string) Fill {
	f := buyFill(qty, price, fee)
	f.Side = Sell
	return f
}

func TestLedgerFIFO(t *testing.T) {
	type closeWant struct {
		side          Side
		qty           int64
		entry, points string
	}
	tests := []struct {
		name     string
		fill     Fill
		closes   []closeWant
		net      int64
		avg      string // AvgPrice(16)
		realized string // points
		basis    string
	}{
		{name: "open long", fill: buyFill(1, "100", "0"), net: 1, avg: "100", realized: "0", basis: "100"},
		{name: "add", fill: buyFill(2, "101", "0"), net: 3, avg: "100.6666666666666667", realized: "0", basis: "302"},
		{
			name: "close across two lots", fill: sellFill(2, "102", "0"),
			closes: []closeWant{{Buy, 1, "100", "2"}, {Buy, 1, "101", "1"}},
			net:    1, avg: "101", realized: "3", basis: "101",
		},
		{
			name: "reverse", fill: sellFill(3, "100.25", "0"),
			closes: []closeWant{{Buy, 1, "101", "-0.75"}},
			net:    -2, avg: "100.25", realized: "2.25", basis: "-200.5",
		},
		{
			name: "close short", fill: buyFill(2, "100", "0"),
			closes: []closeWant{{Sell, 2, "100.25", "0.5"}},
			net:    0, avg: "0", realized: "2.75", basis: "0",
		},
	}
	var l Ledger
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			closes := l.AppendFill(nil, tt.fill)
			require.Len(t, closes, len(tt.closes))
			for i, w := range tt.closes {
				c := closes[i]
				assert.Equal(t, w.side, c.Side, "close %d side", i)
				assert.Equal(t, w.qty, c.Qty, "close %d qty", i)
				assert.Equal(t, MustParsePrice(w.entry), c.EntryPrice, "close %d entry", i)
				assert.Equal(t, tt.fill.Price, c.ExitPrice, "close %d exit", i)
				assert.Equal(t, w.points, c.Points().String(), "close %d points", i)
			}
			assert.Equal(t, tt.net, l.Net())
			assert.Equal(t, tt.avg, l.AvgPrice(16).String())
			assert.Equal(t, tt.realized, l.RealizedPoints().String())
			assert.Equal(t, tt.basis, l.Basis().String())
		})
	}
}

func TestLedgerIgnoresEmptyFills(t *testing.T) {
	var l Ledger
	l.Fill(buyFill(2, "10", "1"))
	l.Fill(Fill{Side: SideNone, Qty: 5, Price: MustParsePrice("11")})
	l.Fill(Fill{Side: Sell, Qty: 0, Price: MustParsePrice("11")})
	l.Fill(Fill{Side: Sell, Qty: -1, Price: MustParsePrice("11")})
	assert.Equal(t, int64(2), l.Net())
	assert.Equal(t, "0", l.RealizedPoints().String())
}

func TestLedgerFeeShares(t *testing.T) {
	var l Ledger
	l.Fill(Fill{Side: Buy, Qty: 3, Price: MustParsePrice("100"), Time: 1, Fee: dec("1")})
	var got []string
	for range 3 {
		cs := l.AppendFill(nil, Fill{Side: Sell, Qty: 1, Price: MustParsePrice("101"), Time: 2, Fee: dec("0.5")})
		require.Len(t, cs, 1)
		assert.Equal(t, int64(1), cs[0].EntryTime)
		assert.Equal(t, int64(2), cs[0].ExitTime)
		assert.Equal(t, "0.5", cs[0].ExitFee.String(), "a close of a whole fill carries its whole fee")
		got = append(got, cs[0].EntryFee.String())
	}
	assert.Equal(t, []string{"0.3333333333", "0.3333333334", "0.3333333333"}, got)

	// A fill that closes one contract and opens two: the opened lot
	// carries what the close did not take of the fill's fee.
	l.Fill(buyFill(1, "100", "0"))
	cs := l.AppendFill(nil, sellFill(3, "99", "1"))
	require.Len(t, cs, 1)
	assert.Equal(t, "0.3333333333", cs[0].ExitFee.String())
	var open []string
	for o := range l.Lots() {
		open = append(open, o.OpenFee().String())
	}
	assert.Equal(t, []string{"0.6666666667"}, open)
	cs = l.AppendFill(nil, buyFill(2, "98", "0"))
	require.Len(t, cs, 1)
	assert.Equal(t, "0.6666666667", cs[0].EntryFee.String())
}

// refPosition is the FIFO position the backtest report kept before the
// Ledger, eager decimal arithmetic throughout: the oracle for the
// Ledger's results.
type refPosition struct {
	net  int64
	lots []refLot
}

type refLot struct {
	side  Side
	qty   int64
	price Price
	time  int64
	fee   feeSplit
}

func (p *refPosition) fill(f Fill) (closes []Close, realized decimal.Decimal) {
	exit := feeSplit{total: f.Fee, qty: f.Qty}
	rem := f.Qty
	realized = decimal.Zero
	for rem > 0 && len(p.lots) > 0 && p.lots[0].side != f.Side {
		l := &p.lots[0]
		k := min(rem, l.qty)
		diff := f.Price - l.price
		if l.side == Sell {
			diff = -diff
		}
		realized = realized.Add(diff.Mul(k))
		closes = append(closes, Close{
			Side: l.side, Qty: k, EntryPrice: l.price, EntryTime: l.time, ExitPrice: f.Price, ExitTime: f.Time,
			EntryFee: l.fee.take(k), ExitFee: exit.take(k),
		})
		l.qty -= k
		rem -= k
		p.net += f.Side.Sign() * k
		if l.qty == 0 {
			p.lots = p.lots[1:]
		}
	}
	if rem > 0 {
		p.lots = append(p.lots, refLot{side: f.Side, qty: rem, price: f.Price, time: f.Time, fee: feeSplit{total: exit.rest(), qty: rem}})
		p.net += f.Side.Sign() * rem
	}
	return closes, realized
}

func (p *refPosition) basis() decimal.Decimal {
	b := decimal.Zero
	for _, l := range p.lots {
		b = b.Add(l.price.Mul(l.side.Sign() * l.qty))
	}
	return b
}

// TestLedgerMatchesReference books random fills into a Ledger and into
// refPosition and requires the same closes, fee shares, net, basis,
// averages and PnL. A second Ledger collects closes only now and then, to
// show that fee shares do not depend on whether earlier fills asked for
// them.
func TestLedgerMatchesReference(t *testing.T) {
	fees := []string{"0", "0", "1.24", "2.5", "0.37", "1", "0.000001", "3.3333"}
	for seed := range uint64(6) {
		r := rand.New(rand.NewPCG(seed, 0x1ed9e5))
		var (
			l, lazy  Ledger
			ref      refPosition
			realized = decimal.Zero
			charged  = decimal.Zero // fee shares handed out to closes
			total    = decimal.Zero // every fill's fee
		)
		for step := range 2000 {
			side := Buy
			if r.IntN(2) == 0 {
				side = Sell
			}
			f := Fill{
				Side: side, Qty: 1 + r.Int64N(7), Time: int64(step),
				Price: PriceFromInt(4000).AddTicks(r.Int64N(801)-400, MustParsePrice("0.25")),
				Fee:   dec(fees[r.IntN(len(fees))]),
			}
			total = total.Add(f.Fee)
			want, gross := ref.fill(f)
			realized = realized.Add(gross)
			for _, c := range want {
				charged = charged.Add(c.EntryFee).Add(c.ExitFee)
			}
			got := l.AppendFill(nil, f)
			require.Len(t, got, len(want), "seed %d step %d", seed, step)
			for i := range want {
				assertClose(t, want[i], got[i], seed, step)
			}
			if r.IntN(3) == 0 {
				l2 := lazy.AppendFill(nil, f)
				require.Len(t, l2, len(want))
				for i := range want {
					assertClose(t, want[i], l2[i], seed, step)
				}
			} else {
				lazy.Fill(f)
			}

			require.Equal(t, ref.net, l.Net())
			require.Equal(t, ref.net, lazy.Net())
			require.True(t, ref.basis().Equal(l.Basis()), "seed %d step %d basis", seed, step)
			require.True(t, realized.Equal(l.RealizedPoints()), "seed %d step %d realized", seed, step)
			require.True(t, realized.Equal(lazy.RealizedPoints()), "seed %d step %d realized", seed, step)
			var n int64
			open := decimal.Zero
			for o := range l.Lots() {
				require.Positive(t, o.Qty)
				require.Equal(t, ref.lots[0].side, o.Side)
				n += o.Qty
				open = open.Add(o.OpenFee())
			}
			require.Equal(t, max(ref.net, -ref.net), n)
			// Every fee is either charged to a close or still open in a lot.
			require.True(t, total.Equal(charged.Add(open)), "seed %d step %d: fees %s, charged %s, open %s", seed, step, total, charged, open)

			mark := PriceFromInt(4000).AddTicks(r.Int64N(801)-400, MustParsePrice("0.25"))
			wantOpen := decimal.Zero
			if ref.net != 0 {
				wantOpen = mark.Mul(ref.net).Sub(ref.basis())
			}
			require.True(t, wantOpen.Equal(l.OpenPnL(mark)), "seed %d step %d open PnL", seed, step)
			if ref.net != 0 {
				for _, places := range []int32{9, 10, 16} {
					require.Equal(t, ref.basis().DivRound(decimal.NewFromInt(ref.net), places).String(), l.AvgPrice(places).String())
				}
			}
		}
	}
}

func assertClose(t *testing.T, want, got Close, seed uint64, step int) {
	t.Helper()
	require.Equal(t, want.Side, got.Side, "seed %d step %d", seed, step)
	require.Equal(t, want.Qty, got.Qty, "seed %d step %d", seed, step)
	require.Equal(t, want.EntryPrice, got.EntryPrice, "seed %d step %d", seed, step)
	require.Equal(t, want.EntryTime, got.EntryTime, "seed %d step %d", seed, step)
	require.Equal(t, want.ExitPrice, got.ExitPrice, "seed %d step %d", seed, step)
	require.Equal(t, want.ExitTime, got.ExitTime, "seed %d step %d", seed, step)
	// Bit-identical: the same value and the same exponent.
	require.Equal(t, want.EntryFee.String(), got.EntryFee.String(), "seed %d step %d entry fee", seed, step)
	require.Equal(t, want.EntryFee.Exponent(), got.EntryFee.Exponent(), "seed %d step %d entry fee", seed, step)
	require.Equal(t, want.ExitFee.String(), got.ExitFee.String(), "seed %d step %d exit fee", seed, step)
	require.Equal(t, want.ExitFee.Exponent(), got.ExitFee.Exponent(), "seed %d step %d exit fee", seed, step)
}

func TestLedgerFillDoesNotAllocate(t *testing.T) {
	var l Ledger
	buy := Fill{Side: Buy, Qty: 3, Price: MustParsePrice("4800.25"), Fee: dec("1.11")}
	sell := Fill{Side: Sell, Qty: 2, Price: MustParsePrice("4801"), Fee: dec("0.74")}
	for range 100 { // grow the lot slice to its steady size
		l.Fill(buy)
		l.Fill(sell)
	}
	allocs := testing.AllocsPerRun(1000, func() {
		l.Fill(buy)
		l.Fill(sell)
		l.Fill(sell)
		l.Fill(sell)
		l.Fill(buy)
	})
	assert.Zero(t, allocs)
}

func TestInt128(t *testing.T) {
	vals := []int64{0, 1, -1, 7, -7, math.MaxInt64, math.MinInt64 + 1, math.MinInt64, 1 << 40, -(1 << 40), 4_800_250_000_000}
	for _, a := range vals {
		for _, b := range vals {
			p := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
			if p.BitLen() > 127 { // MinInt64²: no room for the sign
				continue
			}
			assert.Equal(t, decimal.NewFromBigInt(p, -priceDecimals).String(), mul128(a, b).decimal().String(), "%d × %d", a, b)
		}
	}
	// Sums of products that leave int64 and come back.
	r := rand.New(rand.NewPCG(1, 2))
	want, sum := new(big.Int), int128{}
	for range 2000 {
		a, b := r.Int64()>>4, r.Int64()>>4
		if r.IntN(2) == 0 {
			a = -a
		}
		p := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
		if r.IntN(2) == 0 {
			want.Add(want, p)
			sum = sum.add(mul128(a, b))
		} else {
			want.Sub(want, p)
			sum = sum.sub(mul128(a, b))
		}
		require.Equal(t, decimal.NewFromBigInt(want, -priceDecimals).String(), sum.decimal().String())
	}
}

func BenchmarkLedgerFill(b *testing.B) {
	var l Ledger
	buy := Fill{Side: Buy, Qty: 3, Price: MustParsePrice("4800.25"), Fee: dec("1.11")}
	sell := Fill{Side: Sell, Qty: 2, Price: MustParsePrice("4801"), Fee: dec("0.74")}
	sell1 := Fill{Side: Sell, Qty: 1, Price: MustParsePrice("4801.5"), Fee: dec("0.37")}
	b.ReportAllocs()
	for b.Loop() { // net stays 0..3: one lot opened, closed in two parts
		l.Fill(buy)
		l.Fill(sell)
		l.Fill(sell1)
	}
}

func BenchmarkLedgerAppendFill(b *testing.B) {
	var l Ledger
	var closes []Close
	buy := Fill{Side: Buy, Qty: 3, Price: MustParsePrice("4800.25"), Fee: dec("1.11")}
	sell := Fill{Side: Sell, Qty: 2, Price: MustParsePrice("4801"), Fee: dec("0.74")}
	sell1 := Fill{Side: Sell, Qty: 1, Price: MustParsePrice("4801.5"), Fee: dec("0.37")}
	b.ReportAllocs()
	for b.Loop() {
		closes = l.AppendFill(closes[:0], buy)
		closes = l.AppendFill(closes[:0], sell)
		closes = l.AppendFill(closes[:0], sell1)
	}
}
