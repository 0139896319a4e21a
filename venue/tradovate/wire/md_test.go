package wire_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// Fixtures F-6 … F-13 of the reference, verbatim.
const (
	f6  = `{"e":"md","d":{"quotes":[{"timestamp":"2021-04-13T04:59:06.588Z","contractId":123456,"entries":{"Bid":{"price":18405.123,"size":7.123},"TotalTradeVolume":{"size":4118.123},"Offer":{"price":18410.012,"size":12.35},"LowPrice":{"price":18355.23},"Trade":{"price":18405.023,"size":2.10},"OpenInterest":{"size":40702.024},"OpeningPrice":{"price":18515.123},"HighPrice":{"price":18520.125},"SettlementPrice":{"price":18520.257}}}]}}`
	f6b = `{"e":"md","d":{"quotes":[{"timestamp":"2017-04-13T04:59:06.588Z","contractId":123456,"entries":{"Bid":{"price":18405,"size":7},"TotalTradeVolume":{"price":18405,"size":7},"Offer":{"price":18410,"size":12},"LowPrice":{"price":18405,"size":7},"Trade":{"price":18405,"size":2},"OpenInterest":{"price":18405,"size":7},"OpeningPrice":{"price":18405,"size":7},"HighPrice":{"price":18405,"size":7},"SettlementPrice":{"price":18405,"size":7},"EmptyBook":{"price":18405,"size":7}}}]}}`
	f7  = `{"e":"md","d":{"doms":[{"contractId":123456,"timestamp":"2021-04-13T11:33:57.488Z","bids":[{"price":2335.25,"size":33.54},{"price":2333,"size":758.21}],"offers":[{"price":2335.5,"size":255.12},{"price":2337.75,"size":466.64}]}]}}`
	f8  = `{"e":"md","d":{"histograms":[{"contractId":123456,"timestamp":"2017-04-13T11:33:57.412Z","tradeDate":{"year":2022,"month":4,"day":13},"base":2338.75,"items":{"-14":5906.67,"2":1234.55},"refresh":false}]}}`
	f9  = `{"symbol":"ESZ4","chartDescription":{"underlyingType":"MinuteBar","elementSize":1,"elementSizeUnit":"UnderlyingUnits","withHistogram":false},"timeRange":{"asMuchAsElements":100}}`
	f10 = `{"e":"chart","d":{"charts":[{"id":9,"td":20170413,"bars":[{"timestamp":"2017-04-13T11:00:00.000Z","open":2334.25,"high":2334.5,"low":2333,"close":2333.75,"upVolume":4712.234,"downVolume":201.124,"upTicks":1333.567,"downTicks":82.890,"bidVolume":2857.123,"offerVolume":2056.224}]}]}}`
	f11 = `{"charts":[{"id":16335,"s":"db","td":20210718,"bp":11917,"bt":1563421179735,"ts":0.25,"tks":[{"t":0,"p":0,"s":3,"b":-1,"a":0,"bs":122.21,"as":28.35,"id":11768401}]},{"id":16335,"eoh":true}]}`
	f13 = `a[{"e":"clock","d":"{\"t\":\"2019-08-26T16:43:08.599Z\",\"s\":20}"}]`
)

func mdEvent(t *testing.T, s string) wire.MDEvent {
	t.Helper()
	var ev wire.Event
	ev.Data = &wire.MDEvent{}
	require.NoError(t, json.Unmarshal([]byte(s), &ev))
	return *ev.Data.(*wire.MDEvent)
}

