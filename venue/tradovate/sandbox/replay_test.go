package sandbox_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/backtest/data"
	"github.com/keeltrade/keel/venue/cme"
	"github.com/keeltrade/keel/venue/tradovate/sandbox"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// row is one line of an mbp1 tick file: a quote, or a trade (side B or
// S) with the book after it.
type row struct {
	at           time.Time
	bid, ask     string
	bidSz, askSz int
	last, side   string
	lastSz       int
	symbol       string
}

func quoteRow(at time.Time, bid, ask string) row {
	return row{at: at, bid: bid, ask: ask, bidSz: 10, askSz: 10}
}

func tradeRow(at time.Time, bid, ask, last, side string, size int) row {
	return row{at: at, bid: bid, ask: ask, bidSz: 10, askSz: 10, last: last, side: side, lastSz: size}
}

// writeTicks writes rows as an mbp1 CSV (ESM6 unless a row says
// otherwise) and returns its path.
func writeTicks(t testing.TB, rows []row) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("ts_utc_ns,symbol,bid,bid_size,ask,ask_size,last,last_size,side,action\n")
	for _, r := range rows {
		sym := r.symbol
		if sym == "" {
			sym = "ESM6"
		}
		action, size := "A", ""
		if r.last != "" {
			action, size = "T", fmt.Sprint(r.lastSz)
		}
		fmt.Fprintf(&b, "%d,%s,%s,%d,%s,%d,%s,%s,%s,%s\n", r.at.UnixNano(), sym, r.bid, r.bidSz, r.ask, r.askSz, r.last, size, r.side, action)
	}
	path := filepath.Join(t.TempDir(), "ticks.csv")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	return path
}

// withFeed configures a server to play (speed 0, nothing before Start) or
// only replay cfg's data.
func withReplayData(t testing.TB, cfg sandbox.FeedConfig, clockInterval time.Duration) sandbox.Option {
	t.Helper()
	f, err := sandbox.NewFeed(cfg)
	require.NoError(t, err)
	return sandbox.WithConfig(func(c *sandbox.Config) {
		c.Market.Replay = f
		c.Market.ClockInterval = clockInterval
	})
}

// clockOf parses a clock frame.
func clockOf(t testing.TB, frame string) wire.Clock {
	t.Helper()
	d := eventData(t, frame, wire.EventClock)
	require.Equal(t, byte('"'), d[0], "d is a JSON string")
	c, err := wire.ParseClock(d)
	require.NoError(t, err)
	return c
}

// nextClock skips frames until a clock event.
func nextClock(t testing.TB, c *client) wire.Clock {
	t.Helper()
	for {
		f := c.data()
		if strings.HasPrefix(f, `a[{"e":"clock"`) {
			return clockOf(t, f)
		}
	}
}

// replayWeek is a week of ESM6 data with a weekend and a quiet day.
func replayWeek(t testing.TB) string {
	var rows []row
	wed := time.Date(2026, 3, 4, 15, 0, 0, 0, time.UTC)
	for i := range 360 {
		rows = append(rows, quoteRow(wed.Add(time.Duration(i)*10*time.Second), "4800", "4800.25"))
	}
	fri := time.Date(2026, 3, 6, 15, 0, 0, 0, time.UTC)
	rows = append(rows, quoteRow(fri, "4810", "4810.25"), quoteRow(fri.Add(time.Hour), "4811", "4811.25"))
	mon := time.Date(2026, 3, 9, 14, 30, 0, 0, time.UTC)
	rows = append(rows, quoteRow(mon, "4820", "4820.25"), quoteRow(mon.Add(time.Minute), "4821", "4821.25"))
	return writeTicks(t, rows)
}

