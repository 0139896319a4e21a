package sandbox_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/tradovate/sandbox"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// quotesOf returns the quotes of an md frame for contract id.
func quotesOf(t testing.TB, frame string, id venue.ContractID) []wire.Quote {
	t.Helper()
	var out []wire.Quote
	for _, m := range parseFrame(t, frame) {
		if m.Event != wire.EventMD {
			continue
		}
		var ev wire.MDEvent
		require.NoError(t, json.Unmarshal(m.Data, &ev), frame)
		for _, q := range ev.Quotes {
			if q.ContractID == int64(id) {
				out = append(out, q)
			}
		}
	}
	return out
}

// firstQuotes subscribes to symbol and returns its first n quotes (each
// frame read within the client's 5 s deadline).
func firstQuotes(t testing.TB, c *client, s *sandbox.Server, symbol string, n int) []wire.Quote {
	t.Helper()
	id, err := s.ContractID(symbol)
	require.NoError(t, err)
	require.Equal(t, 200, c.call("md/subscribeQuote", "", `{"symbol":"`+symbol+`"}`).Status)
	var out []wire.Quote
	for len(out) < n {
		out = append(out, quotesOf(t, c.data(), id)...)
	}
	return out[:n]
}

// With Market.Synthesize, a listed contract the data does not cover gets
// a seeded synthetic market once subscribed: quotes within moments, the
// same walk on every run, one the matching engines trade on too.
// Contracts the data covers — played already or not yet — are left to it.
func TestMDSynthesizedContract(t *testing.T) {
	rows := []row{
		{at: openTime, bid: "18000", ask: "18000.25", bidSz: 3, askSz: 4, symbol: "NQM6"},
		{at: openTime.Add(time.Hour), bid: "4800", ask: "4800.25", bidSz: 1, askSz: 1, symbol: "ESM6"},
	}
	data := writeTicks(t, rows)
	server := func() *sandbox.Server {
		feed, err := sandbox.NewFeed(sandbox.FeedConfig{Files: []string{data}, Speed: 1})
		require.NoError(t, err)
		s, _ := start(t, sandbox.WithConfig(func(c *sandbox.Config) {
			c.MarketData = feed
			c.Market.Synthesize = &sandbox.SyntheticMarket{Seed: 7, Interval: 5 * time.Millisecond}
		}))
		return s
	}
	s := server()
	tok := login(t, s, s.Credentials())

	// YMM6 has no data: a synthetic market, on YM's grid near its typical price.
	c := mdSocket(t, s, tok)
	qs := firstQuotes(t, c, s, "YMM6", 8)
	in, err := s.Instrument("YMM6")
	require.NoError(t, err)
	for _, q := range qs {
		bid, ask := q.Entries.Bid, q.Entries.Offer
		require.True(t, bid != nil && bid.Price != nil && ask != nil && ask.Price != nil, "a book: %+v", q.Entries)
		assert.True(t, bid.Price.OnGrid(in.TickSize), "bid %s", bid.Price)
		assert.Equal(t, *bid.Price+in.TickSize, *ask.Price, "one-tick spread")
		assert.InDelta(t, 40000, bid.Price.Float64(), 500)
	}

	// The same seed walks the same way on another server.
	s2 := server()
	c2 := mdSocket(t, s2, login(t, s2, s2.Credentials()))
	qs2 := firstQuotes(t, c2, s2, "YMM6", 8)
	for i := range qs {
		assert.Equal(t, mustJSON(t, qs[i].Entries), mustJSON(t, qs2[i].Entries), "quote %d", i)
	}

	// The demo engines trade on it: a market order fills.
	sock, acct, _ := synced(t, s, nil)
	res := decode[wire.PlaceOrderResult](t, sock.call("order/placeorder", "", wire.PlaceOrder{
		AccountID: acct.ID, Action: "Buy", Symbol: "YMM6", OrderQty: 1, OrderType: "Market", IsAutomated: true,
	}))
	require.NotZero(t, res.OrderID)
	var filled bool
	for !filled {
		names, _ := props(t, sock.data())
		filled = contains(names, "fill Created")
	}

	// NQM6 was played and ESM6 is the data's (an hour away): no synthetic
	// quotes for either.
	c3 := mdSocket(t, s, tok)
	require.Equal(t, 200, c3.call("md/subscribeQuote", "", `{"symbol":"NQM6"}`).Status)
	nq, err := s.ContractID("NQM6")
	require.NoError(t, err)
	q := quotesOf(t, c3.data(), nq)
	require.Len(t, q, 1, "the data's quote")
	assert.Equal(t, "18000", q[0].Entries.Bid.Price.String())
	require.Equal(t, 200, c3.call("md/subscribeQuote", "", `{"symbol":"ESM6"}`).Status)
	f, err := c3.frameOrClose(300 * time.Millisecond)
	assert.Error(t, err, "nothing made up for contracts the data covers, got %q", f)
}

// Without Market.Synthesize (the default) nothing is made up: tests feed
// what they want.
func TestMDNoSynthesisByDefault(t *testing.T) {
	s, _ := start(t)
	c := mdSocket(t, s, login(t, s, s.Credentials()))
	require.Equal(t, 200, c.call("md/subscribeQuote", "", `{"symbol":"YMM6"}`).Status)
	f, err := c.frameOrClose(100 * time.Millisecond)
	assert.Error(t, err, "got %q", f)
}
