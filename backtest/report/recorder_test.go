package report

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
)

func TestTrades(t *testing.T) {
	t0 := ct(time.March, 5, 9, 0)
	m := int64(time.Minute)
	type wantTrade struct {
		side                             venue.Side
		qty                              int64
		entry, exit                      string
		gross, entryFee, exitFee, netPnL string
		entryT, exitT                    int64
	}
	tests := []struct {
		name   string
		events []event
		trades []wantTrade
		net    string // summary NetPnL
		fees   string
		wins   int
		losses int
	}{
		{
			name: "long win",
			events: []event{
				fillEv(mes, venue.Buy, 1, "5000", "0.62", t0),
				fillEv(mes, venue.Sell, 1, "5010", "0.62", t0+5*m),
			},
			trades: []wantTrade{{venue.Buy, 1, "5000", "5010", "50", "0.62", "0.62", "48.76", t0, t0 + 5*m}},
			net:    "48.76", fees: "1.24", wins: 1,
		},
		{
			name: "short loss",
			events: []event{
				fillEv(mes, venue.Sell, 2, "5000", "1.24", t0),
				fillEv(mes, venue.Buy, 2, "5004.25", "1.24", t0+m),
			},
			trades: []wantTrade{{venue.Sell, 2, "5000", "5004.25", "-42.5", "1.24", "1.24", "-44.98", t0, t0 + m}},
			net:    "-44.98", fees: "2.48", losses: 1,
		},
		{
			name: "partial closes across lots",
			events: []event{
				fillEv(mes, venue.Buy, 1, "100", "0.5", t0),
				fillEv(mes, venue.Buy, 2, "101", "1", t0+m),
				fillEv(mes, venue.Sell, 2, "105", "1", t0+2*m), // closes lot 1 and half of lot 2
				fillEv(mes, venue.Sell, 1, "99", "0.5", t0+3*m),
			},
			trades: []wantTrade{
				{venue.Buy, 1, "100", "105", "25", "0.5", "0.5", "24", t0, t0 + 2*m},
				{venue.Buy, 1, "101", "105", "20", "0.5", "0.5", "19", t0 + m, t0 + 2*m},
				{venue.Buy, 1, "101", "99", "-10", "0.5", "0.5", "-11", t0 + m, t0 + 3*m},
			},
			net: "32", fees: "3", wins: 2, losses: 1,
		},
		{
			name: "reversal long to short in one fill",
			events: []event{
				fillEv(mes, venue.Buy, 2, "100", "1", t0),
				fillEv(mes, venue.Sell, 5, "102", "1", t0+m), // closes 2 (fee 0.4), opens short 3 (fee 0.6)
				fillEv(mes, venue.Buy, 3, "101", "0.3", t0+2*m),
			},
			trades: []wantTrade{
				{venue.Buy, 2, "100", "102", "20", "1", "0.4", "18.6", t0, t0 + m},
				{venue.Sell, 3, "102", "101", "15", "0.6", "0.3", "14.1", t0 + m, t0 + 2*m},
			},
			net: "32.7", fees: "2.3", wins: 2,
		},
		{
			name: "fees prorated exactly when they do not divide",
			events: []event{
				fillEv(mes, venue.Buy, 3, "100", "1", t0),
				fillEv(mes, venue.Sell, 1, "100", "0", t0+m),
				fillEv(mes, venue.Sell, 1, "100", "0", t0+2*m),
				fillEv(mes, venue.Sell, 1, "100", "0", t0+3*m),
			},
			trades: []wantTrade{
				{venue.Buy, 1, "100", "100", "0", "0.3333333333", "0", "-0.3333333333", t0, t0 + m},
				{venue.Buy, 1, "100", "100", "0", "0.3333333334", "0", "-0.3333333334", t0, t0 + 2*m},
				{venue.Buy, 1, "100", "100", "0", "0.3333333333", "0", "-0.3333333333", t0, t0 + 3*m},
			},
			net: "-1", fees: "1", losses: 3,
		},
		{
			name: "contracts are matched separately",
			events: []event{
				fillEv(mes, venue.Buy, 1, "5000", "0", t0),
				fillEv(es, venue.Sell, 1, "5000", "0", t0),
				fillEv(mes, venue.Sell, 1, "5001", "0", t0+m),
				fillEv(es, venue.Buy, 1, "5001", "0", t0+m),
			},
			trades: []wantTrade{
				{venue.Buy, 1, "5000", "5001", "5", "0", "0", "5", t0, t0 + m},
				{venue.Sell, 1, "5000", "5001", "-50", "0", "0", "-50", t0, t0 + m},
			},
			net: "-45", fees: "0", wins: 1, losses: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := record(t, Config{}, tt.events)
			s := r.Finish(tt.events[len(tt.events)-1].fill.Time)
			require.Len(t, s.TradeList, len(tt.trades))
			feeSum := dec("0")
			for i, w := range tt.trades {
				got := s.TradeList[i]
				assert.Equal(t, w.side, got.Side, "trade %d side", i)
				assert.Equal(t, w.qty, got.Qty, "trade %d qty", i)
				assert.Equal(t, px(w.entry), got.EntryPrice, "trade %d entry", i)
				assert.Equal(t, px(w.exit), got.ExitPrice, "trade %d exit", i)
				assert.Equal(t, time.Unix(0, w.entryT).UTC(), got.EntryTime, "trade %d entry time", i)
				assert.Equal(t, time.Unix(0, w.exitT).UTC(), got.ExitTime, "trade %d exit time", i)
				assert.Equal(t, time.Duration(w.exitT-w.entryT), got.Duration, "trade %d duration", i)
				assertDec(t, w.gross, got.GrossPnL, "trade %d gross", i)
				assertDec(t, w.entryFee, got.EntryFee, "trade %d entry fee", i)
				assertDec(t, w.exitFee, got.ExitFee, "trade %d exit fee", i)
				assertDec(t, w.netPnL, got.NetPnL, "trade %d net", i)
				assert.True(t, got.Fees.Equal(got.EntryFee.Add(got.ExitFee)), "trade %d fees", i)
				feeSum = feeSum.Add(got.Fees)
			}
			assertDec(t, tt.net, s.NetPnL, "net pnl")
			assertDec(t, tt.fees, s.Fees, "fees")
			assert.True(t, feeSum.Equal(s.Fees), "trade fees %s add up to the fill fees %s when flat", feeSum, s.Fees)
			assert.Equal(t, tt.wins, s.Wins)
			assert.Equal(t, tt.losses, s.Losses)
			assert.Empty(t, s.OpenPositions)
			assertDec(t, "0", s.OpenPnL)
		})
	}
}

