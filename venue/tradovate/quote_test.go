package tradovate

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

var qdUpdate = flag.Bool("qd.update", false, "rewrite testdata/quote/*.golden")

// Fixtures F-6 and F-6b of the protocol reference, verbatim.
const (
	qdF6  = `{"e":"md","d":{"quotes":[{"timestamp":"2021-04-13T04:59:06.588Z","contractId":123456,"entries":{"Bid":{"price":18405.123,"size":7.123},"TotalTradeVolume":{"size":4118.123},"Offer":{"price":18410.012,"size":12.35},"LowPrice":{"price":18355.23},"Trade":{"price":18405.023,"size":2.10},"OpenInterest":{"size":40702.024},"OpeningPrice":{"price":18515.123},"HighPrice":{"price":18520.125},"SettlementPrice":{"price":18520.257}}}]}}`
	qdF6b = `{"e":"md","d":{"quotes":[{"timestamp":"2017-04-13T04:59:06.588Z","contractId":123456,"entries":{"Bid":{"price":18405,"size":7},"TotalTradeVolume":{"price":18405,"size":7},"Offer":{"price":18410,"size":12},"LowPrice":{"price":18405,"size":7},"Trade":{"price":18405,"size":2},"OpenInterest":{"price":18405,"size":7},"OpeningPrice":{"price":18405,"size":7},"HighPrice":{"price":18405,"size":7},"SettlementPrice":{"price":18405,"size":7},"EmptyBook":{"price":18405,"size":7}}}]}}`
)

func qdPx(s string) venue.Price { return venue.MustParsePrice(s) }

func qdNS(s string) int64 {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UnixNano()
}

// qdQuoteFrame builds a one-quote md frame; entries is the inside of "entries".
func qdQuoteFrame(id int64, ts, entries string) string {
	return fmt.Sprintf(`a[{"e":"md","d":{"quotes":[{"timestamp":%q,"contractId":%d,"entries":{%s}}]}}]`, ts, id, entries)
}

func qdDecode(t *testing.T, d *QuoteDecoder, frame string, recv int64) []venue.Tick {
	t.Helper()
	ticks, err := d.Decode([]byte(frame), recv, nil)
	require.NoError(t, err, frame)
	return ticks
}

func TestQuoteDecoderF6(t *testing.T) {
	d := NewQuoteDecoder(4)
	ticks := qdDecode(t, d, "a["+qdF6+"]", 77)
	require.Len(t, ticks, 1)
	assert.Equal(t, venue.Tick{
		Time: qdNS("2021-04-13T04:59:06.588Z"), Recv: 77, Contract: 123456,
		Bid: qdPx("18405.123"), BidSize: 7, Ask: qdPx("18410.012"), AskSize: 12,
		Flags: venue.HasQuote,
	}, ticks[0], "first sight: the volume 4118.123 is only the baseline")

	// The same snapshot again gives the same quote and still no trade.
	assert.Equal(t, ticks, qdDecode(t, d, "a["+qdF6+"]", 77))

	// The volume rises by 2.5 contracts at the ask: a buy of 3 (halves up).
	next := strings.Replace(qdF6, `"TotalTradeVolume":{"size":4118.123}`, `"TotalTradeVolume":{"size":4120.623}`, 1)
	next = strings.Replace(next, `"Trade":{"price":18405.023,"size":2.10}`, `"Trade":{"price":18410.012,"size":2.10}`, 1)
	ticks = qdDecode(t, d, "a["+next+"]", 78)
	require.Len(t, ticks, 1)
	tk := ticks[0]
	assert.Equal(t, venue.HasQuote|venue.HasTrade, tk.Flags)
	assert.Equal(t, "18410.012", tk.Price.String())
	assert.Equal(t, int32(3), tk.Size, "the volume rise, not the Trade entry's 2.10")
	assert.Equal(t, venue.Buy, tk.Aggressor)
}

