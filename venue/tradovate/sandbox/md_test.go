package sandbox_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/tradovate/sandbox"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// mdSocket dials svc (md by default) and authorizes with the md token.
func mdSocket(t testing.TB, s *sandbox.Server, tok wire.AccessTokenResponse, svc ...sandbox.Service) *client {
	t.Helper()
	to := sandbox.MD
	if len(svc) > 0 {
		to = svc[0]
	}
	c := dial(t, s.WebSocketURL(to))
	c.authorize(tok.MdAccessToken)
	return c
}

// mdTick feeds a tick at clock time plus offset: a quote when bid is set,
// a trade when px is set (aggressor by the sign of size: negative sells).
func mdTick(t testing.TB, s *sandbox.Server, symbol string, at time.Time, bid, ask string, bidSize, askSize int32, px string, size int32) venue.Tick {
	t.Helper()
	id, err := s.ContractID(symbol)
	require.NoError(t, err)
	tk := venue.Tick{Time: at.UnixNano(), Contract: id}
	if bid != "" {
		tk.Flags |= venue.HasQuote
		tk.Bid, tk.Ask, tk.BidSize, tk.AskSize = venue.MustParsePrice(bid), venue.MustParsePrice(ask), bidSize, askSize
	}
	if px != "" {
		tk.Flags |= venue.HasTrade
		tk.Price, tk.Size, tk.Aggressor = venue.MustParsePrice(px), size, venue.Buy
		if size < 0 {
			tk.Size, tk.Aggressor = -size, venue.Sell
		}
	}
	s.Feed(tk)
	return tk
}

// eventData returns the d of the only event of a frame, checking its name.
func eventData(t testing.TB, frame, name string) json.RawMessage {
	t.Helper()
	msgs := parseFrame(t, frame)
	require.Len(t, msgs, 1, frame)
	require.Equal(t, name, msgs[0].Event, frame)
	return msgs[0].Data
}

// mdFailureOf checks a business failure answer and returns its code.
func mdFailureOf(t testing.TB, m wire.Message) string {
	t.Helper()
	require.Equal(t, 200, m.Status)
	var apiErr *wire.APIError
	require.ErrorAs(t, m.Decode(nil), &apiErr, string(m.Data))
	var f struct {
		ErrorCode string `json:"errorCode"`
	}
	require.NoError(t, json.Unmarshal(m.Data, &f))
	return f.ErrorCode
}

const (
	f6 = `{"e":"md","d":{"quotes":[{"timestamp":"2021-04-13T04:59:06.588Z","contractId":123456,"entries":{"Bid":{"price":18405.123,"size":7.123},"TotalTradeVolume":{"size":4118.123},"Offer":{"price":18410.012,"size":12.35},"LowPrice":{"price":18355.23},"Trade":{"price":18405.023,"size":2.10},"OpenInterest":{"size":40702.024},"OpeningPrice":{"price":18515.123},"HighPrice":{"price":18520.125},"SettlementPrice":{"price":18520.257}}}]}}`
	f7 = `{"e":"md","d":{"doms":[{"contractId":123456,"timestamp":"2021-04-13T11:33:57.488Z","bids":[{"price":2335.25,"size":33.54},{"price":2333,"size":758.21}],"offers":[{"price":2335.5,"size":255.12},{"price":2337.75,"size":466.64}]}]}}`
	f8 = `{"e":"md","d":{"histograms":[{"contractId":123456,"timestamp":"2017-04-13T11:33:57.412Z","tradeDate":{"year":2022,"month":4,"day":13},"base":2338.75,"items":{"-14":5906.67,"2":1234.55},"refresh":false}]}}`
)

// shape maps every JSON object path of v to its sorted keys, so two
// payloads can be compared field for field whatever their values.
func shape(t testing.TB, b []byte) map[string][]string {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(b, &v), string(b))
	out := map[string][]string{}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			var ks []string
			for k, e := range x {
				ks = append(ks, k)
				if path == ".d.histograms.items" {
					continue // keys are data
				}
				walk(path+"."+k, e)
			}
			if path != ".d.histograms.items" {
				out[path] = sorted(ks)
			}
		case []any:
			for _, e := range x {
				walk(path, e)
			}
		}
	}
	walk("", v)
	return out
}

