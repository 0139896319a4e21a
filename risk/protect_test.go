package risk

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/cme"
)

// protective builds the market order keel sends to flatten for scope by.
func (h *harness) protective(strategy string, inst venue.Instrument, side venue.Side, qty int64, by Protection) *Request {
	req := h.request(strategy, inst, side, qty, venue.Market, 0)
	req.Protect = by
	return req
}

func mustParse(t *testing.T, yml string) Config {
	t.Helper()
	cfg, err := ParseConfig([]byte(yml))
	require.NoError(t, err)
	return cfg
}

// Item 1a: with max_open_orders 2 and two resting limits, the kill
// switch's own flatten was refused by max-open-orders.
func TestProtectiveFlattenIgnoresOpenOrderLimit(t *testing.T) {
	h := newHarness(t, mustParse(t, `
account:
  max_open_orders: 2
`))
	h.position("a", mes, venue.Buy, 1, "5000")
	require.Nil(t, h.check(h.request("a", mes, venue.Buy, 1, venue.Limit, px("4990"))))
	require.Nil(t, h.check(h.request("a", mes, venue.Buy, 1, venue.Limit, px("4980"))))
	require.NoError(t, h.g.Trip("market falling"))
	require.Len(t, h.g.Actions(), 2)
	// The engine has asked the venue to cancel both limits; their
	// cancellations have not arrived yet.
	assert.Nil(t, h.check(h.protective("a", mes, venue.Sell, 1, ProtectAccount)))
}

// Item 1b: with trip_on [order-rate] the trip's own flatten was denied by
// order-rate.
func TestProtectiveFlattenIgnoresOrderRate(t *testing.T) {
	h := newHarness(t, mustParse(t, `
kill_switch: {trip_on: [order-rate]}
account:
  market_hours: {enabled: false}
  order_rate: {max: 2, per: 1m, burst: 2}
  duplicate_window: 0s
`))
	h.position("a", mes, venue.Buy, 1, "5000")
	h.mustMarket("a", es, venue.Buy, 1)
	_, d := h.market("a", es, venue.Buy, 1)
	require.NotNil(t, d)
	require.Equal(t, RuleOrderRate, d.Rule)
	require.True(t, h.g.Tripped().Tripped)
	assert.Nil(t, h.check(h.protective("a", mes, venue.Sell, 1, ProtectAccount)))
}

func TestProtectiveIgnoresDuplicateAndEntryWindows(t *testing.T) {
	closing := alwaysOpen()
	closing.st.SessionClose = t0.Add(2 * time.Minute)
	h := newHarness(t, mustParse(t, `
account:
  market_hours: {enabled: true, no_entries_before_close: 10m}
  duplicate_window: 1m
`), WithCalendar(closing))
	// Opened before the window (the fill arrives late), then flattened
	// twice in a row: the same intent within the duplicate window.
	h.at(t0.Add(-20 * time.Minute))
	id := h.mustMarket("a", mes, venue.Buy, 2)
	h.at(t0)
	h.fill(id, mes, venue.Buy, 2, "5000", true)
	first := h.protective("a", mes, venue.Sell, 1, ProtectAccount)
	assert.Nil(t, h.check(first))
	assert.Nil(t, h.check(h.protective("a", mes, venue.Sell, 1, ProtectAccount)))
	// A third would take the account short: refused, whatever the window.
	d := h.check(h.protective("a", mes, venue.Sell, 1, ProtectAccount))
	require.NotNil(t, d)
	assert.Equal(t, RuleProtective, d.Rule)

	// A closed session does not stop it either: the venue will say.
	closed := &fakeCal{st: cme.Status{Open: false, Reason: "weekend", NextOpen: t0.Add(time.Hour)}}
	h2 := newHarness(t, mustParse(t, `account: {market_hours: {enabled: true}}`), WithCalendar(closed))
	h2.fill("manual", mes, venue.Buy, 1, "5000", true) // an order keel never sent
	assert.Nil(t, h2.check(h2.protective("a", mes, venue.Sell, 1, ProtectAccount)))
}

