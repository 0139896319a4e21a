package tradovate

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/cme"
	"github.com/keeltrade/keel/venue/tradovate/sandbox"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// events collects a venue's events for assertions.
type events struct {
	mu  sync.Mutex
	evs []venue.Event
}

func (e *events) sink(ev venue.Event) { e.mu.Lock(); e.evs = append(e.evs, ev); e.mu.Unlock() }

func (e *events) all() []venue.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]venue.Event(nil), e.evs...)
}

func (e *events) of(client string, kinds ...venue.EventKind) []venue.Event {
	var out []venue.Event
	for _, ev := range e.all() {
		if ev.ClientID != client {
			continue
		}
		for _, k := range kinds {
			if ev.Kind == k {
				out = append(out, ev)
			}
		}
	}
	return out
}

func (e *events) wait(t *testing.T, what string, ok func() bool) {
	t.Helper()
	require.Eventually(t, ok, 5*time.Second, 5*time.Millisecond, what)
}

type adapterRig struct {
	t   *testing.T
	s   *sandbox.Server
	a   *Adapter
	ev  *events
	sym string
	cid venue.ContractID
	px  venue.Price
}

func newAdapterRig(t *testing.T, env Env, opts ...sandbox.Option) *adapterRig {
	t.Helper()
	s := sandbox.Start(t, append([]sandbox.Option{sandbox.WithHeartbeat(50 * time.Millisecond)}, opts...)...)
	cfg := sandboxConfig(t, s, env)
	a, err := New(cfg, Options{Logger: testLog(t), Conn: ConnOptions{Heartbeat: 50 * time.Millisecond, DeadAfter: time.Second, RequestTimeout: time.Second, ReconnectMin: 10 * time.Millisecond, ReconnectMax: 50 * time.Millisecond}, ReconcileWait: time.Second})
	require.NoError(t, err)
	sym, err := cme.FrontMonth("MES", time.Now())
	require.NoError(t, err)
	r := &adapterRig{t: t, s: s, a: a, ev: &events{}, sym: sym.String(), px: venue.MustParsePrice("6000")}
	r.cid, err = s.ContractID(r.sym)
	require.NoError(t, err)
	require.NoError(t, a.Start(r.ev.sink))
	t.Cleanup(func() { a.Close() })
	return r
}

// trade shows the sandbox a trade at the rig's price.
func (r *adapterRig) trade() {
	r.s.Feed(venue.Tick{Time: time.Now().UnixNano(), Contract: r.cid, Price: r.px, Size: 10, Bid: r.px - venue.MustParsePrice("0.25"), Ask: r.px, BidSize: 50, AskSize: 50, Flags: venue.HasTrade | venue.HasQuote})
}

func (r *adapterRig) order(id string, in venue.OrderIntent) venue.Order {
	in.Symbol = r.sym
	return venue.Order{ClientID: id, Strategy: "s", Contract: r.cid, Intent: in}
}

func (r *adapterRig) sandboxNet() int64 {
	// The sandbox's own view, through a second client: the position list.
	var ps []struct {
		ContractID int64 `json:"contractId"`
		NetPos     int64 `json:"netPos"`
	}
	require.NoError(r.t, r.a.Auth().REST(context.Background(), "GET", "position/list", "", nil, &ps))
	var n int64
	for _, p := range ps {
		if p.ContractID == int64(r.cid) {
			n += p.NetPos
		}
	}
	return n
}

