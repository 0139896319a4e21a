package data

import (
	"io"
	"path/filepath"
	"testing"

	"github.com/keeltrade/keel/venue"
)

const benchTicks = 1_000_000

// writeBenchBinary writes n deterministic ticks to a binary file in dir.
func writeBenchBinary(b *testing.B, dir string, inst venue.Instrument, n int, step int64) string {
	b.Helper()
	path := filepath.Join(dir, inst.Symbol+BinaryExt)
	w, err := CreateBinary(path, inst)
	if err != nil {
		b.Fatal(err)
	}
	price := p("4800")
	for i := range n {
		price = price.AddTicks(int64(i%7)-3, inst.TickSize)
		tk := venue.Tick{
			Time: 1700000000000000000 + int64(i)*step, Recv: 1700000000000000000 + int64(i)*step + 150_000,
			Contract: inst.ID, Price: price, Size: int32(1 + i%9), Aggressor: venue.Side(1 + i%2),
			Bid: price, Ask: price.AddTicks(1, inst.TickSize), BidSize: int32(i % 50), AskSize: int32(i % 40),
			Flags: venue.HasQuote,
		}
		if i%4 == 0 {
			tk.Flags |= venue.HasTrade
		}
		if err := w.Write(&tk); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

// benchSource reads b.N ticks, reopening the source at its end, and
// reports ticks/s.
func benchSource(b *testing.B, open func() (TickSource, error)) {
	src, err := open()
	if err != nil {
		b.Fatal(err)
	}
	var (
		tk  venue.Tick
		sum venue.Price
	)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := src.Next(&tk); err != nil {
			if err != io.EOF {
				b.Fatal(err)
			}
			src.Close()
			if src, err = open(); err != nil {
				b.Fatal(err)
			}
			if err := src.Next(&tk); err != nil {
				b.Fatal(err)
			}
		}
		sum += tk.Bid
	}
	b.StopTimer()
	src.Close()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ticks/s")
	if sum == 1 {
		b.Log(sum)
	}
}

// BenchmarkBacktestSourceBinary reads a 1M-tick binary file (56 MB) from
// the page cache: one op is one tick.
func BenchmarkSourceBinary(b *testing.B) {
	path := writeBenchBinary(b, b.TempDir(), esInstrument(), benchTicks, 1000)
	benchSource(b, func() (TickSource, error) { return OpenBinary(path) })
}
