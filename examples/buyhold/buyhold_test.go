package buyhold_test

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/keeltrade/keel/engine"
	"github.com/keeltrade/keel/strategy"
	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/sim"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	_ "github.com/keeltrade/keel/examples/buyhold"
)

func TestBuyHoldThroughEngineAndSim(t *testing.T) {
	inst, err := venue.NewInstrumentSet(venue.Instrument{ID: 1, Symbol: "ESZ6", Root: "ES", TickSize: venue.MustParsePrice("0.25"), PointValue: decimal.NewFromInt(50)})
	require.NoError(t, err)
	ex, err := sim.New(sim.Config{Instruments: inst})
	require.NoError(t, err)
	eng, err := engine.New(engine.Config{Instruments: inst, Venue: ex, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	p, err := strategy.ParseParams("symbol=ESZ6,qty=2")
	require.NoError(t, err)
	s, err := strategy.New("buyhold", p)
	require.NoError(t, err)
	require.NoError(t, eng.Add("bh", s, p))
	require.NoError(t, eng.Start())

	start := time.Date(2026, 11, 2, 15, 0, 0, 0, time.UTC).UnixNano()
	prices := []string{"6000", "6001", "5999.5", "6004.25"}
	for i, px := range prices {
		if i == len(prices)-1 {
			eng.EndOfData()
		}
		eng.OnTick(&venue.Tick{Time: start + int64(i)*1e9, Contract: 1, Price: venue.MustParsePrice(px), Size: 5, Flags: venue.HasTrade})
	}
	orders := eng.Orders()
	require.Len(t, orders, 2)
	assert.Equal(t, venue.Buy, orders[0].Intent.Side)
	assert.Equal(t, int64(2), orders[0].Intent.Qty)
	assert.Equal(t, "6000", orders[0].AvgPrice.String(), "fills on the first trade")
	assert.Equal(t, venue.Sell, orders[1].Intent.Side)
	assert.Equal(t, "6004.25", orders[1].AvgPrice.String(), "flattens on the last trade")
	pnl, _ := eng.PnL("bh")
	assert.Equal(t, "425", pnl.Realized.String(), "2 × 4.25 points × $50")
	assert.True(t, pnl.Unrealized.IsZero())
}

func TestParams(t *testing.T) {
	_, err := strategy.New("buyhold", strategy.NewParams(nil))
	assert.ErrorContains(t, err, "symbol")
	_, err = strategy.New("buyhold", strategy.NewParams(map[string]string{"symbol": "ESZ6", "qty": "0"}))
	assert.ErrorContains(t, err, "qty")
}