func TestProtectiveMustReduceTheAccount(t *testing.T) {
	h := newHarness(t, offConfig())
	d := h.check(h.protective("a", mes, venue.Sell, 1, ProtectAccount))
	require.NotNil(t, d, "flat: nothing to reduce")
	assert.Equal(t, RuleProtective, d.Rule)

	h.position("a", mes, venue.Buy, 1, "5000")
	d = h.check(h.protective("a", mes, venue.Sell, 2, ProtectAccount))
	require.NotNil(t, d, "flipping is not reducing")
	assert.Equal(t, RuleProtective, d.Rule)
	assert.Contains(t, d.Text, "net +1")

	// Off the tick grid is refused even for a protective order.
	off := h.protective("a", mes, venue.Sell, 1, ProtectAccount)
	off.Intent.Type, off.Intent.Limit = venue.Limit, px("4999.1")
	d = h.check(off)
	require.NotNil(t, d)
	assert.Equal(t, RulePriceBand, d.Rule)

	// Linked orders are not protective orders.
	br := h.protective("a", mes, venue.Sell, 1, ProtectAccount)
	br.Intent.OCO = &venue.Leg{Side: venue.Sell, Type: venue.Stop, Stop: px("4990")}
	d = h.check(br)
	require.NotNil(t, d)
	assert.Equal(t, RuleProtective, d.Rule)

	assert.Nil(t, h.check(h.protective("a", mes, venue.Sell, 1, ProtectAccount)))
}

// A strategy's own flatten must reduce the strategy; the account judges it
// by its rules when it does not reduce the account too.
func TestProtectiveForAStrategy(t *testing.T) {
	h := newHarness(t, mustParse(t, `
account:
  market_hours: {enabled: false}
  max_position: 2
defaults:
  daily_loss: 10
  flatten_on_breach: true
  order_rate: {max: 1, per: 1h}
`))
	h.position("a", mes, venue.Buy, 2, "5000")
	h.position("b", mes, venue.Sell, 1, "5000") // the account is +1
	h.trade(mes, "4997")                        // b gains; a loses 15 > 10: a breaches
	acts := h.g.Actions()
	require.Len(t, acts, 2)
	assert.Equal(t, Action{Kind: Flatten, Strategy: "a", Reason: acts[1].Reason}, acts[1])
	// a sells 2: a reduces, the account flips to −1, within its limit of 2.
	assert.Nil(t, h.check(h.protective("a", mes, venue.Sell, 2, ProtectStrategy)), "the strategy's rate limit does not apply")
	d := h.check(h.protective("a", mes, venue.Sell, 1, ProtectStrategy))
	require.NotNil(t, d, "a is already being flattened")
	assert.Equal(t, RuleProtective, d.Rule)
}

// Item 3: after a daily-loss breach on long 1, five Sell 1 limits each
// passed as reducing; filled together they leave the account at −4.
func TestReducingCountsWorkingOrders(t *testing.T) {
	h := newHarness(t, mustParse(t, `
account:
  market_hours: {enabled: false}
  daily_loss: 10
  duplicate_window: 0s
`))
	h.position("a", mes, venue.Buy, 1, "5000")
	h.trade(mes, "4997")
	first := h.request("a", mes, venue.Sell, 1, venue.Limit, px("4998"))
	require.Nil(t, h.check(first))
	for i := range 4 {
		d := h.check(h.request("a", mes, venue.Sell, 1, venue.Limit, px("4998")))
		require.NotNil(t, d, "limit %d", i+2)
		assert.Equal(t, RuleDailyLoss, d.Rule)
	}
	h.cancel(first.ClientID)
	assert.Nil(t, h.check(h.request("a", mes, venue.Sell, 1, venue.Limit, px("4998"))), "the cancel frees the room")
}

