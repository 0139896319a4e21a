package engine

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/strategy"
	"github.com/keeltrade/keel/venue"
)

func TestContextConveniences(t *testing.T) {
	rg := newRig(t, `account: {market_hours: {enabled: false}, max_open_orders: 1, duplicate_window: 0s}`)
	var id string
	var got struct {
		sym, unknown string
		mode         strategy.Mode
		order        venue.Order
		found, other bool
		reduceErr    error
		reduceOK     error
		flattenErr   error
	}
	rg.add("a", map[int]func(strategy.Context){
		1: func(ctx strategy.Context) {
			got.sym, got.unknown, got.mode = ctx.Symbol(mesID), ctx.Symbol(999), ctx.Mode()
			id, _ = ctx.Submit(mkt(venue.Buy, 2))
		},
		3: func(ctx strategy.Context) {
			got.order, got.found = ctx.Order(id)
			_, got.other = ctx.Order("b-T-1")
			in := mkt(venue.Sell, 3)
			in.ReduceOnly = true
			_, got.reduceErr = ctx.Submit(in) // would flip: refused
			in = lmt(venue.Sell, 1, "5010")
			in.ReduceOnly = true
			_, got.reduceOK = ctx.Submit(in) // one resting: the open-order limit is now full
		},
		4: func(ctx strategy.Context) { got.flattenErr = ctx.Flatten("MESM6") },
	})
	rg.add("b", map[int]func(strategy.Context){2: submit(mkt(venue.Sell, 1))})
	require.NoError(t, rg.e.Start())
	for range 8 {
		rg.tick("5000")
	}
	assert.Equal(t, "MESM6", got.sym)
	assert.Equal(t, "", got.unknown)
	assert.Equal(t, strategy.ModeBacktest, got.mode)
	require.True(t, got.found)
	assert.Equal(t, venue.Filled, got.order.Status)
	assert.False(t, got.other, "another strategy's order is not ours to read")
	var ie *venue.IntentError
	require.ErrorAs(t, got.reduceErr, &ie)
	assert.Equal(t, "reduce_only", ie.Field)
	assert.NoError(t, got.reduceOK)
	// Flatten cancels the resting reduce-only limit and closes the 2 lots
	// under a full open-order limit: the protective path.
	assert.NoError(t, got.flattenErr)
	assert.Equal(t, int64(0), rg.net("a"))
	assert.Equal(t, int64(-1), rg.net("b"), "only the strategy's own position")
	assert.Equal(t, int64(-1), rg.x.Position(mesID).Net)
	for _, o := range rg.x.WorkingOrders() {
		assert.NotEqual(t, "a", o.Strategy, o.ClientID)
	}
}

func TestReduceOnlyCountsWorkingOrders(t *testing.T) {
	rg := newRig(t, `account: {market_hours: {enabled: false}, duplicate_window: 0s}`)
	var errs []error
	rg.add("a", map[int]func(strategy.Context){
		1: submit(mkt(venue.Buy, 1)),
		3: func(ctx strategy.Context) {
			for range 3 {
				in := lmt(venue.Sell, 1, "5010")
				in.ReduceOnly = true
				_, err := ctx.Submit(in)
				errs = append(errs, err)
			}
		},
	})
	require.NoError(t, rg.e.Start())
	for range 4 {
		rg.tick("5000")
	}
	require.Len(t, errs, 3)
	assert.NoError(t, errs[0])
	assert.Error(t, errs[1], "the first already closes the long 1")
	assert.Error(t, errs[2])
}

func TestAccountAsTheVenueReports(t *testing.T) {
	rg := newRig(t, `account: {market_hours: {enabled: false}}`)
	var acct strategy.Account
	rg.add("a", map[int]func(strategy.Context){2: func(ctx strategy.Context) { acct = ctx.Account() }})
	require.NoError(t, rg.e.Start())
	rg.e.OnEvent(venue.Event{Kind: venue.EventAccount, Account: venue.Account{Balance: venue.MustParsePrice("50000").Decimal(), OpenPnL: venue.MustParsePrice("-12.5").Decimal()}})
	rg.tick("5000")
	rg.tick("5000")
	assert.Equal(t, "49987.5", acct.Equity().String())
}
