package risk

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
)

func TestMaxOrderQty(t *testing.T) {
	cfg := offConfig()
	cfg.Account.MaxOrderQty = 5
	cfg.Strategies = map[string]Limits{"small": {MaxOrderQty: 2}}
	tests := []struct {
		name     string
		strategy string
		qty      int64
		oco      int64
		denied   *Denied
	}{
		{name: "at the limit", strategy: "s", qty: 5},
		{name: "above the account limit", strategy: "s", qty: 6, denied: &Denied{Rule: "max-order-qty", Limit: "5", Observed: "6",
			Text: "order quantity 6 exceeds the account limit of 5 contracts per order; split the order or raise max_order_qty"}},
		{name: "above the strategy limit", strategy: "small", qty: 3, denied: &Denied{Rule: "max-order-qty", Limit: "2", Observed: "3",
			Text: "order quantity 3 exceeds the strategy small limit of 2 contracts per order; split the order or raise max_order_qty"}},
		{name: "OCO partner counts", strategy: "s", qty: 1, oco: 7, denied: &Denied{Rule: "max-order-qty", Limit: "5", Observed: "7",
			Text: "order quantity 7 exceeds the account limit of 5 contracts per order; split the order or raise max_order_qty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, cfg)
			req := h.request(tt.strategy, mes, venue.Buy, tt.qty, venue.Limit, px("5000"))
			if tt.oco > 0 {
				req.Intent.OCO = &venue.Leg{Side: venue.Sell, Type: venue.Limit, Limit: px("5010"), Qty: tt.oco}
			}
			assert.Equal(t, tt.denied, h.check(req))
		})
	}
}

func TestMaxPositionWorstCase(t *testing.T) {
	cfg := offConfig()
	cfg.Account.MaxPosition = 5
	cfg.Defaults.MaxPosition = 3

	t.Run("counts net, working same-side orders and the intent", func(t *testing.T) {
		h := newHarness(t, cfg)
		h.position("a", mes, venue.Buy, 1, "5000") // net +1
		h.mustMarket("a", mes, venue.Buy, 1)       // working buy 1
		h.mustMarket("a", mes, venue.Sell, 3)      // a working sell doesn't offset the long side
		_, d := h.market("a", mes, venue.Buy, 2)   // 1 + 1 + 2 = 4 > 3
		assert.Equal(t, &Denied{Rule: "max-position", Limit: "3", Observed: "4",
			Text: "worst-case long position in MESZ6 would be 4 (net +1, working buys 1, this order 2), above the strategy a limit of 3; reduce the size or cancel working orders"}, d)
		_, d = h.market("a", mes, venue.Buy, 1) // 3: at the limit
		assert.Nil(t, d)
	})
	t.Run("short side", func(t *testing.T) {
		h := newHarness(t, cfg)
		h.position("a", mes, venue.Sell, 2, "5000")
		_, d := h.market("a", mes, venue.Sell, 2)
		assert.Equal(t, &Denied{Rule: "max-position", Limit: "3", Observed: "4",
			Text: "worst-case short position in MESZ6 would be 4 (net -2, working sells 0, this order 2), above the strategy a limit of 3; reduce the size or cancel working orders"}, d)
	})
	t.Run("account totals across strategies", func(t *testing.T) {
		h := newHarness(t, cfg)
		h.position("a", mes, venue.Buy, 3, "5000")
		h.position("b", mes, venue.Buy, 2, "5000")
		_, d := h.market("c", mes, venue.Buy, 1)
		assert.Equal(t, &Denied{Rule: "max-position", Limit: "5", Observed: "6",
			Text: "worst-case long position in MESZ6 would be 6 (net +5, working buys 0, this order 1), above the account limit of 5; reduce the size or cancel working orders"}, d)
		_, d = h.market("c", es, venue.Buy, 1) // another contract
		assert.Nil(t, d)
	})
	t.Run("reducing and flipping within the limit pass", func(t *testing.T) {
		h := newHarness(t, cfg)
		h.position("a", mes, venue.Buy, 3, "5000")
		_, d := h.market("a", mes, venue.Sell, 6) // short worst: -3 + 6 = 3
		assert.Nil(t, d)
	})
	t.Run("cancel and fills release working quantity", func(t *testing.T) {
		h := newHarness(t, cfg)
		id := h.mustMarket("a", mes, venue.Buy, 3)
		_, d := h.market("a", mes, venue.Buy, 1)
		require.NotNil(t, d)
		h.fill(id, mes, venue.Buy, 1, "5000", false) // net 1, working 2
		_, d = h.market("a", mes, venue.Buy, 1)
		require.NotNil(t, d)
		h.cancel(id) // net 1, working 0
		id2, d := h.market("a", mes, venue.Buy, 2)
		assert.Nil(t, d)
		assert.Equal(t, int64(1), h.g.Account().Net(mes.ID))
		assert.Equal(t, int64(2), h.g.Account().Working(mes.ID, venue.Buy))
		h.event(venue.Event{Kind: venue.EventModified, ClientID: id2, Modify: venue.Modify{Qty: 1}})
		assert.Equal(t, int64(1), h.g.Account().Working(mes.ID, venue.Buy), "modify shrinks the working quantity")
	})
	t.Run("bracket legs are exits, not exposure", func(t *testing.T) {
		h := newHarness(t, cfg)
		req := h.request("a", mes, venue.Buy, 3, venue.Limit, px("5000"))
		req.Intent.Brackets = []venue.Leg{{Type: venue.Limit, Limit: px("5010")}, {Type: venue.Stop, Stop: px("4990")}}
		require.Nil(t, h.check(req))
		h.fill(req.ClientID, mes, venue.Buy, 3, "5000", true)
		h.event(venue.Event{Kind: venue.EventAccepted, ClientID: req.ClientID + "/tp"})
		h.event(venue.Event{Kind: venue.EventAccepted, ClientID: req.ClientID + "/sl"})
		s, _ := h.g.Strategy("a")
		assert.Equal(t, int64(0), s.Working(mes.ID, venue.Sell))
		assert.Equal(t, int64(0), s.OpenOrders())
		// The target fills: the strategy's position closes.
		h.fill(req.ClientID+"/tp", mes, venue.Sell, 3, "5010", true)
		h.event(venue.Event{Kind: venue.EventCancelled, ClientID: req.ClientID + "/sl"})
		assert.Equal(t, int64(0), s.Net(mes.ID))
		assert.Equal(t, micro("150"), s.Equity(), "3 × 40 ticks × 1.25")
		assert.Zero(t, h.g.orders.len(), "parent and legs are forgotten once all ended")
		assert.Equal(t, int64(0), h.g.Stats().UnknownFills)
	})
}