func TestQuoteDOMHistogramFixtures(t *testing.T) {
	q := mdEvent(t, f6).Quotes[0]
	assert.Equal(t, int64(123456), q.ContractID)
	assert.Equal(t, time.Date(2021, 4, 13, 4, 59, 6, 588e6, time.UTC), q.Timestamp.Time)
	e := q.Entries
	assert.Equal(t, "18405.123", e.Bid.Price.String())
	assert.Equal(t, "7.123", e.Bid.Size.String())
	assert.Nil(t, e.TotalTradeVolume.Price)
	assert.Equal(t, "4118.123", e.TotalTradeVolume.Size.String())
	assert.Equal(t, "2.1", e.Trade.Size.String())
	assert.Equal(t, "40702.024", e.OpenInterest.Size.String())
	assert.Equal(t, "18520.257", e.SettlementPrice.Price.String())
	assert.Nil(t, e.EmptyBook)
	assert.Equal(t, "18405", mdEvent(t, f6b).Quotes[0].Entries.EmptyBook.Price.String())

	d := mdEvent(t, f7).DOMs[0]
	require.Len(t, d.Bids, 2)
	assert.Equal(t, "2333", d.Bids[1].Price.String())
	assert.Equal(t, "466.64", d.Offers[1].Size.String())

	h := mdEvent(t, f8).Histograms[0]
	assert.Equal(t, wire.TradeDate{Year: 2022, Month: 4, Day: 13}, h.TradeDate)
	assert.Equal(t, "2338.75", h.Base.String())
	assert.Equal(t, "5906.67", h.Items["-14"].String())
	assert.False(t, h.Refresh)

	// Prices go back out exactly.
	b, err := wire.Marshal(q)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"Bid":{"price":18405.123,"size":7.123}`)
}

func TestMDSymbol(t *testing.T) {
	var r wire.MDRequest
	require.NoError(t, json.Unmarshal([]byte(`{"symbol":"ESM7"}`), &r))
	assert.Equal(t, wire.SymbolName("ESM7"), r.Symbol)
	require.NoError(t, json.Unmarshal([]byte(`{"symbol":123456}`), &r))
	assert.Equal(t, wire.SymbolID(123456), r.Symbol)
	assert.Equal(t, "123456", r.Symbol.String())
	require.NoError(t, json.Unmarshal([]byte(`{"symbol":"123456"}`), &r))
	assert.Equal(t, wire.SymbolName("123456"), r.Symbol, "a string stays a name")
	assert.Error(t, json.Unmarshal([]byte(`{"symbol":true}`), &r))
	assert.Error(t, json.Unmarshal([]byte(`{"symbol":1.5}`), &r))
	for _, s := range []wire.MDSymbol{wire.SymbolName("@ES"), wire.SymbolID(7)} {
		b, err := wire.Marshal(wire.MDRequest{Symbol: s})
		require.NoError(t, err)
		var back wire.MDRequest
		require.NoError(t, json.Unmarshal(b, &back))
		assert.Equal(t, s, back.Symbol)
	}
}

func TestGetChartFixtures(t *testing.T) {
	var req wire.GetChart
	require.NoError(t, json.Unmarshal([]byte(f9), &req))
	assert.Equal(t, wire.GetChart{
		Symbol:           wire.SymbolName("ESZ4"),
		ChartDescription: wire.ChartDescription{UnderlyingType: wire.ChartTypeMinuteBar, ElementSize: 1, ElementSizeUnit: wire.ChartUnitUnderlying},
		TimeRange:        wire.TimeRange{AsMuchAsElements: 100},
	}, req)

	var resp wire.GetChartResponse
	require.NoError(t, json.Unmarshal([]byte(`{"historicalId":32,"realtimeId":31}`), &resp))
	assert.Equal(t, wire.GetChartResponse{HistoricalID: 32, RealtimeID: 31}, resp)

	var ev struct {
		D wire.ChartEvent `json:"d"`
	}
	require.NoError(t, json.Unmarshal([]byte(f10), &ev))
	p := ev.D.Charts[0]
	assert.Equal(t, 20170413, p.TradeDate)
	bar := p.Bars[0]
	assert.Equal(t, "2333.75", bar.Close.String())
	assert.Equal(t, "82.89", bar.DownTicks.String())
	td, err := wire.ParseTradeDate(p.TradeDate)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2017, 4, 13, 0, 0, 0, 0, time.UTC), td)
	_, err = wire.ParseTradeDate(2017)
	assert.Error(t, err)
}

// F-11 decoded by the documented rule gives the reference's numbers.
func TestTickPacketF11(t *testing.T) {
	var ev wire.ChartEvent
	require.NoError(t, json.Unmarshal([]byte(f11), &ev))
	require.Len(t, ev.Charts, 2)
	assert.True(t, ev.Charts[1].EOH, "F-12")
	ticks, err := ev.Charts[0].DecodeTicks()
	require.NoError(t, err)
	require.Len(t, ticks, 1)
	tk := ticks[0]
	assert.Equal(t, time.UnixMilli(1563421179735).UTC(), tk.Time)
	assert.Equal(t, "2979.25", tk.Price.String())
	assert.Equal(t, "2979", tk.Bid.String())
	assert.Equal(t, "2979.25", tk.Ask.String())
	assert.Equal(t, "122.21", tk.BidSize.String())
	assert.Equal(t, "28.35", tk.AskSize.String())
	assert.Equal(t, "3", tk.Size.String())
	assert.Equal(t, int64(11768401), tk.ID)

	none, err := ev.Charts[1].DecodeTicks()
	assert.NoError(t, err)
	assert.Empty(t, none)
	for _, bad := range []string{
		`{"id":1,"bp":1,"ts":0,"tks":[{"t":0,"p":0,"s":1,"id":1}]}`,
		`{"id":1,"bp":1,"ts":0.25,"tks":[{"t":0,"p":0,"s":1,"bs":1,"id":1}]}`,
		`{"id":1,"bp":1,"ts":0.25,"tks":[{"t":0,"p":0,"s":1,"as":1,"id":1}]}`,
	} {
		var p wire.ChartPacket
		require.NoError(t, json.Unmarshal([]byte(bad), &p))
		_, err := p.DecodeTicks()
		assert.Error(t, err, bad)
	}
}

// Clients send counts as strings and misspell asFarAsTimestamp.
func TestTimeRangeLeniency(t *testing.T) {
	var r wire.TimeRange
	require.NoError(t, json.Unmarshal([]byte(`{"asMuchAsElements":"66","closestTickId":"123","asFarAsTimeStamp":"2017-04-13T11:33Z","closestTimestamp":"2017-04-14T11:33:00.000Z"}`), &r))
	assert.Equal(t, int64(66), r.AsMuchAsElements)
	assert.Equal(t, int64(123), r.ClosestTickID)
	assert.Equal(t, time.Date(2017, 4, 13, 11, 33, 0, 0, time.UTC), r.AsFarAsTimestamp.Time)
	assert.Equal(t, time.Date(2017, 4, 14, 11, 33, 0, 0, time.UTC), r.ClosestTimestamp.Time)
	require.NoError(t, json.Unmarshal([]byte(`{"asMuchAsElements":66,"asFarAsTimestamp":null}`), &r))
	assert.Equal(t, wire.TimeRange{AsMuchAsElements: 66}, r)
	assert.False(t, r.IsZero())
	require.NoError(t, json.Unmarshal([]byte(`{}`), &r))
	assert.True(t, r.IsZero())
	for _, bad := range []string{`{"asMuchAsElements":"x"}`, `{"asMuchAsElements":1.5}`, `{"closestTimestamp":"yesterday"}`, `[]`} {
		assert.Error(t, json.Unmarshal([]byte(bad), &r), bad)
	}
	var d wire.ChartDescription
	require.NoError(t, json.Unmarshal([]byte(`{"underlyingType":"Tick","elementSize":"1"}`), &d))
	assert.Equal(t, int64(1), d.ElementSize)
	b, err := wire.Marshal(wire.TimeRange{AsMuchAsElements: 5})
	require.NoError(t, err)
	assert.Equal(t, `{"asMuchAsElements":5}`, string(b))
}

// F-13: the clock event's d is a JSON string holding JSON.
func TestClockF13(t *testing.T) {
	f, err := wire.ParseFrame([]byte(f13))
	require.NoError(t, err)
	var d []byte
	require.NoError(t, f.Messages(func(m []byte) error {
		msg, err := wire.ParseMessage(m)
		d = msg.Data
		return err
	}))
	c, err := wire.ParseClock(d)
	require.NoError(t, err)
	assert.Equal(t, wire.Clock{T: wire.TimeOf(time.Date(2019, 8, 26, 16, 43, 8, 599e6, time.UTC)), S: 20}, c)
	assert.Equal(t, string(d), string(wire.AppendClock(nil, c)), "written exactly as the fixture")
	c2, err := wire.ParseClock([]byte(`{"t":"2019-08-26T16:43:08.599Z","s":0}`))
	require.NoError(t, err)
	assert.Equal(t, 0, c2.S)
	_, err = wire.ParseClock([]byte(`"{"`))
	assert.Error(t, err)

	b, err := wire.Marshal(wire.CheckReplaySessionResponse{CheckStatus: wire.CheckStatusOK})
	require.NoError(t, err)
	assert.Equal(t, `{"checkStatus":"OK"}`, string(b))
	var init wire.InitializeClock
	require.NoError(t, json.Unmarshal([]byte(`{"startTimestamp":"2019-08-26T16:43:00.000Z","speed":20,"initialBalance":51000}`), &init))
	assert.Equal(t, 20, init.Speed)
	assert.Equal(t, "51000", init.InitialBalance.String())
}

// FuzzChartPacket: no chart event or time range panics the decoders.
func FuzzChartPacket(f *testing.F) {
	for _, s := range []string{f11, `{"charts":[{"id":1,"bp":-9223372036854775808,"ts":1e-9,"tks":[{"t":1,"p":9223372036854775807,"s":1,"b":1,"bs":1,"id":1}]}]}`, `{"charts":[{"ts":"x"}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var ev wire.ChartEvent
		if json.Unmarshal(b, &ev) == nil {
			for i := range ev.Charts {
				_, _ = ev.Charts[i].DecodeTicks()
			}
		}
		var req wire.GetChart
		_ = json.Unmarshal(b, &req)
		_, _ = wire.ParseClock(b)
	})
}
