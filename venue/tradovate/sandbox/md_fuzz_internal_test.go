package sandbox

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// FuzzMDFrame feeds arbitrary client frames to authorized md and replay
// sockets (without a network), with market data and replay data present:
// no input may panic, produce a 500, or leave a malformed frame.
func FuzzMDFrame(f *testing.F) {
	t0 := time.Date(2026, 3, 4, 16, 0, 0, 0, time.UTC)
	replay, err := NewFeed(FeedConfig{Synthetic: SyntheticConfig{Symbol: "ESM6", Seed: 1, Start: t0.Add(-time.Hour), Count: 20000}})
	if err != nil {
		f.Fatal(err)
	}
	setup := func(t testing.TB) (*Server, *Session) {
		s, err := New(Config{Clock: NewManualClock(t0), Market: MarketConfig{Replay: replay, ClockInterval: time.Hour}})
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
		sess, _ := s.auth.session(tok.AccessToken, MD)
		id, _ := s.ContractID("ESM6")
		for i := range 50 {
			px := venue.MustParsePrice("4800") + venue.Price(i%5)*venue.MustParsePrice("0.25")
			s.Feed(venue.Tick{Time: t0.Add(time.Duration(i) * time.Second).UnixNano(), Contract: id, Flags: venue.HasQuote | venue.HasTrade,
				Price: px, Size: 1, Bid: px, Ask: px + venue.MustParsePrice("0.25"), BidSize: 3, AskSize: 4})
		}
		return s, sess
	}
	for _, sd := range []string{
		"md/subscribeQuote\n1\n\n{\"symbol\":\"ESM6\"}", "md/subscribeDOM\n2\n\n{\"symbol\":10799318}", "md/subscribeHistogram\n3\n\n{\"symbol\":\"10799318\"}",
		"md/unsubscribeQuote\n4\n\n{\"symbol\":\"ESM6\"}", "md/subscribeQuote\n5\n\n{\"symbol\":-1}", "md/subscribeQuote\n6\n\n{\"symbol\":null}",
		"md/getChart\n7\n\n{\"symbol\":\"@ES\",\"chartDescription\":{\"underlyingType\":\"Tick\"},\"timeRange\":{\"asMuchAsElements\":\"5\"}}",
		"md/getchart\n8\n\n{\"symbol\":\"ESM6\",\"chartDescription\":{\"underlyingType\":\"MinuteBar\",\"elementSize\":1440},\"timeRange\":{\"closestTimestamp\":\"2026-03-04T16:00Z\",\"asFarAsTimeStamp\":\"2000-01-01\"}}",
		"md/getChart\n9\n\n{\"symbol\":\"ESM6\",\"chartDescription\":{\"underlyingType\":\"DailyBar\"},\"timeRange\":{\"asMuchAsElements\":-3}}",
		"md/cancelChart\n10\n\n{\"subscriptionId\":1}", "md/cancelChart\n11\n\n{}",
		"replay/checkreplaysession\n12\n\n{\"startTimestamp\":\"2026-03-04T15:30:00Z\"}",
		"replay/initializeclock\n13\n\n{\"startTimestamp\":\"2026-03-04T15:30:00Z\",\"speed\":400,\"initialBalance\":1e400}",
		"replay/changespeed\n14\n\n{\"speed\":100}", "md/subscribeQuote\n15\n\n[1]",
	} {
		f.Add([]byte(sd))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		s, sess := setup(t)
		defer s.Close()
		for _, svc := range []Service{MD, Replay} {
			ctx, cancel := context.WithCancel(context.Background())
			c := &Conn{srv: s, svc: svc, env: s.envs[svc], wake: make(chan struct{}, 1), closing: make(chan struct{}), ctx: ctx, cancel: cancel}
			c.session = sess
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
			cancel()
			c.tasks.Wait()
		}
	})
}