func TestQuoteDecoderF6b(t *testing.T) {
	d := NewQuoteDecoder(1)
	ticks := qdDecode(t, d, "a["+qdF6b+"]", 0)
	require.Len(t, ticks, 1)
	assert.Equal(t, venue.Tick{
		Time: qdNS("2017-04-13T04:59:06.588Z"), Contract: 123456,
		Bid: qdPx("18405"), BidSize: 7, Ask: qdPx("18410"), AskSize: 12, Flags: venue.HasQuote,
	}, ticks[0], "EmptyBook is ignored when Bid and Offer are present")

	next := strings.Replace(qdF6b, `"TotalTradeVolume":{"price":18405,"size":7}`, `"TotalTradeVolume":{"price":18405,"size":9}`, 1)
	ticks = qdDecode(t, d, "a["+next+"]", 0)
	require.Len(t, ticks, 1)
	assert.Equal(t, venue.HasQuote|venue.HasTrade, ticks[0].Flags)
	assert.Equal(t, qdPx("18405"), ticks[0].Price)
	assert.Equal(t, int32(2), ticks[0].Size)
	assert.Equal(t, venue.Sell, ticks[0].Aggressor, "at the bid")
}

// One frame, several messages, several quotes, mixed with what the md
// socket also sends: ticks come out in order, the rest is skipped.
func TestQuoteDecoderMultiQuoteFrame(t *testing.T) {
	frame := `a[{"s":200,"i":1,"d":{"subscriptionId":1}},` +
		`{"e":"md","d":{"quotes":[` +
		`{"timestamp":"2026-03-04T16:00:00.000Z","contractId":1,"entries":{"Bid":{"price":4800,"size":10},"Offer":{"price":4800.25,"size":20},"TotalTradeVolume":{"size":100}}},` +
		`{"timestamp":"2026-03-04T16:00:00.001Z","contractId":2,"entries":{"Bid":{"price":21000,"size":1},"Offer":{"price":21000.5,"size":2}}}]}},` +
		`{"e":"md","d":{"doms":[{"contractId":1,"timestamp":"2026-03-04T16:00:00.000Z","bids":[],"offers":[]}]}},` +
		`{"e":"props","d":{"entityType":"order","eventType":"Created","entity":{"id":1}}},` +
		`{"e":"md","d":{"quotes":[` +
		`{"timestamp":"2026-03-04T16:00:00.002Z","contractId":1,"entries":{"Bid":{"price":4800,"size":10},"Offer":{"price":4800.5,"size":4},"TotalTradeVolume":{"size":116},"Trade":{"price":4800.25,"size":6}}}]}}]`
	d := NewQuoteDecoder(2)
	buf := make([]venue.Tick, 0, 8)
	ticks, err := d.Decode([]byte(frame), 5, buf)
	require.NoError(t, err)
	require.Len(t, ticks, 3)
	assert.Equal(t, []venue.ContractID{1, 2, 1}, []venue.ContractID{ticks[0].Contract, ticks[1].Contract, ticks[2].Contract})
	assert.Equal(t, venue.HasQuote, ticks[0].Flags)
	assert.Equal(t, venue.HasQuote, ticks[1].Flags)
	assert.Equal(t, qdNS("2026-03-04T16:00:00.001Z"), ticks[1].Time)
	tr := ticks[2]
	assert.Equal(t, venue.HasQuote|venue.HasTrade, tr.Flags)
	assert.Equal(t, int32(16), tr.Size, "16 contracts traded since the last quote; Trade shows only the last 6")
	assert.Equal(t, venue.Buy, tr.Aggressor, "at the previous ask 4800.25")
	assert.Equal(t, qdPx("4800.5"), tr.Ask)
	assert.Same(t, &buf[:1][0], &ticks[0], "appends into the caller's buffer")
}

