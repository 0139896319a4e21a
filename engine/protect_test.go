package engine

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/risk"
	"github.com/keeltrade/keel/strategy"
	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/sim"
	"github.com/keeltrade/keel/venue/venuetest"
)

// rig is an engine wired to the simulator and the real risk gate, the way
// a backtest runs, with scripted strategies.
type rig struct {
	t    *testing.T
	e    *Engine
	x    *sim.Exchange
	g    *risk.Guard
	now  int64
	logs *bytes.Buffer
	// closed makes the simulator reject new orders as outside the session.
	closed bool
}

type rigOpt func(*Config, *sim.Config)

func newRig(t *testing.T, riskYAML string, opts ...rigOpt) *rig {
	t.Helper()
	cfg, err := risk.ParseConfig([]byte(riskYAML))
	require.NoError(t, err)
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	g, err := risk.New(cfg, risk.WithLogger(log))
	require.NoError(t, err)
	rg := &rig{t: t, g: g, now: sec(0), logs: logs}
	ins := instruments(t)
	sc := sim.Config{Instruments: ins, SessionCheck: func(venue.ContractID, int64) error {
		if rg.closed {
			return errors.New("CME Globex is closed")
		}
		return nil
	}}
	ec := Config{Instruments: ins, Gate: g, Logger: log, Session: "T"}
	for _, o := range opts {
		o(&ec, &sc)
	}
	x, err := sim.New(sc)
	require.NoError(t, err)
	ec.Venue = x
	e, err := New(ec)
	require.NoError(t, err)
	rg.e, rg.x = e, x
	return rg
}

// script is a strategy that runs the step due at each of its ticks.
type script struct {
	recorder
	n     int
	steps map[int]func(ctx strategy.Context)
}

func (s *script) OnTick(ctx strategy.Context, t venue.Tick) {
	s.n++
	if f := s.steps[s.n]; f != nil {
		f(ctx)
	}
}

func (rg *rig) add(name string, steps map[int]func(ctx strategy.Context)) *script {
	s := &script{steps: steps}
	require.NoError(rg.t, rg.e.Add(name, s, nil))
	return s
}

// tick sends one MES trade a second after the previous one.
func (rg *rig) tick(price string) {
	rg.now += int64(time.Second)
	rg.e.OnTick(trade(mesID, rg.now, price, 100))
}

func (rg *rig) net(strategy string) int64 { return rg.e.byName[strategy].Position("MESM6").Net }

func submit(in venue.OrderIntent) func(ctx strategy.Context) {
	return func(ctx strategy.Context) {
		if _, err := ctx.Submit(in); err != nil {
			panic(err)
		}
	}
}

func mkt(side venue.Side, qty int64) venue.OrderIntent {
	return venue.OrderIntent{Symbol: "MESM6", Side: side, Qty: qty, Type: venue.Market}
}

func lmt(side venue.Side, qty int64, price string) venue.OrderIntent {
	return venue.OrderIntent{Symbol: "MESM6", Side: side, Qty: qty, Type: venue.Limit, Limit: venue.MustParsePrice(price)}
}

// Item 1a: the kill switch trips with max_open_orders 2 and two resting
// limits; the flatten must not be refused, and the account gets flat.
func TestKillSwitchFlattensPastOpenOrderLimit(t *testing.T) {
	rg := newRig(t, `
account:
  market_hours: {enabled: false}
  max_open_orders: 2
`)
	rg.add("a", map[int]func(strategy.Context){
		1: submit(mkt(venue.Buy, 1)),
		3: func(ctx strategy.Context) {
			submit(lmt(venue.Buy, 1, "4990"))(ctx)
			submit(lmt(venue.Buy, 1, "4980"))(ctx)
		},
	})
	require.NoError(t, rg.e.Start())
	for _, p := range []string{"5000", "5000", "5000"} {
		rg.tick(p)
	}
	require.Equal(t, int64(1), rg.net("a"))
	require.NoError(t, rg.g.Trip("market falling"))
	for _, p := range []string{"4999", "4998", "4997"} {
		rg.tick(p)
	}
	assert.Equal(t, int64(0), rg.x.Position(mesID).Net, "the venue's account is flat")
	assert.Equal(t, int64(0), rg.net("a"))
	assert.Empty(t, rg.x.WorkingOrders())
	var flat []venue.Order
	for _, o := range rg.e.Orders() {
		if o.Protective {
			flat = append(flat, o)
		}
	}
	require.Len(t, flat, 1)
	assert.Equal(t, venue.Filled, flat[0].Status)
	assert.Equal(t, venue.Sell, flat[0].Intent.Side)
}

