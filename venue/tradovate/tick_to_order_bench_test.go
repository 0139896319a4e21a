package tradovate

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/keeltrade/keel/engine"
	"github.com/keeltrade/keel/engine/journal"
	"github.com/keeltrade/keel/engine/ring"
	"github.com/keeltrade/keel/risk"
	"github.com/keeltrade/keel/strategy"
	"github.com/keeltrade/keel/venue"
)

// The tick-to-order path, end to end in one process (no network): an md
// frame's bytes are decoded into ticks on the socket goroutine, handed
// through the engine's SPSC ring to the loop goroutine, shown to a
// strategy that trades every Nth tick, passed through the real risk gate,
// and turned into the request bytes Tradovate would get. Latency is from
// the frame's arrival (Tick.Recv, stamped before decoding) to the request
// bytes being ready; frames are sent one at a time (the next once the loop
// has taken the last), so it is the path's latency, not a backlog's.

const tickToOrderEvery = 16

// wireVenue builds the request text of every order and records latencies.
type wireVenue struct {
	a    *Adapter
	sink venue.EventSink
	buf  []byte
	lat  []int64
	recv *int64 // the Recv of the tick the strategy traded on
	seq  int64
}

func (v *wireVenue) Start(s venue.EventSink) error { v.sink = s; return nil }

func (v *wireVenue) Submit(o venue.Order) error {
	endpoint, body, err := v.a.placeBody(o)
	if err != nil {
		return err
	}
	v.seq++
	v.buf = append(v.buf[:0], endpoint...)
	v.buf = append(v.buf, '\n')
	v.buf = strconv.AppendInt(v.buf, v.seq, 10)
	v.buf = append(v.buf, '\n', '\n')
	if v.buf, err = encodeBody(v.buf, body); err != nil { // as the adapter encodes it
		return err
	}
	v.lat = append(v.lat, time.Now().UnixNano()-*v.recv)
	// The order's life ends at once (through the event ring, as a live
	// venue's events do), so working exposure stays within the limits.
	v.sink(venue.Event{Kind: venue.EventCancelled, ClientID: o.ClientID, Contract: o.Contract})
	return nil
}
func (v *wireVenue) Cancel(string) error               { return nil }
func (v *wireVenue) Modify(string, venue.Modify) error { return nil }
func (v *wireVenue) Close() error                      { return nil }

// everyNth trades on every Nth trade tick, alternating sides so the
// position stays within limits.
type everyNth struct {
	n    int
	recv *int64
}

func (s *everyNth) Init(ctx strategy.Context) error { return ctx.Subscribe("MESZ6") }

func (s *everyNth) OnTick(ctx strategy.Context, t venue.Tick) {
	if t.Flags&venue.HasTrade == 0 {
		return
	}
	s.n++
	if s.n%tickToOrderEvery != 0 {
		return
	}
	*s.recv = t.Recv
	side := venue.Buy
	if s.n/tickToOrderEvery%2 == 0 {
		side = venue.Sell
	}
	_, _ = ctx.Submit(venue.OrderIntent{Symbol: "MESZ6", Side: side, Qty: 1, Type: venue.Limit, Limit: t.Price - 40*venue.MustParsePrice("0.25")*venue.Price(side.Sign())})
}

// tickFrames are md frames for contract 123456, each with a trade (the
// total volume grows by one) a quarter point apart.
func tickFrames(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		px := 5000 + float64(i%40)*0.25
		out[i] = fmt.Appendf(nil, `a[{"e":"md","d":{"quotes":[{"timestamp":"2026-12-03T15:00:00.%03dZ","contractId":123456,"entries":{"Bid":{"price":%.2f,"size":12},"Offer":{"price":%.2f,"size":9},"Trade":{"price":%.2f,"size":1},"TotalTradeVolume":{"size":%d}}}]}}]`,
			i%1000, px-0.25, px, px, 100000+i)
	}
	return out
}

func BenchmarkTickToOrder(b *testing.B) { tickToOrder(b, nil) }

// BenchmarkTickToOrderJournaled is BenchmarkTickToOrder with the session
// journal in the path: each order is committed to it before it is sent.
func BenchmarkTickToOrderJournaled(b *testing.B) {
	j, err := journal.Open(filepath.Join(b.TempDir(), "j.db"), journal.Identity{Env: "demo", Account: "bench"}, "bench", journal.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	tickToOrder(b, func(v venue.Venue) venue.Venue { return journal.Wrap(v, j) })
}

func tickToOrder(b *testing.B, wrap func(venue.Venue) venue.Venue) {
	cfg, err := risk.ParseConfig([]byte(`
account:
  market_hours: {enabled: false}
  max_position: 10
  max_order_qty: 5
  max_open_orders: 1000000
  daily_loss: 5000
  order_rate: {max: 100000000, per: 1s, burst: 100000000}
  duplicate_window: 0s
  price_band: {ticks: 80}
`))
	if err != nil {
		b.Fatal(err)
	}
	gate, err := risk.New(cfg, risk.WithLogger(quiet()))
	if err != nil {
		b.Fatal(err)
	}
	ins, err := venue.NewInstrumentSet(venue.Instrument{ID: 123456, Symbol: "MESZ6", Root: "MES", TickSize: venue.MustParsePrice("0.25"), PointValue: decimal.NewFromInt(5), Currency: "USD"})
	if err != nil {
		b.Fatal(err)
	}
	var recv int64
	v := &wireVenue{a: &Adapter{acct: &account{id: 100001, spec: "DEMO1"}}, recv: &recv, lat: make([]int64, 0, b.N/tickToOrderEvery+16)}
	var vv venue.Venue = v
	if wrap != nil {
		vv = wrap(v)
	}
	e, err := engine.New(engine.Config{Instruments: ins, Venue: vv, Gate: gate, Clock: engine.WallClock{}, Logger: quiet(), Session: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	if err := e.Add("nth", &everyNth{recv: &recv}, nil); err != nil {
		b.Fatal(err)
	}
	feed, err := engine.NewFeed(1<<12, 1<<10, ring.Spin())
	if err != nil {
		b.Fatal(err)
	}
	frames := tickFrames(4096)
	dec := NewQuoteDecoder(4)
	out := make([]venue.Tick, 0, 8)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx, feed) }()

	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		out, err = dec.Decode(frames[i%len(frames)], time.Now().UnixNano(), out[:0])
		if err != nil {
			b.Fatal(err)
		}
		if _, err := feed.Ticks.PublishBatch(out); err != nil {
			b.Fatal(err)
		}
		// One frame at a time: latency, not the backlog of a saturated ring.
		for feed.Ticks.Len() > 0 {
		}
	}
	feed.Ticks.Close()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	cancel()
	if len(v.lat) == 0 {
		b.Fatal("no orders reached the venue")
	}
	slices.Sort(v.lat)
	q := func(p float64) float64 { return float64(v.lat[min(len(v.lat)-1, int(p*float64(len(v.lat))))]) }
	b.ReportMetric(q(0.50), "p50-ns")
	b.ReportMetric(q(0.99), "p99-ns")
	b.ReportMetric(q(0.999), "p99.9-ns")
	b.ReportMetric(float64(len(v.lat)), "orders")
}
