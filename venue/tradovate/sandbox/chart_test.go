package sandbox_test

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

const (
	f10Response = `{"s":200,"i":13,"d":{"historicalId":32,"realtimeId":31}}`
	f10Bars     = `{"e":"chart","d":{"charts":[{"id":9,"td":20170413,"bars":[{"timestamp":"2017-04-13T11:00:00.000Z","open":2334.25,"high":2334.5,"low":2333,"close":2333.75,"upVolume":4712.234,"downVolume":201.124,"upTicks":1333.567,"downTicks":82.890,"bidVolume":2857.123,"offerVolume":2056.224}]}]}}`
	f11         = `{"charts":[{"id":16335,"s":"db","td":20210718,"bp":11917,"bt":1563421179735,"ts":0.25,"tks":[{"t":0,"p":0,"s":3,"b":-1,"a":0,"bs":122.21,"as":28.35,"id":11768401}]},{"id":16335,"eoh":true}]}`
)

// chartPackets reads chart events until the eoh packet of id and returns
// the packets before it.
func chartPackets(t testing.TB, c *client, id int64) []wire.ChartPacket {
	t.Helper()
	var out []wire.ChartPacket
	for {
		for _, m := range parseFrame(t, c.data()) {
			require.Equal(t, wire.EventChart, m.Event)
			var ev wire.ChartEvent
			require.NoError(t, json.Unmarshal(m.Data, &ev))
			for _, p := range ev.Charts {
				require.Equal(t, id, p.ID)
				if p.EOH {
					return out
				}
				out = append(out, p)
			}
		}
	}
}

func getChart(t testing.TB, c *client, body string) wire.GetChartResponse {
	t.Helper()
	r := decode[wire.GetChartResponse](t, c.call("md/getChart", "", body))
	require.NotZero(t, r.HistoricalID)
	require.NotEqual(t, r.HistoricalID, r.RealtimeID)
	return r
}

