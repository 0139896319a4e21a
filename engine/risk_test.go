package engine

import (
	"testing"

	"github.com/keeltrade/keel/risk"
	"github.com/keeltrade/keel/strategy"
	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/sim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRiskGateFlattensOnDailyLoss wires the real gate and the simulator:
// a loss past the daily limit makes the gate ask for a flatten, which the
// engine sends on the strategy's behalf; new entries are then denied, and
// the strategy hears why.
func TestRiskGateFlattensOnDailyLoss(t *testing.T) {
	cfg, err := risk.ParseConfig([]byte(`
account:
  market_hours: {enabled: false}
  daily_loss: 100
  flatten_on_breach: true
`))
	require.NoError(t, err)
	gate, err := risk.New(cfg, risk.WithLogger(quietLog()))
	require.NoError(t, err)
	ins := instruments(t)
	ex, err := sim.New(sim.Config{Instruments: ins})
	require.NoError(t, err)
	e, err := New(Config{Instruments: ins, Venue: ex, Gate: gate, Logger: quietLog(), Session: "T"})
	require.NoError(t, err)

	var submitErrs []error
	rec := &recorder{}
	rec.onTick = func(ctx strategy.Context, tk venue.Tick) {
		if tk.Time == sec(1) || tk.Time == sec(5) {
			_, err := ctx.Submit(venue.OrderIntent{Symbol: "MESM6", Side: venue.Buy, Qty: 2, Type: venue.Market})
			submitErrs = append(submitErrs, err)
		}
	}
	require.NoError(t, e.Add("rec", rec, nil))
	require.NoError(t, e.Start())
	e.OnTick(trade(mesID, sec(1), "5000", 10))   // buy 2 sent
	e.OnTick(trade(mesID, sec(2), "5000", 10))   // filled at 5000
	e.OnTick(trade(mesID, sec(3), "4989", 10))   // −11 pts × 2 × $5 = −$110: breach, flatten sent
	e.OnTick(trade(mesID, sec(4), "4989.5", 10)) // flatten fills
	e.OnTick(trade(mesID, sec(5), "4990", 10))   // a new entry is denied

	orders := e.Orders()
	require.Len(t, orders, 3)
	assert.Equal(t, venue.Filled, orders[1].Status)
	assert.Equal(t, "risk-flatten", orders[1].Intent.Tag)
	assert.Equal(t, venue.Sell, orders[1].Intent.Side)
	assert.Equal(t, int64(2), orders[1].Intent.Qty)
	assert.Equal(t, venue.Rejected, orders[2].Status)
	assert.Equal(t, int64(0), e.byName["rec"].Position("MESM6").Net)

	require.Len(t, submitErrs, 2)
	assert.NoError(t, submitErrs[0])
	var d *risk.Denied
	require.ErrorAs(t, submitErrs[1], &d)
	assert.Equal(t, risk.RuleDailyLoss, d.Rule)
	for _, ev := range rec.events {
		assert.NotEqual(t, venue.EventDenied, ev.Kind, "the denial is Submit's error, not an event too")
	}
}
