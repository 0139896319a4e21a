package tradovate

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/tradovate/sandbox"
)

// BenchmarkReconnect drops the trading and md sockets together and waits
// until both are back: re-authorized, the account re-synced (a fresh
// snapshot diffed in) and the quotes re-subscribed. It reports the time
// from the drop to both being Connected.
func BenchmarkReconnect(b *testing.B) {
	s := sandbox.Start(b)
	cfg := sandboxConfig(b, s, Demo)
	a, err := New(cfg, Options{Logger: quiet()}) // the default timings
	if err != nil {
		b.Fatal(err)
	}
	if err := a.Start(func(venue.Event) {}); err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	md, err := a.OpenMarketData(context.Background(), MarketDataOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer md.Close()
	if err := md.SubscribeQuotes(context.Background(), "MESZ6"); err != nil {
		b.Fatal(err)
	}
	var outages []time.Duration
	for b.Loop() {
		t0 := time.Now()
		c1, c2 := a.trade.Stats().Connects, md.Conn().Stats().Connects
		if _, err := s.Inject(sandbox.Fault{Kind: sandbox.FaultDrop}); err != nil {
			b.Fatal(err)
		}
		for a.trade.Stats().Connects == c1 || md.Conn().Stats().Connects == c2 {
			if time.Since(t0) > 10*time.Second {
				b.Fatal("no reconnect in 10s")
			}
			time.Sleep(100 * time.Microsecond)
		}
		outages = append(outages, time.Since(t0))
	}
	slices.Sort(outages)
	b.ReportMetric(float64(outages[len(outages)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(outages[len(outages)-1].Microseconds())/1000, "max-ms")
}
