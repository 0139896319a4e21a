package sandbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/backtest/data"
	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/tradovate/sandbox"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// readAllTicks reads a feed's stream to the end (or n ticks).
func readAllTicks(t testing.TB, f *sandbox.Feed, n int) []venue.Tick {
	t.Helper()
	src, err := f.Open()
	require.NoError(t, err)
	defer src.Close()
	var out []venue.Tick
	for n <= 0 || len(out) < n {
		var tk venue.Tick
		err := src.Next(&tk)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		out = append(out, tk)
	}
	return out
}

func newFeed(t testing.TB, cfg sandbox.FeedConfig) *sandbox.Feed {
	t.Helper()
	f, err := sandbox.NewFeed(cfg)
	require.NoError(t, err)
	return f
}

// The generator is a deterministic function of its configuration: a
// one-tick-wide book on the grid, trades at the touch, time moving on.
func TestFeedSynthetic(t *testing.T) {
	cfg := sandbox.FeedConfig{Synthetic: sandbox.SyntheticConfig{Symbol: "ESZ6", Seed: 42, Start: openTime, Count: 3000}}
	a := readAllTicks(t, newFeed(t, cfg), 0)
	b := readAllTicks(t, newFeed(t, cfg), 0)
	require.Len(t, a, 3000, "Count ends the data")
	assert.Equal(t, a, b, "same seed, same ticks")
	cfg.Synthetic.Seed = 43
	assert.NotEqual(t, a, readAllTicks(t, newFeed(t, cfg), 0))

	tick := venue.MustParsePrice("0.25")
	var trades int
	for i, tk := range a {
		require.True(t, tk.IsQuote(), i)
		require.True(t, tk.Bid.OnGrid(tick) && tk.Ask == tk.Bid+tick, "tick %d: %s/%s", i, tk.Bid, tk.Ask)
		if i > 0 {
			require.Greater(t, tk.Time, a[i-1].Time)
		}
		if tk.IsTrade() {
			trades++
			require.True(t, tk.Price == a[i-1].Bid || tk.Price == a[i-1].Ask, "a trade at the touch")
			require.NotEqual(t, venue.SideNone, tk.Aggressor)
		}
	}
	assert.InDelta(t, 0.4*3000, trades, 150)
	assert.Equal(t, "5000", a[0].Bid.String(), "ES starts near 5000")
	assert.Equal(t, openTime.UnixNano(), a[0].Time)
	assert.InDelta(t, 3000*250*time.Millisecond, time.Duration(a[len(a)-1].Time-a[0].Time), float64(30*time.Second), "250 ms apart on average")
	assert.Equal(t, openTime, newFeed(t, cfg).DataStart())
}

// The generator pauses over the weekend (and resumes at Sunday's open),
// unless AllHours.
func TestFeedSyntheticSessions(t *testing.T) {
	fri := time.Date(2026, 3, 6, 21, 50, 0, 0, time.UTC) // 15:50 CT
	cfg := sandbox.FeedConfig{Synthetic: sandbox.SyntheticConfig{Symbol: "ESM6", Seed: 1, Start: fri, Interval: time.Minute, Count: 30}}
	ticks := readAllTicks(t, newFeed(t, cfg), 0)
	sunday := time.Date(2026, 3, 8, 22, 0, 0, 0, time.UTC) // 17:00 CDT
	var sawOpen bool
	for _, tk := range ticks {
		at := tk.At()
		assert.False(t, at.After(time.Date(2026, 3, 6, 22, 0, 0, 0, time.UTC)) && at.Before(sunday), "tick at %s while closed", at)
		sawOpen = sawOpen || at.Equal(sunday)
	}
	assert.True(t, sawOpen, "resumes at Sunday's open")
	cfg.Synthetic.AllHours = true
	ticks = readAllTicks(t, newFeed(t, cfg), 0)
	assert.True(t, ticks[len(ticks)-1].At().Before(fri.Add(time.Hour)))
}

