package report

import (
	"testing"
	"time"

	"github.com/keeltrade/keel/venue"
)

// BenchmarkOnPrice feeds one price per op, 250µs of data time apart (4000
// ticks/s), with a position open, so an equity sample is due every 240000
// ticks as in a real run.
func BenchmarkOnPrice(b *testing.B) {
	r, err := NewRecorder(Config{})
	if err != nil {
		b.Fatal(err)
	}
	t := ct(time.March, 5, 9, 0)
	if err := r.OnFill(venue.Fill{Contract: mes.ID, Side: venue.Buy, Qty: 1, Price: px("5000"), Time: t}, mes); err != nil {
		b.Fatal(err)
	}
	p, tick := px("5000"), px("0.25")
	step := int64(250 * time.Microsecond)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		t += step
		if i&1 == 0 {
			p += tick
		} else {
			p -= tick
		}
		r.OnPrice(mes.ID, t, p)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ticks/s")
}