func TestAdapterOrderLifecycle(t *testing.T) {
	r := newAdapterRig(t, Demo)
	r.trade()
	entry := r.order("s-1.1-1", venue.OrderIntent{Side: venue.Buy, Qty: 2, Type: venue.Market,
		Brackets: []venue.Leg{{Type: venue.Limit, Limit: r.px + 10*venue.PriceScale}, {Type: venue.Stop, Stop: r.px - 10*venue.PriceScale}}})
	require.NoError(t, r.a.Submit(entry))
	r.ev.wait(t, "accepted", func() bool { return len(r.ev.of("s-1.1-1", venue.EventAccepted)) == 1 })
	r.trade()
	r.ev.wait(t, "filled", func() bool {
		f := r.ev.of("s-1.1-1", venue.EventFilled)
		return len(f) > 0 && f[len(f)-1].Final
	})
	r.ev.wait(t, "exits placed", func() bool {
		return len(r.ev.of("s-1.1-1/tp", venue.EventAccepted)) == 1 && len(r.ev.of("s-1.1-1/sl", venue.EventAccepted)) == 1
	})
	fill := r.ev.of("s-1.1-1", venue.EventFilled)[0]
	assert.Equal(t, r.cid, fill.Fill.Contract)
	assert.Equal(t, venue.Buy, fill.Fill.Side)
	assert.Equal(t, r.px, fill.Fill.Price)
	assert.Equal(t, int64(2), r.a.acct.Position(int64(r.cid)))
	assert.Equal(t, int64(2), r.sandboxNet(), "the adapter's account equals the sandbox's")

	// Modify the stop, then cancel both exits.
	require.NoError(t, r.a.Modify("s-1.1-1/sl", venue.Modify{Stop: r.px - 12*venue.PriceScale}))
	r.ev.wait(t, "modified", func() bool { return len(r.ev.of("s-1.1-1/sl", venue.EventModified)) == 1 })
	assert.Equal(t, r.px-12*venue.PriceScale, r.ev.of("s-1.1-1/sl", venue.EventModified)[0].Modify.Stop)
	require.NoError(t, r.a.Cancel("s-1.1-1/sl"))
	require.NoError(t, r.a.Cancel("s-1.1-1/tp"))
	r.ev.wait(t, "cancelled", func() bool {
		return len(r.ev.of("s-1.1-1/sl", venue.EventCancelled)) == 1 && len(r.ev.of("s-1.1-1/tp", venue.EventCancelled)) == 1
	})

	// A symbol the venue does not list is a typed rejection.
	bad := r.order("s-1.1-2", venue.OrderIntent{Side: venue.Buy, Qty: 1, Type: venue.Market})
	bad.Intent.Symbol = "ZZZZ9"
	require.NoError(t, r.a.Submit(bad))
	r.ev.wait(t, "rejected", func() bool { return len(r.ev.of("s-1.1-2", venue.EventRejected)) == 1 })

	// A client id is never sent twice.
	assert.ErrorContains(t, r.a.Submit(entry), "never sends a client order id twice")
}

// Fills during a drop arrive once, after the reconnect's sync.
func TestAdapterFillsDuringADrop(t *testing.T) {
	r := newAdapterRig(t, Demo)
	r.trade()
	require.NoError(t, r.a.Submit(r.order("s-2.1-1", venue.OrderIntent{Side: venue.Buy, Qty: 1, Type: venue.Limit, Limit: r.px - venue.PriceScale})))
	r.ev.wait(t, "accepted", func() bool { return len(r.ev.of("s-2.1-1", venue.EventAccepted)) == 1 })
	_, err := r.s.Inject(sandbox.Fault{Kind: sandbox.FaultDropMessages, Kinds: []sandbox.MessageKind{sandbox.KindProps}, Target: sandbox.Target{Service: sandbox.Demo}, For: time.Hour})
	require.NoError(t, err)
	r.px -= 2 * venue.PriceScale
	r.trade() // fills the limit; its props are lost
	time.Sleep(100 * time.Millisecond)
	assert.Empty(t, r.ev.of("s-2.1-1", venue.EventFilled), "the fill's events were dropped")
	r.s.ClearFaults()
	_, err = r.s.Inject(sandbox.Fault{Kind: sandbox.FaultDrop, Target: sandbox.Target{Service: sandbox.Demo}})
	require.NoError(t, err)
	r.ev.wait(t, "the sync after the reconnect reports the fill", func() bool { return len(r.ev.of("s-2.1-1", venue.EventFilled)) == 1 })
	time.Sleep(100 * time.Millisecond)
	assert.Len(t, r.ev.of("s-2.1-1", venue.EventFilled), 1, "exactly once")
	assert.Equal(t, int64(1), r.sandboxNet())
	assert.Equal(t, int64(1), r.a.acct.Position(int64(r.cid)))
}