// A working bracket exit is a reducing order too: with it working, another
// exit of the full size would flip the account.
func TestReducingCountsBracketExits(t *testing.T) {
	h := newHarness(t, mustParse(t, `
account:
  market_hours: {enabled: false}
  daily_loss: 10
  duplicate_window: 0s
`))
	req := h.request("a", mes, venue.Buy, 2, venue.Market, 0)
	req.Intent.Brackets = []venue.Leg{{Type: venue.Limit, Limit: px("5010")}, {Type: venue.Stop, Stop: px("4990")}}
	require.Nil(t, h.check(req))
	h.fill(req.ClientID, mes, venue.Buy, 2, "5000", true)
	h.event(venue.Event{Kind: venue.EventAccepted, ClientID: req.ClientID + "/tp", Qty: 2})
	h.event(venue.Event{Kind: venue.EventAccepted, ClientID: req.ClientID + "/sl", Qty: 2})
	h.trade(mes, "4998") // −$20: breach
	d := h.check(h.request("a", mes, venue.Sell, 1, venue.Market, 0))
	require.NotNil(t, d, "the exits already close both contracts")
	assert.Equal(t, RuleDailyLoss, d.Rule)
	// The target fills 1: one contract left, still covered by the stop
	// (reduced to 1 by the venue).
	h.fill(req.ClientID+"/tp", mes, venue.Sell, 1, "5010", false)
	h.event(venue.Event{Kind: venue.EventModified, ClientID: req.ClientID + "/sl", Qty: 1, Modify: venue.Modify{Qty: 1}})
	_, d = h.market("a", mes, venue.Sell, 1)
	require.NotNil(t, d)
	h.cancel(req.ClientID + "/tp")
	h.cancel(req.ClientID + "/sl")
	_, d = h.market("a", mes, venue.Sell, 1)
	assert.Nil(t, d, "with the exits gone, the exit passes")
	// Working counts orders, not exits: the one Sell 1 just allowed.
	assert.Equal(t, int64(1), h.g.account.Working(mes.ID, venue.Sell))
}

// Item 4: Buy Stop 1 with an OCO Sell Stop 5 passed max_position 2; when
// the partner fills the account is −5.
func TestOCOPartnerIsExposure(t *testing.T) {
	h := newHarness(t, mustParse(t, `
account:
  market_hours: {enabled: false}
  max_position: 2
  max_total_position: 3
`))
	h.trade(mes, "5000")
	oco := func(partner int64) *Request {
		req := h.request("a", mes, venue.Buy, 1, venue.Stop, px("5010"))
		req.Intent.OCO = &venue.Leg{Side: venue.Sell, Type: venue.Stop, Stop: px("4990"), Qty: partner}
		return req
	}
	d := h.check(oco(5))
	require.NotNil(t, d)
	assert.Equal(t, RuleMaxPosition, d.Rule)
	assert.Contains(t, d.Text, "short")

	ok := oco(2)
	require.Nil(t, h.check(ok))
	assert.Equal(t, int64(2), h.g.account.Working(mes.ID, venue.Sell))
	_, d = h.market("a", mes, venue.Sell, 1)
	require.NotNil(t, d, "short worst case would be 3")
	assert.Equal(t, RuleMaxPosition, d.Rule)
	_, d = h.market("a", mes, venue.Buy, 1)
	assert.Nil(t, d, "long worst case is 2")

	// The partner fills; the parent is cancelled by the venue.
	h.event(venue.Event{Kind: venue.EventAccepted, ClientID: ok.ClientID + "/oco", Qty: 2})
	h.fill(ok.ClientID+"/oco", mes, venue.Sell, 2, "4990", true)
	h.cancel(ok.ClientID)
	assert.Equal(t, int64(-2), h.g.account.Net(mes.ID))
	assert.Equal(t, int64(0), h.g.account.Working(mes.ID, venue.Sell))
	assert.Equal(t, int64(1), h.g.account.Working(mes.ID, venue.Buy))

	// A parent rejected before its partner was seen takes the partner's
	// exposure with it.
	h2 := newHarness(t, mustParse(t, `account: {market_hours: {enabled: false}, max_position: 2}`))
	r := h2.request("a", mes, venue.Buy, 1, venue.Stop, px("5010"))
	r.Intent.OCO = &venue.Leg{Side: venue.Sell, Type: venue.Stop, Stop: px("4990"), Qty: 2}
	require.Nil(t, h2.check(r))
	h2.event(venue.Event{Kind: venue.EventRejected, ClientID: r.ClientID})
	assert.Equal(t, int64(0), h2.g.account.Working(mes.ID, venue.Sell))
}

