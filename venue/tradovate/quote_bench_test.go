package tradovate

import (
	"testing"

	"github.com/keeltrade/keel/venue"
)

// BenchmarkDecodeQuote: one F-6 md frame (a quote whose volume rose, so a
// trade-and-quote tick) decoded into a reused buffer.
func BenchmarkDecodeQuote(b *testing.B) {
	frames := qdSteadyFrames(1024)
	d := NewQuoteDecoder(4)
	out := make([]venue.Tick, 0, 8)
	ticks := 0
	b.ReportAllocs()
	b.SetBytes(int64(len(frames[0])))
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		var err error
		out, err = d.Decode(frames[i%len(frames)], int64(i), out[:0])
		if err != nil {
			b.Fatal(err)
		}
		ticks += len(out)
	}
	qdReportTicks(b, ticks)
}

// BenchmarkDecodeQuoteStdlib does the same work the plain way: encoding/json
// into the message envelope and wire.MDEvent, then the same rules.
func BenchmarkDecodeQuoteStdlib(b *testing.B) {
	frames := qdSteadyFrames(1024)
	ref := newQDRef()
	out := make([]venue.Tick, 0, 8)
	ticks := 0
	b.ReportAllocs()
	b.SetBytes(int64(len(frames[0])))
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		var err error
		out, err = ref.decodeFrameStdlib(frames[i%len(frames)], int64(i), out[:0])
		if err != nil {
			b.Fatal(err)
		}
		ticks += len(out)
	}
	qdReportTicks(b, ticks)
}

func qdReportTicks(b *testing.B, ticks int) {
	if s := b.Elapsed().Seconds(); s > 0 && ticks > 0 {
		b.ReportMetric(float64(ticks)/s, "ticks/s")
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(ticks), "ns/tick")
	}
}