func TestAdapterDuplicatedAndReorderedEvents(t *testing.T) {
	r := newAdapterRig(t, Demo)
	r.trade()
	_, err := r.s.Inject(sandbox.Fault{Kind: sandbox.FaultDuplicate, Kinds: []sandbox.MessageKind{sandbox.KindProps}, Target: sandbox.Target{Service: sandbox.Demo}, For: time.Hour})
	require.NoError(t, err)
	for i := range 3 {
		require.NoError(t, r.a.Submit(r.order(fmt.Sprintf("s-3.1-%d", i+1), venue.OrderIntent{Side: venue.Buy, Qty: 1, Type: venue.Market})))
	}
	r.trade()
	r.ev.wait(t, "three fills", func() bool {
		n := 0
		for _, ev := range r.ev.all() {
			if ev.Kind == venue.EventFilled {
				n++
			}
		}
		return n >= 3
	})
	time.Sleep(100 * time.Millisecond)
	for i := range 3 {
		assert.Len(t, r.ev.of(fmt.Sprintf("s-3.1-%d", i+1), venue.EventFilled), 1, "a duplicated fill is counted once")
	}
	assert.Equal(t, int64(3), r.sandboxNet())
}

func TestAdapterRejections(t *testing.T) {
	r := newAdapterRig(t, Demo)
	r.trade()
	_, err := r.s.Inject(sandbox.Fault{Kind: sandbox.FaultReject, Sync: true, RejectReason: "SessionClosed", Text: "closed", Target: sandbox.Target{Service: sandbox.Demo}})
	require.NoError(t, err)
	require.NoError(t, r.a.Submit(r.order("s-4.1-1", venue.OrderIntent{Side: venue.Buy, Qty: 1, Type: venue.Market})))
	r.ev.wait(t, "sync reject", func() bool { return len(r.ev.of("s-4.1-1", venue.EventRejected)) == 1 })
	ev := r.ev.of("s-4.1-1", venue.EventRejected)[0]
	assert.Equal(t, "SessionClosed", ev.Reason)
	assert.Contains(t, ev.Text, "market is closed")

	_, err = r.s.Inject(sandbox.Fault{Kind: sandbox.FaultReject, RejectReason: "MaxPosLimitReached", Target: sandbox.Target{Service: sandbox.Demo}})
	require.NoError(t, err)
	require.NoError(t, r.a.Submit(r.order("s-4.1-2", venue.OrderIntent{Side: venue.Buy, Qty: 1, Type: venue.Market})))
	r.ev.wait(t, "async reject", func() bool { return len(r.ev.of("s-4.1-2", venue.EventRejected)) == 1 })
	assert.Equal(t, "MaxPosLimitReached", r.ev.of("s-4.1-2", venue.EventRejected)[0].Reason)
}

// A lost answer makes the order Unknown; reconciliation finds it at the
// venue, and it is never sent again.
func TestAdapterUnknownOutcomeReconciled(t *testing.T) {
	r := newAdapterRig(t, Demo)
	r.trade()
	_, err := r.s.Inject(sandbox.Fault{Kind: sandbox.FaultDropMessages, Kinds: []sandbox.MessageKind{sandbox.KindResponses}, Target: sandbox.Target{Service: sandbox.Demo}, Count: 1})
	require.NoError(t, err)
	require.NoError(t, r.a.Submit(r.order("s-5.1-1", venue.OrderIntent{Side: venue.Buy, Qty: 1, Type: venue.Limit, Limit: r.px - venue.PriceScale})))
	r.ev.wait(t, "unknown", func() bool { return len(r.ev.of("s-5.1-1", venue.EventUnknown)) == 1 })
	r.ev.wait(t, "resolved: accepted", func() bool { return len(r.ev.of("s-5.1-1", venue.EventAccepted)) == 1 })
	assert.Empty(t, r.ev.of("s-5.1-1", venue.EventRejected))
	var orders []struct {
		ID int64 `json:"id"`
	}
	require.NoError(t, r.a.Auth().REST(context.Background(), "GET", "order/list", "", nil, &orders))
	assert.Len(t, orders, 1, "the venue holds the order exactly once")
}

// On live, an unapproved device id gets a 401 on orders; the rejection
// names the device id and how to approve it.
func TestAdapterLiveUnapprovedDevice(t *testing.T) {
	r := newAdapterRig(t, Live)
	r.trade()
	require.NoError(t, r.a.Submit(r.order("s-6.1-1", venue.OrderIntent{Side: venue.Buy, Qty: 1, Type: venue.Market})))
	r.ev.wait(t, "rejected", func() bool { return len(r.ev.of("s-6.1-1", venue.EventRejected)) == 1 })
	ev := r.ev.of("s-6.1-1", venue.EventRejected)[0]
	assert.Equal(t, "AccessDenied", ev.Reason)
	assert.Contains(t, ev.Text, r.a.DeviceID())
	assert.True(t, strings.Contains(ev.Text, "approve"), ev.Text)

	require.NoError(t, r.s.ApproveDevice(sandbox.DefaultUser().Name, r.a.DeviceID()))
	require.NoError(t, r.a.Submit(r.order("s-6.1-2", venue.OrderIntent{Side: venue.Buy, Qty: 1, Type: venue.Market})))
	r.ev.wait(t, "accepted once approved", func() bool { return len(r.ev.of("s-6.1-2", venue.EventAccepted)) == 1 })
}

