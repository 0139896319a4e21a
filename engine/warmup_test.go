package engine

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/strategy"
	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/venuetest"
)

type warmer struct {
	spec    venue.BarSpec
	n       int
	errs    []error
	hist    *strategy.Series
	closes  []venue.Price
	lastAgo venue.Bar
}

func (w *warmer) Init(ctx strategy.Context) error {
	if err := ctx.WarmUp("MESM6", w.spec, w.n); err != nil {
		return err
	}
	w.hist = ctx.History("MESM6", w.spec)
	return nil
}

func (w *warmer) OnBar(ctx strategy.Context, b venue.Bar) {
	w.closes = append(w.closes, b.Close)
	w.lastAgo = ctx.History("MESM6", w.spec).Ago(0)
	_, err := ctx.Submit(venue.OrderIntent{Symbol: "MESM6", Side: venue.Buy, Qty: 1, Type: venue.Limit, Limit: venue.MustParsePrice("4000")})
	w.errs = append(w.errs, err)
}

func TestWarmUpAndHistory(t *testing.T) {
	v := &venuetest.Recorder{}
	e := newEngine(t, v, nil)
	w := &warmer{spec: venue.Every(time.Minute), n: 3}
	require.NoError(t, e.Add("w", w, nil))
	require.NoError(t, e.Start())
	for i := range 5 {
		e.OnTick(trade(mesID, t0+int64(i)*int64(time.Minute), "5000."+[]string{"00", "25", "50", "75", "00"}[i], 1))
	}
	e.Advance(t0 + 5*int64(time.Minute))
	require.Len(t, w.errs, 5)
	assert.True(t, errors.Is(w.errs[0], strategy.ErrWarmingUp), "%v", w.errs[0])
	assert.Contains(t, w.errs[0].Error(), "1 of 3 1m0s bars of MESM6")
	assert.True(t, errors.Is(w.errs[1], strategy.ErrWarmingUp))
	assert.NoError(t, w.errs[2], "the third bar completes the warm-up")
	assert.NoError(t, w.errs[3])
	require.NotNil(t, w.hist)
	assert.Equal(t, 5, w.hist.Len())
	assert.Equal(t, w.closes[4], w.hist.Ago(0).Close)
	assert.Equal(t, w.closes[0], w.hist.Ago(4).Close)
	assert.Equal(t, w.hist.Ago(0), w.lastAgo)
	wu := e.WarmUps()
	require.Len(t, wu, 1)
	assert.True(t, wu[0].Ready)
	assert.Equal(t, int64(2), wu[0].Refused)
	assert.Equal(t, int64(2), e.Stats().WarmingUp)
	assert.Nil(t, (&runner{e: e}).History("MESM6", w.spec), "not ours")
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = w.hist.Ago(2) }))
}

func TestWarmUpNeverReady(t *testing.T) {
	e := newEngine(t, &venuetest.Recorder{}, nil)
	w := &warmer{spec: venue.Every(5 * time.Minute), n: 14}
	require.NoError(t, e.Add("rsi", w, nil))
	require.NoError(t, e.Start())
	for i := range 60 {
		e.OnTick(trade(mesID, t0+int64(i)*int64(time.Minute), "5000", 1))
	}
	wu := e.WarmUps()[0]
	assert.False(t, wu.Ready)
	assert.Contains(t, wu.Status, "11 of 14 5m0s bars of MESM6")
	assert.Equal(t, int64(60), wu.Events)
}

func TestWarmUpFor(t *testing.T) {
	e := newEngine(t, &venuetest.Recorder{}, nil)
	var errs []error
	rec := &recorder{
		init: func(ctx strategy.Context) error {
			require.NoError(t, ctx.WarmUpFor(2*time.Second))
			return ctx.Subscribe("MESM6")
		},
		onTick: func(ctx strategy.Context, _ venue.Tick) {
			_, err := ctx.Submit(venue.OrderIntent{Symbol: "MESM6", Side: venue.Buy, Qty: 1, Type: venue.Limit, Limit: venue.MustParsePrice("4000")})
			errs = append(errs, err)
		},
	}
	require.NoError(t, e.Add("r", rec, nil))
	require.NoError(t, e.Start())
	for i := range 4 {
		e.OnTick(trade(mesID, sec(float64(i)), "5000", 1))
	}
	require.Len(t, errs, 4)
	assert.Error(t, errs[0])
	assert.Error(t, errs[1])
	assert.NoError(t, errs[2], "2s of data")
}

// Warm-up on bar data: data bars fold into the series and complete it.
func TestWarmUpOnBarData(t *testing.T) {
	e := newEngine(t, &venuetest.Recorder{}, nil)
	w := &warmer{spec: venue.Every(5 * time.Minute), n: 2}
	require.NoError(t, e.Add("w", w, nil))
	require.NoError(t, e.Start())
	for i := range 15 {
		start := t0 + int64(i)*int64(time.Minute)
		px := venue.MustParsePrice("5000")
		e.OnBarData(&venue.Bar{Contract: mesID, Spec: venue.Every(time.Minute), Start: start, End: start + int64(time.Minute), Open: px, High: px, Low: px, Close: px, Volume: 3, Trades: 3})
	}
	require.Len(t, w.errs, 3, "three 5-minute bars from 15 one-minute bars")
	assert.ErrorIs(t, w.errs[0], strategy.ErrWarmingUp)
	assert.NoError(t, w.errs[1])
	assert.Equal(t, int64(15), w.hist.Ago(0).Volume)
}

// One strategy trading two contracts learns each tick's symbol from the
// context, no map of its own.
func TestStrategyTradingTwoContracts(t *testing.T) {
	rg := newRig(t, `account: {market_hours: {enabled: false}, duplicate_window: 0s}`)
	seen := map[string]int{}
	rec := &recorder{
		init: func(ctx strategy.Context) error {
			if err := ctx.Subscribe("MESM6"); err != nil {
				return err
			}
			return ctx.Subscribe("MNQM6")
		},
		onTick: func(ctx strategy.Context, tk venue.Tick) {
			sym := ctx.Symbol(tk.Contract)
			seen[sym]++
			if seen[sym] == 1 {
				side := venue.Buy
				if sym == "MNQM6" {
					side = venue.Sell
				}
				_, err := ctx.Submit(venue.OrderIntent{Symbol: sym, Side: side, Qty: 1, Type: venue.Market})
				require.NoError(t, err)
			}
		},
	}
	require.NoError(t, rg.e.Add("pair", rec, nil))
	require.NoError(t, rg.e.Start())
	for i := range 3 {
		at := sec(float64(i + 1))
		rg.e.OnTick(trade(mesID, at, "5000", 10))
		rg.e.OnTick(trade(mnqID, at, "18000", 10))
	}
	assert.Equal(t, 3, seen["MESM6"])
	assert.Equal(t, 3, seen["MNQM6"])
	r := rg.e.byName["pair"]
	assert.Equal(t, int64(1), r.Position("MESM6").Net)
	assert.Equal(t, int64(-1), r.Position("MNQM6").Net)
	assert.Equal(t, int64(1), rg.x.Position(mesID).Net)
	assert.Equal(t, int64(-1), rg.x.Position(mnqID).Net)
}