// Item 1b: a trip on order-rate must not have its own flatten refused by
// order-rate.
func TestTripOnOrderRateStillFlattens(t *testing.T) {
	rg := newRig(t, `
kill_switch: {trip_on: [order-rate]}
account:
  market_hours: {enabled: false}
  order_rate: {max: 2, per: 1m, burst: 2}
  duplicate_window: 0s
`)
	rg.add("a", map[int]func(strategy.Context){
		1: submit(mkt(venue.Buy, 1)),
		2: func(ctx strategy.Context) {
			submit(lmt(venue.Buy, 1, "4990"))(ctx)
			_, err := ctx.Submit(lmt(venue.Buy, 1, "4980"))
			require.Error(t, err)
		},
	})
	require.NoError(t, rg.e.Start())
	for _, p := range []string{"5000", "5000", "4999", "4998"} {
		rg.tick(p)
	}
	require.True(t, rg.g.Tripped().Tripped)
	assert.Equal(t, int64(0), rg.x.Position(mesID).Net)
	assert.Empty(t, rg.x.WorkingOrders())
}

// Item 1: a flatten the venue refuses is retried, with backoff, until the
// account is flat, loudly.
func TestRefusedFlattenIsRetried(t *testing.T) {
	rg := newRig(t, `account: {market_hours: {enabled: false}}`)
	s := rg.add("a", map[int]func(strategy.Context){1: submit(mkt(venue.Buy, 2))})
	require.NoError(t, rg.e.Start())
	rg.tick("5000")
	rg.tick("5000")
	require.Equal(t, int64(2), rg.net("a"))
	rg.closed = true
	require.NoError(t, rg.g.Trip("stop"))
	for range 5 {
		rg.tick("4999")
	}
	assert.Equal(t, int64(2), rg.x.Position(mesID).Net, "the venue refuses while closed")
	var retries int
	for _, ev := range s.events {
		if ev.Kind == venue.EventUnprotected && ev.Reason == venue.ReasonFlattenRetry {
			retries++
		}
	}
	assert.GreaterOrEqual(t, retries, 2, "each refusal is an event")
	assert.Contains(t, rg.logs.String(), "level=ERROR")
	attempts := rg.e.Stats().FlattenRetries
	// Backoff: five seconds of refusals take fewer than five attempts.
	assert.Less(t, attempts, int64(5))

	rg.closed = false
	for range 40 {
		rg.tick("4998")
	}
	assert.Equal(t, int64(0), rg.x.Position(mesID).Net)
	assert.Equal(t, int64(0), rg.net("a"))
	n := rg.e.Stats().FlattenRetries
	rg.tick("4998")
	rg.e.Advance(rg.now + int64(time.Hour))
	assert.Equal(t, n, rg.e.Stats().FlattenRetries, "flat: no more retries")
}

// Item 2: strategy A long 2, B short 1 (the account +1): flatten nets them.
func TestFlattenNetsOppositeStrategies(t *testing.T) {
	rg := newRig(t, `account: {market_hours: {enabled: false}}`)
	rg.add("a", map[int]func(strategy.Context){1: submit(mkt(venue.Buy, 2))})
	rg.add("b", map[int]func(strategy.Context){1: submit(mkt(venue.Sell, 1))})
	require.NoError(t, rg.e.Start())
	rg.tick("5000")
	rg.tick("5000")
	require.Equal(t, int64(1), rg.x.Position(mesID).Net)
	require.NoError(t, rg.g.Trip("stop"))
	rg.tick("4999")
	rg.tick("4998")
	assert.Equal(t, int64(0), rg.x.Position(mesID).Net)
	assert.Equal(t, int64(0), rg.net("a"))
	assert.Equal(t, int64(0), rg.net("b"))
	as, _ := rg.g.Strategy("a")
	bs, _ := rg.g.Strategy("b")
	assert.Equal(t, int64(0), as.Net(mesID))
	assert.Equal(t, int64(0), bs.Net(mesID))
	var sent int
	for _, o := range rg.e.Orders() {
		if o.Protective {
			sent++
			assert.Equal(t, int64(1), o.Intent.Qty, "one netted contract reaches the venue")
		}
	}
	assert.Equal(t, 1, sent)
	// The money still adds up: the strategies' PnL is the account's.
	pa, _ := rg.e.PnL("a")
	pb, _ := rg.e.PnL("b")
	assert.True(t, pa.Net().Add(pb.Net()).Equal(rg.x.Position(mesID).Realized.Sub(pa.Fees).Sub(pb.Fees)),
		"a %s + b %s vs venue %s", pa.Net(), pb.Net(), rg.x.Position(mesID).Realized)
}

