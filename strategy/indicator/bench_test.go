package indicator

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchPrices is a random walk of ES-like prices in quarter ticks; its length
// is a power of two so the benchmarks index it with a mask.
var benchPrices = func() []float64 {
	rng := rand.New(rand.NewPCG(7, 8))
	xs := make([]float64, 1<<12)
	p := 5000.0
	for i := range xs {
		p += float64(rng.IntN(5)-2) * 0.25
		xs[i] = p
	}
	return xs
}()

const benchMask = 1<<12 - 1

// sink keeps the compiler from discarding the readings.
var sink float64

// Windowed indicators are run at two periods to show Update does not depend
// on the period.
var benchPeriods = []int{14, 200}

func BenchmarkSMA(b *testing.B) {
	for _, p := range benchPeriods {
		b.Run(fmt.Sprintf("period=%d", p), func(b *testing.B) {
			s, _ := NewSMA(p)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				s.Update(benchPrices[i&benchMask])
				sink = s.Value()
				i++
			}
		})
	}
}

func BenchmarkEMA(b *testing.B) {
	e, _ := NewEMA(14)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		e.Update(benchPrices[i&benchMask])
		sink = e.Value()
		i++
	}
}

func BenchmarkRSI(b *testing.B) {
	r, _ := NewRSI(14)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r.Update(benchPrices[i&benchMask])
		sink = r.Value()
		i++
	}
}

func BenchmarkATR(b *testing.B) {
	a, _ := NewATR(14)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c := benchPrices[i&benchMask]
		a.Update(c+0.5, c-0.75, c)
		sink = a.Value()
		i++
	}
}

func BenchmarkVWAP(b *testing.B) {
	w := NewVWAP()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		w.Update(benchPrices[i&benchMask], float64(1+i&7))
		sink = w.Value()
		i++
	}
}

func BenchmarkBollinger(b *testing.B) {
	for _, p := range benchPeriods {
		b.Run(fmt.Sprintf("period=%d", p), func(b *testing.B) {
			bb, _ := NewBollinger(p, 2)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				bb.Update(benchPrices[i&benchMask])
				lo, _, up := bb.Bands()
				sink = up - lo
				i++
			}
		})
	}
}