func testLog(t *testing.T) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return quiet()
}

// Tokens the server expires early: REST calls and reconnects get a new one.
func TestAdapterExpiredToken(t *testing.T) {
	r := newAdapterRig(t, Demo)
	r.trade()
	before := r.a.Auth().Stats().Requests
	_, err := r.s.Inject(sandbox.Fault{Kind: sandbox.FaultExpireTokens})
	require.NoError(t, err)
	var accts []struct{ ID int64 }
	require.NoError(t, r.a.Auth().REST(context.Background(), "GET", "account/list", "", nil, &accts), "a REST call gets a new token")
	assert.Greater(t, r.a.Auth().Stats().Requests, before)
	_, err = r.s.Inject(sandbox.Fault{Kind: sandbox.FaultExpireTokens})
	require.NoError(t, err)
	_, err = r.s.Inject(sandbox.Fault{Kind: sandbox.FaultDrop, Target: sandbox.Target{Service: sandbox.Demo}})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return r.a.trade.Stats().Connects >= 2 }, 5*time.Second, 10*time.Millisecond, "re-authorized with a new token")
	require.NoError(t, r.a.Submit(r.order("s-7.1-1", venue.OrderIntent{Side: venue.Buy, Qty: 1, Type: venue.Market})))
	r.trade()
	r.ev.wait(t, "filled", func() bool { return len(r.ev.of("s-7.1-1", venue.EventFilled)) == 1 })
	assert.Equal(t, int64(1), r.sandboxNet())
}

// A 429 is a typed rejection, not a retry loop.
func TestAdapterRateLimited(t *testing.T) {
	r := newAdapterRig(t, Demo, sandbox.WithConfig(func(c *sandbox.Config) {
		c.Demo.RateLimit = sandbox.RateLimit{PerSecond: 3}
	}))
	r.trade()
	for i := range 6 {
		require.NoError(t, r.a.Submit(r.order(fmt.Sprintf("s-8.1-%d", i+1), venue.OrderIntent{Side: venue.Buy, Qty: 1, Type: venue.Limit, Limit: r.px - 10*venue.PriceScale})))
	}
	r.ev.wait(t, "some rate-limited", func() bool {
		for _, ev := range r.ev.all() {
			if ev.Kind == venue.EventRejected && ev.Reason == "RateLimited" {
				return true
			}
		}
		return false
	})
	var n int
	for i := range 6 {
		n += len(r.ev.of(fmt.Sprintf("s-8.1-%d", i+1), venue.EventAccepted))
	}
	time.Sleep(1100 * time.Millisecond) // the per-second window passes
	var orders []struct{ ID int64 }
	require.NoError(t, r.a.Auth().REST(context.Background(), "GET", "order/list", "", nil, &orders))
	assert.Equal(t, n, len(orders), "the venue holds exactly the accepted orders")
	assert.Positive(t, n)
}

