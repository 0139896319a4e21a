package sandbox_test

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue/tradovate/sandbox"
)

func TestFaultInjectErrors(t *testing.T) {
	s, _ := start(t)
	for _, tc := range []struct {
		f     sandbox.Fault
		field string
	}{
		{sandbox.Fault{}, "fault"},
		{sandbox.Fault{Kind: "explode"}, "fault"},
		{sandbox.Fault{Kind: sandbox.FaultDelay}, "delay"},
		{sandbox.Fault{Kind: sandbox.FaultDelay, Delay: -time.Second}, "delay"},
		{sandbox.Fault{Kind: sandbox.FaultDrop, For: time.Second}, "for"},
		{sandbox.Fault{Kind: sandbox.FaultDuplicate, Kinds: []sandbox.MessageKind{"quotes"}}, "kinds[0]"},
		{sandbox.Fault{Kind: sandbox.FaultDropMessages, Probability: 1.5}, "probability"},
		{sandbox.Fault{Kind: sandbox.FaultReorder, Count: -1}, "count"},
		{sandbox.Fault{Kind: sandbox.FaultShutdown, ReasonCode: "Reboot"}, "reasonCode"},
		{sandbox.Fault{Kind: sandbox.FaultClose, Code: 999}, "code"},
		{sandbox.Fault{Kind: sandbox.FaultReject, Sync: true, CommandStatus: "RiskRejected"}, "commandStatus"},
		{sandbox.Fault{Kind: sandbox.FaultReject, CommandStatus: "Pending"}, "commandStatus"},
		{sandbox.Fault{Kind: sandbox.FaultReject, RejectReason: "Because"}, "rejectReason"},
		{sandbox.Fault{Kind: sandbox.FaultReject, Target: sandbox.Target{Service: sandbox.MD}}, "target.service"},
		{sandbox.Fault{Kind: sandbox.FaultPartialFill}, "chunk"},
		{sandbox.Fault{Kind: sandbox.FaultExpireTokens, Target: sandbox.Target{Service: sandbox.Demo}}, "target.service"},
		{sandbox.Fault{Kind: sandbox.FaultExpireTokens, Renew: "maybe"}, "renew"},
		{sandbox.Fault{Kind: sandbox.FaultDrop, Target: sandbox.Target{Service: "prod"}}, "target.service"},
		{sandbox.Fault{Kind: sandbox.FaultDrop, Target: sandbox.Target{User: "nobody"}}, "target.user"},
		{sandbox.Fault{Kind: sandbox.FaultDrop, Target: sandbox.Target{ConnID: 99}}, "target.conn"},
		{sandbox.Fault{Kind: sandbox.FaultDrop, Target: sandbox.Target{ConnID: -1}}, "target.conn"},
	} {
		_, err := s.Inject(tc.f)
		require.Error(t, err, "%+v", tc.f)
		fes := sandbox.FieldErrors(err)
		require.NotEmpty(t, fes, err.Error())
		assert.Equal(t, tc.field, fes[0].Field, err.Error())
	}
	assert.Empty(t, s.Faults())
	assert.False(t, s.ClearFault(12345))
}

// Faults never panic the server and never leak: hammer sockets with every
// lasting fault at once while they place orders and get dropped or shut
// down. Responses may be lost, so the client does not wait for them.
func TestFaultChaos(t *testing.T) {
	s, _ := start(t, sandbox.WithHeartbeat(5*time.Millisecond))
	tok := login(t, s, s.Credentials())
	acct := s.Env(sandbox.Demo).Accounts(tok.UserID)[0].ID
	quote(t, s, "ESM6", "4800", "4800.25")
	for _, f := range []sandbox.Fault{
		{Kind: sandbox.FaultDelay, Delay: 20 * time.Millisecond, Probability: 0.3, Seed: 1},
		{Kind: sandbox.FaultReorder, Window: 10 * time.Millisecond, Probability: 0.3, Seed: 2},
		{Kind: sandbox.FaultDuplicate, Probability: 0.3, Seed: 3},
		{Kind: sandbox.FaultDropMessages, Probability: 0.1, Seed: 4},
		{Kind: sandbox.FaultStopHeartbeats, For: 20 * time.Millisecond},
		{Kind: sandbox.FaultPartialFill, Chunk: 1, Probability: 0.5, For: time.Minute},
		{Kind: sandbox.FaultReject, Probability: 0.3, For: time.Minute},
	} {
		inject(t, s, f)
	}
	deadline := time.Now().Add(300 * time.Millisecond)
	for i := 0; time.Now().Before(deadline); i++ {
		c := dial(t, s.WebSocketURL(sandbox.Demo))
		c.sendRaw("authorize\n0\n\n" + tok.AccessToken)
		c.send("user/syncrequest", "", map[string]any{"users": []int64{tok.UserID}})
		for range 5 {
			o := marketOrder(acct)
			o.OrderQty = 3
			c.send("order/placeorder", "", o)
		}
		time.Sleep(5 * time.Millisecond)
		if i%2 == 0 {
			inject(t, s, sandbox.Fault{Kind: sandbox.FaultDrop, Target: sandbox.Target{Service: sandbox.Demo}})
		} else {
			inject(t, s, sandbox.Fault{Kind: sandbox.FaultShutdown, Target: sandbox.Target{Service: sandbox.Demo}})
		}
		var err error
		for err == nil {
			_, err = c.frameOrClose(2 * time.Second)
		}
		// A close, or a reset when the server dropped unread requests.
		var ne net.Error
		require.False(t, errors.As(err, &ne) && ne.Timeout(), "the socket closes: %v", err)
		require.Eventually(t, func() bool { return len(s.Conns()) == 0 }, 2*time.Second, 5*time.Millisecond)
	}
	assert.Len(t, s.Faults(), 6, "the heartbeat fault expired, the others are in force")
}
