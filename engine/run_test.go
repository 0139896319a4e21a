package engine

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keeltrade/keel/engine/ring"
	"github.com/keeltrade/keel/strategy"
	"github.com/keeltrade/keel/venue"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// asyncVenue acknowledges orders from its own goroutine, like a socket reader.
type asyncVenue struct {
	sink venue.EventSink
	wg   sync.WaitGroup
}

func (v *asyncVenue) Start(s venue.EventSink) error { v.sink = s; return nil }
func (v *asyncVenue) Submit(o venue.Order) error {
	id := o.ClientID
	v.wg.Add(1)
	go func() {
		defer v.wg.Done()
		v.sink(venue.Event{Kind: venue.EventAccepted, ClientID: id, VenueID: 1})
	}()
	return nil
}
func (v *asyncVenue) Cancel(string) error               { return nil }
func (v *asyncVenue) Modify(string, venue.Modify) error { return nil }
func (v *asyncVenue) Close() error                      { v.wg.Wait(); return nil }

type liveStrat struct {
	ticks  atomic.Int64
	timers atomic.Int64
	events chan venue.Event
}

func (s *liveStrat) Init(ctx strategy.Context) error {
	ctx.After(2*time.Millisecond, "soon")
	return ctx.Subscribe("MESM6")
}
func (s *liveStrat) OnTick(ctx strategy.Context, t venue.Tick) {
	if s.ticks.Add(1) == 1 {
		_, err := ctx.Submit(venue.OrderIntent{Symbol: "MESM6", Side: venue.Buy, Qty: 1, Type: venue.Limit, Limit: venue.MustParsePrice("4000")})
		if err != nil {
			panic(err)
		}
	}
}
func (s *liveStrat) OnTimer(strategy.Context, strategy.Timer)  { s.timers.Add(1) }
func (s *liveStrat) OnOrder(_ strategy.Context, e venue.Event) { s.events <- e }

func TestRunLive(t *testing.T) {
	v := &asyncVenue{}
	e, err := New(Config{Instruments: instruments(t), Venue: v, Clock: WallClock{}, Logger: quietLog(), Session: "L"})
	require.NoError(t, err)
	s := &liveStrat{events: make(chan venue.Event, 4)}
	require.NoError(t, e.Add("live", s, nil))
	f, err := NewFeed(1024, 64, ring.Park(0))
	require.NoError(t, err)

	done := make(chan error, 1)
	go func() { done <- e.Run(context.Background(), f) }()
	const n = 10_000
	for i := range n {
		require.NoError(t, f.Ticks.Publish(*trade(mesID, time.Now().UnixNano()+int64(i), "5000", 1)))
	}
	select {
	case ev := <-s.events:
		assert.Equal(t, venue.EventAccepted, ev.Kind, "an event from another goroutine reaches the strategy")
		assert.Equal(t, "live-L-1", ev.ClientID)
	case <-time.After(5 * time.Second):
		t.Fatal("no order event")
	}
	require.Eventually(t, func() bool { return s.timers.Load() == 1 }, 5*time.Second, time.Millisecond, "wall-clock timer fires without data")
	f.Ticks.Close()
	require.NoError(t, <-done)
	require.NoError(t, v.Close())
	assert.Equal(t, int64(n), s.ticks.Load())
	assert.Equal(t, int64(n), e.Stats().Ticks)
}

func TestRunStopsOnContext(t *testing.T) {
	e, err := New(Config{Instruments: instruments(t), Venue: &asyncVenue{}, Clock: WallClock{}, Logger: quietLog(), Session: "L"})
	require.NoError(t, err)
	f, err := NewFeed(16, 16, ring.Park(0))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx, f) }()
	cancel()
	assert.ErrorIs(t, <-done, context.Canceled)
	assert.Error(t, e.Run(context.Background(), f), "an engine runs once")
	assert.Error(t, e.Run(context.Background(), nil))
}

func BenchmarkEngineRun(b *testing.B) {
	e, err := New(Config{Instruments: instruments(b), Venue: &asyncVenue{}, Logger: quietLog(), Session: "L"})
	require.NoError(b, err)
	require.NoError(b, e.Add("noop", noop{}, nil))
	f, err := NewFeed(1<<14, 64, ring.Park(0))
	require.NoError(b, err)
	done := make(chan error, 1)
	b.ReportAllocs()
	b.ResetTimer()
	go func() { done <- e.Run(context.Background(), f) }()
	batch := make([]venue.Tick, 64)
	for i := range batch {
		batch[i] = *trade(mesID, 0, "5000", 1)
	}
	at := t0
	for sent := 0; sent < b.N; {
		k := min(len(batch), b.N-sent)
		for i := range k {
			at += int64(250 * time.Millisecond)
			batch[i].Time = at
		}
		if _, err := f.Ticks.PublishBatch(batch[:k]); err != nil {
			b.Fatal(err)
		}
		sent += k
	}
	f.Ticks.Close()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/tick")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ticks/s")
}