// Partial fills and reordered events add up to the venue's position.
func TestAdapterPartialFillsAndReorder(t *testing.T) {
	r := newAdapterRig(t, Demo)
	r.trade()
	_, err := r.s.Inject(sandbox.Fault{Kind: sandbox.FaultPartialFill, Chunk: 1, Count: 1, Target: sandbox.Target{Service: sandbox.Demo}})
	require.NoError(t, err)
	_, err = r.s.Inject(sandbox.Fault{Kind: sandbox.FaultReorder, Kinds: []sandbox.MessageKind{sandbox.KindProps}, Target: sandbox.Target{Service: sandbox.Demo}, For: time.Hour, Window: 50 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, r.a.Submit(r.order("s-9.1-1", venue.OrderIntent{Side: venue.Buy, Qty: 3, Type: venue.Market})))
	r.trade()
	r.ev.wait(t, "three partial fills", func() bool {
		var q int64
		for _, ev := range r.ev.of("s-9.1-1", venue.EventFilled) {
			q += ev.Fill.Qty
		}
		return q == 3
	})
	fills := r.ev.of("s-9.1-1", venue.EventFilled)
	assert.Len(t, fills, 3)
	assert.True(t, fills[len(fills)-1].Final || fills[0].Final || fills[1].Final, "one is final")
	assert.Equal(t, int64(3), r.sandboxNet())
	require.Eventually(t, func() bool { return r.a.acct.Position(int64(r.cid)) == 3 }, 2*time.Second, 10*time.Millisecond)
}

// Stalled heartbeats and a maintenance shutdown with orders working: the
// adapter comes back, the account matches the venue's, nothing twice.
func TestAdapterStallAndShutdownKeepTheAccount(t *testing.T) {
	r := newAdapterRig(t, Demo)
	r.trade()
	require.NoError(t, r.a.Submit(r.order("s-10.1-1", venue.OrderIntent{Side: venue.Buy, Qty: 1, Type: venue.Limit, Limit: r.px - venue.PriceScale})))
	require.NoError(t, r.a.Submit(r.order("s-10.1-2", venue.OrderIntent{Side: venue.Buy, Qty: 2, Type: venue.Market})))
	r.trade()
	r.ev.wait(t, "filled", func() bool { return len(r.ev.of("s-10.1-2", venue.EventFilled)) > 0 })
	_, err := r.s.Inject(sandbox.Fault{Kind: sandbox.FaultStopHeartbeats, Target: sandbox.Target{Service: sandbox.Demo}, For: 1500 * time.Millisecond})
	require.NoError(t, err)
	_, err = r.s.Inject(sandbox.Fault{Kind: sandbox.FaultDropMessages, Kinds: []sandbox.MessageKind{sandbox.KindProps}, Target: sandbox.Target{Service: sandbox.Demo}, For: 1500 * time.Millisecond})
	require.NoError(t, err)
	r.px -= 2 * venue.PriceScale
	r.trade() // the limit fills while the socket is silent
	require.Eventually(t, func() bool { return r.a.trade.Stats().Connects >= 2 }, 5*time.Second, 10*time.Millisecond, "a dead socket is replaced")
	_, err = r.s.Inject(sandbox.Fault{Kind: sandbox.FaultShutdown, ReasonCode: "Maintenance", Target: sandbox.Target{Service: sandbox.Demo}})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return r.a.trade.Stats().Connects >= 3 }, 5*time.Second, 10*time.Millisecond)
	r.ev.wait(t, "the fill during the stall", func() bool { return len(r.ev.of("s-10.1-1", venue.EventFilled)) == 1 })
	time.Sleep(100 * time.Millisecond)
	assert.Len(t, r.ev.of("s-10.1-1", venue.EventFilled), 1)
	assert.Equal(t, int64(3), r.sandboxNet())
	assert.Equal(t, int64(3), r.a.acct.Position(int64(r.cid)))
	var orders []struct{ ID int64 }
	require.NoError(t, r.a.Auth().REST(context.Background(), "GET", "order/list", "", nil, &orders))
	assert.Len(t, orders, 2, "no order sent twice")
}

// GTD goes out with its expireTime, and the venue expires it.
func TestAdapterGTD(t *testing.T) {
	r := newAdapterRig(t, Demo)
	r.trade()
	expire := time.Now().Add(200 * time.Millisecond)
	o := r.order("s-11.1-1", venue.OrderIntent{Side: venue.Buy, Qty: 1, Type: venue.Limit, Limit: r.px - 5*venue.PriceScale, TIF: venue.GTD, Expire: expire.UnixNano()})
	endpoint, body, err := r.a.placeBody(o)
	require.NoError(t, err)
	assert.Equal(t, "order/placeorder", endpoint)
	assert.Equal(t, "GTD", body.(*wire.PlaceOrder).TimeInForce)
	assert.WithinDuration(t, expire, body.(*wire.PlaceOrder).ExpireTime.Time, time.Millisecond)
	require.NoError(t, r.a.Submit(o))
	r.ev.wait(t, "accepted", func() bool { return len(r.ev.of("s-11.1-1", venue.EventAccepted)) == 1 })
	time.Sleep(250 * time.Millisecond)
	r.trade()
	r.ev.wait(t, "expired at its time", func() bool { return len(r.ev.of("s-11.1-1", venue.EventExpired)) == 1 })
}