// F-6: a quote event has the fixture's shape, prices written exactly.
func TestMDQuoteF6(t *testing.T) {
	s, _ := start(t)
	tok := login(t, s, s.Credentials())
	c := mdSocket(t, s, tok)
	id, err := s.ContractID("ESM6")
	require.NoError(t, err)

	m := c.call("md/subscribeQuote", "", `{"symbol":"ESM6"}`)
	assert.Equal(t, `{"subscriptionId":`+itoa(int64(id))+`}`, string(m.Data))
	mdTick(t, s, "ESM6", openTime, "4800", "4800.25", 7, 12, "", 0)
	assert.Equal(t, `a[{"e":"md","d":{"quotes":[{"timestamp":"2026-03-04T16:00:00.000Z","contractId":`+itoa(int64(id))+
		`,"entries":{"Bid":{"price":4800,"size":7},"Offer":{"price":4800.25,"size":12}}}]}}]`, c.data())
	mdTick(t, s, "ESM6", openTime.Add(588*time.Millisecond), "4800", "4800.25", 7, 10, "4800.25", 2)
	assert.Equal(t, `a[{"e":"md","d":{"quotes":[{"timestamp":"2026-03-04T16:00:00.588Z","contractId":`+itoa(int64(id))+
		`,"entries":{"Bid":{"price":4800,"size":7},"TotalTradeVolume":{"size":2},"Offer":{"price":4800.25,"size":10},`+
		`"LowPrice":{"price":4800.25},"Trade":{"price":4800.25,"size":2},"OpeningPrice":{"price":4800.25},"HighPrice":{"price":4800.25}}}]}}]`, c.data())

	// After 17:00 CT a new trade date begins: the last trade becomes the
	// settlement price and the session statistics start over.
	next := time.Date(2026, 3, 4, 23, 0, 0, 0, time.UTC)
	mdTick(t, s, "ESM6", next, "4801", "4801.25", 3, 4, "4801", -5)
	d := eventData(t, c.data(), wire.EventMD)
	var ev wire.MDEvent
	require.NoError(t, json.Unmarshal(d, &ev))
	require.Len(t, ev.Quotes, 1)
	q := ev.Quotes[0]
	assert.Equal(t, int64(id), q.ContractID)
	assert.Equal(t, next, q.Timestamp.Time)
	e := q.Entries
	assert.Equal(t, "4800.25", e.SettlementPrice.Price.String())
	assert.Equal(t, "4801", e.OpeningPrice.Price.String())
	assert.Equal(t, "5", e.TotalTradeVolume.Size.String())
	assert.Equal(t, "4801", e.Trade.Price.String())
	assert.Nil(t, e.TotalTradeVolume.Price)
	assert.Nil(t, e.OpenInterest, "no data source has open interest")

	// Same fields and sub-fields as F-6, less OpenInterest.
	want := shape(t, []byte(f6))
	want[".d.quotes.entries"] = without(want[".d.quotes.entries"], "OpenInterest")
	delete(want, ".d.quotes.entries.OpenInterest")
	assert.Equal(t, want, shape(t, asEvent(wire.EventMD, d)))
}

func without(s []string, v string) []string {
	var out []string
	for _, x := range s {
		if x != v {
			out = append(out, x)
		}
	}
	return out
}

// F-7: a DOM event has the fixture's shape; levels below the top are
// synthesized a tick apart.
func TestMDDOMF7(t *testing.T) {
	s, _ := start(t, sandbox.WithConfig(func(c *sandbox.Config) { c.Market.DOMLevels = 3 }))
	tok := login(t, s, s.Credentials())
	c := mdSocket(t, s, tok)
	id, _ := s.ContractID("ESM6")

	// The current book comes right after the response.
	mdTick(t, s, "ESM6", openTime, "4800", "4800.25", 33, 255, "", 0)
	c.call("md/subscribeDOM", "", map[string]any{"symbol": id})
	f := c.data()
	assert.Equal(t, `a[{"e":"md","d":{"doms":[{"contractId":`+itoa(int64(id))+`,"timestamp":"2026-03-04T16:00:00.000Z",`+
		`"bids":[{"price":4800,"size":33},{"price":4799.75,"size":15},{"price":4799.5,"size":19}],`+
		`"offers":[{"price":4800.25,"size":255},{"price":4800.5,"size":11},{"price":4800.75,"size":17}]}]}}]`, f)
	assert.Equal(t, shape(t, []byte(f7)), shape(t, asEvent(wire.EventMD, eventData(t, f, wire.EventMD))))

	// Trade-only data: the book is derived from the last trade.
	s2, _ := start(t, sandbox.WithConfig(func(c *sandbox.Config) { c.Market.DOMLevels = 1 }))
	tok2 := login(t, s2, s2.Credentials())
	c2 := mdSocket(t, s2, tok2)
	c2.call("md/subscribeDOM", "", `{"symbol":"ESM6"}`)
	mdTick(t, s2, "ESM6", openTime, "", "", 0, 0, "4800.25", 3)
	var ev wire.MDEvent
	require.NoError(t, json.Unmarshal(eventData(t, c2.data(), wire.EventMD), &ev))
	require.Len(t, ev.DOMs, 1)
	assert.Equal(t, "4800", ev.DOMs[0].Bids[0].Price.String(), "a buy took the offer at 4800.25")
	assert.Equal(t, "4800.25", ev.DOMs[0].Offers[0].Price.String())
}

