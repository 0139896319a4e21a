package smacross_test

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/keeltrade/keel/engine"
	"github.com/keeltrade/keel/examples/smacross"
	"github.com/keeltrade/keel/strategy"
	"github.com/keeltrade/keel/strategy/indicator"
	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/venuetest"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCrossesThroughEngine drives the strategy with synthetic ticks, one
// trade per minute, through the real engine, and checks the orders it sends.
func TestCrossesThroughEngine(t *testing.T) {
	inst, err := venue.NewInstrumentSet(venue.Instrument{ID: 7, Symbol: "ESZ6", Root: "ES", TickSize: venue.MustParsePrice("0.25"), PointValue: decimal.NewFromInt(50)})
	require.NoError(t, err)
	v := &venuetest.Recorder{}
	eng, err := engine.New(engine.Config{Instruments: inst, Venue: v, Session: "test", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	p, err := strategy.ParseParams("symbol=ESZ6,fast=2,slow=4")
	require.NoError(t, err)
	s, err := strategy.New("smacross", p)
	require.NoError(t, err)
	require.NoError(t, eng.Add("sma", s, p))
	require.NoError(t, eng.Start())

	// Minute closes (points above 5000). With SMA(2)/SMA(4):
	// bar 4 (m3):  fast 10,   slow 10   → fast not below: "above"
	// bar 5 (m4):  fast 9.5,  slow 9.75 → crosses below: sell 1 (go short)
	// bar 9 (m8):  fast 8.5,  slow 8    → crosses above: buy 2 (short 1 → long 1)
	// bar 13 (m12): fast 10,  slow 10.25 → crosses below: sell 2 (long 1 → short 1)
	closes := []int64{10, 10, 10, 10, 9, 8, 7, 8, 9, 10, 11, 12, 8, 8}
	start := time.Date(2026, 11, 2, 15, 0, 0, 0, time.UTC)
	for i, c := range closes {
		at := start.Add(time.Duration(i)*time.Minute + 30*time.Second).UnixNano()
		eng.OnTick(&venue.Tick{Time: at, Contract: 7, Price: venue.PriceFromInt(5000 + c), Size: 1, Flags: venue.HasTrade})
	}
	eng.Advance(start.Add(time.Duration(len(closes)) * time.Minute).UnixNano())

	type sent struct {
		id   string
		side venue.Side
		qty  int64
		at   string
	}
	var got []sent
	for _, o := range v.Orders {
		assert.Equal(t, venue.Market, o.Intent.Type)
		got = append(got, sent{o.ClientID, o.Intent.Side, o.Intent.Qty, time.Unix(0, o.Created).UTC().Format("15:04")})
	}
	assert.Equal(t, []sent{
		{"sma-test-1", venue.Sell, 1, "15:05"},
		{"sma-test-2", venue.Buy, 2, "15:09"},
		{"sma-test-3", venue.Sell, 2, "15:13"},
	}, got)
	assert.Empty(t, eng.Failures())
}

func TestParams(t *testing.T) {
	for _, tt := range []struct {
		params string
		err    string
	}{
		{"symbol=ESZ6", ""},
		{"", "symbol"},
		{"symbol=ESZ6,fast=30,slow=10", "greater than fast"},
		{"symbol=ESZ6,fast=x", "integer"},
		{"symbol=ESZ6,bar=soon", "duration"},
		{"symbol=ESZ6,fsat=3", `unknown parameter "fsat"`},
		{"symbol=ESZ6,qty=0", "qty"},
		{"symbol=ESZ6,slow=999999999999", `parameter slow="999999999999": must be at most 1048576`},
		{"symbol=ESZ6,fast=1048577,slow=1048578", "slow"},
		{"symbol=ESZ6,fast=10,slow=1048576", ""},
	} {
		p, err := strategy.ParseParams(tt.params)
		require.NoError(t, err)
		_, err = strategy.New("smacross", p)
		if tt.err == "" {
			assert.NoError(t, err, tt.params)
		} else {
			assert.ErrorContains(t, err, tt.err, tt.params)
		}
	}
	_, err := smacross.New(strategy.NewParams(map[string]string{"symbol": "ESZ6"}))
	assert.NoError(t, err)
}

// TestInitRefusesOverlongWindow: a Cross built in code, past the parameter
// checks, fails its Init with the indicator's error instead of allocating a
// window the size of its Slow.
func TestInitRefusesOverlongWindow(t *testing.T) {
	inst, err := venue.NewInstrumentSet(venue.Instrument{ID: 7, Symbol: "ESZ6", Root: "ES", TickSize: venue.MustParsePrice("0.25"), PointValue: decimal.NewFromInt(50)})
	require.NoError(t, err)
	eng, err := engine.New(engine.Config{Instruments: inst, Venue: &venuetest.Recorder{}, Session: "test", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	c := &smacross.Cross{Symbol: "ESZ6", Bar: time.Minute, Fast: 10, Slow: 999_999_999_999, Qty: 1}
	require.NoError(t, eng.Add("sma", c, nil))
	_ = eng.Start()
	f := eng.Failures()
	require.Len(t, f, 1)
	assert.ErrorIs(t, f[0].Err, indicator.ErrPeriod)
	assert.ErrorContains(t, f[0].Err, "must be at most 1048576")
}
