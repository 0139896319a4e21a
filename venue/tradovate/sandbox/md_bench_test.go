package sandbox_test

import (
	"bytes"
	"io"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/tradovate/sandbox"
)

// BenchmarkMDEventsToClient pushes quote events to one loopback md client
// as fast as it takes them: every op is one fed tick (a quote change on
// ESM6, through Server.Feed and both matching engines) that reaches the
// client as one {"e":"md"} quote event. The feeder keeps at most a window
// of events in flight, as a real feed at a finite rate would; the server
// batches what piles up into "a[…]" frames. Metrics: events/s delivered,
// events per frame, bytes per event.
func BenchmarkMDEventsToClient(b *testing.B) {
	const window = 8192
	s, _ := start(b, sandbox.WithHeartbeat(time.Hour))
	tok := login(b, s, s.Credentials())
	c := mdSocket(b, s, tok)
	c.call("md/subscribeQuote", "", `{"symbol":"ESM6"}`)
	id, err := s.ContractID("ESM6")
	if err != nil {
		b.Fatal(err)
	}
	tick := venue.MustParsePrice("0.25")
	base := venue.MustParsePrice("4800")
	at := openTime.UnixNano()

	var got, frames, bytesIn atomic.Int64
	done := make(chan error, 1)
	marker := []byte(`{"e":"md"`)
	_ = c.ws.SetReadDeadline(time.Time{})
	b.ReportAllocs()
	b.ResetTimer()
	go func() {
		buf := make([]byte, 0, 1<<20)
		for got.Load() < int64(b.N) {
			_, r, err := c.ws.NextReader()
			if err != nil {
				done <- err
				return
			}
			buf = buf[:0]
			for {
				if len(buf) == cap(buf) {
					buf = append(buf, 0)[:len(buf)]
				}
				n, err := r.Read(buf[len(buf):cap(buf)])
				buf = buf[:len(buf)+n]
				if err == io.EOF {
					break
				}
				if err != nil {
					done <- err
					return
				}
			}
			frames.Add(1)
			bytesIn.Add(int64(len(buf)))
			got.Add(int64(bytes.Count(buf, marker)))
		}
		done <- nil
	}()
	for i := 0; i < b.N; i++ {
		for int64(i)-got.Load() > window {
			runtime.Gosched()
		}
		s.Feed(venue.Tick{
			Time: at + int64(i)*int64(time.Microsecond), Contract: id, Flags: venue.HasQuote,
			Bid: base + tick*venue.Price(i%8), Ask: base + tick*venue.Price(i%8+1), BidSize: int32(1 + i%50), AskSize: int32(1 + i%40),
		})
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(b.N)/float64(max(frames.Load(), 1)), "events/frame")
	b.ReportMetric(float64(bytesIn.Load())/float64(b.N), "B/event")
}