// F-8: histograms carry the trade date's volume by tick offset from the
// first trade: everything (refresh:true) first, then the changed level.
func TestMDHistogramF8(t *testing.T) {
	s, _ := start(t)
	tok := login(t, s, s.Credentials())
	c := mdSocket(t, s, tok)
	id, _ := s.ContractID("ESM6")
	mdTick(t, s, "ESM6", openTime, "", "", 0, 0, "4800", 4)
	mdTick(t, s, "ESM6", openTime.Add(time.Second), "", "", 0, 0, "4799.5", -3)
	c.call("md/subscribeHistogram", "", `{"symbol":"esm6"}`)
	head := `a[{"e":"md","d":{"histograms":[{"contractId":` + itoa(int64(id)) + `,"timestamp":"2026-03-04T16:00:0`
	assert.Equal(t, head+`1.000Z","tradeDate":{"year":2026,"month":3,"day":4},"base":4800,"items":{"-2":3,"0":4},"refresh":true}]}}]`, c.data())
	mdTick(t, s, "ESM6", openTime.Add(2*time.Second), "", "", 0, 0, "4799.5", -1)
	f := c.data()
	assert.Equal(t, head+`2.000Z","tradeDate":{"year":2026,"month":3,"day":4},"base":4800,"items":{"-2":4},"refresh":false}]}}]`, f)
	assert.Equal(t, shape(t, []byte(f8)), shape(t, asEvent(wire.EventMD, eventData(t, f, wire.EventMD))))
	var ev wire.MDEvent
	require.NoError(t, json.Unmarshal(eventData(t, f, wire.EventMD), &ev))
	assert.Equal(t, "4", ev.Histograms[0].Items["-2"].String())
	assert.Equal(t, wire.TradeDate{Year: 2026, Month: 3, Day: 4}, ev.Histograms[0].TradeDate)
}

// Subscriptions: by name or id, one per kind and contract per socket,
// unknown symbols refused, nothing after an unsubscribe.
func TestMDSubscriptions(t *testing.T) {
	s, _ := start(t)
	tok := login(t, s, s.Credentials())
	c := mdSocket(t, s, tok)
	id, _ := s.ContractID("ESM6")

	assert.Equal(t, 200, c.call("md/subscribeQuote", "", map[string]any{"symbol": id}).Status)
	assert.Equal(t, "AlreadySubscribed", mdFailureOf(t, c.call("md/subscribeQuote", "", `{"symbol":"ESM6"}`)))
	assert.Equal(t, "UnknownSymbol", mdFailureOf(t, c.call("md/subscribeQuote", "", `{"symbol":"XXZ9"}`)))
	assert.Equal(t, "UnknownSymbol", mdFailureOf(t, c.call("md/subscribeQuote", "", `{"symbol":"@ES"}`)), "continuous names are for charts")
	assert.Equal(t, 400, c.call("md/subscribeQuote", "", `{}`).Status)
	assert.Equal(t, 200, c.call("md/subscribeDOM", "", `{"symbol":"ESM6"}`).Status, "another kind is another subscription")

	mdTick(t, s, "ESM6", openTime, "4800", "4800.25", 1, 1, "", 0)
	msgs := parseFrame(t, c.data())
	require.Len(t, msgs, 2, "the tick's quote and DOM travel together")
	assert.Contains(t, string(msgs[0].Data), `"quotes"`)
	assert.Contains(t, string(msgs[1].Data), `"doms"`)

	m := c.call("md/unsubscribeQuote", "", `{"symbol":"ESM6"}`)
	assert.Equal(t, 200, m.Status)
	assert.Nil(t, m.Data)
	assert.Equal(t, 200, c.call("md/unsubscribeQuote", "", `{"symbol":"ESM6"}`).Status, "unsubscribing twice is fine")
	assert.Equal(t, 200, c.call("md/unsubscribeDOM", "", `{"symbol":"ESM6"}`).Status)
	mdTick(t, s, "ESM6", openTime.Add(time.Second), "4800", "4800.25", 2, 2, "", 0)
	// Subscribing again shows the latest book, proof that nothing was
	// sent in between.
	c.call("md/subscribeQuote", "", `{"symbol":"ESM6"}`)
	assert.Contains(t, c.data(), `"Bid":{"price":4800,"size":2}`)

	// Over REST the md endpoints refuse: they stream.
	status, _ := rest(t, s, sandbox.MD, "POST", "md/subscribeQuote", tok.AccessToken, `{"symbol":"ESM6"}`)
	assert.Equal(t, 400, status)
}