// replay/checkreplaysession: OK inside the data; adjusted before it, on a
// weekend (to the next session open, then the next data), in a gap of
// the data; Ineligible after it or without data.
func TestReplayCheckSession(t *testing.T) {
	s, _ := start(t, withReplayData(t, sandbox.FeedConfig{Files: []string{replayWeek(t)}}, time.Hour))
	tok := login(t, s, s.Credentials())
	c := mdSocket(t, s, tok, sandbox.Replay)
	check := func(at string) wire.CheckReplaySessionResponse {
		t.Helper()
		return decode[wire.CheckReplaySessionResponse](t, c.call("replay/checkreplaysession", "", `{"startTimestamp":"`+at+`"}`))
	}
	ok := check("2026-03-04T15:30:00.000Z")
	assert.Equal(t, wire.CheckReplaySessionResponse{CheckStatus: "OK"}, ok)
	m := c.call("replay/checkreplaysession", "", `{"startTimestamp":"2026-03-04T15:30:00.000Z"}`)
	assert.Equal(t, `{"checkStatus":"OK"}`, string(m.Data))

	for _, tc := range []struct{ at, want string }{
		{"2026-03-04T14:00:00Z", "2026-03-04T15:00:00Z"}, // before the data: its start
		{"2026-03-07T12:00:00Z", "2026-03-09T14:30:00Z"}, // Saturday: Sunday's open, then the next data
		{"2026-03-05T12:00:00Z", "2026-03-06T15:00:00Z"}, // a weekday without data
		{"2026-03-04T21:30:00Z", "2026-03-06T15:00:00Z"}, // the daily break (16:00–17:00 CT) and no data
	} {
		r := check(tc.at)
		assert.Equal(t, wire.CheckStatusAdjusted, r.CheckStatus, tc.at)
		assert.Equal(t, tc.want, r.StartTimestamp.Format(time.RFC3339), tc.at)
		assert.Equal(t, "OK", check(r.StartTimestamp.Format(time.RFC3339Nano)).CheckStatus, "the adjusted time checks OK")
	}
	assert.Equal(t, wire.CheckReplaySessionResponse{CheckStatus: wire.CheckStatusIneligible}, check("2026-03-10T15:00:00Z"))

	// Over REST too.
	status, body := rest(t, s, sandbox.Replay, "POST", "replay/checkReplaySession", tok.AccessToken, `{"startTimestamp":"2026-03-04T15:30:00Z"}`)
	assert.Equal(t, 200, status)
	assert.JSONEq(t, `{"checkStatus":"OK"}`, string(body))

	// No replay data at all.
	s2, _ := start(t)
	tok2 := login(t, s2, s2.Credentials())
	c2 := mdSocket(t, s2, tok2, sandbox.Replay)
	r := decode[wire.CheckReplaySessionResponse](t, c2.call("replay/checkreplaysession", "", `{"startTimestamp":"2026-03-04T15:30:00Z"}`))
	assert.Equal(t, wire.CheckStatusIneligible, r.CheckStatus)
	res := simple(t, c2.call("replay/initializeclock", "", `{"startTimestamp":"2026-03-04T15:30:00Z","speed":100}`))
	assert.False(t, res.OK)
	assert.Contains(t, res.ErrorText, "no replay data")
	assert.Equal(t, 400, c2.call("replay/checkreplaysession", "", `{}`).Status)
}

var clockFrame = regexp.MustCompile(`^a\[\{"e":"clock","d":"\{\\"t\\":\\"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\\",\\"s\\":\d+\}"\}\]$`)