func TestTradeStatistics(t *testing.T) {
	t0 := ct(time.March, 5, 9, 0)
	m := int64(time.Minute)
	r := record(t, Config{}, []event{
		fillEv(mes, venue.Buy, 1, "100", "1", t0),
		fillEv(mes, venue.Sell, 1, "110", "1", t0+m), // +50 -2 = 48
		fillEv(mes, venue.Buy, 1, "100", "1", t0+2*m),
		fillEv(mes, venue.Sell, 1, "104", "1", t0+3*m), // +20 -2 = 18
		fillEv(mes, venue.Sell, 1, "100", "1", t0+4*m),
		fillEv(mes, venue.Buy, 1, "105", "1", t0+5*m), // -25 -2 = -27
		fillEv(mes, venue.Buy, 1, "100", "0", t0+6*m),
		fillEv(mes, venue.Sell, 1, "100", "0", t0+7*m), // scratch
	})
	s := r.Finish(t0 + 8*m)
	assert.Equal(t, 4, s.Trades)
	assert.Equal(t, 2, s.Wins)
	assert.Equal(t, 1, s.Losses)
	assert.InDelta(t, 50.0, s.WinRatePct, 1e-12)
	assertDec(t, "66", s.GrossWins)
	assertDec(t, "-27", s.GrossLosses)
	assertDec(t, "33", s.AvgWin)
	assertDec(t, "-27", s.AvgLoss)
	assertDec(t, "9.75", s.AvgTrade)
	assertDec(t, "48", s.LargestWin)
	assertDec(t, "-27", s.LargestLoss)
	assert.InDelta(t, 66.0/27.0, float64(s.ProfitFactor), 1e-11)
	assertDec(t, "45", s.RealizedPnL)
	assertDec(t, "6", s.Fees)
	assertDec(t, "39", s.NetPnL)
	assert.Equal(t, 8, s.Fills)
	assert.Equal(t, int64(8), s.ContractsTraded)
	assert.InDelta(t, 0.039, s.TotalReturnPct, 1e-12)
}

func TestProfitFactorEdges(t *testing.T) {
	t0 := ct(time.March, 5, 9, 0)
	r := record(t, Config{}, []event{
		fillEv(mes, venue.Buy, 1, "100", "0", t0),
		fillEv(mes, venue.Sell, 1, "101", "0", t0+1),
	})
	s := r.Finish(t0 + 1)
	assert.True(t, s.ProfitFactor.IsInf(), "wins and no losses: +Inf")

	empty, err := NewRecorder(Config{})
	require.NoError(t, err)
	s = empty.Finish(t0)
	assert.Equal(t, Ratio(0), s.ProfitFactor, "no trades: 0")
	assert.Equal(t, 0, s.Trades)
	assert.Equal(t, s.Start, s.End)
	assertDec(t, "100000", s.EndEquity)
}