// Files: tick CSVs merged by time with sandbox contract ids, bar CSVs as
// four trades a bar, binary tick files renumbered.
func TestFeedFiles(t *testing.T) {
	dir := t.TempDir()
	trades := filepath.Join(dir, "trades.csv")
	require.NoError(t, os.WriteFile(trades, []byte("ts_utc_ns,symbol,price,size,side\n"+
		"1772640000000000000,ESM6,4800.25,3,B\n1772640002000000000,ESM6,4800,1,S\n"), 0o644))
	bbo := filepath.Join(dir, "bbo.csv")
	require.NoError(t, os.WriteFile(bbo, []byte("ts_utc_ns,symbol,bid,bid_size,ask,ask_size\n"+
		"1772640001000000000,NQM6,18000,4,18000.25,5\n"), 0o644))
	f := newFeed(t, sandbox.FeedConfig{Files: []string{trades, bbo}})
	ticks := readAllTicks(t, f, 0)
	require.Len(t, ticks, 3)
	s, _ := start(t)
	es, _ := s.ContractID("ESM6")
	nq, _ := s.ContractID("NQM6")
	assert.Equal(t, []venue.ContractID{es, nq, es}, []venue.ContractID{ticks[0].Contract, ticks[1].Contract, ticks[2].Contract})
	assert.Equal(t, "4800.25", ticks[0].Price.String())
	assert.Equal(t, time.Unix(0, 1772640000000000000).UTC(), f.DataStart())

	// One-digit years resolve near the data's own time: ESH4 in a 2023
	// file is March 2024.
	old := filepath.Join(dir, "old.csv")
	require.NoError(t, os.WriteFile(old, []byte("ts_utc_ns,symbol,price,size,side\n1700000000000000000,ESH4,4800.25,1,B\n"), 0o644))
	oldTicks := readAllTicks(t, newFeed(t, sandbox.FeedConfig{Files: []string{old}}), 0)
	h4 := newFeed(t, sandbox.FeedConfig{Synthetic: sandbox.SyntheticConfig{Symbol: "ESH4", Start: time.Date(2023, 11, 14, 0, 0, 0, 0, time.UTC), Count: 1}})
	assert.Equal(t, readAllTicks(t, h4, 1)[0].Contract, oldTicks[0].Contract)

	bars := filepath.Join(dir, "bars.csv")
	require.NoError(t, os.WriteFile(bars, []byte("ts_utc,symbol,open,high,low,close,volume\n"+
		"2026-03-04T16:00:00Z,ESM6,4800,4801,4799,4800.5,10\n"+
		"2026-03-04T16:00:00Z,NQM6,18000,18000.5,17999,17999.25,3\n"+
		"2026-03-04T16:01:00Z,ESM6,4800.5,4800.5,4798,4799,7\n"), 0o644))
	bt := readAllTicks(t, newFeed(t, sandbox.FeedConfig{Files: []string{bars}}), 0)
	require.Len(t, bt, 12)
	var prices []string
	var sizes int32
	for i, tk := range bt {
		if i > 0 {
			require.GreaterOrEqual(t, tk.Time, bt[i-1].Time, "in time order across contracts")
		}
		if tk.Contract == es && tk.Time < openTime.Add(time.Minute).UnixNano() {
			prices = append(prices, tk.Price.String())
			sizes += tk.Size
		}
	}
	assert.Equal(t, []string{"4800", "4799", "4801", "4800.5"}, prices, "a rising bar: open, low, high, close")
	assert.Equal(t, int32(10), sizes)
	assert.Equal(t, openTime.Add(45*time.Second).UnixNano(), bt[7].Time)

	bin := filepath.Join(dir, "es.bin")
	in, err := data.NewRegistry(openTime).Resolve("ESM6")
	require.NoError(t, err)
	w, err := data.CreateBinary(bin, in)
	require.NoError(t, err)
	require.NoError(t, w.Write(&venue.Tick{Time: openTime.UnixNano(), Contract: in.ID, Flags: venue.HasTrade, Price: venue.MustParsePrice("4800"), Size: 1}))
	require.NoError(t, w.Close())
	bin1 := readAllTicks(t, newFeed(t, sandbox.FeedConfig{Files: []string{bin}}), 0)
	require.Len(t, bin1, 1)
	assert.Equal(t, es, bin1[0].Contract, "renumbered to the sandbox id")
}

func TestFeedConfigErrors(t *testing.T) {
	for name, cfg := range map[string]sandbox.FeedConfig{
		"no data":      {},
		"both":         {Files: []string{"x.csv"}, Synthetic: sandbox.SyntheticConfig{Symbol: "ESM6"}},
		"speed":        {Synthetic: sandbox.SyntheticConfig{Symbol: "ESM6"}, Speed: -1},
		"symbol":       {Synthetic: sandbox.SyntheticConfig{Symbol: "@ES"}},
		"unknown":      {Synthetic: sandbox.SyntheticConfig{Symbol: "QQZ6"}},
		"off grid":     {Synthetic: sandbox.SyntheticConfig{Symbol: "ESM6", Price: venue.MustParsePrice("5000.1")}},
		"missing file": {Files: []string{filepath.Join(t.TempDir(), "none.csv")}},
	} {
		_, err := sandbox.NewFeed(cfg)
		assert.Error(t, err, name)
	}
	_, err := sandbox.NewFeed(sandbox.FeedConfig{Synthetic: sandbox.SyntheticConfig{Symbol: "ESM6"}, Speed: -1})
	assert.ErrorContains(t, err, "FeedConfig.Speed")
}

