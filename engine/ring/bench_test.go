package ring_test

import (
	"sync"
	"testing"

	"github.com/keeltrade/keel/engine/ring"
)

// tick is a 64-byte, pointer-free stand-in for venue.Tick.
type tick struct {
	Time, Price, Size, Bid, Ask, BidSize, AskSize, Seq int64
}

const (
	benchCapacity = 4096 // slots in every benchmarked ring and channel
	benchBatch    = 256  // values per batched publish or consume
)

// handoff is the harness every benchmark shares: producers goroutines move
// b.N ticks in total, split evenly, to the benchmark goroutine, which runs
// consume until it has received them all. It reports ns/op (per tick),
// allocs/op and ticks/s.
func handoff(b *testing.B, producers int, produce func(first, n int), consume func(n int) int64) {
	b.Helper()
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	per := b.N / producers
	for p := range producers {
		n := per
		if p == producers-1 {
			n = b.N - per*(producers-1)
		}
		wg.Go(func() { produce(p*per, n) })
	}
	sum := consume(b.N)
	wg.Wait()
	b.StopTimer()
	if want := int64(b.N) * int64(b.N-1) / 2; sum != want {
		b.Fatalf("checksum %d, want %d: ticks lost or duplicated", sum, want)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ticks/s")
}

// publishTicks publishes ticks first..first+n-1 in batches of benchBatch.
func publishTicks(b *testing.B, publish func([]tick) (int, error), first, n int) {
	var batch [benchBatch]tick
	for sent := 0; sent < n; {
		k := min(benchBatch, n-sent)
		for i := range k {
			batch[i] = tick{Seq: int64(first + sent + i), Price: 450025}
		}
		if _, err := publish(batch[:k]); err != nil {
			b.Error(err)
			return
		}
		sent += k
	}
}

// consumeTicks consumes n ticks in batches of up to benchBatch and returns
// the sum of their Seq.
func consumeTicks(b *testing.B, consume func([]tick) (int, error), n int) int64 {
	var dst [benchBatch]tick
	var sum int64
	for got := 0; got < n; {
		k, err := consume(dst[:])
		if err != nil {
			b.Fatal(err)
		}
		for i := range k {
			sum += dst[i].Seq
		}
		got += k
	}
	return sum
}

// BenchmarkRingSPSC moves ticks with PublishBatch and Consume, benchBatch at
// a time.
func BenchmarkRingSPSC(b *testing.B) {
	r, err := ring.NewSPSC[tick](benchCapacity)
	if err != nil {
		b.Fatal(err)
	}
	handoff(b, 1,
		func(first, n int) { publishTicks(b, r.PublishBatch, first, n) },
		func(n int) int64 { return consumeTicks(b, r.Consume, n) })
}

// BenchmarkRingSPSCPoll is BenchmarkRingSPSC with the consumer reading the
// ring's slots in place through Poll instead of copying them out.
func BenchmarkRingSPSCPoll(b *testing.B) {
	r, err := ring.NewSPSC[tick](benchCapacity)
	if err != nil {
		b.Fatal(err)
	}
	handoff(b, 1,
		func(first, n int) { publishTicks(b, r.PublishBatch, first, n) },
		func(n int) int64 {
			var sum int64
			visit := func(batch []tick) {
				for i := range batch {
					sum += batch[i].Seq
				}
			}
			for got := 0; got < n; {
				if err := r.Wait(); err != nil {
					b.Fatal(err)
				}
				got += r.Poll(benchBatch, visit)
			}
			return sum
		})
}

// BenchmarkRingSPSCSingle publishes one tick per call, as a decoder that
// does not batch would, and consumes in batches.
func BenchmarkRingSPSCSingle(b *testing.B) {
	r, err := ring.NewSPSC[tick](benchCapacity)
	if err != nil {
		b.Fatal(err)
	}
	handoff(b, 1,
		func(first, n int) {
			for i := range n {
				if err := r.Publish(tick{Seq: int64(first + i), Price: 450025}); err != nil {
					b.Error(err)
					return
				}
			}
		},
		func(n int) int64 { return consumeTicks(b, r.Consume, n) })
}

// BenchmarkRingMPSC has two producers publishing one tick per call, and one
// consumer consuming in batches.
func BenchmarkRingMPSC(b *testing.B) {
	r, err := ring.NewMPSC[tick](benchCapacity)
	if err != nil {
		b.Fatal(err)
	}
	handoff(b, 2,
		func(first, n int) {
			for i := range n {
				if err := r.Publish(tick{Seq: int64(first + i), Price: 450025}); err != nil {
					b.Error(err)
					return
				}
			}
		},
		func(n int) int64 { return consumeTicks(b, r.Consume, n) })
}

// BenchmarkRingMPSCBatch has two producers publishing benchBatch ticks per
// call.
func BenchmarkRingMPSCBatch(b *testing.B) {
	r, err := ring.NewMPSC[tick](benchCapacity)
	if err != nil {
		b.Fatal(err)
	}
	handoff(b, 2,
		func(first, n int) { publishTicks(b, r.PublishBatch, first, n) },
		func(n int) int64 { return consumeTicks(b, r.Consume, n) })
}

// BenchmarkChannelBaseline moves the same ticks through a buffered channel
// of the same capacity, the idiomatic alternative to the ring.
func BenchmarkChannelBaseline(b *testing.B) {
	ch := make(chan tick, benchCapacity)
	handoff(b, 1,
		func(first, n int) {
			for i := range n {
				ch <- tick{Seq: int64(first + i), Price: 450025}
			}
			close(ch)
		},
		func(n int) int64 {
			var sum int64
			for t := range ch {
				sum += t.Seq
			}
			return sum
		})
}
