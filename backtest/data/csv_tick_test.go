package data

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
)

var (
	esh4 = cid("ESH4")
	esu4 = cid("ESU4")
)

var esTrades = []venue.Tick{
	{Time: 1700000000000000000, Recv: 1700000000100000000, Contract: esh4, Price: p("4800.25"), Size: 40, Flags: venue.HasTrade},
	{Time: 1700000000050000000, Recv: 1700000000050100000, Contract: esh4, Price: p("4800.25"), Size: 5, Flags: venue.HasTrade, Aggressor: venue.Buy},
	{Time: 1700000000050000000, Recv: 1700000000050200000, Contract: esh4, Price: p("4800"), Size: 3, Flags: venue.HasTrade, Aggressor: venue.Sell},
	// Size-0 trades are kept as they are.
	{Time: 1700000001000000000, Contract: esh4, Price: p("4800.5"), Size: 0, Flags: venue.HasTrade, Aggressor: venue.Buy},
}

func TestTickCSVFormats(t *testing.T) {
	gcz13, gcg14 := cid("GCZ13"), cid("GCG14")
	tests := []struct {
		file   string
		format TickFormat
		want   []venue.Tick
	}{
		{"es_trades.csv", TradesFormat, esTrades},
		{"es_trades.csv.gz", TradesFormat, esTrades},
		{"es_bbo.csv", BBOFormat, []venue.Tick{
			{Time: 1700000000000000000, Recv: 1700000000000100000, Contract: esh4, Bid: p("4799"), BidSize: 16, Ask: p("4799.5"), AskSize: 20, Flags: venue.HasQuote},
			// A crossed pre-open book is data, not a bad row.
			{Time: 1700000000020000000, Recv: 1700000000020100000, Contract: esh4, Bid: p("4805"), BidSize: 2, Ask: p("4799.5"), AskSize: 20, Flags: venue.HasQuote},
			{Time: 1700000000040000000, Contract: esh4, Bid: p("4800"), BidSize: 12, Ask: p("4800.25"), AskSize: 9, Flags: venue.HasQuote},
		}},
		{"es_mbp1.csv", MBP1Format, []venue.Tick{
			{Time: 1720000000000000000, Recv: 1720000000000200000, Contract: esu4, Price: p("5500.75"), Size: 2, Aggressor: venue.Buy,
				Bid: p("5500.5"), BidSize: 30, Ask: p("5500.75"), AskSize: 6, Flags: venue.HasTrade | venue.HasQuote},
			{Time: 1720000000000000000, Recv: 1720000000000300000, Contract: esu4,
				Bid: p("5500.5"), BidSize: 30, Ask: p("5500.75"), AskSize: 4, Flags: venue.HasQuote},
			{Time: 1720000001000000000, Recv: 1720000001000100000, Contract: esu4,
				Bid: p("5500.5"), BidSize: 31, Ask: p("5500.75"), AskSize: 4, Flags: venue.HasQuote},
			{Time: 1720000002000000000, Recv: 1720000002000100000, Contract: esu4, Price: p("5500.5"), Size: 5, Aggressor: venue.Sell,
				Bid: p("5500.5"), BidSize: 26, Ask: p("5500.75"), AskSize: 4, Flags: venue.HasTrade | venue.HasQuote},
		}},
		{"gc_trades.csv", TradesFormat, []venue.Tick{
			{Time: 1381104000276000000, Contract: gcz13, Price: p("1313.7"), Size: 1, Flags: venue.HasTrade},
			{Time: 1381104000276000000, Contract: gcz13, Price: p("1313.7"), Size: 1, Flags: venue.HasTrade},
			{Time: 1381104000500000000, Contract: gcg14, Price: p("1315.2"), Size: 2, Flags: venue.HasTrade},
			{Time: 1381104001000000000, Contract: gcz13, Price: p("1313.8"), Size: 0, Flags: venue.HasTrade},
			{Time: 1381104002000000000, Contract: gcz13, Price: p("1313.6"), Size: 3, Flags: venue.HasTrade},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			src, err := OpenTickCSV(filepath.Join("testdata", tt.file), testOpts())
			require.NoError(t, err)
			defer src.Close()
			assert.Equal(t, tt.format, src.Format())
			assert.Equal(t, tt.want, readTicks(t, src))
			assert.Equal(t, int64(len(tt.want)), src.Rows())
			assert.Zero(t, src.Skipped())
			// The end is sticky.
			var tk venue.Tick
			assert.ErrorIs(t, src.Next(&tk), io.EOF)
		})
	}
}

