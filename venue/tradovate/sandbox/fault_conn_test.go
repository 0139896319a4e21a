package sandbox_test

import (
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue/tradovate/sandbox"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

func TestFaultDrop(t *testing.T) {
	u2, creds2 := otherUser()
	s, _ := start(t, sandbox.WithUsers(sandbox.DefaultUser(), u2))
	tok := login(t, s, s.Credentials())
	tok2 := login(t, s, creds2)
	demo := authed(t, s, sandbox.Demo, tok.AccessToken)
	live := authed(t, s, sandbox.Live, tok.AccessToken)
	other := authed(t, s, sandbox.Demo, tok2.AccessToken)

	// Service and user narrow together: only keeltest's demo socket.
	inj := inject(t, s, sandbox.Fault{Kind: sandbox.FaultDrop, Target: sandbox.Target{Service: sandbox.Demo, User: "KEELTEST"}})
	assert.Equal(t, 1, inj.Affected)
	frames, ce := collect(t, demo).closed()
	assert.Empty(t, frames, "an abrupt close sends no c[…] frame")
	assert.Equal(t, websocket.CloseAbnormalClosure, ce.Code, "no websocket close either")
	assert.Equal(t, 200, live.call("account/list", "", nil).Status)
	assert.Equal(t, 200, other.call("account/list", "", nil).Status)

	// One socket by id.
	inj = inject(t, s, sandbox.Fault{Kind: sandbox.FaultDrop, Target: sandbox.Target{ConnID: serverConn(t, s, sandbox.Live).ID()}})
	assert.Equal(t, 1, inj.Affected)
	_, ce = collect(t, live).closed()
	assert.Equal(t, websocket.CloseAbnormalClosure, ce.Code)
	assert.Equal(t, 200, other.call("account/list", "", nil).Status)

	// Everything.
	md := dial(t, s.WebSocketURL(sandbox.MD))
	require.Eventually(t, func() bool { return len(s.Conns()) == 2 }, time.Second, 5*time.Millisecond)
	inj = inject(t, s, sandbox.Fault{Kind: sandbox.FaultDrop})
	assert.Equal(t, 2, inj.Affected)
	for _, c := range []*client{other, md} {
		_, ce = collect(t, c).closed()
		assert.Equal(t, websocket.CloseAbnormalClosure, ce.Code)
	}
	assert.Empty(t, s.Faults(), "an action leaves no active fault")
}

func TestFaultShutdown(t *testing.T) {
	for _, tc := range []struct {
		code, reason string
		frame        string
		close        string
	}{
		{"", "", `a[{"e":"shutdown","d":{"reasonCode":"Maintenance"}}]`, `c[3000,"Maintenance"]`},
		{wire.ShutdownMaintenance, "Weekly maintenance", `a[{"e":"shutdown","d":{"reasonCode":"Maintenance","reason":"Weekly maintenance"}}]`, `c[3000,"Weekly maintenance"]`},
		{wire.ShutdownConnectionQuotaReached, "", `a[{"e":"shutdown","d":{"reasonCode":"ConnectionQuotaReached"}}]`, `c[3000,"ConnectionQuotaReached"]`},
		{wire.ShutdownIPQuotaReached, "Too many connections from your IP", `a[{"e":"shutdown","d":{"reasonCode":"IPQuotaReached","reason":"Too many connections from your IP"}}]`, `c[3000,"Too many connections from your IP"]`},
	} {
		t.Run(tc.code+"/"+tc.reason, func(t *testing.T) {
			s, _ := start(t)
			tok := login(t, s, s.Credentials())
			c := authed(t, s, sandbox.Replay, tok.AccessToken)
			inj := inject(t, s, sandbox.Fault{Kind: sandbox.FaultShutdown, ReasonCode: tc.code, Reason: tc.reason, Target: sandbox.Target{User: "keeltest"}})
			assert.Equal(t, 1, inj.Affected)
			frames, ce := collect(t, c).closed()
			assert.Equal(t, []string{tc.frame, tc.close}, frames)
			assert.Equal(t, 3000, ce.Code)
		})
	}
}

func TestFaultClose(t *testing.T) {
	s, _ := start(t)
	tok := login(t, s, s.Credentials())
	c := authed(t, s, sandbox.Demo, tok.AccessToken)
	md := dial(t, s.WebSocketURL(sandbox.MD))
	inject(t, s, sandbox.Fault{Kind: sandbox.FaultClose, Code: 4001, Reason: "Drill: reconnect", Target: sandbox.Target{Service: sandbox.Demo}})
	frames, ce := collect(t, c).closed()
	assert.Equal(t, []string{`c[4001,"Drill: reconnect"]`}, frames)
	assert.Equal(t, 4001, ce.Code)
	assert.Equal(t, "Drill: reconnect", ce.Text)

	inject(t, s, sandbox.Fault{Kind: sandbox.FaultClose, Target: sandbox.Target{Service: sandbox.MD}})
	frames, ce = collect(t, md).closed()
	assert.Equal(t, []string{`c[3000,"Go away!"]`}, frames, "Tradovate's own close is the default")
	assert.Equal(t, 3000, ce.Code)
}

func TestFaultStopHeartbeats(t *testing.T) {
	s, _ := start(t, sandbox.WithHeartbeat(15*time.Millisecond))
	tok := login(t, s, s.Credentials())
	c := authed(t, s, sandbox.Demo, tok.AccessToken)
	quiet := dial(t, s.WebSocketURL(sandbox.MD)) // not targeted: keeps beating
	r, rq := collect(t, c), collect(t, quiet)
	f, ok := r.next(time.Second)
	require.True(t, ok)
	require.Equal(t, "h", f)

	inj := inject(t, s, sandbox.Fault{Kind: sandbox.FaultStopHeartbeats, Target: sandbox.Target{User: "keeltest"}})
	time.Sleep(30 * time.Millisecond) // a beat already written may still arrive
	for len(r.frames) > 0 {
		<-r.frames
	}
	_, ok = r.next(200 * time.Millisecond)
	assert.False(t, ok, "no h while the fault is active")
	f, ok = rq.next(time.Second)
	assert.True(t, ok && f == "h", "an untargeted socket beats on")

	// The socket still answers, and resumes beating when the fault is cleared.
	c.send("account/list", "", nil)
	assert.Equal(t, 200, parseFrame(t, r.data())[0].Status)
	require.True(t, s.ClearFault(inj.ID))
	f, ok = r.next(time.Second)
	assert.True(t, ok && f == "h", "heartbeats resume")

	// With For, it resumes on its own.
	inject(t, s, sandbox.Fault{Kind: sandbox.FaultStopHeartbeats, Target: sandbox.Target{Conn: serverConn(t, s, sandbox.Demo)}, For: 150 * time.Millisecond})
	time.Sleep(30 * time.Millisecond)
	for len(r.frames) > 0 {
		<-r.frames
	}
	begin := time.Now()
	f, ok = r.next(2 * time.Second)
	assert.True(t, ok && f == "h")
	assert.GreaterOrEqual(t, time.Since(begin), 90*time.Millisecond)
	assert.Empty(t, s.Faults())
}
