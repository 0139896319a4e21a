package sandbox_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue/tradovate/sandbox"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// rejectFrames reads an order's frames up to its rejection and returns the
// rejection frame's events.
func rejectFrames(t *testing.T, c *client) ([]string, []wire.PropsEvent) {
	t.Helper()
	for {
		names, evs := props(t, c.data())
		if names[0] == "commandReport Created" {
			return names, evs
		}
	}
}

func TestFaultReject(t *testing.T) {
	s, _ := start(t)
	c, acct, _ := synced(t, s, nil)
	quote(t, s, "ESM6", "4800", "4800.25")
	tok := login(t, s, s.Credentials())

	for _, tc := range []struct {
		status, reason, text string
	}{
		{"", "", ""},
		{wire.CommandStatusRiskRejected, "MaxPosLimitReached", "Max position reached"},
		{wire.CommandStatusExecutionRejected, "NoQuote", "No quote"},
	} {
		inject(t, s, sandbox.Fault{Kind: sandbox.FaultReject, CommandStatus: tc.status, RejectReason: tc.reason, Text: tc.text})
		res := decode[wire.PlaceOrderResult](t, c.call("order/placeorder", "", marketOrder(acct.ID)))
		require.NotZero(t, res.OrderID, "the request is accepted, the order rejected after")
		names, evs := rejectFrames(t, c)
		assert.Equal(t, []string{"commandReport Created", "command Updated", "executionReport Created", "order Updated"}, names)
		rep := entity[wire.CommandReport](t, evs[0])
		want := sandbox.Fault{CommandStatus: wire.CommandStatusRiskRejected, RejectReason: wire.RejectUnknownReason, Text: "Rejected by the sandbox (fault injection)"}
		if tc.status != "" {
			want = sandbox.Fault{CommandStatus: tc.status, RejectReason: tc.reason, Text: tc.text}
		}
		assert.Equal(t, want.CommandStatus, rep.CommandStatus)
		assert.Equal(t, want.RejectReason, rep.RejectReason)
		assert.Equal(t, want.Text, rep.Text)
		assert.Equal(t, wire.OrdStatusRejected, rep.OrdStatus)
		er := entity[wire.ExecutionReport](t, evs[2])
		assert.Equal(t, wire.ExecRejected, er.ExecType)
		assert.Equal(t, want.RejectReason, er.RejectReason)
		assert.Equal(t, wire.OrdStatusRejected, entity[wire.Order](t, evs[3]).OrdStatus)
		assert.Equal(t, res.OrderID, entity[wire.Order](t, evs[3]).ID)
	}

	// Synchronous: a failure answer and nothing created.
	inject(t, s, sandbox.Fault{Kind: sandbox.FaultReject, Sync: true, RejectReason: "TradingLocked", Text: "Trading is locked"})
	m := c.call("order/placeorder", "", marketOrder(acct.ID))
	assert.Equal(t, `{"failureReason":"TradingLocked","failureText":"Trading is locked"}`, string(m.Data))
	var fe *wire.FailureError
	require.ErrorAs(t, wire.Check(m.Data), &fe)
	assert.Equal(t, "TradingLocked", fe.Reason)
	assert.Equal(t, 200, c.call("auth/me", "", nil).Status, "no props followed the failure")

	// The next two orders, over REST too; the third fills.
	live := accountID(t, s, tok, sandbox.Live)
	inject(t, s, sandbox.Fault{Kind: sandbox.FaultReject, Sync: true, Count: 2, RejectReason: "NoQuote", Target: sandbox.Target{User: "keeltest", Service: sandbox.Live}})
	for range 2 {
		status, body := rest(t, s, sandbox.Live, "POST", "order/placeorder", tok.AccessToken, marketOrder(live))
		require.Equal(t, 200, status)
		require.ErrorAs(t, wire.Check(body), &fe)
		assert.Equal(t, "NoQuote", fe.Reason)
	}
	status, body := rest(t, s, sandbox.Live, "POST", "order/placeorder", tok.AccessToken, marketOrder(live))
	require.Equal(t, 200, status)
	require.NoError(t, wire.Check(body))

	// A fault on one socket leaves REST orders alone, and one on replay
	// leaves live and demo alone.
	inject(t, s, sandbox.Fault{Kind: sandbox.FaultReject, Sync: true, Target: sandbox.Target{Conn: serverConn(t, s, sandbox.Demo)}})
	inject(t, s, sandbox.Fault{Kind: sandbox.FaultReject, Sync: true, Target: sandbox.Target{Service: sandbox.Replay}})
	status, body = rest(t, s, sandbox.Live, "POST", "order/placeorder", tok.AccessToken, marketOrder(live))
	require.Equal(t, 200, status)
	require.NoError(t, wire.Check(body))
	require.ErrorAs(t, wire.Check(c.call("order/placeorder", "", marketOrder(acct.ID)).Data), &fe)
	assert.Len(t, s.Faults(), 1, "the replay fault waits")

	// A bracket's legs follow their rejected entry.
	s.ClearFaults()
	inject(t, s, sandbox.Fault{Kind: sandbox.FaultReject, RejectReason: "NoQuote"})
	oso := wire.PlaceOSO{PlaceOrder: marketOrder(acct.ID), Bracket1: &wire.RestrainedOrderVersion{Action: "Sell", OrderType: "Limit", Price: pricePtr("4810")}}
	c.call("order/placeoso", "", oso)
	_, evs := rejectFrames(t, c)
	assert.Equal(t, "NoQuote", entity[wire.CommandReport](t, evs[0]).RejectReason)
	_, evs = rejectFrames(t, c)
	assert.Equal(t, "ParentRejected", entity[wire.CommandReport](t, evs[0]).RejectReason)
}