func TestOpenPositionAtEnd(t *testing.T) {
	t0 := ct(time.March, 5, 9, 0)
	r := record(t, Config{}, []event{
		fillEv(mes, venue.Buy, 1, "100", "0.5", t0),
		fillEv(mes, venue.Buy, 1, "102", "0.5", t0+1),
		priceEv(mes, t0+2, "103.25"),
	})
	s := r.Finish(t0 + 3)
	require.Len(t, s.OpenPositions, 1)
	op := s.OpenPositions[0]
	assert.Equal(t, int64(2), op.Net)
	assertDec(t, "101", op.AvgPrice)
	assert.Equal(t, px("103.25"), op.Mark)
	assertDec(t, "22.5", op.OpenPnL) // (3.25 + 1.25) × 5
	assertDec(t, "22.5", s.OpenPnL)
	assertDec(t, "0", s.RealizedPnL)
	assertDec(t, "22.5", s.GrossPnL)
	assertDec(t, "21.5", s.NetPnL)
	assertDec(t, "100021.5", s.EndEquity)
	assert.Empty(t, s.TradeList)
	last := s.Series.Equity[len(s.Series.Equity)-1]
	assertDec(t, "100021.5", last.Equity, "the final sample is the end equity")
}

func TestExposure(t *testing.T) {
	t0 := ct(time.March, 5, 9, 0)
	m := int64(time.Minute)
	tests := []struct {
		name   string
		events []event
		end    int64
		want   float64
	}{
		{"flat", []event{priceEv(mes, t0, "100"), priceEv(mes, t0+30*m, "101")}, t0 + 60*m, 0},
		{"in and out", []event{
			priceEv(mes, t0, "100"),
			fillEv(mes, venue.Buy, 1, "100", "0", t0+10*m),
			priceEv(mes, t0+20*m, "101"),
			fillEv(mes, venue.Sell, 1, "101", "0", t0+40*m),
		}, t0 + 60*m, 50},
		{"open at the end", []event{
			priceEv(mes, t0, "100"),
			fillEv(mes, venue.Sell, 1, "100", "0", t0+30*m),
		}, t0 + 60*m, 50},
		{"two contracts overlapping count once", []event{
			priceEv(mes, t0, "100"),
			fillEv(mes, venue.Buy, 1, "100", "0", t0+10*m),
			fillEv(es, venue.Buy, 1, "100", "0", t0+20*m),
			fillEv(mes, venue.Sell, 1, "100", "0", t0+30*m),
			fillEv(es, venue.Sell, 1, "100", "0", t0+40*m),
		}, t0 + 100*m, 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := record(t, Config{}, tt.events).Finish(tt.end)
			assert.InDelta(t, tt.want, s.ExposurePct, 1e-9)
		})
	}
}

func TestDrawdown(t *testing.T) {
	t0 := ct(time.March, 5, 9, 0)
	cfg := Config{StartingCapital: dec("1000"), SampleInterval: time.Nanosecond}
	r := record(t, cfg, []event{
		fillEv(mes, venue.Buy, 1, "100", "0", t0),
		priceEv(mes, t0+1, "120"), // 1100, the first peak
		priceEv(mes, t0+2, "78"),  // 890: drawdown 210 = 19.0909…% of 1100
		priceEv(mes, t0+3, "300"), // 2000, a new peak
		priceEv(mes, t0+4, "256"), // 1780: drawdown 220 = 11% of 2000
		fillEv(mes, venue.Sell, 1, "280", "0", t0+5),
	})
	s := r.Finish(t0 + 5)
	assertDec(t, "220", s.MaxDrawdown, "the largest drawdown in money")
	assert.InDelta(t, 100*210.0/1100.0, s.MaxDrawdownPct, 1e-9, "the largest drawdown in percent, from another sample")

	eq := s.Series.Equity
	require.Len(t, eq, 6)
	wantEq := []string{"1000", "1100", "890", "2000", "1780", "1900"}
	wantDD := []string{"0", "0", "210", "0", "220", "100"}
	for i := range eq {
		assertDec(t, wantEq[i], eq[i].Equity, "equity %d", i)
		assertDec(t, wantDD[i], eq[i].Drawdown, "drawdown %d", i)
	}
	assert.InDelta(t, 11.0, eq[4].DrawdownPct, 1e-9)
}

func TestDrawdownCountsFees(t *testing.T) {
	t0 := ct(time.March, 5, 9, 0)
	s := record(t, Config{}, []event{fillEv(mes, venue.Buy, 1, "100", "2.5", t0)}).Finish(t0)
	assertDec(t, "2.5", s.MaxDrawdown, "an entry fee is a drawdown from the starting capital")
}

