package sandbox_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue/tradovate/sandbox"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// call sends a request and returns its id without reading.
func sendCall(c *client, endpoint string) int64 { return c.send(endpoint, "", nil) }

// ids returns the response ids of a frame.
func ids(t testing.TB, frame string) []int64 {
	t.Helper()
	var out []int64
	for _, m := range parseFrame(t, frame) {
		require.False(t, m.IsEvent(), frame)
		out = append(out, m.ID)
	}
	return out
}

func TestFaultMessages(t *testing.T) {
	t.Run("drop-messages", func(t *testing.T) {
		s, _ := start(t)
		tok := login(t, s, s.Credentials())
		c := authed(t, s, sandbox.Demo, tok.AccessToken)
		inject(t, s, sandbox.Fault{Kind: sandbox.FaultDropMessages, Kinds: []sandbox.MessageKind{sandbox.KindResponses}, Count: 1})
		r := collect(t, c)
		a, b := sendCall(c, "account/list"), sendCall(c, "auth/me")
		assert.Equal(t, []int64{b}, ids(t, r.data()), "the first response is dropped")
		assert.True(t, r.quiet(50*time.Millisecond))
		assert.NotEqual(t, a, b)
		assert.Empty(t, s.Faults(), "used up")
		d := sendCall(c, "auth/me")
		assert.Equal(t, []int64{d}, ids(t, r.data()))
	})
	t.Run("duplicate props", func(t *testing.T) {
		s, _ := start(t)
		c, acct, _ := synced(t, s, nil)
		quote(t, s, "ESM6", "4800", "4800.25")
		inject(t, s, sandbox.Fault{Kind: sandbox.FaultDuplicate, Kinds: []sandbox.MessageKind{sandbox.KindProps}, Count: 1})
		decode[wire.PlaceOrderResult](t, c.call("order/placeorder", "", marketOrder(acct.ID)))
		f := c.data()
		names, evs := props(t, f)
		assert.Equal(t, []string{"order Created", "order Created"}, names, "the duplicate follows the original")
		assert.Equal(t, entity[wire.Order](t, evs[0]), entity[wire.Order](t, evs[1]))
		names, _ = props(t, c.data())
		assert.Equal(t, []string{"command Created", "orderVersion Created"}, names, "only one duplicated")
	})
	t.Run("reorder responses", func(t *testing.T) {
		s, _ := start(t)
		tok := login(t, s, s.Credentials())
		c := authed(t, s, sandbox.Demo, tok.AccessToken)
		inject(t, s, sandbox.Fault{Kind: sandbox.FaultReorder, Kinds: []sandbox.MessageKind{sandbox.KindResponses}, Count: 1})
		a, b := sendCall(c, "account/list"), sendCall(c, "auth/me")
		assert.Equal(t, []int64{b, a}, ids(t, c.data()), "the pair arrives swapped")
		d := sendCall(c, "auth/me")
		assert.Equal(t, []int64{d}, ids(t, c.data()))
	})
	t.Run("reorder props", func(t *testing.T) {
		s, _ := start(t)
		c, acct, _ := synced(t, s, nil)
		quote(t, s, "ESM6", "4800", "4800.25")
		inject(t, s, sandbox.Fault{Kind: sandbox.FaultReorder, Kinds: []sandbox.MessageKind{sandbox.KindProps}, Count: 1})
		decode[wire.PlaceOrderResult](t, c.call("order/placeorder", "", marketOrder(acct.ID)))
		names, _ := props(t, c.data())
		assert.Equal(t, []string{"command Created", "order Created", "orderVersion Created"}, names)
	})
	t.Run("reorder without a partner", func(t *testing.T) {
		s, _ := start(t)
		tok := login(t, s, s.Credentials())
		c := authed(t, s, sandbox.Demo, tok.AccessToken)
		inject(t, s, sandbox.Fault{Kind: sandbox.FaultReorder, Kinds: []sandbox.MessageKind{sandbox.KindResponses}, Count: 1, Window: 80 * time.Millisecond})
		begin := time.Now()
		a := sendCall(c, "auth/me")
		assert.Equal(t, []int64{a}, ids(t, c.data()))
		assert.GreaterOrEqual(t, time.Since(begin), 80*time.Millisecond, "held for the window, then sent alone")
	})
	t.Run("delay", func(t *testing.T) {
		s, _ := start(t)
		tok := login(t, s, s.Credentials())
		c := authed(t, s, sandbox.Demo, tok.AccessToken)
		inject(t, s, sandbox.Fault{Kind: sandbox.FaultDelay, Kinds: []sandbox.MessageKind{sandbox.KindResponses}, Delay: 120 * time.Millisecond, Count: 1})
		begin := time.Now()
		a, b := sendCall(c, "account/list"), sendCall(c, "auth/me")
		assert.Equal(t, []int64{b}, ids(t, c.data()), "the undelayed response overtakes")
		assert.Less(t, time.Since(begin), 100*time.Millisecond)
		assert.Equal(t, []int64{a}, ids(t, c.data()))
		assert.GreaterOrEqual(t, time.Since(begin), 120*time.Millisecond)
	})
	t.Run("delay keeps order within a kind", func(t *testing.T) {
		s, _ := start(t)
		c, acct, _ := synced(t, s, nil)
		quote(t, s, "ESM6", "4800", "4800.25")
		inject(t, s, sandbox.Fault{Kind: sandbox.FaultDelay, Kinds: []sandbox.MessageKind{sandbox.KindProps}, Delay: 40 * time.Millisecond})
		c.send("order/placeorder", "", marketOrder(acct.ID))
		var names []string
		first := c.data()
		assert.False(t, parseFrame(t, first)[0].IsEvent(), "the response comes before the delayed props")
		for len(names) < 7 {
			n, _ := props(t, c.data())
			require.Len(t, n, 1, "a delayed message travels alone")
			names = append(names, n...)
		}
		assert.Equal(t, []string{"order Created", "command Created", "orderVersion Created", "commandReport Created", "command Updated", "executionReport Created", "order Updated"}, names)
	})
	t.Run("seeded probability", func(t *testing.T) {
		run := func() []int64 {
			s, _ := start(t)
			tok := login(t, s, s.Credentials())
			c := authed(t, s, sandbox.Demo, tok.AccessToken)
			inject(t, s, sandbox.Fault{Kind: sandbox.FaultDropMessages, Kinds: []sandbox.MessageKind{sandbox.KindResponses}, Probability: 0.5, Seed: 42})
			r := collect(t, c)
			for range 40 {
				sendCall(c, "auth/me")
			}
			var got []int64
			for {
				f, ok := r.next(200 * time.Millisecond)
				if !ok {
					return got
				}
				got = append(got, ids(t, f)...)
			}
		}
		first, second := run(), run()
		assert.Equal(t, first, second, "the same seed drops the same messages")
		assert.Greater(t, len(first), 5)
		assert.Less(t, len(first), 35)
	})
	t.Run("targets", func(t *testing.T) {
		s, _ := start(t)
		tok := login(t, s, s.Credentials())
		demo := authed(t, s, sandbox.Demo, tok.AccessToken)
		live := authed(t, s, sandbox.Live, tok.AccessToken)
		inject(t, s, sandbox.Fault{Kind: sandbox.FaultDropMessages, Target: sandbox.Target{Service: sandbox.Live}})
		assert.Equal(t, 200, demo.call("auth/me", "", nil).Status)
		r := collect(t, live)
		sendCall(live, "auth/me")
		assert.True(t, r.quiet(80*time.Millisecond), "live drops everything")
		s.ClearFaults()
		id := sendCall(live, "auth/me")
		assert.Equal(t, []int64{id}, ids(t, r.data()))

		// A fault on one socket ends with it.
		inject(t, s, sandbox.Fault{Kind: sandbox.FaultDuplicate, Target: sandbox.Target{Conn: serverConn(t, s, sandbox.Live)}})
		require.Len(t, s.Faults(), 1)
		live.ws.Close()
		require.Eventually(t, func() bool { return len(s.Faults()) == 0 }, 2*time.Second, 5*time.Millisecond)
	})
}

