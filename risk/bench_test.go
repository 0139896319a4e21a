package risk

import (
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
)

// allOn enables every rule, in both scopes, with limits an ordinary intent
// passes. killFile may be "" to leave the kill-file check out.
func allOn(dir, killFile string) Config {
	l := Limits{
		MarketHours:      MarketHours{Enabled: true, UnknownCalendar: Refuse, NoEntriesBeforeClose: 10 * time.Minute, FlattenBeforeClose: 5 * time.Minute},
		MaxOrderQty:      100,
		MaxPosition:      1000,
		MaxTotalPosition: 1000,
		MaxOpenOrders:    1000,
		DailyLoss:        decimal.NewFromInt(1_000_000),
		TrailingDrawdown: decimal.NewFromInt(1_000_000),
		TrailingMode:     Intraday,
		FlattenOnBreach:  true,
		OrderRate:        Rate{Max: 1000, Per: time.Second, Burst: 1000},
		DuplicateWindow:  time.Second,
		PriceBand:        PriceBand{Ticks: 1000, NoLastTrade: Refuse},
	}
	return Config{
		SessionRoot: "ES",
		Account:     l,
		Defaults:    l,
		KillSwitch: KillSwitch{
			StateFile: filepath.Join(dir, "kill.json"),
			File:      killFile,
			TripOn:    []string{RuleDailyLoss, RuleTrailingDrawdown},
		},
	}
}

// passLoop is an engine's steady state: intents that pass every rule, each
// ended by a terminal event, ticks in between.
type passLoop struct {
	g      *Guard
	now    int64
	ids    []string
	prices []venue.Price
	in     venue.OrderIntent
	req    Request
	ev     venue.Event
	tick   venue.Tick
	i      int
}

func newPassLoop(t testing.TB, cfg Config) *passLoop {
	g, err := New(cfg, WithCalendar(alwaysOpen()), WithLogger(discard))
	require.NoError(t, err)
	h := &harness{t: t, g: g, now: t0}
	h.trade(mes, "5000")
	h.position("strat", mes, venue.Buy, 2, "5000") // positions, so ticks move equity
	h.position("strat", es, venue.Sell, 1, "5000")
	p := &passLoop{g: g, now: h.now.UnixNano()}
	for i := range 1024 {
		p.ids = append(p.ids, "strat-0-"+strconv.Itoa(1000+i))
	}
	for i := range 200 { // 200 prices × 10ms: an intent repeats after 2s, past the duplicate window
		p.prices = append(p.prices, px("4975")+venue.Price(i)*mes.TickSize)
	}
	p.in = venue.OrderIntent{Symbol: mes.Symbol, Side: venue.Buy, Qty: 1, Type: venue.Limit}
	p.req = Request{Strategy: "strat", Instrument: mes, Intent: &p.in}
	p.ev = venue.Event{Kind: venue.EventCancelled}
	p.tick = venue.Tick{Contract: mes.ID, Size: 1, Flags: venue.HasTrade}
	require.Nil(t, g.Actions())
	return p
}

// check runs one intent through Check and ends it with a Cancelled event.
func (p *passLoop) check() *Denied {
	p.now += int64(10 * time.Millisecond)
	p.in.Limit = p.prices[p.i%len(p.prices)]
	p.req.Now = p.now
	p.req.ClientID = p.ids[p.i%len(p.ids)]
	p.i++
	if d := p.g.Check(&p.req); d != nil {
		return d
	}
	p.ev.Time = p.now
	p.ev.ClientID = p.req.ClientID
	p.g.ObserveEvent(&p.ev)
	return nil
}

func (p *passLoop) observeTick() {
	p.now += int64(time.Millisecond)
	p.tick.Time = p.now
	p.tick.Price = px("5000") + venue.Price(p.i&1)*mes.TickSize
	p.i++
	p.g.ObserveTick(&p.tick)
}

// BenchmarkGateAllow measures the pass path with every rule on in both
// scopes (account and strategy): Check — including recording the client id
// for lifecycle tracking — plus the Cancelled event that ends the order and
// the Actions poll the engine makes after it. The kill file is checked once
// per second of engine time (every 100 intents here).
func BenchmarkGateAllow(b *testing.B) {
	dir := b.TempDir()
	p := newPassLoop(b, allOn(dir, filepath.Join(dir, "KILL")))
	b.ReportAllocs()
	for b.Loop() {
		if d := p.check(); d != nil {
			b.Fatal(d)
		}
		if a := p.g.Actions(); a != nil {
			b.Fatal(a)
		}
	}
}

// BenchmarkGateCheckOnly measures Check alone (the terminal events are fed
// outside the timer in batches).
func BenchmarkGateCheckOnly(b *testing.B) {
	dir := b.TempDir()
	p := newPassLoop(b, allOn(dir, ""))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		p.now += int64(10 * time.Millisecond)
		p.in.Limit = p.prices[p.i%len(p.prices)]
		p.req.Now = p.now
		p.req.ClientID = p.ids[p.i%len(p.ids)]
		p.i++
		if d := p.g.Check(&p.req); d != nil {
			b.Fatal(d)
		}
		if n++; n == 500 {
			b.StopTimer()
			for j := p.i - n; j < p.i; j++ {
				p.ev.ClientID = p.ids[j%len(p.ids)]
				p.g.ObserveEvent(&p.ev)
			}
			n = 0
			b.StartTimer()
		}
	}
}

// BenchmarkObserveTick measures a trade tick for a contract held by the
// account and a strategy, with every rule on.
func BenchmarkObserveTick(b *testing.B) {
	p := newPassLoop(b, allOn(b.TempDir(), ""))
	b.ReportAllocs()
	for b.Loop() {
		p.observeTick()
	}
}

// mallocs counts the heap allocations of n calls of f exactly
// (testing.AllocsPerRun rounds the average down).
func mallocs(n int, f func()) uint64 {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	f() // warm
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	for range n {
		f()
	}
	runtime.ReadMemStats(&b)
	return b.Mallocs - a.Mallocs
}

func TestHotPathsDoNotAllocate(t *testing.T) {
	p := newPassLoop(t, allOn(t.TempDir(), ""))
	// Warm up: the order pool and the tables reach their working size.
	for range 2000 {
		require.Nil(t, p.check())
	}
	assert.Zero(t, mallocs(10_000, func() {
		if d := p.check(); d != nil {
			t.Fatal(d)
		}
	}), "Check (pass) + terminal event")
	assert.Zero(t, mallocs(10_000, p.observeTick), "ObserveTick")
	assert.Zero(t, mallocs(10_000, func() {
		if p.g.Actions() != nil {
			t.Fatal("unexpected actions")
		}
	}), "Actions with none pending")
}
