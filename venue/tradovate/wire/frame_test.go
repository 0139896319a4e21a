package wire_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// The four frames of fixture F-3, exactly as the spec shows them.
const (
	f3Response = `a[{"s":200,"i":23,"d":{"id":65543,"name":"CLZ6","contractMaturityId":6727}}]`
	f3Props    = `a[{"e":"props","d":{"entityType":"order","eventType":"Created","entity":{"id":210518,"accountId":25,"contractId":560901,"timestamp":"2016-11-04T00:02:36.626Z","action":"Sell","ordStatus":"PendingNew","admin":false}}}]`
	f3Empty    = `a[{"s":200,"i":2}]`
	f3Close    = `c[3000, "Go away!"]`
)

func messages(t *testing.T, f wire.Frame) []wire.Message {
	t.Helper()
	var out []wire.Message
	require.NoError(t, f.Messages(func(b []byte) error {
		m, err := wire.ParseMessage(b)
		if err != nil {
			return err
		}
		out = append(out, m)
		return nil
	}))
	return out
}

func TestParseFrameFixtureF3(t *testing.T) {
	f, err := wire.ParseFrame([]byte(f3Response))
	require.NoError(t, err)
	assert.Equal(t, wire.FrameArray, f.Type)
	ms := messages(t, f)
	require.Len(t, ms, 1)
	assert.Equal(t, 200, ms[0].Status)
	assert.Equal(t, int64(23), ms[0].ID)
	var c wire.Contract
	require.NoError(t, ms[0].Decode(&c))
	assert.Equal(t, wire.Contract{ID: 65543, Name: "CLZ6", ContractMaturityID: 6727}, c)

	f, err = wire.ParseFrame([]byte(f3Props))
	require.NoError(t, err)
	ms = messages(t, f)
	require.Len(t, ms, 1)
	assert.Equal(t, wire.EventProps, ms[0].Event)
	var p wire.PropsEvent
	require.NoError(t, json.Unmarshal(ms[0].Data, &p))
	orders, err := wire.DecodeEntities[wire.Order](p)
	require.NoError(t, err)
	require.Len(t, orders, 1)
	assert.Equal(t, int64(210518), orders[0].ID)
	assert.Equal(t, wire.OrdStatusPendingNew, orders[0].OrdStatus)
	assert.Equal(t, "2016-11-04T00:02:36.626Z", orders[0].Timestamp.UTC().Format(wire.TimeLayout))
	// Re-encoding the entity gives the fixture's bytes back.
	b, err := json.Marshal(orders[0])
	require.NoError(t, err)
	assert.JSONEq(t, string(p.Entity), string(b))
	assert.Equal(t, string(p.Entity), string(b))

	f, err = wire.ParseFrame([]byte(f3Empty))
	require.NoError(t, err)
	ms = messages(t, f)
	require.Len(t, ms, 1)
	assert.Nil(t, ms[0].Data)
	assert.NoError(t, ms[0].Decode(nil))

	f, err = wire.ParseFrame([]byte(f3Close))
	require.NoError(t, err)
	assert.Equal(t, wire.Frame{Type: wire.FrameClose, Code: 3000, Reason: "Go away!"}, f)
}

func TestParseFrameSimple(t *testing.T) {
	for _, s := range []string{"o", "h", " o\n"} {
		f, err := wire.ParseFrame([]byte(s))
		require.NoError(t, err, s)
		assert.Nil(t, f.Data)
	}
	bad := []string{"", " ", "x", "oo", "h[]", "a", "a{}", "a[", "c", "c[]", "c[\"x\"]", "c[99999999,\"x\"]", "c[1000,2]"}
	for _, s := range bad {
		_, err := wire.ParseFrame([]byte(s))
		assert.ErrorIs(t, err, wire.ErrFrame, "%q", s)
	}
}