// Speed: 1 plays in real time by the data's timestamps, 4 four times
// faster, 0 at once; SkipGaps jumps over quiet spells.
func TestFeedSpeed(t *testing.T) {
	base := sandbox.SyntheticConfig{Symbol: "ESM6", Start: openTime, Interval: 100 * time.Millisecond, Count: 5, AllHours: true}
	span := func(f *sandbox.Feed) time.Duration {
		ticks := readAllTicks(t, f, 0)
		return time.Duration(ticks[len(ticks)-1].Time - ticks[0].Time)
	}
	run := func(cfg sandbox.FeedConfig) (time.Duration, time.Duration, []venue.Tick) {
		f := newFeed(t, cfg)
		var got []venue.Tick
		t0 := time.Now()
		require.NoError(t, f.Run(context.Background(), func(tk venue.Tick) { got = append(got, tk) }))
		if cfg.Speed == 0 {
			assert.Equal(t, got[len(got)-1].At(), f.Clock().Now(), "at speed 0 the clock is the last tick's time")
		} else {
			assert.False(t, f.Clock().Now().Before(got[len(got)-1].At()), "the clock runs on past the data")
		}
		return time.Since(t0), span(f), got
	}
	took, data, got := run(sandbox.FeedConfig{Synthetic: base, Speed: 1})
	assert.Len(t, got, 5)
	assert.GreaterOrEqual(t, took, data-5*time.Millisecond, "real time")
	took, data, _ = run(sandbox.FeedConfig{Synthetic: base, Speed: 4})
	assert.GreaterOrEqual(t, took, data/4-5*time.Millisecond)
	assert.Less(t, took, data)
	took, _, _ = run(sandbox.FeedConfig{Synthetic: base, Speed: 0})
	assert.Less(t, took, 50*time.Millisecond)

	gap := sandbox.SyntheticConfig{Symbol: "ESM6", Start: openTime, Interval: time.Hour, Count: 3, AllHours: true}
	took, _, _ = run(sandbox.FeedConfig{Synthetic: gap, Speed: 1, SkipGaps: time.Minute})
	assert.Less(t, took, time.Second)

	// Run stops with its context.
	f := newFeed(t, sandbox.FeedConfig{Synthetic: sandbox.SyntheticConfig{Symbol: "ESM6", Start: openTime, AllHours: true}, Speed: 1})
	assert.Equal(t, openTime, f.Clock().Now(), "before playback: the start")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, f.Run(ctx, func(venue.Tick) {}), context.DeadlineExceeded)
}

// A Feed as the server's market data: data before Start fills the chart
// history, the rest plays into the engines and md sockets, and the server
// clock follows the data.
func TestFeedServer(t *testing.T) {
	startAt := openTime.Add(30 * time.Minute)
	f := newFeed(t, sandbox.FeedConfig{Synthetic: sandbox.SyntheticConfig{Symbol: "ESM6", Seed: 3, Start: openTime, Interval: time.Second, Count: 3600}, Start: startAt})
	s := sandbox.Start(t, sandbox.WithConfig(func(c *sandbox.Config) {
		c.MarketData = f
		c.Clock = f.Clock()
	}), sandbox.WithHeartbeat(time.Hour))
	all := readAllTicks(t, f, 0)
	last := all[len(all)-1]
	require.Eventually(t, func() bool { return s.Clock().Now().Equal(last.At()) }, 5*time.Second, 5*time.Millisecond, "speed 0 plays to the end")

	tok := login(t, s, s.Credentials())
	c := mdSocket(t, s, tok)
	r := getChart(t, c, `{"symbol":"ESM6","chartDescription":{"underlyingType":"MinuteBar","elementSize":1},"timeRange":{"asMuchAsElements":100000}}`)
	var bars []wire.Bar
	for _, p := range chartPackets(t, c, r.HistoricalID) {
		bars = append(bars, p.Bars...)
	}
	require.NotEmpty(t, bars)
	assert.Equal(t, openTime, bars[0].Timestamp.Time, "history from before Start")
	assert.Equal(t, last.At().Truncate(time.Minute), bars[len(bars)-1].Timestamp.Time)

	// The engines saw the data: a market order fills at the last ask.
	d := dial(t, s.WebSocketURL(sandbox.Demo))
	d.authorize(tok.AccessToken)
	snap := decode[wire.SyncMessage](t, d.call("user/syncrequest", "", nil))
	res := decode[wire.PlaceOrderResult](t, d.call("order/placeorder", "", marketOrder(snap.Accounts[0].ID)))
	require.NotZero(t, res.OrderID)
	var fill wire.Fill
	for fill.ID == 0 {
		names, evs := props(t, d.data())
		for i, n := range names {
			if n == "fill Created" {
				fill = entity[wire.Fill](t, evs[i])
			}
		}
	}
	assert.Equal(t, last.Ask, fill.Price)
	assert.Equal(t, last.At(), fill.Timestamp.Time, "stamped with the data's time")
}