// F-13: initializeclock's request text and answer, the clock event with
// d a JSON string, changespeed.
func TestReplayF13(t *testing.T) {
	start0 := time.Date(2019, 8, 26, 16, 0, 0, 0, time.UTC)
	s, _ := start(t, withReplayData(t, sandbox.FeedConfig{Synthetic: sandbox.SyntheticConfig{Symbol: "ESU9", Seed: 1, Start: start0}}, time.Hour))
	tok := login(t, s, s.Credentials())
	c := mdSocket(t, s, tok, sandbox.Replay)

	c.sendRaw("replay/initializeclock\n3\n\n{\"startTimestamp\":\"2019-08-26T16:43:00.000Z\",\"speed\":20,\"initialBalance\":51000}")
	assert.Equal(t, `a[{"s":200,"i":3,"d":{"ok":true}}]`, c.data())
	f := c.data()
	assert.Regexp(t, clockFrame, f)
	clk := clockOf(t, f)
	assert.Equal(t, 20, clk.S)
	assert.WithinDuration(t, time.Date(2019, 8, 26, 16, 43, 0, 0, time.UTC), clk.T.Time, time.Second)

	c.sendRaw("replay/changespeed\n49\n\n{\"speed\":100}")
	assert.Equal(t, `a[{"s":200,"i":49,"d":{"ok":true}}]`, c.data())
	f = c.data()
	assert.Regexp(t, clockFrame, f)
	assert.Equal(t, 100, clockOf(t, f).S)

	// The account is the replay's, with initialBalance.
	accts := decode[[]wire.Account](t, c.call("account/list", "", nil))
	require.Len(t, accts, 1)
	assert.True(t, accts[0].Active)
	snap := decode[wire.SyncMessage](t, c.call("user/syncrequest", "", map[string]any{"accounts": []int64{accts[0].ID}}))
	assert.Equal(t, "51000", snap.CashBalances[0].Amount.String())

	// Bad requests.
	for body, want := range map[string]string{
		`{"startTimestamp":"2019-08-26T16:43:00Z","speed":401}`: "speed 401",
		`{"speed":100}`: "startTimestamp is required",
		`{"startTimestamp":"2019-08-26T16:43:00Z","speed":100,"initialBalance":-1}`: "initialBalance",
	} {
		r := simple(t, c.call("replay/initializeclock", "", body))
		assert.False(t, r.OK, body)
		assert.Contains(t, r.ErrorText, want)
	}
	r := simple(t, c.call("replay/changespeed", "", `{"speed":-1}`))
	assert.False(t, r.OK)
	status, _ := rest(t, s, sandbox.Replay, "POST", "replay/initializeclock", tok.AccessToken, `{"startTimestamp":"2019-08-26T16:43:00Z","speed":100}`)
	assert.Equal(t, 400, status, "initializeclock needs the websocket")
}

// Clock events come every ClockInterval; speed 0 pauses the replay.
func TestReplayClockAndPause(t *testing.T) {
	start0 := time.Date(2019, 8, 26, 16, 0, 0, 0, time.UTC)
	s, _ := start(t, withReplayData(t, sandbox.FeedConfig{Synthetic: sandbox.SyntheticConfig{Symbol: "ESU9", Seed: 1, Start: start0}}, 20*time.Millisecond))
	tok := login(t, s, s.Credentials())
	c := mdSocket(t, s, tok, sandbox.Replay)
	assert.True(t, decode[wire.SimpleResponse](t, c.call("replay/initializeclock", "", `{"startTimestamp":"2019-08-26T16:43:00Z","speed":400}`)).OK)
	first := nextClock(t, c)
	var last wire.Clock
	for range 5 {
		last = nextClock(t, c)
	}
	assert.Equal(t, 400, last.S)
	assert.True(t, last.T.After(first.T.Time), "the clock moves: %s → %s", first.T, last.T)

	c.send("replay/changespeed", "", `{"speed":0}`)
	var paused wire.Clock
	for paused = nextClock(t, c); paused.S != 0; paused = nextClock(t, c) {
	}
	for range 3 {
		again := nextClock(t, c)
		assert.Equal(t, 0, again.S)
		assert.Equal(t, paused.T, again.T, "paused")
	}
}