// The operator's flatten goes the same way.
func TestOperatorFlatten(t *testing.T) {
	rg := newRig(t, `account: {market_hours: {enabled: false}, max_open_orders: 1}`)
	rg.add("a", map[int]func(strategy.Context){1: submit(mkt(venue.Buy, 1)), 2: submit(lmt(venue.Buy, 1, "4990"))})
	require.NoError(t, rg.e.Start())
	rg.tick("5000")
	rg.tick("5000")
	require.NoError(t, rg.e.Flatten("MESM6", "operator"))
	rg.tick("5000")
	rg.tick("5000")
	assert.Equal(t, int64(0), rg.x.Position(mesID).Net)
	assert.Empty(t, rg.x.WorkingOrders(), "the flatten cancels working orders first")
	assert.Error(t, rg.e.Flatten("NOPE", "operator"))
}

// Item 6: a strategy that panics with a bracketed long is flattened, then
// its exits are cancelled.
func TestFailedStrategyIsFlattened(t *testing.T) {
	bracketed := mkt(venue.Buy, 1)
	bracketed.Brackets = []venue.Leg{{Type: venue.Limit, Limit: venue.MustParsePrice("5010")}, {Type: venue.Stop, Stop: venue.MustParsePrice("4990")}}
	steps := map[int]func(strategy.Context){
		1: submit(bracketed),
		3: func(strategy.Context) { panic("bug") },
	}
	for _, tc := range []struct {
		policy   FailurePolicy
		net      int64
		exitsOut int
	}{{"", 0, 0}, {FlattenOnFailure, 0, 0}, {KeepExits, 1, 2}} {
		t.Run(string(tc.policy), func(t *testing.T) {
			rg := newRig(t, `account: {market_hours: {enabled: false}}`, func(c *Config, _ *sim.Config) { c.OnFailure = tc.policy })
			rg.add("a", steps)
			require.NoError(t, rg.e.Start())
			for _, p := range []string{"5000", "5000", "5001", "5001", "5001"} {
				rg.tick(p)
			}
			require.Len(t, rg.e.Failures(), 1)
			assert.Equal(t, tc.net, rg.x.Position(mesID).Net)
			assert.Len(t, rg.x.WorkingOrders(), tc.exitsOut)
		})
	}
	_, err := New(Config{Instruments: instruments(t), Venue: &venuetest.Recorder{}, OnFailure: "sometimes"})
	assert.ErrorContains(t, err, "OnFailure")
}

// Item 7a: after a partial entry fill and a cancel of the rest, the
// engine's exit records have the venue's size.
func TestExitRecordsHaveTheVenuesSize(t *testing.T) {
	rg := newRig(t, `account: {market_hours: {enabled: false}}`)
	entry := lmt(venue.Buy, 2, "5000")
	entry.Brackets = []venue.Leg{{Type: venue.Limit, Limit: venue.MustParsePrice("5010")}, {Type: venue.Stop, Stop: venue.MustParsePrice("4990")}}
	var id string
	rg.add("a", map[int]func(strategy.Context){
		1: func(ctx strategy.Context) {
			var err error
			id, err = ctx.Submit(entry)
			require.NoError(t, err)
		},
		3: func(ctx strategy.Context) { require.NoError(t, ctx.Cancel(id)) },
	})
	require.NoError(t, rg.e.Start())
	rg.tick("5001")
	rg.now += int64(time.Second)
	// An ask of one contract through the limit fills one of the two.
	rg.e.OnTick(&venue.Tick{Time: rg.now, Contract: mesID, Bid: venue.MustParsePrice("4999.5"), Ask: venue.MustParsePrice("4999.75"), BidSize: 5, AskSize: 1, Flags: venue.HasQuote})
	rg.tick("5001")
	rg.tick("5001")
	for _, o := range rg.e.Orders() {
		if o.ParentID == id {
			vo, ok := rg.x.Order(o.ClientID)
			require.True(t, ok)
			assert.Equal(t, vo.Intent.Qty, o.Intent.Qty, o.ClientID)
			assert.Equal(t, int64(1), o.Intent.Qty, o.ClientID)
			assert.Equal(t, venue.GTC, o.Intent.TIF, "exits are GTC by default")
		}
	}
}