// Volume drives trades: deltas, baselines, restarts and unpriced rises.
func TestQuoteDecoderVolume(t *testing.T) {
	const book = `"Bid":{"price":100,"size":5},"Offer":{"price":100.25,"size":5}`
	steps := []struct {
		name     string
		entries  string
		trade    bool
		size     int32
		price    string
		aggr     venue.Side
		hasQuote bool
	}{
		{name: "first sight sets the baseline", entries: book + `,"TotalTradeVolume":{"size":50},"Trade":{"price":100}`, hasQuote: true},
		{name: "rise at the bid", entries: book + `,"TotalTradeVolume":{"size":53},"Trade":{"price":100}`, trade: true, size: 3, price: "100", aggr: venue.Sell, hasQuote: true},
		{name: "unchanged volume is no trade", entries: book + `,"TotalTradeVolume":{"size":53},"Trade":{"price":100}`, hasQuote: true},
		{name: "no volume entry leaves the baseline", entries: book + `,"Trade":{"price":100.25}`, hasQuote: true},
		{name: "rise above the ask, no book in this quote", entries: `"TotalTradeVolume":{"size":54},"Trade":{"price":100.5}`, trade: true, size: 1, price: "100.5", aggr: venue.Buy},
		{name: "a falling count restarts the baseline", entries: `"TotalTradeVolume":{"size":2},"Trade":{"price":101}`},
		{name: "rise from the new baseline, between bid and ask", entries: `"Bid":{"price":100},"Offer":{"price":100.5},"TotalTradeVolume":{"size":4},"Trade":{"price":101}`, trade: true, size: 2, price: "101", aggr: venue.Buy, hasQuote: true},
		{name: "inside the spread", entries: book + `,"TotalTradeVolume":{"size":5},"Trade":{"price":100.25}`, trade: true, size: 1, price: "100.25", aggr: venue.SideNone, hasQuote: true},
		{name: "a rise without a trade price moves the baseline only", entries: `"TotalTradeVolume":{"size":9},"Trade":{"size":4}`},
		{name: "so the next rise counts from it", entries: `"TotalTradeVolume":{"size":10},"Trade":{"price":100}`, trade: true, size: 1, price: "100", aggr: venue.Sell},
		{name: "null volume size is no volume", entries: `"TotalTradeVolume":{"size":null},"Trade":{"price":100}`},
		{name: "fractional rise below half a contract is still 1", entries: `"TotalTradeVolume":{"size":10.2},"Trade":{"price":100}`, trade: true, size: 1, price: "100", aggr: venue.Sell},
	}
	d := NewQuoteDecoder(1)
	for i, s := range steps {
		ticks := qdDecode(t, d, qdQuoteFrame(7, "2026-03-04T16:00:00.000Z", s.entries), int64(i))
		if !s.trade && !s.hasQuote {
			assert.Empty(t, ticks, s.name)
			continue
		}
		require.Len(t, ticks, 1, s.name)
		tk := ticks[0]
		assert.Equal(t, s.trade, tk.IsTrade(), s.name)
		assert.Equal(t, s.hasQuote, tk.IsQuote(), s.name)
		if s.trade {
			assert.Equal(t, s.size, tk.Size, s.name)
			assert.Equal(t, qdPx(s.price), tk.Price, s.name)
			assert.Equal(t, s.aggr, tk.Aggressor, s.name)
		}
	}

	// Reset forgets the baseline, as after a reconnect.
	d.Reset()
	assert.False(t, qdDecode(t, d, qdQuoteFrame(7, "2026-03-04T16:00:01.000Z", `"TotalTradeVolume":{"size":90},"Trade":{"price":100},"Bid":{"price":1}`), 0)[0].IsTrade())
}

// A quote is a snapshot: a missing side is an empty side.
func TestQuoteDecoderMissingEntries(t *testing.T) {
	cases := []struct {
		name    string
		entries string
		want    *venue.Tick // nil: no tick
	}{
		{"offer only", `"Offer":{"price":5.5,"size":3}`, &venue.Tick{Ask: qdPx("5.5"), AskSize: 3, Flags: venue.HasQuote}},
		{"bid without size", `"Bid":{"price":5}`, &venue.Tick{Bid: qdPx("5"), Flags: venue.HasQuote}},
		{"bid size without price is no bid", `"Bid":{"size":4},"Offer":{"price":6,"size":1}`, &venue.Tick{Ask: qdPx("6"), AskSize: 1, Flags: venue.HasQuote}},
		{"empty book", `"EmptyBook":{}`, &venue.Tick{Flags: venue.HasQuote}},
		{"null entry is absent", `"Bid":null,"LowPrice":{"price":1}`, nil},
		{"statistics only", `"LowPrice":{"price":1},"HighPrice":{"price":2},"OpenInterest":{"size":3}`, nil},
		{"no entries", ``, nil},
		{"fractional sizes", `"Bid":{"price":1,"size":0.2},"Offer":{"price":2,"size":"1.5"}`, &venue.Tick{Bid: qdPx("1"), BidSize: 1, Ask: qdPx("2"), AskSize: 2, Flags: venue.HasQuote}},
		{"keys folded like encoding/json", `"bid":{"PRICE":1,"Size":2},"OFFER":{"price":3}`, &venue.Tick{Bid: qdPx("1"), BidSize: 2, Ask: qdPx("3"), Flags: venue.HasQuote}},
		{"escaped key", `"Bi\u0064":{"price":1}`, &venue.Tick{Bid: qdPx("1"), Flags: venue.HasQuote}},
		{"huge size is clamped", `"Bid":{"price":1,"size":9000000000}`, &venue.Tick{Bid: qdPx("1"), BidSize: math.MaxInt32, Flags: venue.HasQuote}},
		{"trailing zeros past nine decimals", `"Bid":{"price":1,"size":2.000000000000}`, &venue.Tick{Bid: qdPx("1"), BidSize: 2, Flags: venue.HasQuote}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ticks := qdDecode(t, NewQuoteDecoder(1), qdQuoteFrame(3, "2026-03-04T16:00:00.000Z", c.entries), 9)
			if c.want == nil {
				assert.Empty(t, ticks)
				return
			}
			require.Len(t, ticks, 1)
			w := *c.want
			w.Time, w.Recv, w.Contract = qdNS("2026-03-04T16:00:00.000Z"), 9, 3
			assert.Equal(t, w, ticks[0])
		})
	}
}