func TestTickCSVInstruments(t *testing.T) {
	src, err := OpenTickCSV(filepath.Join("testdata", "gc_trades.csv"), testOpts())
	require.NoError(t, err)
	defer src.Close()
	readTicks(t, src)
	var syms []string
	for _, in := range src.Instruments() {
		syms = append(syms, in.Symbol)
	}
	assert.Equal(t, []string{"GCZ13", "GCG14"}, syms)
}

func TestTickCSVResolvesEachSymbolOnce(t *testing.T) {
	calls := map[string]int{}
	opt := CSVOptions{Resolve: func(s string) (venue.Instrument, error) {
		calls[s]++
		return testResolver(s)
	}}
	src, err := OpenTickCSV(filepath.Join("testdata", "gc_trades.csv"), opt)
	require.NoError(t, err)
	defer src.Close()
	readTicks(t, src)
	assert.Equal(t, map[string]int{"GCZ13": 1, "GCG14": 1}, calls)
}

// Gzip is recognised by its magic bytes, whatever the file is called.
func TestTickCSVGzipByContent(t *testing.T) {
	plain, err := os.ReadFile(filepath.Join("testdata", "es_trades.csv"))
	require.NoError(t, err)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, err = zw.Write(plain)
	require.NoError(t, err)
	require.NoError(t, zw.Close())

	dir := t.TempDir()
	files := map[string][]byte{
		"gzip-named-plain.csv": gz.Bytes(),
		"plain-named-gzip.gz":  plain,
	}
	for name, data := range files {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			require.NoError(t, os.WriteFile(path, data, 0o644))
			src, err := OpenTickCSV(path, testOpts())
			require.NoError(t, err)
			defer src.Close()
			assert.Equal(t, esTrades, readTicks(t, src))
		})
	}
}

func TestTickCSVCorruptGzip(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "es_trades.csv.gz"))
	require.NoError(t, err)
	_, err = NewTickCSV(bytes.NewReader(data[:12]), "cut.csv.gz", testOpts())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cut.csv.gz")
}

func TestTickCSVHeaderVariants(t *testing.T) {
	want := venue.Tick{Time: 5, Contract: esh4, Price: p("4800.25"), Size: 2, Aggressor: venue.Sell, Flags: venue.HasTrade}
	tests := []struct {
		name string
		in   string
	}{
		{"plain", "ts_utc_ns,symbol,price,size,side\n5,ESH4,4800.25,2,S\n"},
		{"no final newline", "ts_utc_ns,symbol,price,size,side\n5,ESH4,4800.25,2,S"},
		{"crlf", "ts_utc_ns,symbol,price,size,side\r\n5,ESH4,4800.25,2,S\r\n"},
		{"bom", "\xef\xbb\xbfts_utc_ns,symbol,price,size,side\n5,ESH4,4800.25,2,S\n"},
		{"case and spaces", "TS_UTC_NS, Symbol ,PRICE,Size,SIDE\n5,ESH4,4800.25,2,S\n"},
		{"reordered", "side,size,price,symbol,ts_utc_ns\nS,2,4800.25,ESH4,5\n"},
		{"extra columns", "exchange,ts_utc_ns,symbol,price,size,side,suspicious\nX,5,ESH4,4800.25,2,S,0\n"},
		{"blank lines", "\nts_utc_ns,symbol,price,size,side\n\n\r\n5,ESH4,4800.25,2,S\n\n"},
		{"side word", "ts_utc_ns,symbol,price,size,side\n5,ESH4,4800.25,2,Sell\n"},
		{"exponent price", "ts_utc_ns,symbol,price,size,side\n5,ESH4,480025e-2,2,S\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := NewTickCSV(strings.NewReader(tt.in), "v.csv", testOpts())
			require.NoError(t, err)
			defer src.Close()
			assert.Equal(t, []venue.Tick{want}, readTicks(t, src))
		})
	}
}

func TestTickCSVHeaderErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"trades without size", "ts_utc_ns,symbol,price,side\n1,ESH4,1,B\n",
			`h.csv:1: missing column "size" (trades files have columns ts_utc_ns, symbol, price, size, side)`},
		{"trades without ts", "ts,symbol,price,size,side\n1,ESH4,1,1,B\n",
			`h.csv:1: missing column "ts_utc_ns" (trades files have columns ts_utc_ns, symbol, price, size, side)`},
		{"bbo without ask_size", "ts_utc_ns,symbol,bid,bid_size,ask\n1,ESH4,1,1,1\n",
			`h.csv:1: missing column "ask_size" (bbo files have columns ts_utc_ns, symbol, bid, bid_size, ask, ask_size)`},
		{"mbp1 without last_size", "ts_utc_ns,symbol,bid,bid_size,ask,ask_size,last,side,action\n1,ESH4,1,1,1,1,1,B,T\n",
			`h.csv:1: missing column "last_size" (mbp1 files have columns ts_utc_ns, symbol, bid, bid_size, ask, ask_size, last, last_size, side, action)`},
		{"mbo", "ts_event_ns,ts_recv_ns,symbol,action,side,price,size,order_id,flags,sequence,channel_id\n1,1,ESH4,A,B,1,1,1,1,1,1\n",
			"h.csv:1: this is a market-by-order (MBO) file; keel reads trades, bbo or mbp1 tick files"},
		{"unknown", "a,b,c\n1,2,3\n",
			"h.csv:1: unrecognised header: want a trades file (ts_utc_ns, symbol, price, size, side), a bbo file (ts_utc_ns, symbol, bid, bid_size, ask, ask_size) or an mbp1 file (ts_utc_ns, symbol, bid, bid_size, ask, ask_size, last, last_size, side, action)"},
		{"duplicate", "ts_utc_ns,symbol,price,size,side,Price\n1,ESH4,1,1,B,1\n",
			`h.csv:1: column "price" appears twice in the header`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := NewTickCSV(strings.NewReader(tt.in), "h.csv", testOpts())
			require.Error(t, err)
			assert.Nil(t, src)
			var re *RowError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

func TestTickCSVBadRows(t *testing.T) {
	const trades = "ts_utc_ns,symbol,price,size,side,ts_recv_ns\n" +
		"1000,ESH4,4800.25,1,B,1001\n"
	const bbo = "ts_utc_ns,symbol,bid,bid_size,ask,ask_size\n" +
		"1000,ESH4,4800,1,4800.25,2\n"
	const mbp1 = "ts_utc_ns,symbol,bid,bid_size,ask,ask_size,last,last_size,side,action\n" +
		"1000,ESH4,4800,1,4800.25,2,,,B,A\n"
	tests := []struct {
		name, in, want string
	}{
		{"bad price", trades + "1001,ESH4,48x0.25,1,B,1\n", `bad.csv:3: bad price "48x0.25": invalid price syntax`},
		{"empty price", trades + "1001,ESH4,,1,B,1\n", `bad.csv:3: empty price`},
		{"too precise price", trades + "1001,ESH4,4800.0000000001,1,B,1\n", `bad.csv:3: bad price "4800.0000000001": price out of range: more than 9 decimal places`},
		{"off grid", trades + "1001,ESH4,4800.1,1,B,1\n", `bad.csv:3: price 4800.1 is off the 0.25 tick grid`},
		{"bad time", trades + "1x01,ESH4,4800.25,1,B,1\n", `bad.csv:3: bad ts_utc_ns "1x01": want a non-negative integer`},
		{"negative time", trades + "-1,ESH4,4800.25,1,B,1\n", `bad.csv:3: bad ts_utc_ns "-1": want a non-negative integer`},
		{"time overflow", trades + "99999999999999999999,ESH4,4800.25,1,B,1\n", `bad.csv:3: bad ts_utc_ns "99999999999999999999": want a non-negative integer`},
		{"empty time", trades + ",ESH4,4800.25,1,B,1\n", `bad.csv:3: empty ts_utc_ns`},
		{"time backwards", trades + "999,ESH4,4800.25,1,B,1\n", `bad.csv:3: time 999 is before the previous row's 1000`},
		{"bad recv", trades + "1001,ESH4,4800.25,1,B,x\n", `bad.csv:3: bad ts_recv_ns "x": want a non-negative integer`},
		{"bad size", trades + "1001,ESH4,4800.25,1.5,B,1\n", `bad.csv:3: bad size "1.5": want a non-negative integer`},
		{"negative size", trades + "1001,ESH4,4800.25,-1,B,1\n", `bad.csv:3: bad size "-1": want a non-negative integer`},
		{"size overflow", trades + "1001,ESH4,4800.25,2147483648,B,1\n", `bad.csv:3: bad size "2147483648": want a non-negative integer`},
		{"bad side", trades + "1001,ESH4,4800.25,1,X,1\n", `bad.csv:3: bad side "X": want B, S or empty`},
		{"too few fields", trades + "1001,ESH4,4800.25,1,B\n", `bad.csv:3: 5 fields, the header has 6`},
		{"too many fields", trades + "1001,ESH4,4800.25,1,B,1,7,8\n", `bad.csv:3: 8 fields, the header has 6`},
		{"unknown symbol", trades + "1001,XXH4,4800.25,1,B,1\n", `bad.csv:3: unknown symbol "XXH4": no product for "XXH4"`},
		{"empty symbol", trades + "1001,,4800.25,1,B,1\n", `bad.csv:3: empty symbol`},
		{"line after blank", trades + "\n\n1001,ESH4,4800.1,1,B,1\n", `bad.csv:5: price 4800.1 is off the 0.25 tick grid`},
		{"first row", "ts_utc_ns,symbol,price,size,side\n1,ESH4,1.3,1,B\n", `bad.csv:2: price 1.3 is off the 0.25 tick grid`},
		{"bbo bad bid", bbo + "1001,ESH4,4800.3,1,4800.25,2\n", `bad.csv:3: bid 4800.3 is off the 0.25 tick grid`},
		{"bbo bad ask", bbo + "1001,ESH4,4800,1,NaN,2\n", `bad.csv:3: bad ask "NaN": invalid price syntax`},
		{"bbo bad bid size", bbo + "1001,ESH4,4800,x,4800.25,2\n", `bad.csv:3: bad bid_size "x": want a non-negative integer`},
		{"bbo bad ask size", bbo + "1001,ESH4,4800,1,4800.25,-2\n", `bad.csv:3: bad ask_size "-2": want a non-negative integer`},
		{"mbp1 empty action", mbp1 + "1001,ESH4,4800,1,4800.25,2,,,B,\n", `bad.csv:3: empty action`},
		{"mbp1 trade without last", mbp1 + "1001,ESH4,4800,1,4800.25,2,,,B,T\n", `bad.csv:3: empty last`},
		{"mbp1 trade bad last_size", mbp1 + "1001,ESH4,4800,1,4800.25,2,4800.25,,B,T\n", `bad.csv:3: empty last_size`},
		{"mbp1 trade bad side", mbp1 + "1001,ESH4,4800,1,4800.25,2,4800.25,1,A,T\n", `bad.csv:3: bad side "A": want B, S or empty`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := NewTickCSV(strings.NewReader(tt.in), "bad.csv", testOpts())
			require.NoError(t, err)
			defer src.Close()
			ticks, err := drainTicks(src)
			var re *RowError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tt.want, err.Error())
			// Rows before the bad one were delivered; the error is sticky.
			assert.Len(t, ticks, strings.Count(tt.in, "\n1000,"))
			var tk venue.Tick
			assert.Same(t, re, errAs(t, src.Next(&tk)))
		})
	}
}