// Item 5: a modify could raise quantity or move a price off the band, unchecked.
func TestCheckModify(t *testing.T) {
	h := newHarness(t, mustParse(t, `
account:
  market_hours: {enabled: false}
  max_position: 2
  max_order_qty: 3
  price_band: {ticks: 8}
`))
	h.trade(mes, "5000")
	req := h.request("a", mes, venue.Buy, 1, venue.Limit, px("4999"))
	require.Nil(t, h.check(req))
	mod := func(m venue.Modify) *Denied {
		return h.g.CheckModify(&ModifyRequest{Now: h.now.UnixNano(), Strategy: "a", ClientID: req.ClientID, Instrument: mes, Intent: req.Intent, Modify: m})
	}
	d := mod(venue.Modify{Qty: 3})
	require.NotNil(t, d)
	assert.Equal(t, RuleMaxPosition, d.Rule)
	d = mod(venue.Modify{Qty: 4})
	require.NotNil(t, d)
	assert.Equal(t, RuleMaxOrderQty, d.Rule)
	d = mod(venue.Modify{Limit: px("4990")})
	require.NotNil(t, d)
	assert.Equal(t, RulePriceBand, d.Rule)
	d = mod(venue.Modify{Limit: px("4999.1")})
	require.NotNil(t, d)
	assert.Equal(t, RulePriceBand, d.Rule)
	d = mod(venue.Modify{Stop: px("4999")})
	require.NotNil(t, d, "a limit order has no stop")

	require.Nil(t, mod(venue.Modify{Qty: 2, Limit: px("4998")}))
	// The raise counts at once, before the venue confirms it.
	_, d = h.market("a", mes, venue.Buy, 1)
	require.NotNil(t, d)
	assert.Equal(t, RuleMaxPosition, d.Rule)
	// The venue refuses the modify: the old size counts again.
	h.event(venue.Event{Kind: venue.EventModifyRejected, ClientID: req.ClientID})
	_, d = h.market("a", mes, venue.Buy, 1)
	assert.Nil(t, d)

	unknown := h.g.CheckModify(&ModifyRequest{Now: h.now.UnixNano(), Strategy: "a", ClientID: "nope", Instrument: mes, Intent: req.Intent, Modify: venue.Modify{Qty: 1}})
	require.NotNil(t, unknown)

	// While the kill switch is tripped a modify may not add risk.
	require.NoError(t, h.g.Trip("stop"))
	h.g.Actions()
	d = mod(venue.Modify{Qty: 2})
	require.NotNil(t, d)
	assert.Equal(t, RuleKillSwitch, d.Rule)
}

