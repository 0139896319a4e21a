package risk

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/cme"
)

// lossConfig has market hours off and the real calendar keying trade dates.
func lossConfig(l Limits) Config {
	cfg := offConfig()
	cfg.Account = l
	return cfg
}

func realCal() Option { return WithCalendar(cme.DefaultCalendar()) }

func TestDailyLoss(t *testing.T) {
	cfg := lossConfig(Limits{DailyLoss: decimal.NewFromInt(100), FlattenOnBreach: true})
	h := newHarness(t, cfg, realCal()).at(ctTime(2026, 11, 24, 10, 0))

	h.position("s", mes, venue.Buy, 2, "5000") // fee below
	id := h.mustMarket("s", mes, venue.Buy, 1)
	h.fill(id, mes, venue.Buy, 1, "5000", true, "1.24")
	acct := h.g.Account()
	assert.Equal(t, micro("-1.24"), acct.Equity())

	h.trade(mes, "4993.5") // 3 × −26 ticks × 1.25 = −97.50
	assert.Equal(t, micro("-98.74"), acct.DayPnL())
	assert.Nil(t, h.g.Actions(), "not breached yet")
	_, d := h.market("s", mes, venue.Buy, 1)
	require.Nil(t, d)

	h.trade(mes, "4993.25") // −1 tick × 3 × 1.25 more: −102.49, breached
	assert.Equal(t, micro("-102.49"), acct.DayPnL())
	reason := "account day PnL -102.49 reached the daily loss limit of 100.00"
	assert.Equal(t, []Action{{Kind: CancelAll, Reason: reason}, {Kind: Flatten, Reason: reason}}, h.g.Actions())

	want := &Denied{Rule: "daily-loss", Limit: "100.00", Observed: "-102.49",
		Text: "account reached its daily loss limit of 100.00 on trade date 2026-11-24 (day PnL -102.49); only orders that reduce a position pass until the next trade date"}
	_, d = h.market("s", mes, venue.Buy, 1)
	assert.Equal(t, want, d)
	_, d = h.market("s", mes, venue.Sell, 4)
	assert.Equal(t, "daily-loss", d.Rule, "flipping the position is not reducing")
	_, d = h.market("s", mes, venue.Sell, 3)
	assert.Nil(t, d, "closing passes")
	_, d = h.market("s", es, venue.Sell, 1)
	assert.Equal(t, "daily-loss", d.Rule, "other contracts too")

	// The recovery of unrealized PnL doesn't lift the breach: it latches for the day.
	h.trade(mes, "5000")
	_, d = h.market("s", mes, venue.Buy, 1)
	assert.Equal(t, "daily-loss", d.Rule)

	// 16:30 CT: the break belongs to the old trade date.
	h.at(ctTime(2026, 11, 24, 16, 30))
	_, d = h.market("s", mes, venue.Buy, 1)
	assert.Equal(t, "daily-loss", d.Rule)

	// 17:00 CT: the session for trade date 11-25 opens, the day resets.
	h.at(ctTime(2026, 11, 24, 17, 0))
	_, d = h.market("s", mes, venue.Buy, 1)
	assert.Nil(t, d)
	assert.Equal(t, int64(0), acct.DayPnL())
	assert.Equal(t, "2026-11-25", h.g.tradeDate())

	// A fresh loss counts from the new day's start.
	h.trade(mes, "4993.75") // −25 ticks × 3 × 1.25 = −93.75
	assert.Equal(t, micro("-93.75"), acct.DayPnL())
	_, d = h.market("s", mes, venue.Buy, 1)
	assert.Nil(t, d)
}

func TestDailyLossPerStrategy(t *testing.T) {
	cfg := offConfig()
	cfg.Strategies = map[string]Limits{"a": {DailyLoss: decimal.NewFromInt(50)}}
	h := newHarness(t, cfg, realCal())
	h.position("a", mes, venue.Buy, 1, "5000")
	h.position("b", mes, venue.Buy, 1, "5000")
	h.trade(mes, "4990") // each −50
	_, d := h.market("a", mes, venue.Buy, 1)
	assert.Equal(t, &Denied{Rule: "daily-loss", Limit: "50.00", Observed: "-50.00",
		Text: "strategy a reached its daily loss limit of 50.00 on trade date 2026-11-24 (day PnL -50.00); only orders that reduce a position pass until the next trade date"}, d)
	_, d = h.market("b", mes, venue.Buy, 1)
	assert.Nil(t, d, "strategy b has no limit")
	assert.Nil(t, h.g.Actions(), "no flatten_on_breach")
}

func TestDailyLossTripsKillSwitch(t *testing.T) {
	cfg := lossConfig(Limits{DailyLoss: decimal.NewFromInt(10)})
	cfg.KillSwitch.TripOn = []string{RuleDailyLoss}
	h := newHarness(t, cfg, realCal())
	h.position("s", mes, venue.Buy, 1, "5000")
	h.trade(mes, "4998")
	st := h.g.Tripped()
	assert.True(t, st.Tripped)
	assert.Equal(t, "rule daily-loss: account day PnL -10.00 reached the daily loss limit of 10.00", st.Reason)
	acts := h.g.Actions()
	require.Len(t, acts, 2)
	assert.Equal(t, Action{Kind: CancelAll, Reason: "kill switch: " + st.Reason}, acts[0])
	// The kill switch outlives the trade date.
	h.at(ctTime(2026, 11, 25, 10, 0))
	_, d := h.market("s", mes, venue.Buy, 1)
	assert.Equal(t, "kill-switch", d.Rule)
}