func TestFaultPartialFill(t *testing.T) {
	s, _ := start(t)
	c, acct, _ := synced(t, s, nil)
	quote(t, s, "ESM6", "4800", "4800.25")
	inject(t, s, sandbox.Fault{Kind: sandbox.FaultPartialFill, Chunk: 2})

	// fills reads an order's frames until it is filled and returns each
	// fill frame's execution report and fill.
	fills := func() ([]wire.ExecutionReport, []wire.Fill) {
		var ers []wire.ExecutionReport
		var fs []wire.Fill
		for {
			names, evs := props(t, c.data())
			if names[0] != "executionReport Created" {
				continue
			}
			er := entity[wire.ExecutionReport](t, evs[0])
			if er.ExecType != wire.ExecTrade {
				continue
			}
			ers = append(ers, er)
			fs = append(fs, entity[wire.Fill](t, evs[1]))
			if er.OrdStatus == wire.OrdStatusFilled {
				assert.Equal(t, "order Updated", names[len(names)-1])
				return ers, fs
			}
			assert.NotContains(t, names, "order Updated", "the order stays Working between chunks")
		}
	}
	o := marketOrder(acct.ID)
	o.OrderQty = 5
	c.call("order/placeorder", "", o)
	ers, fs := fills()
	require.Len(t, ers, 3)
	for i, want := range []struct{ last, cum int64 }{{2, 2}, {2, 4}, {1, 5}} {
		assert.Equal(t, want.last, ers[i].LastQty)
		assert.Equal(t, want.cum, ers[i].CumQty)
		assert.Equal(t, want.last, fs[i].Qty)
	}
	assert.Equal(t, wire.OrdStatusWorking, ers[0].OrdStatus)

	// Used up: the next order fills at once; with Count, the next two split.
	o.Action, o.OrderQty = "Sell", 3
	c.call("order/placeorder", "", o)
	ers, _ = fills()
	assert.Len(t, ers, 1)
	inject(t, s, sandbox.Fault{Kind: sandbox.FaultPartialFill, Chunk: 1, Count: 2})
	for range 2 {
		c.call("order/placeorder", "", o)
		ers, _ = fills()
		assert.Len(t, ers, 3)
	}
	c.call("order/placeorder", "", o)
	ers, _ = fills()
	assert.Len(t, ers, 1)
}