// Market-data, chart and clock events are faulted by kind; shutdown
// events never are.
func TestFaultEventKinds(t *testing.T) {
	s, _ := start(t)
	s.Handle("test/events", sandbox.Route{Handler: func(c *sandbox.Call) {
		for _, e := range []string{wire.EventMD, wire.EventChart, wire.EventClock, wire.EventProps, "custom"} {
			assert.NoError(t, c.Conn.SendEvent(e, map[string]string{"x": e}))
		}
		c.Reply(200, nil)
	}}, sandbox.MD)
	tok := login(t, s, s.Credentials())
	c := authed(t, s, sandbox.MD, tok.MdAccessToken)
	events := func() []string {
		c.send("test/events", "", nil)
		var out []string
		for {
			for _, m := range parseFrame(t, c.data()) {
				if !m.IsEvent() {
					return out
				}
				out = append(out, m.Event)
			}
		}
	}
	assert.Equal(t, []string{"md", "chart", "clock", "props", "custom"}, events())
	id := inject(t, s, sandbox.Fault{Kind: sandbox.FaultDropMessages, Kinds: []sandbox.MessageKind{sandbox.KindMD, sandbox.KindClock}}).ID
	assert.Equal(t, []string{"chart", "props", "custom"}, events())
	s.ClearFault(id)
	inject(t, s, sandbox.Fault{Kind: sandbox.FaultDuplicate, Kinds: []sandbox.MessageKind{sandbox.KindChart}, Count: 1})
	assert.Equal(t, []string{"md", "chart", "chart", "clock", "props", "custom"}, events())
	inject(t, s, sandbox.Fault{Kind: sandbox.FaultDropMessages})
	c.send("test/events", "", nil)
	f := c.data()
	assert.Equal(t, `a[{"e":"custom","d":{"x":"custom"}}]`, f, "every kind dropped but unknown events")
}