// A transfer moves a position between strategies and leaves the account as
// it is.
func TestObserveTransfer(t *testing.T) {
	h := newHarness(t, offConfig())
	h.position("a", mes, venue.Buy, 2, "5000")
	h.position("b", mes, venue.Sell, 1, "5004")
	h.trade(mes, "5002")
	eqA, eqB, eq := h.strat("a").Equity(), h.strat("b").Equity(), h.g.account.Equity()
	h.g.ObserveTransfer(&venue.Transfer{Time: h.now.UnixNano(), Contract: mes.ID, From: "a", To: "b", Qty: 1, Price: px("5002")})
	assert.Equal(t, int64(1), h.strat("a").Net(mes.ID))
	assert.Equal(t, int64(0), h.strat("b").Net(mes.ID))
	assert.Equal(t, int64(1), h.g.account.Net(mes.ID))
	// At the mark, nobody's equity moves.
	assert.Equal(t, eqA, h.strat("a").Equity())
	assert.Equal(t, eqB, h.strat("b").Equity())
	assert.Equal(t, eq, h.g.account.Equity())
}

func (h *harness) strat(name string) *Scope {
	s, ok := h.g.Strategy(name)
	require.True(h.t, ok)
	return s
}

// A bracket exit against its filled entry costs nothing; left working after
// its position was closed by another order it is exposure.
func TestOrphanedExitIsExposure(t *testing.T) {
	h := newHarness(t, mustParse(t, `account: {market_hours: {enabled: false}, max_position: 4, duplicate_window: 0s}`))
	req := h.request("a", mes, venue.Buy, 4, venue.Market, 0)
	req.Intent.Brackets = []venue.Leg{{Type: venue.Limit, Limit: px("5010")}, {Type: venue.Stop, Stop: px("4990")}}
	require.Nil(t, h.check(req))
	h.fill(req.ClientID, mes, venue.Buy, 4, "5000", true)
	h.event(venue.Event{Kind: venue.EventAccepted, ClientID: req.ClientID + "/tp", Qty: 4})
	h.event(venue.Event{Kind: venue.EventAccepted, ClientID: req.ClientID + "/sl", Qty: 4})
	_, d := h.market("a", mes, venue.Sell, 4)
	require.Nil(t, d, "the exits offset the long: short worst case 4")
	h.fill(h.lastID(), mes, venue.Sell, 4, "5000", true)
	require.Equal(t, int64(0), h.g.account.Net(mes.ID))
	// Flat now, with the exits still working: they would sell 4.
	_, d = h.market("a", mes, venue.Sell, 1)
	require.NotNil(t, d)
	assert.Equal(t, RuleMaxPosition, d.Rule)
	assert.Contains(t, d.Text, "short position in MESZ6 would be 5")
}

func (h *harness) lastID() string { return "a-0-" + strconv.Itoa(h.seq) }

// Raising an OCO partner's size is judged like any raise.
func TestCheckModifyOCOPartner(t *testing.T) {
	h := newHarness(t, mustParse(t, `account: {market_hours: {enabled: false}, max_position: 2}`))
	req := h.request("a", mes, venue.Buy, 1, venue.Stop, px("5010"))
	req.Intent.OCO = &venue.Leg{Side: venue.Sell, Type: venue.Stop, Stop: px("4990"), Qty: 1}
	require.Nil(t, h.check(req))
	h.event(venue.Event{Kind: venue.EventAccepted, ClientID: req.ClientID + "/oco", Qty: 1})
	partner := &venue.OrderIntent{Symbol: mes.Symbol, Side: venue.Sell, Qty: 1, Type: venue.Stop, Stop: px("4990")}
	d := h.g.CheckModify(&ModifyRequest{Now: h.now.UnixNano(), Strategy: "a", ClientID: req.ClientID + "/oco", Instrument: mes, Intent: partner, Modify: venue.Modify{Qty: 5}})
	require.NotNil(t, d)
	assert.Equal(t, RuleMaxPosition, d.Rule)
	require.Nil(t, h.g.CheckModify(&ModifyRequest{Now: h.now.UnixNano(), Strategy: "a", ClientID: req.ClientID + "/oco", Instrument: mes, Intent: partner, Modify: venue.Modify{Qty: 2}}))
	assert.Equal(t, int64(2), h.g.account.Working(mes.ID, venue.Sell))
	h.event(venue.Event{Kind: venue.EventModifyRejected, ClientID: req.ClientID + "/oco"})
	assert.Equal(t, int64(1), h.g.account.Working(mes.ID, venue.Sell))
}

