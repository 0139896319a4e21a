package data

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/keeltrade/keel/venue"
)

func addCSVSeeds(f *testing.F, files ...string) {
	for _, name := range files {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, false)
		f.Add(data, true)
	}
}

// checkSourceErr fails unless err is one a CSV source may return.
func checkSourceErr(t *testing.T, err error) {
	var re *RowError
	switch {
	case err == io.EOF, errors.As(err, &re):
	case err != nil && err.Error() != "":
	default:
		t.Fatalf("unexpected error %v", err)
	}
}

func FuzzTickCSV(f *testing.F) {
	addCSVSeeds(f, "es_trades.csv", "es_trades.csv.gz", "es_bbo.csv", "es_mbp1.csv", "gc_trades.csv")
	f.Add([]byte("ts_utc_ns,symbol,price,size,side\n1,ESH4,1e400,1,B\n0,ESH4,-0.25,0,\n"), true)
	f.Add([]byte("ts_utc_ns,symbol,bid,bid_size,ask,ask_size,last,last_size,side,action\n1,GCZ3,,,,,1.1,1,S,T\n"), false)
	f.Fuzz(func(t *testing.T, data []byte, skip bool) {
		src, err := NewTickCSV(bytes.NewReader(data), "fuzz.csv", CSVOptions{Resolve: testResolver, SkipBadRows: skip, BufferSize: 4096})
		if err != nil {
			if src != nil {
				t.Fatal("source and error")
			}
			return
		}
		defer src.Close()
		var (
			tk   venue.Tick
			prev int64
			n    int
		)
		for ; n <= len(data); n++ {
			err := src.Next(&tk)
			if err != nil {
				checkSourceErr(t, err)
				break
			}
			if n > 0 && tk.Time < prev {
				t.Fatalf("tick %d: time %d before %d", n, tk.Time, prev)
			}
			prev = tk.Time
			if tk.Flags == 0 || tk.Flags&^(venue.HasTrade|venue.HasQuote) != 0 {
				t.Fatalf("tick %d: flags %#x", n, tk.Flags)
			}
			if tk.Size < 0 || tk.BidSize < 0 || tk.AskSize < 0 {
				t.Fatalf("tick %d: negative size %+v", n, tk)
			}
		}
		if n > len(data) {
			t.Fatalf("%d ticks from %d bytes", n, len(data))
		}
		if !skip && src.Skipped() != 0 || len(src.SkippedSamples()) > maxSkippedSamples {
			t.Fatalf("skipped %d, %d samples", src.Skipped(), len(src.SkippedSamples()))
		}
	})
}

func FuzzBarCSV(f *testing.F) {
	addCSVSeeds(f, "es_bars.csv", "es_bars_ns.csv")
	f.Add([]byte("ts_utc,symbol,open,high,low,close,volume\n2262-04-11T23:47:16.854775807Z,ESZ13,1,1,1,1,1\n"), false)
	f.Fuzz(func(t *testing.T, data []byte, skip bool) {
		src, err := NewBarCSV(bytes.NewReader(data), "fuzz.csv", CSVOptions{Resolve: testResolver, SkipBadRows: skip, BufferSize: 4096})
		if err != nil {
			return
		}
		defer src.Close()
		var b venue.Bar
		for n := 0; n <= len(data); n++ {
			err := src.Next(&b)
			if err != nil {
				checkSourceErr(t, err)
				return
			}
			if b.Low > b.Open || b.Low > b.Close || b.High < b.Open || b.High < b.Close || b.Volume < 0 || b.End <= b.Start {
				t.Fatalf("inconsistent bar %+v", b)
			}
		}
		t.Fatalf("more bars than bytes")
	})
}