func TestSampling(t *testing.T) {
	t0 := ct(time.March, 5, 9, 0)
	r, err := NewRecorder(Config{})
	require.NoError(t, err)
	require.NoError(t, r.Track(mes))
	// One tick per second for an hour: one sample per minute.
	for i := int64(0); i < 3600; i++ {
		r.OnPrice(mes.ID, t0+i*int64(time.Second), px("100"))
	}
	assert.Len(t, r.samples, 60)
	require.NoError(t, r.OnFill(venue.Fill{Contract: mes.ID, Side: venue.Buy, Qty: 1, Price: px("100"), Time: t0 + 3600*int64(time.Second)}, mes))
	assert.Len(t, r.samples, 61, "every fill samples")
	r.OnPrice(mes.ID, t0+3600*int64(time.Second)+1, px("101"))
	assert.Len(t, r.samples, 61, "a fill at the start of an interval counts as its sample")
	r.OnPrice(mes.ID, t0+3661*int64(time.Second), px("101"))
	assert.Len(t, r.samples, 62)

	s := r.Finish(t0 + 2*int64(time.Hour))
	require.Len(t, s.Series.Prices, 1)
	assert.Len(t, s.Series.Prices[0].Points, 63, "tracked from the first price, plus the end")
}

func TestRecorderErrors(t *testing.T) {
	_, err := NewRecorder(Config{StartingCapital: dec("-1")})
	assert.ErrorContains(t, err, "StartingCapital")
	_, err = NewRecorder(Config{SampleInterval: -time.Second})
	assert.ErrorContains(t, err, "SampleInterval")

	r, err := NewRecorder(Config{})
	require.NoError(t, err)
	good := venue.Fill{Contract: mes.ID, Side: venue.Buy, Qty: 1, Price: px("100"), Fee: dec("0")}
	for name, tc := range map[string]struct {
		f    venue.Fill
		inst venue.Instrument
		want string
	}{
		"zero qty":         {venue.Fill{Contract: mes.ID, Side: venue.Buy, Qty: 0}, mes, "quantity"},
		"no side":          {venue.Fill{Contract: mes.ID, Qty: 1}, mes, "side"},
		"wrong instrument": {good, es, "contract"},
		"bad instrument":   {venue.Fill{Contract: 9, Side: venue.Buy, Qty: 1}, venue.Instrument{ID: 9, Symbol: "X"}, "tick size"},
	} {
		assert.ErrorContains(t, r.OnFill(tc.f, tc.inst), tc.want, name)
	}
	require.NoError(t, r.OnFill(good, mes))
	other := mes
	other.PointValue = dec("50")
	assert.ErrorContains(t, r.OnFill(good, other), "point value")
	assert.Equal(t, 1, r.Finish(0).Fills, "rejected fills change nothing")
}

func TestOnPriceDoesNotAllocate(t *testing.T) {
	t0 := ct(time.March, 5, 9, 0)
	tests := []struct {
		name     string
		interval time.Duration
		step     int64
		contract venue.ContractID
	}{
		{"within an interval", time.Minute, 1, mes.ID},
		{"sampling every minute", time.Minute, int64(time.Second), mes.ID},
		{"untracked contract", time.Minute, int64(time.Second), 99},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewRecorder(Config{SampleInterval: tt.interval})
			require.NoError(t, err)
			require.NoError(t, r.Track(es))
			require.NoError(t, r.OnFill(venue.Fill{Contract: mes.ID, Side: venue.Buy, Qty: 1, Price: px("100"), Time: t0}, mes))
			now := t0
			p := px("100")
			allocs := testing.AllocsPerRun(1000, func() {
				now += tt.step
				p += px("0.25")
				r.OnPrice(tt.contract, now, p)
				r.OnPrice(es.ID, now, p) // alternate contracts: the cache misses
			})
			assert.Zero(t, allocs)
		})
	}
}

func TestFinishIsRepeatable(t *testing.T) {
	t0 := ct(time.March, 5, 9, 0)
	r := record(t, Config{}, []event{
		fillEv(mes, venue.Buy, 1, "100", "0.62", t0),
		priceEv(mes, t0+int64(time.Minute), "101"),
	})
	var a, b strings.Builder
	require.NoError(t, r.Finish(t0+int64(time.Hour)).WriteJSON(&a))
	require.NoError(t, r.Finish(t0+int64(time.Hour)).WriteJSON(&b))
	assert.Equal(t, a.String(), b.String())

	// Recording can go on after a Finish.
	require.NoError(t, r.OnFill(venue.Fill{Contract: mes.ID, Side: venue.Sell, Qty: 1, Price: px("102"), Time: t0 + int64(2*time.Hour)}, mes))
	s := r.Finish(t0 + int64(3*time.Hour))
	assert.Equal(t, 1, s.Trades)
	assertDec(t, "9.38", s.NetPnL)
}