// A scripted replay: initialize, find the account, sync, place a limit
// order, and the clock passing a trade through its price fills it. A
// second socket joins the session; a new initializeclock starts over with
// a new account; the session ends with its last socket.
func TestReplayScriptedSession(t *testing.T) {
	t0 := time.Date(2026, 3, 4, 16, 0, 0, 0, time.UTC)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	rows := []row{
		quoteRow(ms(-60000), "4800", "4800.25"),
		tradeRow(ms(-30000), "4800", "4800.25", "4800.25", "B", 1),
		quoteRow(ms(500), "4800", "4800.25"),
		tradeRow(ms(1500), "4799.75", "4800.25", "4800", "S", 5),
		tradeRow(ms(2000), "4799.5", "4799.75", "4799.75", "S", 2),
	}
	for i := range 20 {
		rows = append(rows, quoteRow(ms(2500+500*i), "4799.5", "4799.75"))
	}
	s, _ := start(t, withReplayData(t, sandbox.FeedConfig{Files: []string{writeTicks(t, rows)}}, time.Hour))
	tok := login(t, s, s.Credentials())
	c := dial(t, s.WebSocketURL(sandbox.Replay))
	c.authorize(tok.AccessToken)

	init := decode[wire.SimpleResponse](t, c.call("replay/initializeclock", "", `{"startTimestamp":"2026-03-04T16:00:00.000Z","speed":200,"initialBalance":51000}`))
	require.True(t, init.OK, init.ErrorText)
	clk := clockOf(t, c.data())
	assert.Equal(t, wire.Clock{T: wire.TimeOf(t0), S: 200}, clk)

	accts := decode[[]wire.Account](t, c.call("account/list", "", nil))
	require.Len(t, accts, 1)
	acct := accts[0]
	assert.True(t, acct.Active)
	assert.Equal(t, "REPLAY15460", acct.Name)
	snap := decode[wire.SyncMessage](t, c.call("user/syncrequest", "", map[string]any{"accounts": []int64{acct.ID}}))
	assert.Equal(t, "51000", snap.CashBalances[0].Amount.String())
	assert.Empty(t, snap.Orders)

	res := decode[wire.PlaceOrderResult](t, c.call("order/placeorder", "", wire.PlaceOrder{
		AccountID: acct.ID, Action: "Buy", Symbol: "ESM6", OrderQty: 1, OrderType: "Limit", Price: pricePtr("4800"), IsAutomated: true,
	}))
	require.NotZero(t, res.OrderID)
	var seen []string
	var fill wire.Fill
	for fill.ID == 0 {
		names, evs := props(t, c.data())
		seen = append(seen, names...)
		for i, n := range names {
			if n == "fill Created" {
				fill = entity[wire.Fill](t, evs[i])
			}
		}
	}
	assert.Equal(t, []string{"order Created", "command Created", "orderVersion Created"}, seen[:3])
	assert.Equal(t, "4800", fill.Price.String(), "a resting limit fills at its price")
	assert.Equal(t, res.OrderID, fill.OrderID)
	assert.Equal(t, ms(2000), fill.Timestamp.Time, "when the clock passed the trade through 4800")
	for !contains(seen, "order Updated") || !contains(seen, "position Created") {
		names, _ := props(t, c.data())
		seen = append(seen, names...)
	}

	// A second socket joins: same account, same clock.
	c2 := dial(t, s.WebSocketURL(sandbox.Replay))
	c2.authorize(tok.MdAccessToken)
	assert.Equal(t, acct.ID, decode[[]wire.Account](t, c2.call("account/list", "", nil))[0].ID)
	quote := c2.call("md/subscribeQuote", "", `{"symbol":"ESM6"}`)
	assert.Equal(t, 200, quote.Status)
	assert.Contains(t, c2.data(), `"Trade":{"price":4799.75,"size":2}`, "the replay's market, at the replay time")
	assert.True(t, decode[wire.SimpleResponse](t, c2.call("replay/changespeed", "", `{"speed":0}`)).OK)
	assert.Equal(t, 0, nextClock(t, c2).S)
	assert.Equal(t, 0, nextClock(t, c).S, "both sockets get the session's clock")

	// Starting over: a new account; the old one is gone.
	require.True(t, decode[wire.SimpleResponse](t, c2.call("replay/initializeclock", "", `{"startTimestamp":"2026-03-04T16:00:00Z","speed":0}`)).OK)
	nextClock(t, c)
	again := decode[[]wire.Account](t, c.call("account/list", "", nil))
	require.Len(t, again, 1)
	assert.NotEqual(t, acct.ID, again[0].ID)
	snap = decode[wire.SyncMessage](t, c.call("user/syncrequest", "", map[string]any{"accounts": []int64{again[0].ID}}))
	assert.Empty(t, snap.Orders)
	assert.Equal(t, "50000", snap.CashBalances[0].Amount.String(), "no initialBalance: the user's balance")

	// The session ends with its last socket.
	_ = c.ws.Close()
	_ = c2.ws.Close()
	// (REST calls do not join a session: they watch it end.)
	require.Eventually(t, func() bool {
		_, body := rest(t, s, sandbox.Replay, "POST", "replay/changespeed", tok.AccessToken, `{"speed":100}`)
		return strings.Contains(string(body), "No replay session")
	}, 5*time.Second, 10*time.Millisecond)
	c3 := dial(t, s.WebSocketURL(sandbox.Replay))
	c3.authorize(tok.MdAccessToken)
	assert.Equal(t, "NoReplaySession", mdFailureOf(t, c3.call("md/subscribeQuote", "", `{"symbol":"ESM6"}`)))
}