// Users without market data get 401 on every md subscription and chart,
// on md and replay sockets.
func TestMDNeedsMarketData(t *testing.T) {
	u := sandbox.DefaultUser()
	u.HasMarketData = false
	s, _ := start(t, sandbox.WithUsers(u))
	tok := login(t, s, s.Credentials())
	for _, svc := range []sandbox.Service{sandbox.MD, sandbox.Replay} {
		c := mdSocket(t, s, tok, svc)
		for _, ep := range []string{"md/subscribeQuote", "md/subscribeDOM", "md/subscribeHistogram", "md/getChart"} {
			m := c.call(ep, "", `{"symbol":"ESM6","chartDescription":{"underlyingType":"Tick"},"timeRange":{"asMuchAsElements":1}}`)
			assert.Equal(t, 401, m.Status, "%s %s", svc, ep)
		}
		r := c.call("replay/checkreplaysession", "", `{"startTimestamp":"2026-03-04T16:00:00Z"}`)
		if svc == sandbox.Replay {
			assert.Equal(t, wire.CheckStatusIneligible, decode[wire.CheckReplaySessionResponse](t, r).CheckStatus)
		}
	}
}

// A scripted md client: the exact frames from authorize to unsubscribe.
func TestMDScriptedSession(t *testing.T) {
	s, _ := start(t, sandbox.WithConfig(func(c *sandbox.Config) { c.Market.DOMLevels = 2 }))
	tok := login(t, s, s.Credentials())
	id, _ := s.ContractID("ESM6")
	cid := itoa(int64(id))
	c := dial(t, s.WebSocketURL(sandbox.MD))
	step := func(send, want string) {
		t.Helper()
		if send != "" {
			c.sendRaw(send)
		}
		assert.Equal(t, want, c.data())
	}
	feed := func(want string, at time.Duration, bid, ask string, px string, size int32) {
		t.Helper()
		mdTick(t, s, "ESM6", openTime.Add(at), bid, ask, 10, 20, px, size)
		step("", want)
	}
	ts := func(ms string) string { return `"timestamp":"2026-03-04T16:00:0` + ms + `Z"` }

	step("authorize\n0\n\n"+tok.MdAccessToken, `a[{"s":200,"i":0}]`)
	step("md/subscribeQuote\n1\n\n{\"symbol\":\"ESM6\"}", `a[{"s":200,"i":1,"d":{"subscriptionId":`+cid+`}}]`)
	feed(`a[{"e":"md","d":{"quotes":[{`+ts("0.000")+`,"contractId":`+cid+`,"entries":{"Bid":{"price":4800,"size":10},"Offer":{"price":4800.25,"size":20}}}]}}]`,
		0, "4800", "4800.25", "", 0)
	step("md/subscribeDOM\n2\n\n{\"symbol\":"+cid+"}", `a[{"s":200,"i":2,"d":{"subscriptionId":`+cid+`}}]`)
	step("", `a[{"e":"md","d":{"doms":[{"contractId":`+cid+`,`+ts("0.000")+`,"bids":[{"price":4800,"size":10},{"price":4799.75,"size":15}],"offers":[{"price":4800.25,"size":20},{"price":4800.5,"size":11}]}]}}]`)
	feed(`a[{"e":"md","d":{"quotes":[{`+ts("1.500")+`,"contractId":`+cid+`,"entries":{"Bid":{"price":4800,"size":10},"TotalTradeVolume":{"size":3},"Offer":{"price":4800.25,"size":20},"LowPrice":{"price":4800.25},"Trade":{"price":4800.25,"size":3},"OpeningPrice":{"price":4800.25},"HighPrice":{"price":4800.25}}}]}},`+
		`{"e":"md","d":{"doms":[{"contractId":`+cid+`,`+ts("1.500")+`,"bids":[{"price":4800,"size":10},{"price":4799.75,"size":15}],"offers":[{"price":4800.25,"size":20},{"price":4800.5,"size":11}]}]}}]`,
		1500*time.Millisecond, "4800", "4800.25", "4800.25", 3)
	step("md/unsubscribeDOM\n3\n\n{\"symbol\":\"ESM6\"}", `a[{"s":200,"i":3}]`)
	feed(`a[{"e":"md","d":{"quotes":[{`+ts("2.000")+`,"contractId":`+cid+`,"entries":{"Bid":{"price":4800.25,"size":10},"TotalTradeVolume":{"size":3},"Offer":{"price":4800.5,"size":20},"LowPrice":{"price":4800.25},"Trade":{"price":4800.25,"size":3},"OpeningPrice":{"price":4800.25},"HighPrice":{"price":4800.25}}}]}}]`,
		2*time.Second, "4800.25", "4800.5", "", 0)
	step("md/unsubscribeQuote\n4\n\n{\"symbol\":\"ESM6\"}", `a[{"s":200,"i":4}]`)
	mdTick(t, s, "ESM6", openTime.Add(3*time.Second), "4800.5", "4800.75", 1, 1, "", 0)
	step("md/subscribeQuote\n5\n\n{\"symbol\":\"NQM6\"}", `a[{"s":200,"i":5,"d":{"subscriptionId":`+nqID(t, s)+`}}]`)
	c.sendRaw("[]")
	f, err := c.frameOrClose(100 * time.Millisecond)
	assert.Error(t, err, "nothing after the unsubscribe, got %q", f)
}