func TestQDContracts(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int32
	}{
		{"0", 0}, {"0.000000001", 1}, {"0.3", 1}, {"0.5", 1}, {"1.4999", 1}, {"1.5", 2}, {"2.5", 3}, {"7.123", 7}, {"12.35", 12},
		{"2147483647", math.MaxInt32}, {"2147483647.5", math.MaxInt32}, {"9000000000", math.MaxInt32},
	} {
		s, err := qdSize([]byte(c.in))
		require.NoError(t, err, c.in)
		assert.Equal(t, c.want, qdContracts(s), c.in)
	}
	for _, bad := range []string{"-1", "x", "1e10", "0.0000000001", `"-0.5"`, "true", "{}"} {
		_, err := qdSize([]byte(bad))
		assert.Error(t, err, bad)
	}
}

// The fast timestamp path agrees with wire.Time on what it reads, and the
// rest goes through wire.Time.
func TestQDTimestamp(t *testing.T) {
	for _, s := range []string{
		"2021-04-13T04:59:06.588Z", "2021-04-13T04:59:06Z", "2021-04-13T04:59:06.5Z", "2024-02-29T23:59:59.999999999Z",
		"2024-02-29T23:59:59.9999999999Z", "1970-01-01T00:00:00.000Z", "1969-12-31T23:59:59.999Z", "2261-12-31T23:59:59.999Z",
		"1679-01-01T00:00:00Z", "2017-12-15T22:29Z", "2021-04-13T06:59:06.588+02:00", "2021-04-13T04:59:06.588",
		"2021-04-13T04:59", "2021-04-13", "2021-04-13T04:59:06,588Z",
	} {
		want, err := wire.ParseTime(s)
		require.NoError(t, err, s)
		got, ok, err := qdTimestamp([]byte(strconv.Quote(s)))
		require.NoError(t, err, s)
		assert.True(t, ok, s)
		assert.Equal(t, want.UnixNano(), got, s)
	}
	// Forms wire.Time rejects, and years a tick cannot hold.
	for _, s := range []string{
		"2023-02-29T00:00:00Z", "2021-13-01T00:00:00Z", "2021-04-13T24:00:00Z", "2021-04-13T04:60:00Z", "2021-04-13T04:59:60Z",
		"2021-04-13T04:59:06.Z", "yesterday", " 2021-04-13T04:59:06Z", "1600-01-01T00:00:00Z", "2262-06-01T00:00:00Z", "9999-12-31T23:59:59Z",
	} {
		_, _, err := qdTimestamp([]byte(strconv.Quote(s)))
		assert.Error(t, err, s)
	}
	for _, v := range []string{"5", "{}", `"\u0032"`} {
		_, _, err := qdTimestamp([]byte(v))
		assert.Error(t, err, v)
	}
	// No timestamp: the tick takes recv.
	for _, v := range []string{"null", `""`, `"0001-01-01T00:00:00Z"`} {
		_, ok, err := qdTimestamp([]byte(v))
		require.NoError(t, err, v)
		assert.False(t, ok, v)
	}
	ticks := qdDecode(t, NewQuoteDecoder(1), `a[{"e":"md","d":{"quotes":[{"contractId":1,"entries":{"Bid":{"price":1}}}]}}]`, 1234)
	require.Len(t, ticks, 1)
	assert.Equal(t, int64(1234), ticks[0].Time)
}

