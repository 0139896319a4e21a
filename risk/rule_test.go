package risk

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
)

// noShorts is a custom rule: no scope may go net short.
type noShorts struct{ seen []string }

func (*noShorts) Name() string { return "no-shorts" }

func (r *noShorts) Check(req *Request, s *Scope) *Denied {
	r.seen = append(r.seen, s.Name())
	in := req.Intent
	if in.Side == venue.Sell && s.Net(req.Instrument.ID)-in.Qty < 0 {
		return &Denied{Rule: "no-shorts", Limit: "net ≥ 0", Observed: "would be short", Text: "this account does not short"}
	}
	return nil
}

func TestWithRule(t *testing.T) {
	r := &noShorts{}
	h := newHarness(t, offConfig(), WithRule(r))
	h.position("a", mes, venue.Buy, 1, "5000")
	assert.Equal(t, []string{"", "a"}, r.seen, "the account scope, then the strategy's")
	_, d := h.market("a", mes, venue.Sell, 1)
	assert.Nil(t, d)
	_, d = h.market("b", mes, venue.Sell, 1) // the account is long, strategy b is flat
	require.NotNil(t, d)
	assert.Equal(t, "no-shorts", d.Rule)
}

func TestScopeView(t *testing.T) {
	h := newHarness(t, offConfig())
	h.position("a", mes, venue.Buy, 2, "5000")
	id := h.mustMarket("a", mes, venue.Sell, 1)
	s, ok := h.g.Strategy("a")
	require.True(t, ok)
	assert.Equal(t, "a", s.Name())
	assert.Equal(t, "", h.g.Account().Name())
	assert.Equal(t, int64(2), s.Net(mes.ID))
	assert.Equal(t, int64(1), s.Working(mes.ID, venue.Sell))
	assert.Equal(t, int64(0), s.Working(mes.ID, venue.Buy))
	assert.Equal(t, int64(0), s.Working(es.ID, venue.Sell))
	assert.Equal(t, int64(1), s.OpenOrders())
	// The working Sell 1 counts: one more contract reduces, two would flip.
	assert.True(t, s.Reduces(h.request("a", mes, venue.Sell, 1, venue.Market, 0)))
	assert.False(t, s.Reduces(h.request("a", mes, venue.Sell, 2, venue.Market, 0)))
	assert.False(t, s.Reduces(h.request("a", mes, venue.Buy, 1, venue.Market, 0)))
	h.cancel(id)
	assert.Equal(t, int64(0), s.OpenOrders())
	_, ok = h.g.Strategy("nobody")
	assert.False(t, ok)
	assert.Equal(t, int64(2), h.g.Stats().Checked)
}