// F-9, F-10, F-12: the documented request, the response, bar packets, the
// end of history, and bars in progress after it.
func TestChartF9F10Bars(t *testing.T) {
	s, _ := start(t)
	tok := login(t, s, s.Credentials())
	c := mdSocket(t, s, tok)

	// F-9 verbatim: a contract without data has an empty history.
	c.sendRaw("md/getchart\n0\n\n{\"symbol\":\"ESZ4\",\"chartDescription\":{\"underlyingType\":\"MinuteBar\",\"elementSize\":1,\"elementSizeUnit\":\"UnderlyingUnits\",\"withHistogram\":false},\"timeRange\":{\"asMuchAsElements\":100}}")
	resp := c.data()
	assert.Equal(t, `a[{"s":200,"i":0,"d":{"historicalId":1,"realtimeId":2}}]`, resp)
	assert.Equal(t, shape(t, []byte(f10Response)), shape(t, []byte(resp[2:len(resp)-1])))
	assert.Equal(t, `a[{"e":"chart","d":{"charts":[{"id":1,"eoh":true}]}}]`, c.data(), "F-12")

	at := func(s string) time.Time { return openTime.Add(mustDuration(t, s)) }
	mdTick(t, s, "ESM6", at("0s"), "", "", 0, 0, "4800", 2)
	mdTick(t, s, "ESM6", at("20s"), "", "", 0, 0, "4800.5", 1)
	mdTick(t, s, "ESM6", at("40s"), "", "", 0, 0, "4799.75", -3)
	mdTick(t, s, "ESM6", at("70s"), "", "", 0, 0, "4800", 4)
	r := getChart(t, c, `{"symbol":"ESM6","chartDescription":{"underlyingType":"MinuteBar","elementSize":1,"elementSizeUnit":"UnderlyingUnits","withHistogram":false},"timeRange":{"asMuchAsElements":100}}`)
	assert.Equal(t, wire.GetChartResponse{HistoricalID: 3, RealtimeID: 4}, r)
	f := c.data()
	bar1 := `{"timestamp":"2026-03-04T16:00:00.000Z","open":4800,"high":4800.5,"low":4799.75,"close":4799.75,"upVolume":3,"downVolume":3,"upTicks":2,"downTicks":1,"bidVolume":3,"offerVolume":3}`
	assert.Equal(t, `a[{"e":"chart","d":{"charts":[{"id":3,"td":20260304,"bars":[`+bar1+
		`,{"timestamp":"2026-03-04T16:01:00.000Z","open":4800,"high":4800,"low":4800,"close":4800,"upVolume":4,"downVolume":0,"upTicks":1,"downTicks":0,"bidVolume":0,"offerVolume":4}]},{"id":3,"eoh":true}]}}]`, f)
	one := `{"e":"chart","d":{"charts":[{"id":3,"td":20260304,"bars":[` + bar1 + `]}]}}`
	assert.Equal(t, shape(t, []byte(f10Bars)), shape(t, []byte(one)))

	// Real time: the bar in progress, again as it changes; a new bar
	// comes with the final state of the one it closes.
	mdTick(t, s, "ESM6", at("90s"), "", "", 0, 0, "4800.25", 1)
	assert.Equal(t, `a[{"e":"chart","d":{"charts":[{"id":4,"td":20260304,"bars":[{"timestamp":"2026-03-04T16:01:00.000Z","open":4800,"high":4800.25,"low":4800,"close":4800.25,"upVolume":5,"downVolume":0,"upTicks":2,"downTicks":0,"bidVolume":0,"offerVolume":5}]}]}}]`, c.data())
	mdTick(t, s, "ESM6", at("125s"), "", "", 0, 0, "4800", -1)
	var ev wire.ChartEvent
	require.NoError(t, json.Unmarshal(eventData(t, c.data(), wire.EventChart), &ev))
	require.Len(t, ev.Charts, 1)
	bars := ev.Charts[0].Bars
	require.Len(t, bars, 2)
	assert.Equal(t, "4800.25", bars[0].Close.String())
	assert.Equal(t, time.Date(2026, 3, 4, 16, 2, 0, 0, time.UTC), bars[1].Timestamp.Time)
	assert.Equal(t, "1", bars[1].BidVolume.String())

	// cancelChart takes either id; nothing follows.
	assert.Equal(t, 200, c.call("md/cancelChart", "", `{"subscriptionId":4}`).Status)
	mdTick(t, s, "ESM6", at("130s"), "", "", 0, 0, "4800", 1)
	r2 := getChart(t, c, `{"symbol":"ESM6","chartDescription":{"underlyingType":"DailyBar","elementSize":1},"timeRange":{"asMuchAsElements":1}}`)
	p := chartPackets(t, c, r2.HistoricalID)
	require.Len(t, p, 1)
	assert.Equal(t, "13", p[0].Bars[0].UpVolume.Add(p[0].Bars[0].DownVolume.Decimal).String(), "the day's volume")
	assert.Equal(t, 200, c.call("md/cancelChart", "", map[string]int64{"subscriptionId": r2.HistoricalID}).Status)
	mdTick(t, s, "ESM6", at("140s"), "", "", 0, 0, "4800", 1)
	assert.Equal(t, 200, c.call("md/cancelChart", "", `{"subscriptionId":999}`).Status, "the previous frame was the answer: no packet came")
}

func mustDuration(t testing.TB, s string) time.Duration {
	t.Helper()
	d, err := time.ParseDuration(s)
	require.NoError(t, err)
	return d
}

