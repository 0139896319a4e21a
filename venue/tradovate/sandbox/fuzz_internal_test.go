package sandbox

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// FuzzSocketFrame feeds arbitrary client frames to an authorized trading
// socket's request handler (without a network): no input may panic, none
// may produce a 500 (a handler panic recovered by dispatch), and every
// reply must be a well-formed frame.
func FuzzSocketFrame(f *testing.F) {
	// A fresh server per input keeps inputs independent and fast.
	setup := func(t testing.TB) (*Server, *Session, string) {
		s, err := New(Config{Clock: NewManualClock(time.Date(2026, 3, 4, 16, 0, 0, 0, time.UTC))})
		if err != nil {
			t.Fatal(err)
		}
		call := &Call{Server: s, Service: Demo, Env: s.envs[Demo], Key: "auth/accesstokenrequest"}
		call.Request.Body, _ = wire.Marshal(s.Credentials().Request())
		s.accessTokenRequest(call)
		var tok wire.AccessTokenResponse
		if err := wire.Decode(call.status, call.body, &tok); err != nil {
			t.Fatal(err)
		}
		sess, _ := s.auth.session(tok.AccessToken, Demo)
		id, _ := s.ContractID("ESM6")
		s.Feed(venue.Tick{Contract: id, Flags: venue.HasQuote, Bid: venue.MustParsePrice("4800"), Ask: venue.MustParsePrice("4800.25")})
		return s, sess, tok.AccessToken
	}
	s0, _, tok := setup(f)
	_ = s0.Close()
	seeds := []string{
		"[]", "account/list\n1\n\n", "order/placeorder\n2\n\n{\"accountId\":100001,\"action\":\"Buy\",\"symbol\":\"ESM6\",\"orderQty\":1,\"orderType\":\"Market\"}",
		"order/placeoso\n3\n\n{\"accountId\":100001,\"action\":\"Buy\",\"symbol\":\"ESM6\",\"orderQty\":1,\"orderType\":\"Limit\",\"price\":4799,\"bracket1\":{\"action\":\"Sell\",\"orderType\":\"Stop\",\"stopPrice\":4790}}",
		"order/modifyorder\n4\n\n{\"orderId\":100003,\"orderQty\":2,\"orderType\":\"Limit\",\"price\":1e400}",
		"order/cancelorder\n5\n\n{\"orderId\":100003}", "order/liquidateposition\n6\n\n{\"accountId\":100001,\"contractId\":10799318}",
		"user/syncrequest\n7\n\n{\"users\":[15460],\"splitResponses\":true,\"entityTypes\":[\"x\"]}",
		"contract/suggest\n8\nt=&l=99999\n", "contract/rollcontract\n9\n\n{\"name\":\"ZZZ\"}", "product/ldeps\n10\nmasterids=,,1\n",
		"authorize\n11\n\n" + tok, "x\ny", "{\"a\":1}", "contractMaturity/item\n12\nid=-1\n", "order/items\n13\nids=%zz\n",
	}
	for _, sd := range seeds {
		f.Add([]byte(sd))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		s, sess, _ := setup(t)
		defer s.Close()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		c := &Conn{srv: s, svc: Demo, env: s.envs[Demo], wake: make(chan struct{}, 1), closing: make(chan struct{}), ctx: ctx, cancel: cancel}
		c.session = sess
		// Twice: the second run meets the state the first left.
		for range 2 {
			c.handle(frame)
			for _, out := range c.take() {
				if _, err := wire.ParseFrame(out); err != nil {
					t.Fatalf("bad reply frame %q: %v", out, err)
				}
				if strings.Contains(string(out), `"s":500`) {
					t.Fatalf("internal error for %q: %s", frame, out)
				}
			}
		}
	})
}
