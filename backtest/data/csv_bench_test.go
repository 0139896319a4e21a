package data

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/keeltrade/keel/venue"
)

const benchCSVRows = 500_000

// writeBenchCSV writes a deterministic ESH4 tick CSV laid out like the
// Databento files (trades or mbp1), optionally gzipped, and returns its path.
func writeBenchCSV(b *testing.B, format TickFormat, gz bool) string {
	b.Helper()
	var buf bytes.Buffer
	switch format {
	case TradesFormat:
		buf.WriteString("ts_utc_ns,symbol,price,size,side,ts_recv_ns,sequence\n")
	case MBP1Format:
		buf.WriteString("ts_utc_ns,symbol,bid,bid_size,ask,ask_size,last,last_size,side,action,bid_orders,ask_orders,event_price,event_size,ts_recv_ns,sequence,flags\n")
	}
	tick := p("0.25")
	price := p("4800")
	var line []byte
	for i := range benchCSVRows {
		price = price.AddTicks(int64(i%7)-3, tick)
		ts := int64(1703545200000000000) + int64(i)*7919
		line = strconv.AppendInt(line[:0], ts, 10)
		line = append(line, ",ESH4,"...)
		switch format {
		case TradesFormat:
			line = price.AppendText(line)
			line = append(line, ',')
			line = strconv.AppendInt(line, int64(1+i%9), 10)
			line = append(line, ',', "BS"[i%2], ',')
		case MBP1Format:
			line = price.AppendText(line)
			line = append(line, ',')
			line = strconv.AppendInt(line, int64(i%50), 10)
			line = append(line, ',')
			line = price.AddTicks(1, tick).AppendText(line)
			line = append(line, ',')
			line = strconv.AppendInt(line, int64(i%40), 10)
			if i%4 == 0 {
				line = append(line, ',')
				line = price.AppendText(line)
				line = append(line, ",3,S,T,12,9,"...)
			} else {
				line = append(line, ",,,B,A,12,9,"...)
			}
			line = price.AppendText(line)
			line = append(line, ",2,"...)
		}
		line = strconv.AppendInt(line, ts+150_000, 10)
		line = append(line, ',')
		line = strconv.AppendInt(line, int64(6000+i), 10)
		if format == MBP1Format {
			line = append(line, ",130"...)
		}
		line = append(line, '\n')
		buf.Write(line)
	}
	data := buf.Bytes()
	if gz {
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(data)
		zw.Close()
		data = z.Bytes()
	}
	path := filepath.Join(b.TempDir(), string(format)+".csv")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkSourceCSV reads generated tick CSV files (500k rows) with
// TickCSV alone: one op is one tick.
func BenchmarkSourceCSV(b *testing.B) {
	for _, bc := range []struct {
		name   string
		format TickFormat
		gz     bool
	}{
		{"trades", TradesFormat, false},
		{"mbp1", MBP1Format, false},
		{"trades-gzip", TradesFormat, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			path := writeBenchCSV(b, bc.format, bc.gz)
			benchSource(b, func() (TickSource, error) { return OpenTickCSV(path, testOpts()) })
		})
	}
}

// BenchmarkBarCSV reads a generated minute bar file (100k bars) with
// BarCSV alone: one op is one bar.
func BenchmarkBarCSV(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("ts_utc,symbol,open,high,low,close,volume\n")
	start := time.Date(2013, 10, 7, 0, 0, 0, 0, time.UTC)
	for i := range 100_000 {
		buf.WriteString(start.Add(time.Duration(i) * time.Minute).Format(time.RFC3339))
		buf.WriteString(",ESZ13,1690,1691,1689,1690.5,")
		buf.WriteString(strconv.Itoa(i % 1000))
		buf.WriteByte('\n')
	}
	path := filepath.Join(b.TempDir(), "bars.csv")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	open := func() *BarCSV {
		src, err := OpenBarCSV(path, testOpts())
		if err != nil {
			b.Fatal(err)
		}
		return src
	}
	src := open()
	var bar venue.Bar
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := src.Next(&bar); err != nil {
			if err != io.EOF {
				b.Fatal(err)
			}
			src.Close()
			src = open()
			if err := src.Next(&bar); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.StopTimer()
	src.Close()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "bars/s")
}
