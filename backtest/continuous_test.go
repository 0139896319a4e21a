package backtest

import (
	"context"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/engine"
	"github.com/keeltrade/keel/strategy"
	"github.com/keeltrade/keel/venue"
)

// rollHold trades the continuous contract ES on one-minute bars: long one
// from the first bar of 2013-12-02, through the ESZ13 → ESH14 roll, flat
// on 2013-12-20; long one again from 2020-01-06 to the end.
type rollHold struct {
	bars         []venue.Bar
	symbols      map[string]int
	at1220       [3]strategy.Position // ES, ESZ13, ESH14 on the first bar of 2013-12-20
	bought, flat bool
	bought2020   bool
	err          error
}

var lastRollHold *rollHold

func init() {
	strategy.Register("test-rollhold", "holds ES across a roll (backtest tests)", func(*strategy.Params) (strategy.Strategy, error) {
		lastRollHold = &rollHold{symbols: map[string]int{}}
		return lastRollHold, nil
	})
}

func (s *rollHold) Init(ctx strategy.Context) error { return ctx.Bars("ES", venue.Every(time.Minute)) }

func (s *rollHold) OnBar(ctx strategy.Context, b venue.Bar) {
	s.bars = append(s.bars, b)
	s.symbols[ctx.Symbol(b.Contract)]++
	day := time.Unix(0, b.Start).UTC().Format(time.DateOnly)
	buy := func() {
		if _, err := ctx.Submit(venue.OrderIntent{Symbol: "ES", Side: venue.Buy, Qty: 1, Type: venue.Market}); err != nil && s.err == nil {
			s.err = err
		}
	}
	switch {
	case day == "2013-12-02" && !s.bought:
		s.bought = true
		buy()
	case day == "2013-12-20" && !s.flat:
		s.flat = true
		s.at1220 = [3]strategy.Position{ctx.Position("ES"), ctx.Position("ESZ13"), ctx.Position("ESH14")}
		if err := ctx.Flatten("ES"); err != nil && s.err == nil {
			s.err = err
		}
	case day == "2020-01-06" && !s.bought2020:
		s.bought2020 = true
		buy()
	}
}

// minuteBars is ../shared/data's 2013–2020 ES minute bars, which hold
// several contracts at once, or a skip.
func minuteBars(t *testing.T) string {
	t.Helper()
	path := filepath.Join("..", "..", "shared", "data", "es_minute_trade_bars_lean_2013-2020.csv")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("real market data not available (%s): %v", path, err)
	}
	return path
}

// closes reads the file's close price of each contract's bar by start time.
func closes(t *testing.T, path string) map[string]map[int64]venue.Price {
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	r := csv.NewReader(f)
	_, err = r.Read() // header: ts_utc,symbol,open,high,low,close,volume
	require.NoError(t, err)
	out := map[string]map[int64]venue.Price{}
	for {
		row, err := r.Read()
		if err == io.EOF {
			return out
		}
		require.NoError(t, err)
		ts, err := time.Parse(time.RFC3339, row[0])
		require.NoError(t, err)
		if out[row[1]] == nil {
			out[row[1]] = map[int64]venue.Price{}
		}
		out[row[1]][ts.UnixNano()] = venue.MustParsePrice(row[5])
	}
}

func TestContinuousBacktestAcrossARoll(t *testing.T) {
	path := minuteBars(t)
	res, err := Run(context.Background(), Config{Strategy: "test-rollhold", Files: []string{path}, Logger: quiet()})
	require.NoError(t, err)
	s := lastRollHold
	require.NoError(t, s.err)
	require.Empty(t, res.Failures)

	// One series: every bar is ES's, one a minute, each the front month's.
	// ESZ13 is the front until its roll date (2013-12-12, midnight CT),
	// ESH14 after it; in 2020, ESH20.
	assert.Equal(t, map[string]int{"ES": len(s.bars)}, s.symbols)
	file := closes(t, path)
	roll := time.Date(2013, 12, 12, 6, 0, 0, 0, time.UTC).UnixNano()
	y2020 := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	fronts := map[string]int{}
	for i, b := range s.bars {
		if i > 0 {
			require.Greater(t, b.Start, s.bars[i-1].Start, "bar %d starts after the one before", i)
		}
		front := "ESZ13"
		switch {
		case b.Start >= y2020:
			front = "ESH20"
		case b.Start >= roll:
			front = "ESH14"
		}
		want, ok := file[front][b.Start]
		require.True(t, ok, "bar %d at %s: the front month %s has a bar then", i, time.Unix(0, b.Start).UTC(), front)
		require.Equal(t, want, b.Close, "bar %d at %s is %s's", i, time.Unix(0, b.Start).UTC(), front)
		fronts[front]++
	}
	var beforeRoll int
	for ts := range file["ESZ13"] {
		if ts < roll {
			beforeRoll++
		}
	}
	assert.Equal(t, beforeRoll, fronts["ESZ13"], "every ESZ13 bar before the roll, none after it")
	assert.Positive(t, fronts["ESH14"])
	assert.Equal(t, len(file["ESH20"]), fronts["ESH20"])

	// The position bought in ESZ13 was rolled to ESH14 once.
	assert.Equal(t, int64(1), res.Stats.Rolls)
	require.Len(t, res.Summary.Rolls, 1)
	r := res.Summary.Rolls[0]
	assert.Equal(t, "2013-12-18", r.Time.Format(time.DateOnly), "the first data after the roll date")
	assert.Equal(t, [5]any{"ES", "ESZ13", "ESH14", int64(1), int64(1)}, [5]any{r.Root, r.From, r.To, r.Qty, r.Opened})
	assert.Empty(t, r.Note)
	assert.True(t, r.Cost.Equal(res.Summary.RollCost))
	var tagged []venue.Order
	for _, o := range res.Orders {
		if o.Intent.Tag == engine.RollTag {
			tagged = append(tagged, o)
		}
	}
	require.Len(t, tagged, 2, "a close and an open, both tagged as a roll")
	assert.Equal(t, [2]string{"ESZ13", "ESH14"}, [2]string{tagged[0].Intent.Symbol, tagged[1].Intent.Symbol})
	assert.Equal(t, [2]venue.OrderStatus{venue.Filled, venue.Filled}, [2]venue.OrderStatus{tagged[0].Status, tagged[1].Status})

	assert.Equal(t, [3]int64{1, 0, 1}, [3]int64{s.at1220[0].Net, s.at1220[1].Net, s.at1220[2].Net}, "on 12-20 the ES position is ESH14's")
	require.Len(t, res.Summary.OpenPositions, 1)
	assert.Equal(t, "ESH20", res.Summary.OpenPositions[0].Symbol, "2020's position is in 2020's front month")
	assert.Zero(t, res.Summary.ExitsLost)
}