// Item 7c: an exit that ends while its position is open is an event, a
// warning (once) and a count.
func TestLostExitIsReported(t *testing.T) {
	rg := newRig(t, `account: {market_hours: {enabled: false}}`)
	day := mkt(venue.Buy, 1)
	day.Brackets = []venue.Leg{{Type: venue.Stop, Stop: venue.MustParsePrice("4990"), TIF: venue.TIFOf(venue.Day)}}
	s := rg.add("a", map[int]func(strategy.Context){1: submit(day), 4: submit(day)})
	require.NoError(t, rg.e.Start())
	rg.tick("5000")
	rg.tick("5000")
	rg.x.ExpireDay()
	rg.tick("5000")
	rg.tick("5000")
	rg.tick("5000")
	rg.x.ExpireDay()
	rg.tick("5000")
	var lost []venue.Event
	for _, ev := range s.events {
		if ev.Kind == venue.EventUnprotected {
			lost = append(lost, ev)
		}
	}
	require.Len(t, lost, 2)
	assert.Equal(t, venue.ReasonExitExpired, lost[0].Reason)
	assert.Equal(t, "a-T-1/sl", lost[0].ClientID)
	assert.Equal(t, int64(2), rg.e.Stats().ExitsLost)
	assert.Equal(t, 1, strings.Count(rg.logs.String(), "exit ended while its position is open"), "warned once")
}

// An exit that ends because its position closed is no news.
func TestClosedExitIsNotReported(t *testing.T) {
	rg := newRig(t, `account: {market_hours: {enabled: false}}`)
	in := mkt(venue.Buy, 1)
	in.Brackets = []venue.Leg{{Type: venue.Limit, Limit: venue.MustParsePrice("5002")}, {Type: venue.Stop, Stop: venue.MustParsePrice("4990")}}
	rg.add("a", map[int]func(strategy.Context){1: submit(in)})
	require.NoError(t, rg.e.Start())
	for _, p := range []string{"5000", "5000", "5003", "5003"} {
		rg.tick(p)
	}
	require.Equal(t, int64(0), rg.net("a"))
	assert.Equal(t, int64(0), rg.e.Stats().ExitsLost)
}

// Item 8: live sessions need a unique session id.
func TestSessionIDs(t *testing.T) {
	async := &asyncVenue{}
	for _, s := range []string{"", "0"} {
		_, err := New(Config{Instruments: instruments(t), Venue: async, Session: s})
		assert.ErrorContains(t, err, "Session", "a venue outside the loop needs a session id")
	}
	_, err := New(Config{Instruments: instruments(t), Venue: &venuetest.Recorder{}})
	assert.NoError(t, err, "simulated venues may keep the default")

	dir := t.TempDir()
	at := time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC)
	seen := map[string]bool{}
	for range 3 {
		id, err := NewSessionID(dir, at)
		require.NoError(t, err)
		assert.False(t, seen[id], id)
		seen[id] = true
		assert.True(t, strings.HasPrefix(id, "20261204"), id)
		_, err = New(Config{Instruments: instruments(t), Venue: async, Session: id})
		assert.NoError(t, err)
	}
	info, err := os.Stat(filepath.Join(dir, sessionFile))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	next, err := NewSessionID(dir, at.Add(24*time.Hour))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(next, "20261205"), next)
	assert.False(t, seen[next])
}