// Review C/D: modifies in flight are counted until the venue answers each;
// a refusal undoes only its own raise, and a gate denial undoes nothing.
func TestModifiesInFlight(t *testing.T) {
	h := newHarness(t, mustParse(t, `account: {market_hours: {enabled: false}, max_position: 4, duplicate_window: 0s}`))
	req := h.request("a", mes, venue.Buy, 1, venue.Limit, px("4990"))
	require.Nil(t, h.check(req))
	mod := func(q int64) *Denied {
		return h.g.CheckModify(&ModifyRequest{Now: h.now.UnixNano(), Strategy: "a", ClientID: req.ClientID, Instrument: mes, Intent: req.Intent, Modify: venue.Modify{Qty: q}})
	}
	long := func() int64 { return h.g.account.Working(mes.ID, venue.Buy) }
	require.Nil(t, mod(3))
	assert.Equal(t, int64(3), long())
	require.NotNil(t, mod(9), "refused by the gate")
	h.event(venue.Event{Kind: venue.EventModifyRejected, ClientID: req.ClientID, Reason: RuleMaxPosition, Local: true})
	assert.Equal(t, int64(3), long(), "the gate's own refusal undoes nothing at the venue")

	require.Nil(t, mod(4))
	assert.Equal(t, int64(4), long())
	// The venue refuses the first raise, then confirms the second.
	h.event(venue.Event{Kind: venue.EventModifyRejected, ClientID: req.ClientID})
	assert.Equal(t, int64(4), long(), "the second raise is still in flight")
	h.event(venue.Event{Kind: venue.EventModified, ClientID: req.ClientID, Qty: 4, Modify: venue.Modify{Qty: 4}})
	assert.Equal(t, int64(4), long())
	// Both refused: back to the venue's size.
	require.Nil(t, mod(2))
	h.event(venue.Event{Kind: venue.EventModifyRejected, ClientID: req.ClientID})
	assert.Equal(t, int64(4), long())
}

func TestModifyRaisesRefusedInOrder(t *testing.T) {
	h := newHarness(t, mustParse(t, `account: {market_hours: {enabled: false}, max_position: 4, duplicate_window: 0s}`))
	req := h.request("a", mes, venue.Buy, 1, venue.Limit, px("4990"))
	require.Nil(t, h.check(req))
	mod := func(q int64) *Denied {
		return h.g.CheckModify(&ModifyRequest{Now: h.now.UnixNano(), Strategy: "a", ClientID: req.ClientID, Instrument: mes, Intent: req.Intent, Modify: venue.Modify{Qty: q}})
	}
	require.Nil(t, mod(3))
	require.Nil(t, mod(4))
	h.event(venue.Event{Kind: venue.EventModified, ClientID: req.ClientID, Qty: 3, Modify: venue.Modify{Qty: 3}})
	assert.Equal(t, int64(4), h.g.account.Working(mes.ID, venue.Buy), "3→4 is still in flight")
	_, d := h.market("b", mes, venue.Buy, 1)
	require.NotNil(t, d, "worst case would be 5")
	h.event(venue.Event{Kind: venue.EventModifyRejected, ClientID: req.ClientID})
	assert.Equal(t, int64(3), h.g.account.Working(mes.ID, venue.Buy))
}

// Review G: a client id the gate still tracks is refused, not overwritten.
func TestReusedClientIDRefused(t *testing.T) {
	h := newHarness(t, offConfig())
	req := h.request("a", mes, venue.Buy, 1, venue.Stop, px("5010"))
	req.Intent.OCO = &venue.Leg{Side: venue.Sell, Type: venue.Stop, Stop: px("4990")}
	require.Nil(t, h.check(req))
	again := h.request("a", mes, venue.Buy, 1, venue.Market, 0)
	again.ClientID = req.ClientID
	d := h.check(again)
	require.NotNil(t, d)
	assert.Equal(t, RuleClientID, d.Rule)
}