// At speed 1 the feed streams quotes to an md socket as the data's time
// comes.
func TestFeedStreams(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Millisecond)
	f := newFeed(t, sandbox.FeedConfig{Synthetic: sandbox.SyntheticConfig{Symbol: "ESM6", Seed: 9, Start: now.Add(300 * time.Millisecond), Interval: 20 * time.Millisecond, AllHours: true}, Speed: 1})
	s := sandbox.Start(t, sandbox.WithConfig(func(c *sandbox.Config) { c.MarketData = f }), sandbox.WithHeartbeat(time.Hour))
	tok := login(t, s, s.Credentials())
	c := mdSocket(t, s, tok)
	c.call("md/subscribeQuote", "", `{"symbol":"ESM6"}`)
	var prev time.Time
	for n := 0; n < 10; {
		for _, m := range parseFrame(t, c.data()) {
			var ev wire.MDEvent
			require.NoError(t, json.Unmarshal(m.Data, &ev))
			for _, q := range ev.Quotes {
				assert.False(t, q.Timestamp.Before(prev))
				prev = q.Timestamp.Time
				assert.NotNil(t, q.Entries.Bid)
				n++
			}
		}
	}
	lag := time.Since(prev)
	assert.Less(t, lag, time.Second, "real time: the data's time is about now")
	assert.Greater(t, lag, -time.Second)
}

// Bars fed from a bar file come back from md/getChart as the same bars.
func TestFeedBarsToCharts(t *testing.T) {
	bars := filepath.Join(t.TempDir(), "bars.csv")
	require.NoError(t, os.WriteFile(bars, []byte("ts_utc,symbol,open,high,low,close,volume\n"+
		"2026-03-04T16:00:00Z,ESM6,4800,4801,4799,4800.5,10\n"+
		"2026-03-04T16:01:00Z,ESM6,4800.5,4800.5,4798,4799,7\n"+
		"2026-03-04T16:02:00Z,ESM6,4799,4799.25,4799,4799.25,2\n"), 0o644))
	f := newFeed(t, sandbox.FeedConfig{Files: []string{bars}})
	s := sandbox.Start(t, sandbox.WithConfig(func(c *sandbox.Config) {
		c.MarketData = f
		c.Clock = f.Clock()
	}), sandbox.WithHeartbeat(time.Hour))
	require.Eventually(t, func() bool { return s.Clock().Now().Equal(openTime.Add(2*time.Minute + 45*time.Second)) }, 5*time.Second, 5*time.Millisecond)
	tok := login(t, s, s.Credentials())
	c := mdSocket(t, s, tok)
	r := getChart(t, c, `{"symbol":"ESM6","chartDescription":{"underlyingType":"MinuteBar","elementSize":1},"timeRange":{"asMuchAsElements":10}}`)
	var got []string
	for _, p := range chartPackets(t, c, r.HistoricalID) {
		for _, b := range p.Bars {
			vol := b.UpVolume.Add(b.DownVolume.Decimal)
			got = append(got, b.Timestamp.Format("15:04")+" "+b.Open.String()+" "+b.High.String()+" "+b.Low.String()+" "+b.Close.String()+" "+vol.String())
		}
	}
	assert.Equal(t, []string{"16:00 4800 4801 4799 4800.5 10", "16:01 4800.5 4800.5 4798 4799 7", "16:02 4799 4799.25 4799 4799.25 2"}, got)
}