func errAs(t *testing.T, err error) *RowError {
	t.Helper()
	re, ok := err.(*RowError)
	require.True(t, ok, "want *RowError, got %T %v", err, err)
	return re
}

func TestTickCSVLongLine(t *testing.T) {
	in := "ts_utc_ns,symbol,price,size,side\n" +
		"1,ESH4,4800.25,1,B\n" +
		"2,ESH4,4800.25,1,B," + strings.Repeat("x", 5000) + "\n" +
		"3,ESH4,4800.25,1,B\n"
	src, err := NewTickCSV(strings.NewReader(in), "long.csv", CSVOptions{Resolve: testResolver, BufferSize: 4096})
	require.NoError(t, err)
	ticks, err := drainTicks(src)
	assert.Len(t, ticks, 1)
	assert.EqualError(t, err, "long.csv:3: line longer than 4096 bytes")

	src, err = NewTickCSV(strings.NewReader(in), "long.csv", CSVOptions{Resolve: testResolver, BufferSize: 4096, SkipBadRows: true})
	require.NoError(t, err)
	ticks = readTicks(t, src)
	require.Len(t, ticks, 2)
	assert.Equal(t, int64(3), ticks[1].Time)
	assert.Equal(t, []RowError{{File: "long.csv", Line: 3, Reason: "line longer than 4096 bytes"}}, src.SkippedSamples())
}

