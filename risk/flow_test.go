package risk

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
)

func TestOrderRate(t *testing.T) {
	cfg := offConfig()
	cfg.Account.OrderRate = Rate{Max: 6, Per: time.Minute, Burst: 3} // one per 10s, bursts of 3
	h := newHarness(t, cfg)
	for i := 0; i < 3; i++ {
		h.mustMarket("s", mes, venue.Buy, 1)
	}
	want := &Denied{Rule: "order-rate", Limit: "6 per 1m0s (burst 3)", Observed: "next order allowed in 10s",
		Text: "account is sending orders faster than 6 per 1m0s; wait 10s or raise order_rate"}
	_, d := h.market("s", mes, venue.Buy, 1)
	assert.Equal(t, want, d)
	// Denied intents take no token.
	for i := 0; i < 5; i++ {
		_, d = h.market("s", mes, venue.Buy, 1)
		assert.Equal(t, want, d)
	}
	h.advance(4 * time.Second)
	_, d = h.market("s", mes, venue.Buy, 1)
	require.NotNil(t, d)
	assert.Equal(t, "next order allowed in 6s", d.Observed)
	h.advance(6 * time.Second)
	h.mustMarket("s", mes, venue.Buy, 1)
	_, d = h.market("s", mes, venue.Buy, 1)
	assert.Equal(t, want, d)
	// A quiet minute refills the bucket, up to the burst.
	h.advance(time.Hour)
	for i := 0; i < 3; i++ {
		h.mustMarket("s", mes, venue.Buy, 1)
	}
	_, d = h.market("s", mes, venue.Buy, 1)
	assert.Equal(t, want, d)
}

func TestOrderRateSustained(t *testing.T) {
	// The default: 30 per minute with bursts of 10. With one attempt per
	// second for an hour, the first 19 pass (the burst of 10 plus a token
	// every 2s meanwhile), then one every 2s: 19 + 1790.
	cfg := offConfig()
	cfg.Account.OrderRate = DefaultOrderRate
	h := newHarness(t, cfg)
	allowed := 0
	perMinute := map[int]int{}
	for i := 0; i < 3600; i++ {
		if _, d := h.market("s", mes, venue.Buy, 1); d == nil {
			allowed++
			perMinute[i/60]++
		}
		h.advance(time.Second)
	}
	assert.Equal(t, 1809, allowed)
	for m, n := range perMinute {
		assert.LessOrEqual(t, n, 40, "minute %d", m)
	}
}

func TestOrderRatePerStrategy(t *testing.T) {
	cfg := offConfig()
	cfg.Strategies = map[string]Limits{"fast": {OrderRate: Rate{Max: 1, Per: time.Second}}}
	h := newHarness(t, cfg)
	h.mustMarket("fast", mes, venue.Buy, 1)
	_, d := h.market("fast", mes, venue.Buy, 1)
	assert.Equal(t, &Denied{Rule: "order-rate", Limit: "1 per 1s (burst 1)", Observed: "next order allowed in 1s",
		Text: "strategy fast is sending orders faster than 1 per 1s; wait 1s or raise order_rate"}, d)
	h.mustMarket("other", mes, venue.Buy, 1)
	h.mustMarket("other", mes, venue.Buy, 1)
}

func TestDuplicateGuard(t *testing.T) {
	cfg := offConfig()
	cfg.Account.DuplicateWindow = time.Second
	h := newHarness(t, cfg)
	limit := func(strategy string, qty int64, price string) *Request {
		return h.request(strategy, mes, venue.Buy, qty, venue.Limit, px(price))
	}
	require.Nil(t, h.check(limit("s", 1, "5000")))
	h.advance(999 * time.Millisecond)
	assert.Equal(t, &Denied{Rule: "duplicate", Limit: "1s", Observed: "same order 999ms ago",
		Text: "identical order (Buy 1 MESZ6 Limit 5000) from strategy s was sent 999ms ago, inside the account duplicate window of 1s; if it is intended, resend after the window"},
		h.check(limit("s", 1, "5000")))
	assert.Nil(t, h.check(limit("s", 1, "5000.25")), "another price")
	assert.Nil(t, h.check(limit("s", 2, "5000")), "another quantity")
	assert.Nil(t, h.check(limit("t", 1, "5000")), "another strategy")
	h.advance(time.Millisecond)
	assert.Nil(t, h.check(limit("s", 1, "5000")), "a full window later")

	stop := h.request("s", mes, venue.Sell, 1, venue.Stop, px("4990"))
	require.Nil(t, h.check(stop))
	stop2 := h.request("s", mes, venue.Sell, 1, venue.Stop, px("4990"))
	d := h.check(stop2)
	require.NotNil(t, d)
	assert.Contains(t, d.Text, "(Sell 1 MESZ6 Stop 4990)")
}

func TestDuplicateGuardStrategyWindow(t *testing.T) {
	cfg := offConfig()
	cfg.Strategies = map[string]Limits{"slow": {DuplicateWindow: time.Minute}}
	h := newHarness(t, cfg)
	h.mustMarket("slow", mes, venue.Buy, 1)
	h.advance(30 * time.Second)
	_, d := h.market("slow", mes, venue.Buy, 1)
	require.NotNil(t, d)
	assert.Contains(t, d.Text, "inside the strategy slow duplicate window of 1m0s")
	h.mustMarket("fast", mes, venue.Buy, 1)
	h.mustMarket("fast", mes, venue.Buy, 1) // no window for other strategies
}

func TestDupTableManyIntents(t *testing.T) {
	var tb dupTable
	// 64 distinct intents within the window are all remembered (the
	// default order rate allows 10).
	for i := range 64 {
		k := dupKey{qty: int64(i + 1)}
		tb.add(k.hash(), &k, int64(i))
	}
	found := 0
	for i := range 64 {
		k := dupKey{qty: int64(i + 1)}
		if _, ok := tb.find(k.hash(), &k, 0); ok {
			found++
		}
	}
	assert.Equal(t, 64, found)
}