// Frames that carry no quotes give nothing and no error.
func TestQuoteDecoderSkips(t *testing.T) {
	for _, f := range []string{
		"o", "h", " h\n", `c[3000, "Go away!"]`, "a[]", `a[{"s":200,"i":2}]`, `a[{"s":401,"i":2,"d":"Access is denied"}]`,
		`a[{"e":"props","d":{"entityType":"order","eventType":"Created","entity":{"id":210518,"accountId":25,"contractId":560901,"timestamp":"2016-11-04T00:02:36.626Z","action":"Sell","ordStatus":"PendingNew","admin":false}}}]`,
		`a[{"e":"chart","d":{"charts":[{"id":16335,"s":"db","td":20210718,"bp":11917,"bt":1563421179735,"ts":0.25,"tks":[{"t":0,"p":0,"s":3,"b":-1,"a":0,"bs":122.21,"as":28.35,"id":11768401}]},{"id":16335,"eoh":true}]}}]`,
		`a[{"e":"clock","d":"{\"t\":\"2019-08-26T16:43:08.599Z\",\"s\":20}"}]`,
		`a[{"e":"shutdown","d":{"reasonCode":"Maintenance"}}]`, `a[{"e":"somethingNew","d":[1,2,3]}]`,
		`a[{"e":"md","d":{"histograms":[{"contractId":1,"items":{"-14":5906.67}}]}}]`, `a[{"e":"md"}]`, `a[{"e":"md","d":null}]`,
		`a[{"e":"md","d":{"quotes":null}}]`, `a[{"e":"md","d":{"quotes":[null]}}]`, `a[{"e":"md","d":{"quotes":[{"contractId":1,"entries":null}]}}]`,
	} {
		ticks, err := NewQuoteDecoder(1).Decode([]byte(f), 0, nil)
		assert.NoError(t, err, f)
		assert.Empty(t, ticks, f)
	}
}

func TestQuoteDecoderMalformed(t *testing.T) {
	for _, f := range []string{
		"", "x", "a", "a[", "a[{", `a[{"e":"md","d":{"quotes":[{"contractId":1}]}`, "ax", "o1",
		`a[{"e":"md","d":5}]`, `a[{"e":"md","d":{"quotes":{}}}]`, `a[{"e":"md","d":{"quotes":[5]}}]`,
		`a[{"e":"md","d":{"quotes":[{"contractId":"1"}]}}]`, `a[{"e":"md","d":{"quotes":[{"contractId":1.5}]}}]`,
		`a[{"e":"md","d":{"quotes":[{"contractId":99999999999999999999}]}}]`, `a[{"e":"md","d":{"quotes":[{"timestamp":5}]}}]`,
		`a[{"e":"md","d":{"quotes":[{"timestamp":"later"}]}}]`, `a[{"e":"md","d":{"quotes":[{"entries":[]}]}}]`,
		`a[{"e":"md","d":{"quotes":[{"entries":{"Bid":5}}]}}]`, `a[{"e":"md","d":{"quotes":[{"entries":{"Bid":{"price":"abc"}}}]}}]`,
		`a[{"e":"md","d":{"quotes":[{"entries":{"Offer":{"price":1,"size":-2}}}]}}]`, `a[{"e":"md","d":{"quotes":[{"entries":{"TotalTradeVolume":{"size":1e12}}}]}}]`,
		`a[{"e":"md","d":{"quotes":[{"entries":{"Trade":{"price":1.0000000001}}}]}}]`, `a[{"e":"md","d":{"quotes":[{"entries":{"Bid":{"price":1,}}}]}}]`,
		`a[{"x":1}]`, `a["md"]`,
	} {
		assert.NotPanics(t, func() {
			_, err := NewQuoteDecoder(1).Decode([]byte(f), 0, nil)
			assert.Error(t, err, f)
		})
	}
}

// A bad quote stops the frame: earlier ticks come back with the error,
// and the bad quote changes no state.
func TestQuoteDecoderPartialFrame(t *testing.T) {
	d := NewQuoteDecoder(1)
	qdDecode(t, d, qdQuoteFrame(1, "2026-03-04T16:00:00Z", `"TotalTradeVolume":{"size":10}`), 0)
	frame := `a[{"e":"md","d":{"quotes":[` +
		`{"contractId":2,"entries":{"Bid":{"price":1}}},` +
		`{"contractId":1,"entries":{"TotalTradeVolume":{"size":20},"Trade":{"price":1},"Bid":{"price":"bad"}}}]}}]`
	ticks, err := d.Decode([]byte(frame), 0, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "entry Bid")
	require.Len(t, ticks, 1)
	assert.Equal(t, venue.ContractID(2), ticks[0].Contract)
	ticks = qdDecode(t, d, qdQuoteFrame(1, "2026-03-04T16:00:00Z", `"TotalTradeVolume":{"size":12},"Trade":{"price":1}`), 0)
	require.Len(t, ticks, 1)
	assert.Equal(t, int32(2), ticks[0].Size, "the baseline is still 10")
}