func TestFrameMessagesMultiple(t *testing.T) {
	// F-14: two props events in one frame.
	const f14 = `a[{"e":"props","d":{"entityType":"command","eventType":"Created","entity":{"id":62539,"orderId":62496,"timestamp":"2018-05-02T15:35:00.495Z","commandType":"Modify","commandStatus":"Pending","senderId":18899,"userSessionId":0}}},{"e":"props","d":{"entityType":"orderVersion","eventType":"Created","entity":{"id":62539,"orderId":62496,"orderQty":1,"orderType":"Stop","stopPrice":2633,"timeInForce":"Day","text":"DOM"}}}]`
	f, err := wire.ParseFrame([]byte(f14))
	require.NoError(t, err)
	ms := messages(t, f)
	require.Len(t, ms, 2)
	var p1, p2 wire.PropsEvent
	require.NoError(t, json.Unmarshal(ms[0].Data, &p1))
	require.NoError(t, json.Unmarshal(ms[1].Data, &p2))
	cmds, err := wire.DecodeEntities[wire.Command](p1)
	require.NoError(t, err)
	vers, err := wire.DecodeEntities[wire.OrderVersion](p2)
	require.NoError(t, err)
	assert.Equal(t, cmds[0].ID, vers[0].ID, "an orderVersion's id is its command's id")
	assert.Equal(t, "2633", vers[0].StopPrice.String())
	for _, pair := range []struct {
		p wire.PropsEvent
		v any
	}{{p1, cmds[0]}, {p2, vers[0]}} {
		b, err := json.Marshal(pair.v)
		require.NoError(t, err)
		assert.Equal(t, string(pair.p.Entity), string(b), "byte-exact re-encoding")
	}
}

func TestPropsEntityArray(t *testing.T) {
	p := wire.PropsEvent{EntityType: "fill", EventType: "Created", Entity: json.RawMessage(`[{"id":1,"orderId":2,"contractId":3,"timestamp":"2024-01-02T03:04:05.000Z","tradeDate":{"year":2024,"month":1,"day":2},"action":"Buy","qty":1,"price":4800.25,"active":true,"finallyPaired":0},{"id":4,"orderId":2,"contractId":3,"timestamp":"2024-01-02T03:04:05.000Z","tradeDate":{"year":2024,"month":1,"day":2},"action":"Buy","qty":2,"price":4800.5,"active":true,"finallyPaired":0}]`)}
	fills, err := wire.DecodeEntities[wire.Fill](p)
	require.NoError(t, err)
	require.Len(t, fills, 2)
	assert.Equal(t, "4800.25", fills[0].Price.String())
	assert.Equal(t, "4800.5", fills[1].Price.String())

	_, err = wire.PropsEvent{Entity: json.RawMessage(`3`)}.Entities()
	assert.Error(t, err)
}

func TestAppendFrames(t *testing.T) {
	r := wire.AppendResponse(nil, 23, 200, []byte(`{"id":65543,"name":"CLZ6","contractMaturityId":6727}`))
	assert.Equal(t, f3Response, string(wire.AppendArrayFrame(nil, r)))
	assert.Equal(t, f3Empty, string(wire.AppendArrayFrame(nil, wire.AppendResponse(nil, 2, 200, nil))))
	assert.Equal(t, `c[3000,"Go away!"]`, string(wire.AppendCloseFrame(nil, 3000, "Go away!")))
	assert.Equal(t, `{"s":404,"i":60,"d":"Not found: md/getChart"}`, string(wire.AppendErrorResponse(nil, 60, 404, "Not found: md/getChart")))
	assert.Equal(t, `{"e":"shutdown","d":{"reasonCode":"Maintenance"}}`, string(wire.AppendEvent(nil, "shutdown", []byte(`{"reasonCode":"Maintenance"}`))))
	assert.Equal(t, `"a\"b\\c\n\u0001<>"`, string(wire.AppendString(nil, "a\"b\\c\n\x01<>")))
	assert.Equal(t, "a[]", string(wire.AppendArrayFrame(nil)))
}