func TestTrailingDrawdownIntraday(t *testing.T) {
	cfg := lossConfig(Limits{TrailingDrawdown: decimal.NewFromInt(150)})
	h := newHarness(t, cfg, realCal())
	h.position("s", mes, venue.Buy, 1, "5000")
	acct := h.g.Account()
	h.trade(mes, "5010") // +50: new high-water mark
	h.trade(mes, "5000") // 0: drawdown 50
	assert.Equal(t, micro("50"), acct.Drawdown())
	_, d := h.market("s", mes, venue.Buy, 1)
	require.Nil(t, d)
	h.trade(mes, "4980") // −100: drawdown 150
	_, d = h.market("s", mes, venue.Buy, 1)
	assert.Equal(t, &Denied{Rule: "trailing-drawdown", Limit: "150.00", Observed: "150.00",
		Text: "account breached its trailing drawdown of 150.00 (equity -100.00, high-water mark 50.00); only orders that reduce a position pass until an operator calls Reset"}, d)
	_, d = h.market("s", mes, venue.Sell, 1)
	assert.Nil(t, d, "reducing passes")

	// It survives the trade date; Reset clears it and restarts the mark.
	h.at(ctTime(2026, 11, 25, 10, 0))
	_, d = h.market("s", mes, venue.Buy, 1)
	require.NotNil(t, d)
	require.NoError(t, h.g.Reset())
	_, d = h.market("s", mes, venue.Buy, 1)
	assert.Nil(t, d)
	assert.Equal(t, int64(0), acct.Drawdown())
}

func TestTrailingDrawdownEndOfDay(t *testing.T) {
	cfg := lossConfig(Limits{TrailingDrawdown: decimal.NewFromInt(150), TrailingMode: EndOfDay})
	h := newHarness(t, cfg, realCal()).at(ctTime(2026, 11, 24, 10, 0))
	h.position("s", mes, venue.Buy, 1, "5000")
	acct := h.g.Account()
	h.trade(mes, "5040") // +200 intraday: the mark doesn't move until the day ends
	h.trade(mes, "5020") // +100
	assert.Equal(t, int64(0), acct.peak)
	h.at(ctTime(2026, 11, 24, 17, 0)) // roll at the 17:00 open: mark = +100
	h.trade(mes, "5020")
	assert.Equal(t, micro("100"), acct.peak)
	h.trade(mes, "5000") // 0: drawdown 100
	_, d := h.market("s", mes, venue.Buy, 1)
	require.Nil(t, d)
	h.trade(mes, "4990") // −50: drawdown 150
	_, d = h.market("s", mes, venue.Buy, 1)
	require.NotNil(t, d)
	assert.Equal(t, "trailing-drawdown", d.Rule)
	assert.Equal(t, "150.00", d.Observed)
}

func TestFeesAndRealizedPnL(t *testing.T) {
	h := newHarness(t, offConfig())
	id := h.mustMarket("s", es, venue.Buy, 2)
	h.fill(id, es, venue.Buy, 1, "5000", false, "2.25")
	h.fill(id, es, venue.Buy, 1, "5000.25", true, "2.25")
	id = h.mustMarket("s", es, venue.Sell, 2)
	h.fill(id, es, venue.Sell, 2, "5001", true, "4.50")
	// Realized: (4 + 3 ticks) × 12.50 = 87.50; fees 9.00.
	s, _ := h.g.Strategy("s")
	assert.Equal(t, micro("78.50"), s.Equity())
	assert.Equal(t, micro("78.50"), h.g.Account().Equity())
	assert.Equal(t, micro("9"), s.fees)
	assert.Equal(t, int64(0), s.Net(es.ID))
	// Marks no longer matter once flat.
	h.trade(es, "4000")
	assert.Equal(t, micro("78.50"), s.Equity())
}

func TestUnrepresentableTickValue(t *testing.T) {
	odd := venue.Instrument{ID: 9, Symbol: "ODD", Root: "ES", TickSize: px("0.0000001"), PointValue: decimal.NewFromInt(1)}
	h := newHarness(t, offConfig())
	_, d := h.market("s", odd, venue.Buy, 1)
	assert.Equal(t, &Denied{Rule: "instrument", Limit: "exact tick value", Observed: "tick value 0.0000001 is not a positive whole number of micro-units",
		Text: "ODD cannot be tracked exactly (tick value 0.0000001 is not a positive whole number of micro-units); fix the instrument definition"}, d)
	h.trade(odd, "1.0000001") // ticks and fills for it are harmless
	h.fill("x", odd, venue.Buy, 1, "1", true, "1")
	assert.Equal(t, int64(1), h.g.Account().Net(odd.ID))
	assert.Equal(t, int64(0), h.g.Account().Equity())

	zero := venue.Instrument{ID: 10, Symbol: "ZERO", Root: "ES", PointValue: decimal.NewFromInt(1)}
	_, d = h.market("s", zero, venue.Buy, 1)
	assert.Equal(t, "tick size 0 is not positive", d.Observed)
	h.trade(zero, "1")
}

func TestDayRollFallbackBeyondCalendar(t *testing.T) {
	cfg := lossConfig(Limits{DailyLoss: decimal.NewFromInt(10)})
	h := newHarness(t, cfg, realCal()).at(ctTime(2030, 1, 2, 10, 0))
	h.position("s", mes, venue.Buy, 1, "5000")
	h.trade(mes, "4990")
	_, d := h.market("s", mes, venue.Buy, 1)
	require.NotNil(t, d)
	h.at(ctTime(2030, 1, 2, 17, 0).Add(time.Second))
	_, d = h.market("s", mes, venue.Buy, 1)
	assert.Nil(t, d, "beyond the calendar the day still rolls at 17:00 CT")
}