// Item 9: the venue gets its own copy of the order.
func TestVenueGetsACopy(t *testing.T) {
	v := &venuetest.Recorder{}
	e := newEngine(t, v, nil)
	r := &recorder{}
	require.NoError(t, e.Add("rec", r, nil))
	require.NoError(t, e.Start())
	in := lmt(venue.Buy, 1, "4990")
	in.Brackets = []venue.Leg{{Type: venue.Stop, Stop: venue.MustParsePrice("4980")}}
	id, err := e.byName["rec"].Submit(in)
	require.NoError(t, err)
	e.drain()
	e.OnEvent(venue.Event{Kind: venue.EventModified, ClientID: id, Modify: venue.Modify{Qty: 3, Limit: venue.MustParsePrice("4991")}})
	e.orders[id].Intent.Brackets[0].Stop = venue.MustParsePrice("1") // the OMS owns its record
	sent := v.Orders[0]
	assert.Equal(t, int64(1), sent.Intent.Qty)
	assert.Equal(t, venue.MustParsePrice("4990"), sent.Intent.Limit)
	assert.Equal(t, venue.MustParsePrice("4980"), sent.Intent.Brackets[0].Stop)
	assert.Equal(t, venue.PendingNew, sent.Status)
}

// Item 5: a modify goes through the gate.
func TestModifyGoesThroughTheGate(t *testing.T) {
	rg := newRig(t, `account: {market_hours: {enabled: false}, max_position: 2}`)
	var id string
	var modErr error
	s := rg.add("a", map[int]func(strategy.Context){
		1: func(ctx strategy.Context) { id, _ = ctx.Submit(lmt(venue.Buy, 1, "4990")) },
		2: func(ctx strategy.Context) { modErr = ctx.Modify(id, venue.Modify{Qty: 5}) },
	})
	require.NoError(t, rg.e.Start())
	rg.tick("5000")
	rg.tick("5000")
	var d *risk.Denied
	require.ErrorAs(t, modErr, &d)
	assert.Equal(t, risk.RuleMaxPosition, d.Rule)
	o, _ := rg.x.Order(id)
	assert.Equal(t, int64(1), o.Intent.Qty, "the venue never saw it")
	for _, ev := range s.events {
		assert.NotEqual(t, venue.EventModifyRejected, ev.Kind, "the error was the one notice")
	}
}

// Review A: a failed strategy long 2 with a stop, another short 1 with a
// resting limit, max_open_orders 1: the flatten must get through, and the
// exit may only go once the flatten is out.
func TestFailedStrategyFlattenAgainstAnOppositeStrategy(t *testing.T) {
	rg := newRig(t, `account: {market_hours: {enabled: false}, max_open_orders: 1}`)
	long := mkt(venue.Buy, 2)
	long.Brackets = []venue.Leg{{Type: venue.Stop, Stop: venue.MustParsePrice("4990")}}
	rg.add("a", map[int]func(strategy.Context){1: submit(long), 4: func(strategy.Context) { panic("bug") }})
	rg.add("b", map[int]func(strategy.Context){2: submit(mkt(venue.Sell, 1)), 3: submit(lmt(venue.Sell, 1, "5010"))})
	require.NoError(t, rg.e.Start())
	for range 8 {
		rg.tick("5000")
	}
	assert.Equal(t, int64(0), rg.net("a"), "the failed strategy is flat")
	assert.Equal(t, int64(-1), rg.net("b"), "the other keeps its position")
	assert.Equal(t, int64(-1), rg.x.Position(mesID).Net)
	for _, o := range rg.x.WorkingOrders() {
		assert.NotEqual(t, "a", o.Strategy, "nothing of the failed strategy is left working: %s", o.ClientID)
	}
}

// Review B: per-strategy flatten before the close, with an opposite
// strategy and an account entry window.
func TestStrategyFlattenBeforeCloseWithOppositeStrategies(t *testing.T) {
	rg := newRig(t, `
account:
  market_hours: {enabled: true, no_entries_before_close: 15m, unknown_calendar: allow}
defaults:
  market_hours: {enabled: true, flatten_before_close: 5m, unknown_calendar: allow}
`)
	// 2026-03-02 is a Monday: the ES session closes at 16:00 CT (22:00 UTC).
	rg.now = time.Date(2026, 3, 2, 21, 30, 0, 0, time.UTC).UnixNano()
	long := mkt(venue.Buy, 2)
	long.Brackets = []venue.Leg{{Type: venue.Stop, Stop: venue.MustParsePrice("4990")}}
	rg.add("a", map[int]func(strategy.Context){1: submit(long)})
	rg.add("b", map[int]func(strategy.Context){1: submit(mkt(venue.Sell, 1))})
	require.NoError(t, rg.e.Start())
	rg.tick("5000")
	rg.tick("5000")
	require.Equal(t, int64(2), rg.net("a"))
	rg.now = time.Date(2026, 3, 2, 21, 56, 0, 0, time.UTC).UnixNano() // 4 minutes before the close
	for range 6 {
		rg.tick("5000")
	}
	assert.Equal(t, int64(0), rg.net("a"))
	assert.Equal(t, int64(0), rg.net("b"))
	assert.Equal(t, int64(0), rg.x.Position(mesID).Net)
	assert.Empty(t, rg.x.WorkingOrders())
}