func TestParseMessageErrors(t *testing.T) {
	// F-16 captures.
	m, err := wire.ParseMessage([]byte(`{"s":404,"i":60,"d":"Not found: md/getChart"}`))
	require.NoError(t, err)
	var se *wire.StatusError
	require.ErrorAs(t, m.Err(), &se)
	assert.Equal(t, 404, se.Status)
	assert.Equal(t, "Not found: md/getChart", se.Text)

	m, err = wire.ParseMessage([]byte(`{"i":0,"s":401,"d":"Invalid access token"}`))
	require.NoError(t, err)
	require.ErrorAs(t, m.Decode(nil), &se)
	assert.True(t, se.AccessDenied())
	assert.Equal(t, "Invalid access token", se.Text)

	m, err = wire.ParseMessage([]byte(`{"s":429,"i":"request_id"}`))
	require.NoError(t, err)
	assert.False(t, m.HasID)
	require.ErrorAs(t, m.Err(), &se)
	assert.Equal(t, 429, se.Status)
	assert.Contains(t, se.Error(), "too many requests")

	m, err = wire.ParseMessage([]byte(`{"s":200,"i":"17"}`))
	require.NoError(t, err)
	assert.True(t, m.HasID)
	assert.Equal(t, int64(17), m.ID)

	for _, s := range []string{`{}`, `{"d":1}`, `[]`, `{"s":"x"}`, `{"e":""}`, `{"e":3}`, `{"s":200`, `{"s":2000}`} {
		_, err := wire.ParseMessage([]byte(s))
		assert.Error(t, err, s)
	}
	m, err = wire.ParseMessage([]byte(`{"e":"cust\u006fm","d":{}}`))
	require.NoError(t, err)
	assert.Equal(t, "custom", m.Event)
	assert.Error(t, m.Decode(nil))
}

func TestIsHeartbeat(t *testing.T) {
	for _, s := range []string{"[]", " [ ] ", "[]\n"} {
		assert.True(t, wire.IsHeartbeat([]byte(s)), s)
	}
	for _, s := range []string{"", "[", "[1]", "[]x", "{}"} {
		assert.False(t, wire.IsHeartbeat([]byte(s)), s)
	}
}

func TestEachFieldAndElement(t *testing.T) {
	var keys []string
	require.NoError(t, wire.EachField([]byte(` {"a" : 1, "b":[1,{"c":"}"}], "d":"x\"y"} `), func(k, v []byte) error {
		keys = append(keys, string(k)+"="+string(v))
		return nil
	}))
	assert.Equal(t, []string{`a=1`, `b=[1,{"c":"}"}]`, `d="x\"y"`}, keys)
	for _, s := range []string{``, `{`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{"a":1} x`, `{a:1}`, `{"a":1 "b":2}`} {
		assert.Error(t, wire.EachField([]byte(s), func(k, v []byte) error { return nil }), s)
	}
	for _, s := range []string{`[`, `[1,]`, `[1 2]`, `[1]]`, `[{]`, `["x]`} {
		assert.Error(t, wire.EachElement([]byte(s), func([]byte) error { return nil }), s)
	}
}

func TestParseAllocations(t *testing.T) {
	frame := []byte(`a[{"e":"md","d":{"quotes":[{"timestamp":"2021-04-13T04:59:06.588Z","contractId":123456,"entries":{"Bid":{"price":18405.123,"size":7.123}}}]}},{"s":200,"i":7,"d":{"ok":true}}]`)
	allocs := testing.AllocsPerRun(100, func() {
		f, err := wire.ParseFrame(frame)
		if err != nil {
			panic(err)
		}
		_ = f.Messages(func(b []byte) error {
			_, err := wire.ParseMessage(b)
			return err
		})
	})
	assert.Zero(t, allocs, "frame and message parsing must not allocate")
}

func BenchmarkParseFrame(b *testing.B) {
	frame := []byte(f3Props)
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		f, _ := wire.ParseFrame(frame)
		_ = f.Messages(func(m []byte) error {
			_, err := wire.ParseMessage(m)
			return err
		})
	}
}