func TestTickCSVSkipBadRows(t *testing.T) {
	var b strings.Builder
	b.WriteString("ts_utc_ns,symbol,price,size,side\n")
	b.WriteString("100,ESH4,4800.25,1,B\n") // line 2
	for i := range 12 {                     // lines 3..14
		if i%2 == 0 {
			b.WriteString("101,ESH4,4800.1,1,B\n")
		} else {
			b.WriteString("99,ESH4,4800.25,1,B\n") // earlier than the last good row
		}
	}
	b.WriteString("100,ESH4,4800.5,2,S\n") // line 15: equal time is fine
	b.WriteString("200,NQH4,17000,1,\n")   // line 16

	src, err := NewTickCSV(strings.NewReader(b.String()), "skip.csv", CSVOptions{Resolve: testResolver, SkipBadRows: true})
	require.NoError(t, err)
	defer src.Close()
	ticks := readTicks(t, src)
	require.Len(t, ticks, 3)
	assert.Equal(t, []int64{100, 100, 200}, []int64{ticks[0].Time, ticks[1].Time, ticks[2].Time})
	assert.Equal(t, cid("NQH4"), ticks[2].Contract)
	assert.Equal(t, int64(12), src.Skipped())
	samples := src.SkippedSamples()
	require.Len(t, samples, maxSkippedSamples)
	assert.Equal(t, RowError{File: "skip.csv", Line: 3, Reason: "price 4800.1 is off the 0.25 tick grid"}, samples[0])
	assert.Equal(t, RowError{File: "skip.csv", Line: 4, Reason: "time 99 is before the previous row's 100"}, samples[1])
	assert.Equal(t, 12, samples[9].Line)
	// The samples are a copy.
	samples[0].Line = -1
	assert.Equal(t, 3, src.SkippedSamples()[0].Line)
}

func TestTickCSVEmpty(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ name, in, want string }{
		{"empty", "", "the file has no header line"},
		{"blank lines", "\n\r\n\n", "the file has no header line"},
		{"header only", "ts_utc_ns,symbol,price,size,side\n", "the file has a header but no rows"},
		{"header and blanks", "ts_utc_ns,symbol,price,size,side\n\n\n", "the file has a header but no rows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name+".csv")
			require.NoError(t, os.WriteFile(path, []byte(tt.in), 0o644))
			_, err := OpenTickCSV(path, testOpts())
			require.ErrorIs(t, err, ErrEmpty)
			assert.Equal(t, path+": no data: "+tt.want, err.Error())
			_, err = OpenBarCSV(path, testOpts())
			require.ErrorIs(t, err, ErrEmpty)
		})
	}
	// An empty gzip stream is empty too.
	var gz bytes.Buffer
	require.NoError(t, gzip.NewWriter(&gz).Close())
	_, err := NewTickCSV(&gz, "e.csv.gz", testOpts())
	require.ErrorIs(t, err, ErrEmpty)
}

func TestTickCSVOpenErrors(t *testing.T) {
	_, err := OpenTickCSV(filepath.Join("testdata", "nope.csv"), testOpts())
	require.ErrorIs(t, err, os.ErrNotExist)

	_, err = OpenTickCSV(filepath.Join("testdata", "es_trades.csv"), CSVOptions{})
	require.ErrorContains(t, err, "CSVOptions.Resolve is nil")
}

func TestTickCSVClose(t *testing.T) {
	src, err := OpenTickCSV(filepath.Join("testdata", "es_trades.csv.gz"), testOpts())
	require.NoError(t, err)
	var tk venue.Tick
	require.NoError(t, src.Next(&tk))
	require.NoError(t, src.Close())
	require.NoError(t, src.Close())
	assert.ErrorIs(t, src.Next(&tk), errClosed)
}

// repeatCSV is the header followed by rows rows of line, with the time
// column (first) counting up.
func repeatCSV(header, rowTail string, rows int) []byte {
	var b bytes.Buffer
	b.WriteString(header)
	for i := range rows {
		b.WriteString(itoa(1700000000000000000 + int64(i)*1000))
		b.WriteString(rowTail)
	}
	return b.Bytes()
}

func itoa(n int64) string {
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(buf[i:])
		}
	}
}