// simple decodes a SimpleResponse, ok:false included.
func simple(t testing.TB, m wire.Message) wire.SimpleResponse {
	t.Helper()
	require.Equal(t, 200, m.Status, string(m.Data))
	var r wire.SimpleResponse
	require.NoError(t, json.Unmarshal(m.Data, &r))
	return r
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// The embedded ESZ13 demo data (2013, outside the CME calendar's years):
// the server clock follows the feed, contract names resolve in 2013, and
// a replay on a weekend starts with the next data.
func TestReplayDemoData(t *testing.T) {
	path, err := data.WriteDemoData(t.TempDir())
	require.NoError(t, err)
	f, err := sandbox.NewFeed(sandbox.FeedConfig{Files: []string{path}, Start: time.Date(2013, 12, 20, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	s := sandbox.Start(t, sandbox.WithConfig(func(c *sandbox.Config) {
		c.MarketData = f
		c.Clock = f.Clock()
	}), sandbox.WithHeartbeat(time.Hour))
	id, err := s.ContractID("ESZ3")
	require.NoError(t, err)
	tok := login(t, s, s.Credentials())
	c := mdSocket(t, s, tok, sandbox.Replay)
	r := decode[wire.CheckReplaySessionResponse](t, c.call("replay/checkreplaysession", "", `{"startTimestamp":"2013-10-12T12:00:00Z"}`))
	assert.Equal(t, wire.CheckStatusAdjusted, r.CheckStatus)
	assert.Equal(t, time.Sunday, r.StartTimestamp.In(cme.Chicago()).Weekday(), "Sunday evening in Chicago: %s", r.StartTimestamp)
	require.True(t, simple(t, c.call("replay/initializeclock", "", `{"startTimestamp":"2013-10-12T12:00:00Z","speed":0}`)).OK)
	clk := nextClock(t, c)
	// The replay's chart history ends where the replay clock stands: the
	// weekend has no data, so the clock starts at the first bar of Monday's
	// session (trade date 2013-10-14), which is already shown.
	g := getChart(t, c, `{"symbol":`+itoa(int64(id))+`,"chartDescription":{"underlyingType":"MinuteBar","elementSize":1},"timeRange":{"asMuchAsElements":2}}`)
	ps := chartPackets(t, c, g.HistoricalID)
	var bars []wire.Bar
	for _, p := range ps {
		bars = append(bars, p.Bars...)
	}
	require.Len(t, bars, 2)
	last := bars[len(bars)-1]
	assert.False(t, last.Timestamp.After(clk.T.Time), "no bar after the clock (%s): %s", clk.T, last.Timestamp)
	assert.Equal(t, 20131014, ps[len(ps)-1].TradeDate, "Monday's session starts the replay")
	assert.Equal(t, 20131011, ps[0].TradeDate, "the bar before it is Friday's")
}

// Pausing is atomic with the clock: once changespeed 0 is answered, no
// step of the clock happens — every later clock event shows the time the
// pause stopped at, and no quote after the response is later than it. The
// data is dense (ten quotes a millisecond, 400 a step at 400%) so a step
// takes a while, and the pause is sent as the first quotes of a step
// arrive, so it is likely to land inside one; the rounds make it near
// certain. Each round starts the replay over, so the data never runs out.
func TestReplayPauseIsAtomic(t *testing.T) {
	t0 := time.Date(2019, 8, 26, 16, 43, 0, 0, time.UTC)
	rows := make([]row, 0, 10_000)
	for i := range cap(rows) {
		bid := 2870 + float64(i%8)/4
		rows = append(rows, row{at: t0.Add(time.Duration(i) * 100 * time.Microsecond), bid: fmt.Sprint(bid), ask: fmt.Sprint(bid + 0.25), bidSz: 1 + i%9, askSz: 1 + i%7, symbol: "ESU9"})
	}
	s, _ := start(t, withReplayData(t, sandbox.FeedConfig{Files: []string{writeTicks(t, rows)}}, 3*time.Millisecond))
	tok := login(t, s, s.Credentials())
	c := mdSocket(t, s, tok, sandbox.Replay)
	require.True(t, simple(t, c.call("replay/initializeclock", "", `{"startTimestamp":"2019-08-26T16:43:00Z","speed":0}`)).OK)
	sub := c.send("md/subscribeQuote", "", `{"symbol":"ESU9"}`)

	type seen struct {
		clocks []wire.Clock
		quotes []time.Time
	}
	// until reads frames until the response to id and then at least
	// clocks clock events and quotes quotes.
	until := func(id int64, clocks, quotes int) (seen, wire.Message) {
		t.Helper()
		var out seen
		var resp wire.Message
		answered := false
		deadline := time.Now().Add(10 * time.Second)
		for !answered || len(out.clocks) < clocks || len(out.quotes) < quotes {
			require.True(t, time.Now().Before(deadline), "no response to %d, %d clocks or %d quotes in time: got %+v", id, clocks, quotes, out)
			for _, m := range parseFrame(t, c.data()) {
				switch {
				case !m.IsEvent():
					if m.ID == id {
						resp, answered = m, true
					}
				case !answered:
				case m.Event == wire.EventClock:
					clk, err := wire.ParseClock(m.Data)
					require.NoError(t, err)
					out.clocks = append(out.clocks, clk)
				case m.Event == wire.EventMD:
					var ev wire.MDEvent
					require.NoError(t, json.Unmarshal(m.Data, &ev))
					for _, q := range ev.Quotes {
						out.quotes = append(out.quotes, q.Timestamp.Time)
					}
				}
			}
		}
		return out, resp
	}
	_, resp := until(sub, 0, 0)
	require.Equal(t, 200, resp.Status, string(resp.Data))
	for round := range 50 {
		// The first quotes after the data starts flowing come from a
		// step under way: pause right then.
		_, resp := until(c.send("replay/initializeclock", "", `{"startTimestamp":"2019-08-26T16:43:00Z","speed":400}`), 0, 1)
		require.True(t, simple(t, resp).OK)
		after, resp := until(c.send("replay/changespeed", "", `{"speed":0}`), 4, 0)
		require.True(t, simple(t, resp).OK)
		paused := after.clocks[0]
		require.Equal(t, 0, paused.S, "round %d: the first clock after the answer is the pause's", round)
		for _, clk := range after.clocks {
			require.Equal(t, paused, clk, "round %d: the clock moved after the pause was answered", round)
		}
		for _, q := range after.quotes {
			require.False(t, q.After(paused.T.Time), "round %d: a quote at %s after the pause at %s", round, q, paused.T)
		}
	}
}