func TestMaxTotalPosition(t *testing.T) {
	cfg := offConfig()
	cfg.Account.MaxTotalPosition = 4
	h := newHarness(t, cfg)
	h.position("a", mes, venue.Buy, 2, "5000")
	h.mustMarket("a", es, venue.Sell, 1)
	_, d := h.market("a", es, venue.Sell, 2)
	assert.Equal(t, &Denied{Rule: "max-total-position", Limit: "4", Observed: "5",
		Text: "worst-case contracts across all contracts would be 5 with this order (now 3), above the account limit of 4"}, d)
	_, d = h.market("a", es, venue.Sell, 1)
	assert.Nil(t, d)
	_, d = h.market("a", mes, venue.Sell, 2) // reduces MES: total does not grow
	assert.Nil(t, d)
}

func TestMaxOpenOrders(t *testing.T) {
	cfg := offConfig()
	cfg.Account.MaxOpenOrders = 3
	cfg.Defaults.MaxOpenOrders = 2
	h := newHarness(t, cfg)
	a1 := h.mustMarket("a", mes, venue.Buy, 1)
	h.mustMarket("a", mes, venue.Buy, 1)
	_, d := h.market("a", mes, venue.Buy, 1)
	assert.Equal(t, &Denied{Rule: "max-open-orders", Limit: "2", Observed: "3",
		Text: "strategy a already has 2 working orders (limit 2); cancel one first"}, d)
	h.mustMarket("b", mes, venue.Buy, 1)
	_, d = h.market("b", mes, venue.Buy, 1)
	assert.Equal(t, &Denied{Rule: "max-open-orders", Limit: "3", Observed: "4",
		Text: "account already has 3 working orders (limit 3); cancel one first"}, d)
	h.event(venue.Event{Kind: venue.EventRejected, ClientID: a1, Reason: "SessionClosed"})
	_, d = h.market("b", mes, venue.Buy, 1)
	assert.Nil(t, d)
}

func TestLifecycleUnknownOrdersAndAdoption(t *testing.T) {
	h := newHarness(t, offConfig())
	h.cancel(h.mustMarket("s", mes, venue.Buy, 1)) // the gate learns MES
	h.trade(mes, "5000")
	// A fill for an order the gate never allowed goes to the account only.
	h.fill("manual-1", mes, venue.Buy, 2, "5000", true)
	assert.Equal(t, int64(2), h.g.Account().Net(mes.ID))
	assert.Equal(t, int64(1), h.g.Stats().UnknownFills)
	// A fill in a contract no Check has shown moves the position, not money.
	h.fill("manual-2", es, venue.Sell, 1, "5000", true, "2.50")
	assert.Equal(t, int64(-1), h.g.Account().Net(es.ID))
	assert.Equal(t, int64(1), h.g.Stats().UnpricedFills)
	assert.Equal(t, int64(2), h.g.Stats().UnknownFills)
	assert.Equal(t, int64(0), h.g.Account().Equity())
	// The venue's position report wins over the fills.
	h.event(venue.Event{Kind: venue.EventPosition, Contract: mes.ID, Position: venue.Position{Contract: mes.ID, Net: 3}})
	assert.Equal(t, int64(3), h.g.Account().Net(mes.ID))
	assert.Equal(t, int64(1), h.g.Stats().Adopted)
	// The adopted position is valued from the mark on.
	h.trade(mes, "5001")
	assert.Equal(t, micro("15"), h.g.Account().Equity(), "3 × 4 ticks × 1.25")
	// Once the ES instrument is known, its position is valued from the next mark.
	h.mustMarket("s", es, venue.Buy, 1)
	h.trade(es, "4999")
	h.trade(es, "4998")
	assert.Equal(t, micro("65"), h.g.Account().Equity(), "15 + −1 × −4 ticks × 12.50")
}
