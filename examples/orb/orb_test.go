package orb_test

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

	_ "github.com/keeltrade/keel/examples/orb"
)

type ohlc struct {
	at         string // HH:MM UTC on 2026-11-03 (CST: 14:30 UTC is 08:30 CT)
	o, h, l, c string
}

func run(t *testing.T, params string, bars []ohlc) *engine.Engine {
	t.Helper()
	inst, err := venue.NewInstrumentSet(venue.Instrument{ID: 1, Symbol: "ESZ6", Root: "ES", TickSize: venue.MustParsePrice("0.25"), PointValue: decimal.NewFromInt(50)})
	require.NoError(t, err)
	ex, err := sim.New(sim.Config{Instruments: inst})
	require.NoError(t, err)
	eng, err := engine.New(engine.Config{Instruments: inst, Venue: ex, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	p, err := strategy.ParseParams(params)
	require.NoError(t, err)
	s, err := strategy.New("orb", p)
	require.NoError(t, err)
	require.NoError(t, eng.Add("orb", s, p))
	require.NoError(t, eng.Start())
	for _, b := range bars {
		at, err := time.Parse("2006-01-02 15:04", "2026-11-03 "+b.at)
		require.NoError(t, err)
		eng.OnBarData(&venue.Bar{Contract: 1, Spec: venue.Every(time.Minute), Start: at.UnixNano(), End: at.Add(time.Minute).UnixNano(),
			Open: venue.MustParsePrice(b.o), High: venue.MustParsePrice(b.h), Low: venue.MustParsePrice(b.l), Close: venue.MustParsePrice(b.c), Volume: 100, Trades: 10})
	}
	require.Empty(t, eng.Failures())
	return eng
}

// rangeBars builds the 15 opening-range bars: high 6010, low 6000.
func rangeBars() []ohlc {
	var out []ohlc
	for i := range 15 {
		out = append(out, ohlc{time.Date(0, 1, 1, 14, 30+i, 0, 0, time.UTC).Format("15:04"), "6005", "6010", "6000", "6005"})
	}
	return out
}

func TestBreakoutHitsTarget(t *testing.T) {
	bars := append(rangeBars(),
		ohlc{"14:29", "6005", "6006", "6004", "6005"}, // pre-open: ignored (sorted below)
	)
	bars = append(bars[len(bars)-1:], bars[:len(bars)-1]...)
	bars = append(bars,
		ohlc{"14:45", "6009", "6012.25", "6008", "6012"},  // closes above 6010: buy, target 6016, stop 6000
		ohlc{"14:46", "6012.5", "6013", "6011", "6012"},   // entry fills at the open, 6012.5
		ohlc{"14:47", "6013", "6017", "6012.5", "6016.5"}, // trades through 6016: target fills, stop cancelled
		ohlc{"14:48", "5990", "5995", "5980", "5990"},     // would have stopped out: nothing left
	)
	eng := run(t, "symbol=ESZ6", bars)
	var got []string
	for _, o := range eng.Orders() {
		got = append(got, o.ClientID+" "+o.Intent.Side.String()+" "+o.Intent.Type.String()+" "+o.Status.String()+" "+o.AvgPrice.String())
	}
	assert.Equal(t, []string{
		"orb-0-1 Buy Market Filled 6012.5",
		"orb-0-1/tp Sell Limit Filled 6016",
		"orb-0-1/sl Sell Stop Cancelled 0",
	}, got)
	pnl, _ := eng.PnL("orb")
	assert.Equal(t, "175", pnl.Realized.String(), "3.5 points × $50")
}

func TestFlattensBeforeClose(t *testing.T) {
	bars := append(rangeBars(),
		ohlc{"14:45", "6001", "6002", "5998", "5999"}, // closes below 6000: sell, target 5995, stop 6010
		ohlc{"14:46", "5999", "6001", "5997", "5998"}, // entry fills at 5999
		ohlc{"20:59", "5998", "5999", "5996", "5997"}, // bar ending 15:00 CT: cancel exits, buy back
		ohlc{"21:00", "5997.5", "5998", "5996", "5997"},
	)
	eng := run(t, "symbol=ESZ6,target=16", bars)
	orders := eng.Orders()
	require.Len(t, orders, 4)
	assert.Equal(t, "5999", orders[0].AvgPrice.String())
	for _, o := range orders[1:3] {
		assert.Equal(t, venue.Cancelled, o.Status, o.ClientID)
	}
	assert.Equal(t, "orb-0-2", orders[3].ClientID)
	assert.Equal(t, venue.Buy, orders[3].Intent.Side)
	assert.Equal(t, "5997.5", orders[3].AvgPrice.String())
	pnl, _ := eng.PnL("orb")
	assert.Equal(t, "75", pnl.Realized.String(), "short 5999 → 5997.5, 1.5 points × $50")
}

func TestParams(t *testing.T) {
	for params, want := range map[string]string{
		"":                        "symbol",
		"symbol=ESZ6,open=8h30":   "open",
		"symbol=ESZ6,flat=08:40":  "flat",
		"symbol=ESZ6,range=0s":    "range",
		"symbol=ESZ6,target=0":    "target",
		"symbol=ESZ6,stop=-1":     "stop",
		"symbol=ESZ6,qty=0":       "qty",
		"symbol=ESZ6,colour=blue": "colour",
	} {
		p, err := strategy.ParseParams(params)
		require.NoError(t, err)
		_, err = strategy.New("orb", p)
		assert.ErrorContains(t, err, want, params)
	}
}
