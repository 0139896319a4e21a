package tradovate

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue/tradovate/sandbox"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

type connRig struct {
	s      *sandbox.Server
	c      *Conn
	ready  atomic.Int32
	mu     sync.Mutex
	states []ConnEvent
}

func newConnRig(t *testing.T, opts ...func(*ConnOptions)) *connRig {
	t.Helper()
	s := sandbox.Start(t, sandbox.WithHeartbeat(50*time.Millisecond))
	cfg := sandboxConfig(t, s, Demo)
	a := NewAuth(cfg, "d", AuthOptions{Logger: quiet()})
	r := &connRig{s: s}
	o := ConnOptions{
		Name: "trading", URL: cfg.WSURL, Logger: quiet(),
		Token: func(ctx context.Context) (Secret, error) {
			t, err := a.Token(ctx)
			if err != nil {
				return "", err
			}
			return t.Access, nil
		},
		Heartbeat: 50 * time.Millisecond, DeadAfter: 400 * time.Millisecond, RequestTimeout: 500 * time.Millisecond,
		ReconnectMin: 10 * time.Millisecond, ReconnectMax: 50 * time.Millisecond,
		OnReady: func(ctx context.Context, c *Conn) error {
			r.ready.Add(1)
			var accts []wire.Account
			return c.Do(ctx, "account/list", "", nil, &accts)
		},
		OnState: func(e ConnEvent) { r.mu.Lock(); r.states = append(r.states, e); r.mu.Unlock() },
	}
	for _, f := range opts {
		f(&o)
	}
	r.c = NewConn(o)
	r.c.Start(context.Background())
	t.Cleanup(func() { r.c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, r.c.WaitConnected(ctx))
	return r
}

func (r *connRig) waitReady(t *testing.T, n int32) {
	t.Helper()
	require.Eventually(t, func() bool {
		st, _ := r.c.State()
		return r.ready.Load() >= n && st == StateConnected
	}, 5*time.Second, 5*time.Millisecond)
}

func TestConnRequestsAndHeartbeats(t *testing.T) {
	r := newConnRig(t)
	var accts []wire.Account
	require.NoError(t, r.c.Do(context.Background(), "account/list", "", nil, &accts))
	require.NotEmpty(t, accts)
	// A business failure in a 200 is a typed error.
	err := r.c.Do(context.Background(), "order/placeorder", "", wire.PlaceOrder{AccountID: accts[0].ID, Action: "Buy", Symbol: "NOSUCH", OrderQty: 1, OrderType: "Market", IsAutomated: true}, nil)
	var fe *wire.FailureError
	assert.ErrorAs(t, err, &fe)
	// Unknown endpoint: a status error.
	err = r.c.Do(context.Background(), "nope/nothing", "", nil, nil)
	var se *wire.StatusError
	assert.ErrorAs(t, err, &se)
	require.Eventually(t, func() bool { return r.c.Stats().HeartbeatsSent >= 3 }, 2*time.Second, 10*time.Millisecond)
}

// A dropped socket reconnects, re-authorizes and runs OnReady again; a
// request in flight fails as unknown, one made while down as not sent.
func TestConnReconnectsAfterDrop(t *testing.T) {
	r := newConnRig(t)
	_, err := r.s.Inject(sandbox.Fault{Kind: sandbox.FaultDrop, Target: sandbox.Target{Service: sandbox.Demo}})
	require.NoError(t, err)
	r.waitReady(t, 2)
	st := r.c.Stats()
	assert.Equal(t, 2, st.Connects)
	assert.Equal(t, 1, st.Drops)
	assert.Less(t, st.LastOutage, time.Second, "drop → re-authorized and ready in under a second")
	r.mu.Lock()
	var sawDown bool
	for _, e := range r.states {
		if e.State == StateDisconnected && e.Err != nil {
			sawDown = true
		}
	}
	r.mu.Unlock()
	assert.True(t, sawDown, "the drop is an event with its cause")
}

func TestConnDeadSocketDetected(t *testing.T) {
	r := newConnRig(t)
	_, err := r.s.Inject(sandbox.Fault{Kind: sandbox.FaultStopHeartbeats, Target: sandbox.Target{Service: sandbox.Demo}, For: 600 * time.Millisecond})
	require.NoError(t, err)
	r.waitReady(t, 2)
	r.mu.Lock()
	defer r.mu.Unlock()
	var dead bool
	for _, e := range r.states {
		if e.Err != nil && strings.Contains(e.Err.Error(), "socket is dead") {
			dead = true
		}
	}
	assert.True(t, dead, "silence past DeadAfter drops the socket")
}

func TestConnRequestTimeoutIsUnknown(t *testing.T) {
	r := newConnRig(t)
	_, err := r.s.Inject(sandbox.Fault{Kind: sandbox.FaultDropMessages, Kinds: []sandbox.MessageKind{sandbox.KindResponses}, Target: sandbox.Target{Service: sandbox.Demo}, Count: 1})
	require.NoError(t, err)
	err = r.c.Do(context.Background(), "account/list", "", nil, nil)
	assert.ErrorIs(t, err, ErrOutcomeUnknown)
	assert.Equal(t, int64(1), r.c.Stats().Timeouts)
	assert.NoError(t, r.c.Do(context.Background(), "account/list", "", nil, nil), "the socket is still good")
}

func TestConnShutdownReasons(t *testing.T) {
	r := newConnRig(t)
	_, err := r.s.Inject(sandbox.Fault{Kind: sandbox.FaultShutdown, ReasonCode: "Maintenance", Target: sandbox.Target{Service: sandbox.Demo}})
	require.NoError(t, err)
	r.waitReady(t, 2)

	_, err = r.s.Inject(sandbox.Fault{Kind: sandbox.FaultShutdown, ReasonCode: "ConnectionQuotaReached", Target: sandbox.Target{Service: sandbox.Demo}})
	require.NoError(t, err)
	require.Eventually(t, func() bool { st, _ := r.c.State(); return st == StateClosed }, 5*time.Second, 5*time.Millisecond)
	_, why := r.c.State()
	var qe *QuotaError
	require.ErrorAs(t, why, &qe, "a quota shutdown is not fought")
	assert.Contains(t, why.Error(), "another session")
	time.Sleep(100 * time.Millisecond)
	assert.Equal(t, int32(2), r.ready.Load(), "no reconnect")
	assert.ErrorIs(t, r.c.Do(context.Background(), "account/list", "", nil, nil), ErrNotConnected)
}

func TestConnIPQuotaShutdownStops(t *testing.T) {
	r := newConnRig(t)
	_, err := r.s.Inject(sandbox.Fault{Kind: sandbox.FaultShutdown, ReasonCode: "IPQuotaReached", Target: sandbox.Target{Service: sandbox.Demo}})
	require.NoError(t, err)
	require.Eventually(t, func() bool { st, _ := r.c.State(); return st == StateClosed }, 5*time.Second, 5*time.Millisecond)
	_, why := r.c.State()
	var qe *QuotaError
	require.ErrorAs(t, why, &qe)
	assert.Equal(t, "IPQuotaReached", qe.Reason)
}

// Review H1: a login that fails for a passing reason (the network, a 5xx)
// is retried; only refused credentials stop the connection.
func TestConnRetriesTransientLoginFailures(t *testing.T) {
	var armed atomic.Bool
	fails := atomic.Int32{}
	fails.Store(3)
	r := newConnRig(t, func(o *ConnOptions) {
		tok := o.Token
		o.Token = func(ctx context.Context) (Secret, error) {
			if armed.Load() && fails.Add(-1) >= 0 {
				return "", &AuthError{Op: "token request", Err: &NetError{Op: "auth/accesstokenrequest", Err: errors.New("connection refused")}}
			}
			return tok(ctx)
		}
	})
	armed.Store(true)
	_, err := r.s.Inject(sandbox.Fault{Kind: sandbox.FaultDrop, Target: sandbox.Target{Service: sandbox.Demo}})
	require.NoError(t, err)
	r.waitReady(t, 2)
	assert.Negative(t, fails.Load(), "the failures were retried through")
	assert.True(t, refusedCredentials(&AuthError{Err: &wire.APIError{Text: "Incorrect username or password"}}))
	assert.False(t, refusedCredentials(&AuthError{Err: &wire.StatusError{Status: 503}}))
	assert.False(t, refusedCredentials(&AuthError{Err: &RateLimitError{}}))
	assert.True(t, refusedCredentials(&AuthError{Err: &wire.PenaltyError{Captcha: true}}))
}

// Review H7: one message that does not parse does not drop the rest of
// its frame.
func TestConnKeepsTheRestOfAFrame(t *testing.T) {
	var got []string
	c := NewConn(ConnOptions{OnEvent: func(m *wire.Message, _ []byte) { got = append(got, m.Event) }, Logger: quiet()})
	frame := []byte(`a[{"x":1},{"e":"props","d":{"entityType":"fill","eventType":"Created","entity":{"id":1}}},{"e":"md","d":{}}]`)
	f, err := wire.ParseFrame(frame)
	require.NoError(t, err)
	assert.False(t, c.dispatchFrame(f, frame))
	assert.Equal(t, []string{"props", "md"}, got)
	stop := []byte(`a[{"e":"shutdown","d":{"reasonCode":"IPQuotaReached"}},{"e":"md","d":{}}]`)
	f, err = wire.ParseFrame(stop)
	require.NoError(t, err)
	assert.True(t, c.dispatchFrame(f, stop), "a quota shutdown stops")
}
