package report

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
)

func TestCMETradeDate(t *testing.T) {
	tests := []struct {
		name string
		at   time.Time
		want string
	}{
		{"Tuesday morning", time.Date(2024, 3, 5, 9, 0, 0, 0, chicago), "2024-03-05"},
		{"one ns before the 17:00 open", time.Date(2024, 3, 5, 16, 59, 59, 999999999, chicago), "2024-03-05"},
		{"the 17:00 open trades for the next day", time.Date(2024, 3, 5, 17, 0, 0, 0, chicago), "2024-03-06"},
		{"Sunday evening open is Monday", time.Date(2024, 3, 3, 17, 0, 0, 0, chicago), "2024-03-04"},
		{"Friday evening rolls to Monday", time.Date(2024, 3, 8, 18, 0, 0, 0, chicago), "2024-03-11"},
		{"Saturday rolls to Monday", time.Date(2024, 3, 9, 12, 0, 0, 0, chicago), "2024-03-11"},
		{"Sunday morning is Monday", time.Date(2024, 3, 10, 9, 0, 0, 0, chicago), "2024-03-11"},
		{"month end", time.Date(2024, 4, 30, 17, 30, 0, 0, chicago), "2024-05-01"},
		{"summer time: 17:00 CDT is 22:00 UTC", time.Date(2024, 7, 9, 22, 0, 0, 0, time.UTC), "2024-07-10"},
		{"winter time: 22:00 UTC is 16:00 CST", time.Date(2024, 1, 9, 22, 0, 0, 0, time.UTC), "2024-01-09"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, CMETradeDate(tt.at).Format(time.DateOnly))
		})
	}
}

// TestDailyReturns holds a long position across the 17:00 CT open: the
// equity it shows after 17:00 belongs to the next trade date.
func TestDailyReturns(t *testing.T) {
	events := []event{
		fillEv(es, venue.Buy, 1, "5000", "0", ct(time.March, 5, 9, 0)),
		priceEv(es, ct(time.March, 5, 15, 59), "5010"), // Tue close: 100500
		priceEv(es, ct(time.March, 5, 17, 0), "5020"),  // Wed session: 101000
		fillEv(es, venue.Sell, 1, "4990", "0", ct(time.March, 6, 10, 0)),
		priceEv(es, ct(time.March, 6, 15, 0), "4980"), // Wed close: 99500
		fillEv(es, venue.Buy, 1, "4980", "0", ct(time.March, 7, 9, 0)),
		priceEv(es, ct(time.March, 7, 15, 0), "5000"), // Thu close: 100500
	}
	s := record(t, Config{}, events).Finish(ct(time.March, 7, 15, 0))

	want := []struct{ date, equity, pnl string }{
		{"2024-03-05", "100500", "500"},
		{"2024-03-06", "99500", "-1000"},
		{"2024-03-07", "100500", "1000"},
	}
	require.Len(t, s.Daily, len(want))
	returns := []float64{500.0 / 100000, -1000.0 / 100500, 1000.0 / 99500}
	for i, w := range want {
		assert.Equal(t, w.date, s.Daily[i].Date)
		assertDec(t, w.equity, s.Daily[i].Equity, "day %d", i)
		assertDec(t, w.pnl, s.Daily[i].PnL, "day %d", i)
		assert.InDelta(t, 100*returns[i], s.Daily[i].ReturnPct, 1e-12, "day %d", i)
	}
	assert.Equal(t, 3, s.TradingDays)

	// Hand computation: mean, sample stdev, downside deviation over all days.
	mean := (returns[0] + returns[1] + returns[2]) / 3
	var ss float64
	for _, r := range returns {
		ss += (r - mean) * (r - mean)
	}
	sd := math.Sqrt(ss / 2)
	down := math.Sqrt(returns[1] * returns[1] / 3)
	assert.InDelta(t, mean/sd*math.Sqrt(252), s.Sharpe, 1e-9)
	assert.InDelta(t, mean/down*math.Sqrt(252), s.Sortino, 1e-9)
	assert.Greater(t, s.Sharpe, 0.0)
}

func TestSharpeEdges(t *testing.T) {
	t0 := ct(time.March, 5, 9, 0)
	tests := []struct {
		name   string
		events []event
		end    int64
	}{
		{"one day", []event{
			fillEv(es, venue.Buy, 1, "5000", "0", t0),
			priceEv(es, t0+int64(time.Hour), "5010"),
		}, t0 + int64(time.Hour)},
		{"flat days: zero stdev", []event{
			priceEv(es, t0, "5000"),
			priceEv(es, t0+24*int64(time.Hour), "5000"),
			priceEv(es, t0+48*int64(time.Hour), "5000"),
		}, t0 + 48*int64(time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := record(t, Config{}, tt.events).Finish(tt.end)
			assert.Zero(t, s.Sharpe)
			assert.Zero(t, s.Sortino)
		})
	}

	t.Run("no losing day: Sortino 0", func(t *testing.T) {
		s := record(t, Config{}, []event{
			fillEv(es, venue.Buy, 1, "5000", "0", t0),
			priceEv(es, t0+24*int64(time.Hour), "5010"),
			priceEv(es, t0+48*int64(time.Hour), "5030"),
		}).Finish(t0 + 48*int64(time.Hour))
		assert.Greater(t, s.Sharpe, 0.0)
		assert.Zero(t, s.Sortino)
	})
}

func TestCustomTradeDate(t *testing.T) {
	calendar := func(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour) }
	evs := []event{
		priceEv(es, ct(time.March, 5, 17, 0), "5000"), // 23:00 UTC on the 5th
		priceEv(es, ct(time.March, 5, 19, 0), "5000"), // 01:00 UTC on the 6th
	}
	s := record(t, Config{TradeDate: calendar}, evs).Finish(ct(time.March, 5, 19, 0))
	require.Len(t, s.Daily, 2)
	assert.Equal(t, "2024-03-05", s.Daily[0].Date)
	assert.Equal(t, "2024-03-06", s.Daily[1].Date)
}

func TestRatioJSON(t *testing.T) {
	for _, r := range []Ratio{0, 1.5, Ratio(math.Inf(1))} {
		b, err := json.Marshal(r)
		require.NoError(t, err)
		var back Ratio
		require.NoError(t, json.Unmarshal(b, &back))
		assert.Equal(t, r, back, string(b))
	}
	b, _ := json.Marshal(Ratio(math.Inf(1)))
	assert.Equal(t, `"+Inf"`, string(b))
	_, err := json.Marshal(Ratio(math.NaN()))
	assert.Error(t, err)
}

func TestDownsample(t *testing.T) {
	pts := make([]xy, 100_000)
	for i := range pts {
		pts[i] = xy{int64(i), math.Sin(float64(i) / 1000)}
	}
	pts[31_337].v = -5 // a deep trough
	pts[77_777].v = 9  // a high peak
	got := downsample(pts, 5000)
	assert.LessOrEqual(t, len(got), 5000)
	assert.Greater(t, len(got), 4000)
	assert.Equal(t, pts[0], got[0])
	assert.Equal(t, pts[len(pts)-1], got[len(got)-1])
	assert.Contains(t, got, pts[31_337])
	assert.Contains(t, got, pts[77_777])
	for i := 1; i < len(got); i++ {
		require.Less(t, got[i-1].t, got[i].t, "time order")
	}
	short := pts[:10]
	assert.Equal(t, short, downsample(short, 5000))
}