func nqID(t testing.TB, s *sandbox.Server) string {
	t.Helper()
	id, err := s.ContractID("NQM6")
	require.NoError(t, err)
	return itoa(int64(id))
}

// asEvent rebuilds an event around its d, for shape comparisons.
func asEvent(name string, d json.RawMessage) []byte {
	return []byte(`{"e":"` + name + `","d":` + string(d) + `}`)
}

// Every goroutine market data starts — a playing feed, md streams, a
// replay clock — is gone once Close returns.
func TestMarketDataStopsOnClose(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	now := time.Now().UTC()
	live, err := sandbox.NewFeed(sandbox.FeedConfig{Synthetic: sandbox.SyntheticConfig{Symbol: "ESM6", Seed: 1, Start: now, Interval: 5 * time.Millisecond, AllHours: true}, Speed: 1})
	require.NoError(t, err)
	replay, err := sandbox.NewFeed(sandbox.FeedConfig{Synthetic: sandbox.SyntheticConfig{Symbol: "ESU9", Seed: 2, Start: time.Date(2019, 8, 26, 16, 0, 0, 0, time.UTC)}})
	require.NoError(t, err)
	s := sandbox.Start(t, sandbox.WithConfig(func(c *sandbox.Config) {
		c.MarketData = live
		c.Market.Replay = replay
		c.Market.ClockInterval = 10 * time.Millisecond
	}))
	defer s.Close()
	tok := login(t, s, s.Credentials())
	md := mdSocket(t, s, tok)
	md.send("md/subscribeQuote", "", `{"symbol":"ESM6"}`)
	md.send("md/getChart", "", `{"symbol":"ESM6","chartDescription":{"underlyingType":"Tick"},"timeRange":{"asMuchAsElements":10}}`)
	for range 5 {
		md.data()
	}
	rp := mdSocket(t, s, tok, sandbox.Replay)
	require.True(t, simple(t, rp.call("replay/initializeclock", "", `{"startTimestamp":"2019-08-26T16:43:00Z","speed":400}`)).OK)
	rp.send("md/subscribeDOM", "", `{"symbol":"ESU9"}`)
	nextClock(t, rp)
	for range 5 {
		rp.data()
	}
	require.NoError(t, s.Close())
}
