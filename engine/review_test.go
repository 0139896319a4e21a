package engine

import (
	"math"
	"testing"
	"time"

	"github.com/keeltrade/keel/risk"
	"github.com/keeltrade/keel/strategy"
	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/sim"
	"github.com/keeltrade/keel/venue/venuetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAdvanceToEndOfTimeReturns(t *testing.T) {
	e := newEngine(t, &venuetest.Recorder{}, nil)
	require.NoError(t, e.Add("rec", &recorder{}, nil))
	require.NoError(t, e.Start())
	done := make(chan struct{})
	go func() {
		e.Advance(math.MaxInt64)
		e.OnTick(trade(mesID, math.MaxInt64, "5000", 1))
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("advancing to the largest time never returns")
	}
}

// manualClock is a wall clock a test moves by hand.
type manualClock struct{ now int64 }

func (c *manualClock) Now() int64 { return c.now }

func TestLateTradeDoesNotReopenClosedBar(t *testing.T) {
	clk := &manualClock{now: sec(1)}
	rec := &recorder{init: func(ctx strategy.Context) error { return ctx.Bars("MESM6", venue.Every(time.Minute)) }}
	e, err := New(Config{Instruments: instruments(t), Venue: &venuetest.Recorder{}, Clock: clk, Logger: quietLog()})
	require.NoError(t, err)
	require.NoError(t, e.Add("rec", rec, nil))
	require.NoError(t, e.Start())
	e.OnTick(trade(mesID, sec(10), "5000", 1))
	clk.now = sec(60)
	e.Advance(clk.now) // the wall clock closes [14:30, 14:31)
	clk.now = sec(60.01)
	e.OnTick(trade(mesID, sec(59.995), "5001", 1)) // stamped inside it, arrives late
	clk.now = sec(120)
	e.Advance(clk.now)
	require.Len(t, rec.log, 1, "one bar for the minute: %v", rec.log)
	assert.Contains(t, rec.log[0], "14:30:00-14:31:00 O5000 H5000 L5000 C5000 V1 N1")
	assert.Equal(t, int64(1), e.Stats().LateTrades)
}

func TestFillAfterCancelKeepsOrderCancelled(t *testing.T) {
	e := newEngine(t, &venuetest.Recorder{}, nil)
	require.NoError(t, e.Add("rec", &recorder{}, nil))
	require.NoError(t, e.Start())
	r := e.byName["rec"]
	id, err := r.Submit(venue.OrderIntent{Symbol: "MESM6", Side: venue.Buy, Qty: 3, Type: venue.Limit, Limit: venue.MustParsePrice("5000")})
	require.NoError(t, err)
	e.OnEvent(venue.Event{Kind: venue.EventCancelled, ClientID: id})
	e.OnEvent(venue.Event{Kind: venue.EventFilled, ClientID: id, Fill: venue.Fill{ID: 1, Side: venue.Buy, Qty: 1, Price: venue.MustParsePrice("5000"), Contract: mesID}})
	assert.Equal(t, venue.Cancelled, e.Orders()[0].Status)
	assert.Equal(t, int64(1), r.Position("MESM6").Net, "the fill still counts")
	assert.Empty(t, r.OpenOrders(""))
}

// TestRiskGateSeesBarPrices: on bar data the gate marks positions at each
// bar's close, so a loss limit trips without a fill.
func TestRiskGateSeesBarPrices(t *testing.T) {
	cfg, err := risk.ParseConfig([]byte("account:\n  market_hours: {enabled: false}\n  daily_loss: 100\n  flatten_on_breach: true\n"))
	require.NoError(t, err)
	gate, err := risk.New(cfg, risk.WithLogger(quietLog()))
	require.NoError(t, err)
	ins := instruments(t)
	ex, err := sim.New(sim.Config{Instruments: ins})
	require.NoError(t, err)
	e, err := New(Config{Instruments: ins, Venue: ex, Gate: gate, Logger: quietLog()})
	require.NoError(t, err)
	entered := false
	rec := &recorder{init: func(ctx strategy.Context) error { return ctx.Bars("MESM6", venue.Every(time.Minute)) }}
	rec.onBar = func(ctx strategy.Context, b venue.Bar) {
		if !entered {
			entered = true
			_, err := ctx.Submit(venue.OrderIntent{Symbol: "MESM6", Side: venue.Buy, Qty: 2, Type: venue.Market})
			require.NoError(t, err)
		}
	}
	require.NoError(t, e.Add("rec", rec, nil))
	require.NoError(t, e.Start())
	bar := func(m int, o, h, l, c string) *venue.Bar {
		return &venue.Bar{Contract: mesID, Spec: venue.Every(time.Minute), Start: sec(float64(60 * m)), End: sec(float64(60 * (m + 1))),
			Open: venue.MustParsePrice(o), High: venue.MustParsePrice(h), Low: venue.MustParsePrice(l), Close: venue.MustParsePrice(c), Volume: 10, Trades: 5}
	}
	e.OnBarData(bar(0, "5000", "5001", "4999", "5000")) // entry decided at the close
	e.OnBarData(bar(1, "5000", "5000", "4987", "4988")) // filled at 5000; closes −12 × 2 × $5 = −$120
	e.OnBarData(bar(2, "4988", "4989", "4987", "4988")) // the flatten fills at this bar's open
	orders := e.Orders()
	require.Len(t, orders, 2)
	assert.Equal(t, "risk-flatten", orders[1].Intent.Tag)
	assert.Equal(t, venue.Filled, orders[1].Status)
	assert.Equal(t, int64(0), e.byName["rec"].Position("MESM6").Net)
}
