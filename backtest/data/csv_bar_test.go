package data

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
)

func TestBarCSVFiles(t *testing.T) {
	esz13, esh14 := cid("ESZ13"), cid("ESH14")
	m1 := venue.Every(time.Minute)
	t0 := time.Date(2013, 10, 6, 22, 0, 0, 0, time.UTC).UnixNano()
	min := int64(time.Minute)
	tests := []struct {
		file string
		opt  CSVOptions
		want []venue.Bar
	}{
		{"es_bars.csv", testOpts(), []venue.Bar{
			{Contract: esh14, Spec: m1, Start: t0, End: t0 + min, Open: p("1669"), High: p("1669"), Low: p("1667.5"), Close: p("1668"), Volume: 5},
			{Contract: esz13, Spec: m1, Start: t0, End: t0 + min, Open: p("1676.75"), High: p("1677.25"), Low: p("1673.5"), Close: p("1675.25"), Volume: 1884},
			{Contract: esz13, Spec: m1, Start: t0 + min, End: t0 + 2*min, Open: p("1675.25"), High: p("1675.5"), Low: p("1674"), Close: p("1674.5"), Volume: 0},
		}},
		{"es_bars_ns.csv", CSVOptions{Resolve: testResolver, BarPeriod: time.Hour}, []venue.Bar{
			{Contract: esz13, Spec: venue.Every(time.Hour), Start: t0, End: t0 + int64(time.Hour), Open: p("1676.75"), High: p("1677.25"), Low: p("1673.5"), Close: p("1675.25"), Volume: 1884},
			{Contract: esz13, Spec: venue.Every(time.Hour), Start: t0 + min, End: t0 + min + int64(time.Hour), Open: p("1675.25"), High: p("1675.5"), Low: p("1674"), Close: p("1674.5"), Volume: 12},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			src, err := OpenBarCSV(filepath.Join("testdata", tt.file), tt.opt)
			require.NoError(t, err)
			defer src.Close()
			assert.Equal(t, tt.want, readBars(t, src))
			assert.Equal(t, tt.want[0].Spec, src.Spec())
			assert.Equal(t, int64(len(tt.want)), src.Rows())
		})
	}
}

func TestBarCSVBadRows(t *testing.T) {
	const head = "ts_utc,symbol,open,high,low,close,volume\n" +
		"2013-10-07T14:30:00Z,ESZ13,1690,1691,1689,1690.5,100\n"
	tests := []struct{ name, in, want string }{
		{"low above open", head + "2013-10-07T14:31:00Z,ESZ13,1690,1691,1690.25,1690.5,1\n",
			"bars.csv:3: inconsistent OHLC: open 1690 high 1691 low 1690.25 close 1690.5 (want low ≤ open, close ≤ high)"},
		{"close above high", head + "2013-10-07T14:31:00Z,ESZ13,1690,1691,1689,1691.25,1\n",
			"bars.csv:3: inconsistent OHLC: open 1690 high 1691 low 1689 close 1691.25 (want low ≤ open, close ≤ high)"},
		{"negative volume", head + "2013-10-07T14:31:00Z,ESZ13,1690,1691,1689,1690,-1\n",
			`bars.csv:3: bad volume "-1": want a non-negative integer`},
		{"off grid", head + "2013-10-07T14:31:00Z,ESZ13,1690,1691.1,1689,1690,1\n",
			"bars.csv:3: high 1691.1 is off the 0.25 tick grid"},
		{"bad open", head + "2013-10-07T14:31:00Z,ESZ13,abc,1691,1689,1690,1\n",
			`bars.csv:3: bad open "abc": invalid price syntax`},
		{"time backwards", head + "2013-10-07T14:29:00Z,ESZ13,1690,1691,1689,1690,1\n",
			"bars.csv:3: time 1381156140000000000 is before the previous row's 1381156200000000000"},
		{"not utc", head + "2013-10-07T14:31:00+02:00,ESZ13,1690,1691,1689,1690,1\n",
			`bars.csv:3: bad ts_utc "2013-10-07T14:31:00+02:00": want UTC ISO-8601 like 2013-10-07T14:30:00Z`},
		{"no such day", head + "2013-02-29T14:31:00Z,ESZ13,1690,1691,1689,1690,1\n",
			`bars.csv:3: bad ts_utc "2013-02-29T14:31:00Z": want UTC ISO-8601 like 2013-10-07T14:30:00Z`},
		{"empty time", head + ",ESZ13,1690,1691,1689,1690,1\n", "bars.csv:3: empty ts_utc"},
		{"unknown symbol", head + "2013-10-07T14:31:00Z,CLZ13,1690,1691,1689,1690,1\n",
			`bars.csv:3: unknown symbol "CLZ13": no product for "CLZ13"`},
		{"field count", head + "2013-10-07T14:31:00Z,ESZ13,1690,1691,1689,1690\n", "bars.csv:3: 6 fields, the header has 7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := NewBarCSV(strings.NewReader(tt.in), "bars.csv", testOpts())
			require.NoError(t, err)
			defer src.Close()
			var b venue.Bar
			require.NoError(t, src.Next(&b))
			err = src.Next(&b)
			var re *RowError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tt.want, err.Error())
			assert.Same(t, re, errAs(t, src.Next(&b)))

			src, err = NewBarCSV(strings.NewReader(tt.in), "bars.csv", CSVOptions{Resolve: testResolver, SkipBadRows: true})
			require.NoError(t, err)
			assert.Len(t, readBars(t, src), 1)
			assert.Equal(t, int64(1), src.Skipped())
			require.Len(t, src.SkippedSamples(), 1)
			assert.Equal(t, tt.want, src.SkippedSamples()[0].Error())
		})
	}
}