// Review E: a protective cancel the venue refuses is sent again; a failed
// strategy with no position still gets its orders cancelled for good.
func TestRefusedProtectiveCancelIsRetried(t *testing.T) {
	rg := newRig(t, `account: {market_hours: {enabled: false}}`, func(_ *Config, sc *sim.Config) { sc.Latency = 500 * time.Millisecond })
	var id string
	rg.add("a", map[int]func(strategy.Context){
		1: func(ctx strategy.Context) { id, _ = ctx.Submit(lmt(venue.Buy, 1, "4990")) },
		3: func(ctx strategy.Context) {
			require.NoError(t, ctx.Modify(id, venue.Modify{Limit: venue.MustParsePrice("4991")}))
		},
		4: func(strategy.Context) { panic("bug") },
	})
	require.NoError(t, rg.e.Start())
	for range 4 {
		rg.tick("5000")
	}
	for range 20 {
		rg.tick("5000")
	}
	assert.Empty(t, rg.x.WorkingOrders(), "the limit is cancelled in the end")
	rg.tick("4980") // would have filled it
	rg.tick("4980")
	assert.Equal(t, int64(0), rg.x.Position(mesID).Net)
}

// Review F: the account flatten also closes what no strategy holds (a
// position the venue reports, adopted after a restart or a manual trade).
func TestKillSwitchFlattensAPositionNoStrategyHolds(t *testing.T) {
	rg := newRig(t, `account: {market_hours: {enabled: false}}`)
	rg.add("a", nil)
	require.NoError(t, rg.e.Start())
	rg.tick("5000")
	// A manual trade at the venue, outside keel.
	require.NoError(t, rg.x.Submit(venue.Order{ClientID: "manual-1", Contract: mesID, Intent: mkt(venue.Buy, 2)}))
	rg.tick("5000")
	rg.tick("5000")
	require.Equal(t, int64(2), rg.x.Position(mesID).Net)
	require.NoError(t, rg.g.Trip("stop"))
	for range 5 {
		rg.tick("4999")
	}
	assert.Equal(t, int64(0), rg.x.Position(mesID).Net, "flat at the venue")
	assert.Contains(t, rg.logs.String(), "no strategy holds")
}

// Modifies the gate refused undo nothing; a modify the venue could not
// take undoes its raise.
func TestModifyRollbackPaths(t *testing.T) {
	rg := newRig(t, `account: {market_hours: {enabled: false}, max_position: 4, duplicate_window: 0s}`, func(_ *Config, sc *sim.Config) { sc.Latency = 500 * time.Millisecond })
	var id string
	var errs []error
	rg.add("a", map[int]func(strategy.Context){
		1: func(ctx strategy.Context) { id, _ = ctx.Submit(lmt(venue.Buy, 1, "4990")) },
		3: func(ctx strategy.Context) {
			errs = append(errs, ctx.Modify(id, venue.Modify{Qty: 3}))
			errs = append(errs, ctx.Modify(id, venue.Modify{Qty: 9}))
		},
	})
	var bErr error
	rg.add("b", map[int]func(strategy.Context){3: func(ctx strategy.Context) { _, bErr = ctx.Submit(lmt(venue.Buy, 3, "4980")) }})
	require.NoError(t, rg.e.Start())
	for range 3 {
		rg.tick("5000")
	}
	require.Len(t, errs, 2)
	assert.NoError(t, errs[0])
	assert.Error(t, errs[1])
	var d *risk.Denied
	require.ErrorAs(t, bErr, &d, "a's raise to 3 still counts: 3 + 3 > 4")
	assert.Equal(t, risk.RuleMaxPosition, d.Rule)
}

// A risk file's strategies section that names no running strategy stops
// the engine at start.
func TestEngineRefusesAMisspelledStrategySection(t *testing.T) {
	rg := newRig(t, "strategies:\n  smacros: {max_position: 1}\n")
	rg.add("smacross", nil)
	err := rg.e.Start()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "strategies.smacros")
}
