package sim

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
)

// marketTicks is a quiet market: trades and quotes moving a tick or two
// around 4800, never near the resting orders of restingHarness.
func marketTicks() []venue.Tick {
	ts := make([]venue.Tick, 64)
	for i := range ts {
		p := px("4800").AddTicks(int64(i%4), mes.TickSize)
		ts[i] = both(int64(i+1), p.String(), 1, p.String(), 10, p.AddTicks(1, mes.TickSize).String(), 12)
		if i%3 == 0 {
			ts[i].Flags = venue.HasQuote
		}
	}
	return ts
}

func idleHarness(tb testing.TB) *harness { return newHarness(tb, nil) }

// restingHarness has six working orders away from the market: limits on
// both sides, stops, a stop-limit and an MIT, one of them with a bracket.
func restingHarness(tb testing.TB, q QueueModel) *harness {
	h := newHarness(tb, queueModel(q))
	h.run(
		tk(quote(0, "4800", 10, "4800.25", 10)),
		sub("L1", lit(buy(1), limit("4790"))),
		sub("L2", lit(sell(2), limit("4810"), brackets(tp("4800"), sl("4815")))),
		sub("S1", lit(buy(1), stop("4812"))),
		sub("S2", lit(sell(1), stopLimit("4788", "4787"))),
		sub("M1", lit(buy(1), mit("4785"), tif(venue.GTC))),
		sub("L3", lit(buy(3), limit("4795"), oco(venue.Leg{Side: venue.Sell, Type: venue.Stop, Stop: px("4780")}))),
		tk(quote(1, "4800", 10, "4800.25", 10)),
	)
	require.Len(tb, h.x.WorkingOrders(), 7)
	return h
}

func benchTicks(b *testing.B, h *harness) {
	ts := marketTicks()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		t := &ts[i&63]
		t.Time = int64(i + 2)
		h.x.OnTick(t)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ticks/s")
	if len(h.ev) != 0 {
		b.Fatalf("the benchmark market filled something: %v", render(h.ev[0]))
	}
}

func BenchmarkOnTickIdle(b *testing.B) { benchTicks(b, idleHarness(b)) }

func BenchmarkOnTickResting(b *testing.B) { benchTicks(b, restingHarness(b, TradeThrough)) }

func BenchmarkOnTickRestingQueue(b *testing.B) { benchTicks(b, restingHarness(b, TouchWithQueue)) }

func TestOnTickDoesNotAllocate(t *testing.T) {
	for name, h := range map[string]*harness{
		"idle":            idleHarness(t),
		"resting":         restingHarness(t, TradeThrough),
		"resting (queue)": restingHarness(t, TouchWithQueue),
	} {
		ts := marketTicks()
		i := 0
		allocs := testing.AllocsPerRun(1000, func() {
			tick := &ts[i&63]
			tick.Time = int64(i + 2)
			i++
			h.x.OnTick(tick)
		})
		if allocs != 0 {
			t.Errorf("%s: OnTick allocates %.1f times per tick", name, allocs)
		}
		if len(h.ev) != 0 {
			t.Errorf("%s: the quiet market filled something: %v", name, render(h.ev[0]))
		}
	}
}