// Review H4: an order the venue rejects after taking the request is never
// reported Accepted afterwards, and is rejected once.
func TestAdapterRejectedAfterThePlaceAnswer(t *testing.T) {
	r := newAdapterRig(t, Demo)
	r.trade()
	_, err := r.s.Inject(sandbox.Fault{Kind: sandbox.FaultReject, RejectReason: "SessionClosed", Count: 10, Target: sandbox.Target{Service: sandbox.Demo}})
	require.NoError(t, err)
	for i := range 10 {
		require.NoError(t, r.a.Submit(r.order(fmt.Sprintf("s-12.1-%d", i+1), venue.OrderIntent{Side: venue.Buy, Qty: 1, Type: venue.Market})))
	}
	r.ev.wait(t, "all rejected", func() bool {
		for i := range 10 {
			if len(r.ev.of(fmt.Sprintf("s-12.1-%d", i+1), venue.EventRejected)) == 0 {
				return false
			}
		}
		return true
	})
	time.Sleep(100 * time.Millisecond)
	for i := range 10 {
		id := fmt.Sprintf("s-12.1-%d", i+1)
		evs := r.ev.of(id, venue.EventAccepted, venue.EventRejected)
		require.NotEmpty(t, evs)
		assert.Equal(t, venue.EventRejected, evs[len(evs)-1].Kind, "%s: %v", id, evs)
		assert.Len(t, r.ev.of(id, venue.EventRejected), 1, id)
		assert.Equal(t, "SessionClosed", r.ev.of(id, venue.EventRejected)[0].Reason)
	}
}

// Review H5: a modify the venue refuses changes nothing; the next modify
// restates the terms in force.
func TestAdapterRejectedModifyChangesNothing(t *testing.T) {
	r := newAdapterRig(t, Demo)
	r.trade()
	require.NoError(t, r.a.Submit(r.order("s-13.1-1", venue.OrderIntent{Side: venue.Buy, Qty: 1, Type: venue.Limit, Limit: r.px - 5*venue.PriceScale})))
	r.ev.wait(t, "accepted", func() bool { return len(r.ev.of("s-13.1-1", venue.EventAccepted)) == 1 })
	require.NoError(t, r.a.Modify("s-13.1-1", venue.Modify{Limit: r.px - 5*venue.PriceScale + venue.MustParsePrice("0.1")}))
	r.ev.wait(t, "modify refused", func() bool { return len(r.ev.of("s-13.1-1", venue.EventModifyRejected)) == 1 })
	assert.Empty(t, r.ev.of("s-13.1-1", venue.EventModified), "nothing took effect")
	require.NoError(t, r.a.Modify("s-13.1-1", venue.Modify{Qty: 2}))
	r.ev.wait(t, "modified", func() bool { return len(r.ev.of("s-13.1-1", venue.EventModified)) == 1 })
	m := r.ev.of("s-13.1-1", venue.EventModified)[0]
	assert.Equal(t, int64(2), m.Qty)
	assert.Equal(t, r.px-5*venue.PriceScale, m.Modify.Limit, "the price in force, not the refused one")
	r.px -= 10 * venue.PriceScale
	r.trade()
	r.ev.wait(t, "filled, final", func() bool {
		f := r.ev.of("s-13.1-1", venue.EventFilled)
		return len(f) > 0 && f[len(f)-1].Final
	})
}

// Review H3: an answer lost behind a slow socket is not resolved as
// "never placed" while the venue has the order.
func TestAdapterSlowAnswersAreNotNotPlaced(t *testing.T) {
	r := newAdapterRig(t, Demo)
	r.trade()
	_, err := r.s.Inject(sandbox.Fault{Kind: sandbox.FaultDelay, Delay: 1500 * time.Millisecond, Kinds: []sandbox.MessageKind{sandbox.KindResponses, sandbox.KindProps}, For: 1200 * time.Millisecond, Target: sandbox.Target{Service: sandbox.Demo}})
	require.NoError(t, err)
	require.NoError(t, r.a.Submit(r.order("s-14.1-1", venue.OrderIntent{Side: venue.Buy, Qty: 1, Type: venue.Limit, Limit: r.px - 5*venue.PriceScale})))
	r.ev.wait(t, "unknown", func() bool { return len(r.ev.of("s-14.1-1", venue.EventUnknown)) == 1 })
	r.ev.wait(t, "the venue has it", func() bool { return len(r.ev.of("s-14.1-1", venue.EventAccepted)) == 1 })
	time.Sleep(1500 * time.Millisecond)
	assert.Empty(t, r.ev.of("s-14.1-1", venue.EventRejected), "never reported as not placed")
}