// Time ranges and bar sizes: counts as strings, the tutorial's
// misspelling, closest/as-far bounds, 15-minute bars, daily bars by trade
// date, continuous symbols, bad descriptions.
func TestChartTimeRanges(t *testing.T) {
	s, _ := start(t)
	tok := login(t, s, s.Credentials())
	c := mdSocket(t, s, tok)
	for m := range 45 {
		mdTick(t, s, "ESM6", openTime.Add(time.Duration(m)*time.Minute), "", "", 0, 0, venue.PriceFromInt(4800+int64(m)).String(), 1)
	}
	barsOf := func(body string) []wire.Bar {
		t.Helper()
		r := getChart(t, c, body)
		var out []wire.Bar
		for _, p := range chartPackets(t, c, r.HistoricalID) {
			out = append(out, p.Bars...)
		}
		require.Equal(t, 200, c.call("md/cancelChart", "", map[string]int64{"subscriptionId": r.RealtimeID}).Status)
		return out
	}
	fifteen := `{"symbol":"ESM6","chartDescription":{"underlyingType":"MinuteBar","elementSize":"15","elementSizeUnit":"UnderlyingUnits"},"timeRange":`
	bars := barsOf(fifteen + `{"asMuchAsElements":"2"}}`)
	require.Len(t, bars, 2)
	assert.Equal(t, openTime.Add(15*time.Minute), bars[0].Timestamp.Time)
	assert.Equal(t, "4815", bars[0].Open.String())
	assert.Equal(t, "4829", bars[0].Close.String())
	assert.Equal(t, "15", bars[0].UpVolume.String())

	bars = barsOf(fifteen + `{"asFarAsTimeStamp":"2026-03-04T16:15:00.000Z","closestTimestamp":"2026-03-04T16:15Z"}}`)
	require.Len(t, bars, 1)
	assert.Equal(t, openTime.Add(15*time.Minute), bars[0].Timestamp.Time)
	bars = barsOf(fifteen + `{"closestTimestamp":"2026-03-04T16:14:00Z"}}`)
	require.Len(t, bars, 1)
	assert.Equal(t, openTime, bars[0].Timestamp.Time)

	// A second trade date: daily bars, one packet per td.
	mdTick(t, s, "ESM6", time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC), "", "", 0, 0, "4700", 7)
	r := getChart(t, c, `{"symbol":"ESM6","chartDescription":{"underlyingType":"DailyBar"},"timeRange":{"asMuchAsElements":10}}`)
	ps := chartPackets(t, c, r.HistoricalID)
	require.Len(t, ps, 2)
	assert.Equal(t, 20260304, ps[0].TradeDate)
	assert.Equal(t, 20260305, ps[1].TradeDate)
	assert.Equal(t, time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC), ps[1].Bars[0].Timestamp.Time)
	assert.Equal(t, "4844", ps[0].Bars[0].High.String())
	assert.Equal(t, "7", ps[1].Bars[0].DownVolume.String())

	// @ES is the front month (ESH6 in early March 2026).
	mdTick(t, s, "ESH6", openTime, "", "", 0, 0, "4790", 3)
	r = getChart(t, c, `{"symbol":"@ES","chartDescription":{"underlyingType":"Tick","elementSize":1,"elementSizeUnit":"UnderlyingUnits"},"timeRange":{"asMuchAsElements":5}}`)
	ps = chartPackets(t, c, r.HistoricalID)
	require.Len(t, ps, 1)
	tv, err := ps[0].DecodeTicks()
	require.NoError(t, err)
	require.Len(t, tv, 1)
	assert.Equal(t, "4790", tv[0].Price.String())

	for _, bad := range []string{
		`{"symbol":"ESM6","chartDescription":{"underlyingType":"MinuteBar"},"timeRange":{}}`,
		`{"symbol":"ESM6","chartDescription":{"underlyingType":"Tick","elementSize":5},"timeRange":{"asMuchAsElements":5}}`,
		`{"symbol":"ESM6","chartDescription":{"underlyingType":"MinuteBar","elementSize":5,"elementSizeUnit":"Volume"},"timeRange":{"asMuchAsElements":5}}`,
		`{"symbol":"ESM6","chartDescription":{"underlyingType":"DOM"},"timeRange":{"asMuchAsElements":5}}`,
		`{"symbol":"ESM6","chartDescription":{"underlyingType":"MinuteBar"},"timeRange":{"asMuchAsElements":"x"}}`,
	} {
		assert.Equal(t, 400, c.call("md/getChart", "", bad).Status, bad)
	}
	assert.Equal(t, "UnknownSymbol", mdFailureOf(t, c.call("md/getChart", "", `{"symbol":"@XX","chartDescription":{"underlyingType":"Tick"},"timeRange":{"asMuchAsElements":5}}`)))
}

