package sandbox_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/tradovate/sandbox"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// tickSource is a MarketDataSource feeding one quote and waiting.
type tickSource struct{ id venue.ContractID }

func (src tickSource) Run(ctx context.Context, feed func(venue.Tick)) error {
	feed(venue.Tick{Contract: src.id, Flags: venue.HasQuote, Bid: venue.MustParsePrice("4800"), Ask: venue.MustParsePrice("4800.25"), BidSize: 5, AskSize: 5})
	<-ctx.Done()
	return ctx.Err()
}

// The extension points the market-data, replay and fault helpers use:
// Handle on the md service, Conn.Go streaming from OnTick, middleware, and
// a MarketDataSource.
func TestExtensionPoints(t *testing.T) {
	probe, err := sandbox.New(sandbox.Config{})
	require.NoError(t, err)
	id, err := probe.ContractID("ESM6")
	require.NoError(t, err)
	require.NoError(t, probe.Close())

	s, _ := start(t, sandbox.WithConfig(func(c *sandbox.Config) { c.MarketData = tickSource{id: id} }))
	s.Handle("md/subscribeQuote", sandbox.Route{Domain: sandbox.DomainMarketData, Handler: func(c *sandbox.Call) {
		ticks := make(chan venue.Tick, 16)
		cancel := s.OnTick(func(t venue.Tick) {
			select {
			case ticks <- t:
			default:
			}
		})
		c.Reply(200, map[string]any{"subscriptionId": 1})
		conn := c.Conn
		conn.Go(func(ctx context.Context) {
			defer cancel()
			for {
				select {
				case <-ctx.Done():
					return
				case t := <-ticks:
					_ = conn.SendEvent(wire.EventMD, map[string]any{"quotes": []any{map[string]any{"contractId": t.Contract, "entries": map[string]any{"Bid": map[string]any{"price": t.Bid}}}}})
				}
			}
		})
	}}, sandbox.MD, sandbox.Replay)
	var faults atomic.Int32
	s.Use(func(next sandbox.Handler) sandbox.Handler {
		return func(c *sandbox.Call) {
			if c.Key == "account/list" && c.Query().Get("fail") == "1" {
				faults.Add(1)
				c.Fail(503, "injected")
				return
			}
			next(c)
		}
	})

	tok := login(t, s, s.Credentials())
	md := dial(t, s.WebSocketURL(sandbox.MD))
	md.authorize(tok.MdAccessToken)
	assert.Equal(t, `{"subscriptionId":1}`, string(md.call("md/subscribeQuote", "", `{"symbol":"ESM6"}`).Data))
	quote(t, s, "ESM6", "4801", "4801.25")
	f := md.data()
	assert.Equal(t, `a[{"e":"md","d":{"quotes":[{"contractId":`+itoa(int64(id))+`,"entries":{"Bid":{"price":4801}}}]}}]`, f)

	status, _ := rest(t, s, sandbox.Demo, "GET", "account/list?fail=1", tok.AccessToken, nil)
	assert.Equal(t, 503, status)
	assert.Equal(t, int32(1), faults.Load())

	// The source's quote reached the engines: a market order fills at 4800.25
	// on a fresh server whose only data came from the source.
	s2, _ := start(t, sandbox.WithConfig(func(c *sandbox.Config) { c.MarketData = tickSource{id: id} }))
	tok2 := login(t, s2, s2.Credentials())
	c := dial(t, s2.WebSocketURL(sandbox.Demo))
	c.authorize(tok2.AccessToken)
	snap := decode[wire.SyncMessage](t, c.call("user/syncrequest", "", nil))
	require.Eventually(t, func() bool {
		status, body := rest(t, s2, sandbox.Demo, "POST", "order/placeorder", tok2.AccessToken, marketOrder(snap.Accounts[0].ID))
		return status == 200 && wire.Check(body) == nil
	}, time.Second, 10*time.Millisecond)
	var fill wire.Fill
	for fill.ID == 0 {
		names, evs := props(t, c.data())
		for i, n := range names {
			if n == "fill Created" {
				fill = entity[wire.Fill](t, evs[i])
			}
		}
	}
	assert.Equal(t, "4800.25", fill.Price.String())
}