func TestTickCSVZeroAllocs(t *testing.T) {
	const rows = 3000
	trades := repeatCSV("ts_utc_ns,symbol,price,size,side,ts_recv_ns,sequence\n", ",ESH4,4800.25,5,B,1700000000000100000,6006\n", rows)
	mbp1 := repeatCSV("ts_utc_ns,symbol,bid,bid_size,ask,ask_size,last,last_size,side,action\n", ",ESU4,5500.5,30,5500.75,6,5500.75,2,B,T\n", rows)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(trades)
	zw.Close()
	for name, data := range map[string][]byte{"trades": trades, "mbp1": mbp1, "gzip": gz.Bytes()} {
		t.Run(name, func(t *testing.T) {
			src, err := NewTickCSV(bytes.NewReader(data), name, testOpts())
			require.NoError(t, err)
			defer src.Close()
			var tk venue.Tick
			require.NoError(t, src.Next(&tk))
			allocs := testing.AllocsPerRun(rows-100, func() {
				if err := src.Next(&tk); err != nil {
					t.Fatal(err)
				}
			})
			assert.Zero(t, allocs)
		})
	}
}

func TestParseNumbers(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"9223372036854775807", 1<<63 - 1, true}, {"9223372036854775808", 0, false},
		{"", 0, false}, {"-1", 0, false}, {"+1", 0, false}, {"1 ", 0, false}, {"00012", 12, true},
	} {
		got, ok := parseNanos([]byte(tt.in))
		assert.Equal(t, tt.ok, ok, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
	for _, tt := range []struct {
		in   string
		want int32
		ok   bool
	}{
		{"0", 0, true}, {"2147483647", 1<<31 - 1, true}, {"2147483648", 0, false}, {"99999999999", 0, false}, {"", 0, false},
	} {
		got, ok := parseSize([]byte(tt.in))
		assert.Equal(t, tt.ok, ok, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
}

// split (SWAR) agrees with bytes.Split on lines full of near-commas.
func TestSplitMatchesBytesSplit(t *testing.T) {
	alphabet := []byte{',', '-', '.', '0', '9', 0x2c | 0x80, 0x2d, 0x2b, 0x00, 0xff, 0x7f, 0x80, 'a'}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		line := make([]byte, rng.IntN(40))
		for i := range line {
			line[i] = alphabet[rng.IntN(len(alphabet))]
		}
		want := bytes.Split(line, []byte{','})
		for _, ncols := range []int{len(want), len(want) - 1, len(want) + 1} {
			if ncols < 1 {
				continue
			}
			r := csvReader{ends: make([]int32, 0, ncols)}
			reason := r.split(line)
			if ncols != len(want) {
				if want := fmt.Sprintf("%d fields, the header has %d", len(want), ncols); reason != want {
					t.Fatalf("%q: %q, want %q", line, reason, want)
				}
				continue
			}
			if reason != "" {
				t.Fatalf("%q: %s", line, reason)
			}
			for k := range want {
				if !bytes.Equal(want[k], r.field(k)) {
					t.Fatalf("%q field %d: %q, want %q", line, k, r.field(k), want[k])
				}
			}
		}
	}
}

func TestParseNanosMatchesStrconv(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	digits := []byte("0123456789/:9 a")
	for range 20000 {
		b := make([]byte, 1+rng.IntN(20))
		for i := range b {
			if rng.IntN(20) == 0 {
				b[i] = digits[rng.IntN(len(digits))]
			} else {
				b[i] = byte('0' + rng.IntN(10))
			}
		}
		want, err := strconv.ParseInt(string(b), 10, 64)
		got, ok := parseNanos(b)
		switch {
		case len(b) > 19: // more digits than a timestamp has, even with leading zeros
			if ok {
				t.Fatalf("%q: accepted", b)
			}
		case ok != (err == nil) || got != want && ok:
			t.Fatalf("%q: %d, %v; strconv %d, %v", b, got, ok, want, err)
		}
	}
}

func TestTickCSVHeaderAfterBlankLines(t *testing.T) {
	_, err := NewTickCSV(strings.NewReader("\n\nts_utc_ns,symbol,price\n1,ESH4,1\n"), "h.csv", testOpts())
	assert.EqualError(t, err, `h.csv:3: missing column "size" (trades files have columns ts_utc_ns, symbol, price, size, side)`)
}

func TestTickCSVTruncatedGzip(t *testing.T) {
	data := repeatCSV("ts_utc_ns,symbol,price,size,side\n", ",ESH4,4800.25,5,B\n", 20000)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(data)
	zw.Close()
	src, err := NewTickCSV(bytes.NewReader(gz.Bytes()[:gz.Len()/2]), "cut.csv.gz", testOpts())
	require.NoError(t, err)
	ticks, err := drainTicks(src)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Contains(t, err.Error(), "cut.csv.gz: read after line")
	assert.NotEmpty(t, ticks)
}