// F-11: tick packets decoded with the documented rule give back the
// trades exactly — time to the millisecond, price, size, and the book at
// the trade — history (several packets) and real time alike, off-grid
// prices included.
func TestChartTicksF11(t *testing.T) {
	s, _ := start(t)
	tok := login(t, s, s.Credentials())
	c := mdSocket(t, s, tok)

	rng := rand.New(rand.NewPCG(7, 11))
	tick := venue.MustParsePrice("0.25")
	bid := venue.MustParsePrice("4800")
	var trades []venue.Tick
	var lastQuote venue.Tick
	at := openTime
	for i := range 1234 {
		at = at.Add(time.Duration(1+rng.IntN(900)) * time.Millisecond)
		id, _ := s.ContractID("ESM6")
		tk := venue.Tick{Time: at.UnixNano(), Contract: id}
		if i > 0 && rng.IntN(3) > 0 {
			bid += tick * venue.Price(rng.IntN(3)-1)
			tk.Flags |= venue.HasQuote
			tk.Bid, tk.Ask, tk.BidSize, tk.AskSize = bid, bid+tick, int32(1+rng.IntN(50)), int32(1+rng.IntN(50))
		}
		if i == 0 || rng.IntN(2) == 0 {
			tk.Flags |= venue.HasTrade
			tk.Price, tk.Size = bid+tick*venue.Price(rng.IntN(2)), int32(1+rng.IntN(9))
		}
		if tk.Flags&venue.HasQuote != 0 {
			lastQuote = tk
		}
		if tk.Flags&venue.HasTrade != 0 {
			want := tk
			if tk.Flags&venue.HasQuote == 0 && lastQuote.Flags != 0 {
				want.Bid, want.Ask, want.BidSize, want.AskSize = lastQuote.Bid, lastQuote.Ask, lastQuote.BidSize, lastQuote.AskSize
				want.Flags |= venue.HasQuote
			}
			trades = append(trades, want)
		}
		s.Feed(tk)
	}
	require.Greater(t, len(trades), 500, "enough for several packets")

	r := getChart(t, c, `{"symbol":"ESM6","chartDescription":{"underlyingType":"Tick","elementSize":1,"elementSizeUnit":"UnderlyingUnits","withHistogram":false},"timeRange":{"asMuchAsElements":5000}}`)
	packets := chartPackets(t, c, r.HistoricalID)
	require.Greater(t, len(packets), 1)
	check := func(packets []wire.ChartPacket, want []venue.Tick) {
		t.Helper()
		var got []wire.TickValue
		for _, p := range packets {
			assert.Equal(t, wire.ChartSourceDB, p.Source)
			assert.Equal(t, 20260304, p.TradeDate)
			vs, err := p.DecodeTicks()
			require.NoError(t, err)
			got = append(got, vs...)
		}
		require.Len(t, got, len(want))
		for i, w := range want {
			g := got[i]
			require.Equal(t, time.Unix(0, w.Time).UTC().Truncate(time.Millisecond), g.Time, i)
			require.Equal(t, w.Price, g.Price, i)
			require.Equal(t, int64(w.Size), g.Size.IntPart(), i)
			require.Equal(t, w.Flags&venue.HasQuote != 0, g.HasBid, i)
			require.Equal(t, w.Flags&venue.HasQuote != 0, g.HasAsk, i)
			if g.HasBid {
				require.Equal(t, w.Bid, g.Bid, i)
				require.Equal(t, w.Ask, g.Ask, i)
				require.Equal(t, int64(w.BidSize), g.BidSize.IntPart(), i)
				require.Equal(t, int64(w.AskSize), g.AskSize.IntPart(), i)
			}
			if i > 0 {
				require.Equal(t, got[i-1].ID+1, g.ID, "tick ids count up")
			}
		}
	}
	check(packets, trades)

	// The packet and tick fields are F-11's.
	raw := eventData(t, mustFrame(t, c, func() {
		mdTick(t, s, "ESM6", at.Add(time.Second), "4810", "4810.25", 5, 6, "4810.25", 2)
	}), wire.EventChart)
	var live wire.ChartEvent
	require.NoError(t, json.Unmarshal(raw, &live))
	want := shape(t, []byte(`{"e":"chart","d":`+f11+`}`))
	got := shape(t, asEvent(wire.EventChart, raw))
	assert.Equal(t, want[".d.charts.tks"], got[".d.charts.tks"])
	assert.Equal(t, []string{"bp", "bt", "id", "s", "td", "tks", "ts"}, got[".d.charts"])
	assert.Equal(t, r.RealtimeID, live.Charts[0].ID)
	check(live.Charts, []venue.Tick{{Time: at.Add(time.Second).UnixNano(), Price: venue.MustParsePrice("4810.25"), Size: 2, Flags: venue.HasQuote,
		Bid: venue.MustParsePrice("4810"), Ask: venue.MustParsePrice("4810.25"), BidSize: 5, AskSize: 6}})

	// A price off the contract's grid still decodes exactly: ts shrinks.
	raw = eventData(t, mustFrame(t, c, func() {
		mdTick(t, s, "ESM6", at.Add(2*time.Second), "4810", "4810.25", 5, 6, "4810.1", 1)
	}), wire.EventChart)
	require.NoError(t, json.Unmarshal(raw, &live))
	assert.Equal(t, "0.05", live.Charts[0].TickSize.String())
	vs, err := live.Charts[0].DecodeTicks()
	require.NoError(t, err)
	assert.Equal(t, "4810.1", vs[0].Price.String())
	assert.Equal(t, "4810.25", vs[0].Ask.String())
}

// mustFrame runs fn and returns the next data frame.
func mustFrame(t testing.TB, c *client, fn func()) string {
	t.Helper()
	fn()
	return c.data()
}