// Review 1: a strategy's flatten that does not grow the account's position
// passes the account whatever its order-flow rules say.
func TestStrategyFlattenHoldingTheAccount(t *testing.T) {
	h := newHarness(t, mustParse(t, `
account:
  market_hours: {enabled: false}
  max_open_orders: 1
  duplicate_window: 0s
`))
	h.position("a", mes, venue.Buy, 2, "5000")
	h.position("b", mes, venue.Sell, 1, "5000")
	require.Nil(t, h.check(h.request("b", mes, venue.Sell, 1, venue.Limit, px("5010")))) // one open order
	// a sells 2: the account goes from +1 to −1, no larger.
	assert.Nil(t, h.check(h.protective("a", mes, venue.Sell, 2, ProtectStrategy)))
	// b buys 1 against the account's −1 to come (a's sell is working):
	// judged by the account's exposure rules only.
	assert.Nil(t, h.check(h.protective("b", mes, venue.Buy, 1, ProtectStrategy)))
	// What would grow the account past its limit is still refused.
	h2 := newHarness(t, mustParse(t, `account: {market_hours: {enabled: false}, max_position: 1}`))
	h2.position("a", mes, venue.Sell, 1, "5000")
	h2.position("b", mes, venue.Buy, 1, "5000")
	h2.position("c", mes, venue.Buy, 1, "5000") // the account +1
	d := h2.check(h2.protective("a", mes, venue.Buy, 1, ProtectStrategy))
	require.NotNil(t, d, "+1 → +2 is above max_position")
	assert.Equal(t, RuleMaxPosition, d.Rule)
}

// An exit whose size the venue did not say counts as its entry's fill.
func TestExitSizeFallsBackToTheEntryFill(t *testing.T) {
	h := newHarness(t, mustParse(t, `account: {market_hours: {enabled: false}, max_position: 2, duplicate_window: 0s}`))
	req := h.request("a", mes, venue.Buy, 2, venue.Market, 0)
	req.Intent.Brackets = []venue.Leg{{Type: venue.Stop, Stop: px("4990")}}
	require.Nil(t, h.check(req))
	h.fill(req.ClientID, mes, venue.Buy, 2, "5000", true)
	h.event(venue.Event{Kind: venue.EventAccepted, ClientID: req.ClientID + "/sl"})
	id := h.mustMarket("a", mes, venue.Sell, 2)
	h.fill(id, mes, venue.Sell, 2, "5000", true)
	_, d := h.market("a", mes, venue.Sell, 1)
	require.NotNil(t, d, "the orphaned exit would sell 2 more")
}

// An earlier session's order the gate adopts books its fills to its
// strategy, so the restarted strategy's flatten is reducing.
func TestAdoptedOrderCountsForItsStrategy(t *testing.T) {
	h := newHarness(t, mustParse(t, `account: {market_hours: {enabled: false}, max_position: 1}`))
	req := h.request("a", mes, venue.Buy, 1, venue.Market, 0)
	req.ClientID = "a-earlier-1"
	require.NoError(t, h.g.Adopt(req))
	assert.Error(t, h.g.Adopt(req), "a client id already tracked")
	h.fill("a-earlier-1", mes, venue.Buy, 1, "5000", true)
	assert.Equal(t, int64(1), h.strat("a").Net(mes.ID))
	assert.Equal(t, int64(1), h.g.account.Net(mes.ID))
	assert.Nil(t, h.check(h.protective("a", mes, venue.Sell, 1, ProtectStrategy)), "the strategy's own flatten reduces")
	_, d := h.market("a", mes, venue.Buy, 1)
	assert.NotNil(t, d, "max_position sees the adopted position")
}