func TestBarCSVHeaderErrors(t *testing.T) {
	_, err := NewBarCSV(strings.NewReader("ts_utc,symbol,bid_open,bid_high,bid_low,bid_close,bid_size\n2013-10-07T14:30:00Z,ESZ13,1,1,1,1,1\n"), "q.csv", testOpts())
	assert.EqualError(t, err, `q.csv:1: missing column "open" (bar files have columns ts_utc, symbol, open, high, low, close, volume)`)
	_, err = NewBarCSV(strings.NewReader("time,symbol,open,high,low,close,volume\n1,ESZ13,1,1,1,1,1\n"), "q.csv", testOpts())
	assert.EqualError(t, err, `q.csv:1: missing column "ts_utc" (bar files have columns ts_utc, symbol, open, high, low, close, volume)`)
	_, err = NewBarCSV(strings.NewReader("ts_utc_ns,symbol,open,high,low,close\n1,ESZ13,1,1,1,1\n"), "q.csv", testOpts())
	assert.EqualError(t, err, `q.csv:1: missing column "volume" (bar files have columns ts_utc_ns, symbol, open, high, low, close, volume)`)
	_, err = NewBarCSV(strings.NewReader("ts_utc,symbol,open,high,low,close,volume\n"), "q.csv", CSVOptions{Resolve: testResolver, BarPeriod: -time.Second})
	assert.ErrorContains(t, err, "BarPeriod -1s is negative")
}

func TestParseISOTime(t *testing.T) {
	valid := []string{
		"2013-10-07T14:30:00Z", "1970-01-01T00:00:00Z", "2024-02-29T23:59:59Z", "2000-02-29T12:00:00Z",
		"1900-03-01T00:00:00Z", "2261-12-31T23:59:59.999999999Z", "1678-01-01T00:00:00Z",
		"2013-10-07T14:30:00.5Z", "2013-10-07T14:30:00.123456Z", "2013-10-07 14:30:00Z",
		"2013-10-07T14:30:00", "2013-10-07T14:30:00+00:00",
	}
	for _, s := range valid {
		got, ok := parseISOTime([]byte(s))
		require.True(t, ok, s)
		layout := "2006-01-02T15:04:05.999999999Z07:00"
		norm := strings.Replace(s, " ", "T", 1)
		if !strings.HasSuffix(norm, "Z") && !strings.Contains(norm[19:], "+") {
			norm += "Z"
		}
		want, err := time.Parse(layout, norm)
		require.NoError(t, err, s)
		assert.Equal(t, want.UnixNano(), got, s)
	}
	invalid := []string{
		"", "2013-10-07", "2013-10-07T14:30Z", "2013-13-07T14:30:00Z", "2013-10-32T14:30:00Z",
		"2013-02-29T14:30:00Z", "1900-02-29T14:30:00Z", "2013-10-07T24:00:00Z", "2013-10-07T14:60:00Z",
		"2013-10-07T14:30:60Z", "2013-10-07T14:30:00.Z", "2013-10-07T14:30:00.1234567890Z",
		"2013-10-07T14:30:00-05:00", "2262-01-01T00:00:00Z", "1677-12-31T00:00:00Z", "2013/10/07T14:30:00Z",
		"2013-1a-07T14:30:00Z", "2013-10-07T14:30:00ZZ",
	}
	for _, s := range invalid {
		_, ok := parseISOTime([]byte(s))
		assert.False(t, ok, s)
	}
}

func TestBarCSVZeroAllocs(t *testing.T) {
	const rows = 3000
	var b bytes.Buffer
	b.WriteString("ts_utc,symbol,open,high,low,close,volume\n")
	start := time.Date(2013, 10, 7, 0, 0, 0, 0, time.UTC)
	for i := range rows {
		b.WriteString(start.Add(time.Duration(i) * time.Minute).Format(time.RFC3339))
		b.WriteString(",ESZ13,1690,1691,1689,1690.5,100\n")
	}
	src, err := NewBarCSV(&b, "bars", testOpts())
	require.NoError(t, err)
	defer src.Close()
	var bar venue.Bar
	require.NoError(t, src.Next(&bar))
	allocs := testing.AllocsPerRun(rows-100, func() {
		if err := src.Next(&bar); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)
}