// The table grows past its hint and keeps every contract's state.
func TestQuoteDecoderManyContracts(t *testing.T) {
	d := NewQuoteDecoder(2)
	const n = 300
	for round := 1; round <= 2; round++ {
		for id := int64(-n / 2); id < n/2; id++ {
			vol := strconv.Itoa(round * 10)
			ticks := qdDecode(t, d, qdQuoteFrame(id*7919, "2026-03-04T16:00:00Z", `"TotalTradeVolume":{"size":`+vol+`},"Trade":{"price":1}`), 0)
			if round == 1 {
				assert.Empty(t, ticks)
				continue
			}
			require.Len(t, ticks, 1, "contract %d", id)
			assert.Equal(t, int32(10), ticks[0].Size)
			assert.Equal(t, venue.ContractID(id*7919), ticks[0].Contract)
		}
	}
	assert.Equal(t, n, d.used)
	var zero QuoteDecoder
	assert.Len(t, qdDecode(t, &zero, qdQuoteFrame(1, "2026-03-04T16:00:00Z", `"Bid":{"price":1}`), 0), 1, "the zero QuoteDecoder works")
}

// qdSteadyFrames are F-6 frames whose volume rises by one contract each,
// so every decode gives a trade-and-quote tick.
func qdSteadyFrames(n int) [][]byte {
	frames := make([][]byte, n)
	for i := range frames {
		s := strings.Replace(qdF6, `"TotalTradeVolume":{"size":4118.123}`, `"TotalTradeVolume":{"size":`+strconv.Itoa(4118+i)+`}`, 1)
		frames[i] = []byte("a[" + s + "]")
	}
	return frames
}

func TestQuoteDecoderZeroAlloc(t *testing.T) {
	frames := qdSteadyFrames(64)
	multi := []byte(`a[` + qdF6 + `,` + strings.Replace(qdF6b, "123456", "654321", 1) + `,{"e":"props","d":{"entityType":"order"}}]`)
	d := NewQuoteDecoder(4)
	out := make([]venue.Tick, 0, 16)
	var err error
	out, err = d.Decode(multi, 1, out[:0]) // first sight of both contracts
	require.NoError(t, err)
	i := 0
	allocs := testing.AllocsPerRun(1000, func() {
		out, err = d.Decode(frames[i%len(frames)], int64(i), out[:0])
		if err != nil || len(out) != 1 {
			panic(fmt.Sprint(err, len(out)))
		}
		out, err = d.Decode(multi, int64(i), out[:0])
		if err != nil || len(out) != 2 {
			panic(fmt.Sprint(err, len(out)))
		}
		out, err = d.Decode(wire.HeartbeatFrame, 0, out[:0])
		i++
	})
	assert.Zero(t, allocs, "allocations per steady-state decode")
}

// testdata/quote/session.frames is a recorded-style session (one frame a
// line, # comments); its ticks are pinned in session.golden. Run with
// -qd.update to rewrite it.
func TestQuoteDecoderGolden(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "quote", "session.frames"))
	require.NoError(t, err)
	d := NewQuoteDecoder(4)
	var got bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(in))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if len(bytes.TrimSpace(line)) == 0 || line[0] == '#' {
			continue
		}
		ticks, err := d.Decode(line, int64(n), nil)
		if err != nil {
			fmt.Fprintf(&got, "line %d: error: %v\n", n, err)
		}
		for _, tk := range ticks {
			fmt.Fprintf(&got, "line %d: %s\n", n, qdFormatTick(tk))
		}
	}
	require.NoError(t, sc.Err())
	golden := filepath.Join("testdata", "quote", "session.golden")
	if *qdUpdate {
		require.NoError(t, os.WriteFile(golden, got.Bytes(), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), got.String())
}

func qdFormatTick(t venue.Tick) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s contract=%d", t.At().Format("2006-01-02T15:04:05.000Z07:00"), t.Contract)
	if t.IsQuote() {
		fmt.Fprintf(&b, " bid=%s x %d ask=%s x %d", t.Bid, t.BidSize, t.Ask, t.AskSize)
	}
	if t.IsTrade() {
		fmt.Fprintf(&b, " trade=%d @ %s aggressor=%s", t.Size, t.Price, t.Aggressor)
	}
	return b.String()
}
