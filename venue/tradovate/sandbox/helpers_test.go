package sandbox_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/tradovate/sandbox"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// openTime is a Wednesday morning in Chicago: Globex is open, ESM6 trades.
var openTime = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC).Add(6 * time.Hour)

// start starts a sandbox on a manual clock at openTime with short socket timers.
func start(t testing.TB, opts ...sandbox.Option) (*sandbox.Server, *sandbox.ManualClock) {
	t.Helper()
	clock := sandbox.NewManualClock(openTime)
	base := []sandbox.Option{sandbox.WithClock(clock), sandbox.WithSessions(), sandbox.WithHeartbeat(time.Hour), sandbox.WithClientTimeout(time.Hour)}
	return sandbox.Start(t, append(base, opts...)...), clock
}

// rest calls a REST endpoint and returns the status and body.
func rest(t testing.TB, s *sandbox.Server, svc sandbox.Service, method, path, token string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		require.NoError(t, err)
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, s.RESTURL(svc)+"/"+strings.TrimPrefix(path, "/"), rd)
	require.NoError(t, err)
	req.Header.Set("Accept", "application/json")
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, out
}

// login gets a token for creds on the demo REST base.
func login(t testing.TB, s *sandbox.Server, creds sandbox.Credentials) wire.AccessTokenResponse {
	t.Helper()
	status, body := rest(t, s, sandbox.Demo, "POST", "auth/accesstokenrequest", "", creds.Request())
	require.Equal(t, 200, status, string(body))
	var r wire.AccessTokenResponse
	require.NoError(t, wire.Decode(status, body, &r), string(body))
	require.NotEmpty(t, r.AccessToken)
	return r
}

// client is a scripted websocket client that sees every frame.
type client struct {
	t      testing.TB
	ws     *websocket.Conn
	nextID int64
}

func dial(t testing.TB, url string) *client {
	t.Helper()
	ws, resp, err := websocket.DefaultDialer.Dial(url, nil)
	require.NoError(t, err)
	resp.Body.Close()
	c := &client{t: t, ws: ws, nextID: 1}
	t.Cleanup(func() { ws.Close() })
	require.Equal(t, "o", c.frame())
	return c
}

// frame returns the next frame's text.
func (c *client) frame() string {
	c.t.Helper()
	_ = c.ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	typ, b, err := c.ws.ReadMessage()
	require.NoError(c.t, err)
	require.Equal(c.t, websocket.TextMessage, typ)
	return string(b)
}

// frameOrClose returns the next frame, or "" with the close error.
func (c *client) frameOrClose(d time.Duration) (string, error) {
	_ = c.ws.SetReadDeadline(time.Now().Add(d))
	_, b, err := c.ws.ReadMessage()
	return string(b), err
}

// data returns the next frame that is not a heartbeat.
func (c *client) data() string {
	c.t.Helper()
	for {
		if f := c.frame(); f != "h" {
			return f
		}
	}
}

func (c *client) sendRaw(s string) {
	c.t.Helper()
	require.NoError(c.t, c.ws.WriteMessage(websocket.TextMessage, []byte(s)))
}

// send sends a request and returns its id; body may be a string (sent as
// is) or a value (sent as JSON).
func (c *client) send(endpoint, query string, body any) int64 {
	c.t.Helper()
	id := c.nextID
	c.nextID++
	var b []byte
	switch v := body.(type) {
	case nil:
	case string:
		b = []byte(v)
	default:
		var err error
		b, err = json.Marshal(v)
		require.NoError(c.t, err)
	}
	c.sendRaw(string(wire.Request{Endpoint: endpoint, ID: id, Query: query, Body: b}.AppendText(nil)))
	return id
}

// call sends a request and returns its response, requiring that it is the
// next data frame and holds only that response.
func (c *client) call(endpoint, query string, body any) wire.Message {
	c.t.Helper()
	id := c.send(endpoint, query, body)
	msgs := parseFrame(c.t, c.data())
	require.Len(c.t, msgs, 1)
	require.False(c.t, msgs[0].IsEvent(), "want the response to %s, got an event", endpoint)
	require.Equal(c.t, id, msgs[0].ID)
	return msgs[0]
}

func (c *client) authorize(token string) {
	c.t.Helper()
	m := c.call("authorize", "", token)
	require.Equal(c.t, 200, m.Status, string(m.Data))
	require.Nil(c.t, m.Data)
}

// parseFrame parses an array frame into its messages.
func parseFrame(t testing.TB, s string) []wire.Message {
	t.Helper()
	f, err := wire.ParseFrame([]byte(s))
	require.NoError(t, err, s)
	require.Equal(t, wire.FrameArray, f.Type, s)
	var out []wire.Message
	require.NoError(t, f.Messages(func(b []byte) error {
		m, err := wire.ParseMessage(b)
		if err != nil {
			return err
		}
		m.Data = append(json.RawMessage(nil), m.Data...)
		out = append(out, m)
		return nil
	}))
	return out
}

// props returns the props events of a frame as "entityType eventType" and
// the decoded events.
func props(t testing.TB, s string) ([]string, []wire.PropsEvent) {
	t.Helper()
	var names []string
	var evs []wire.PropsEvent
	for _, m := range parseFrame(t, s) {
		require.Equal(t, wire.EventProps, m.Event, s)
		var p wire.PropsEvent
		require.NoError(t, json.Unmarshal(m.Data, &p))
		names = append(names, p.EntityType+" "+p.EventType)
		evs = append(evs, p)
	}
	return names, evs
}

func entity[T any](t testing.TB, p wire.PropsEvent) T {
	t.Helper()
	vs, err := wire.DecodeEntities[T](p)
	require.NoError(t, err)
	require.Len(t, vs, 1)
	return vs[0]
}

func decode[T any](t testing.TB, m wire.Message) T {
	t.Helper()
	var v T
	require.NoError(t, m.Decode(&v), string(m.Data))
	return v
}

// quote feeds a top-of-book quote for symbol.
func quote(t testing.TB, s *sandbox.Server, symbol, bid, ask string) {
	t.Helper()
	id, err := s.ContractID(symbol)
	require.NoError(t, err)
	s.Feed(venue.Tick{
		Time: s.Clock().Now().UnixNano(), Contract: id, Flags: venue.HasQuote,
		Bid: venue.MustParsePrice(bid), Ask: venue.MustParsePrice(ask), BidSize: 10, AskSize: 10,
	})
}

// trade feeds a trade for symbol.
func trade(t testing.TB, s *sandbox.Server, symbol, px string) {
	t.Helper()
	id, err := s.ContractID(symbol)
	require.NoError(t, err)
	s.Feed(venue.Tick{Time: s.Clock().Now().UnixNano(), Contract: id, Flags: venue.HasTrade, Price: venue.MustParsePrice(px), Size: 1})
}

func keys(t testing.TB, b []byte) []string {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &m), string(b))
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return sorted(out)
}

func sorted(s []string) []string {
	sort.Strings(s)
	return s
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := wire.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func pricePtr(s string) *venue.Price {
	p := venue.MustParsePrice(s)
	return &p
}

func stringsReader(s string) io.Reader { return strings.NewReader(s) }

func readAll(r io.Reader) ([]byte, error) { return io.ReadAll(r) }

func decimalOf(s string) decimal.Decimal { return decimal.RequireFromString(s) }
