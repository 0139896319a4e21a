package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// sampleRun is a two-day, two-contract run with wins, a loss, a reversal, a
// trade across the 17:00 CT open and a position left open at the end.
func sampleRun(t *testing.T) Summary {
	t.Helper()
	r, err := NewRecorder(Config{})
	require.NoError(t, err)
	require.NoError(t, r.Track(mes))
	m := int64(time.Minute)
	t0 := ct(time.March, 5, 8, 30)
	p := px("5000")
	for i := int64(0); i < 24*60; i += 7 { // a price every 7 minutes for a day
		switch i % 5 {
		case 0, 1:
			p += px("1.25")
		default:
			p -= px("0.75")
		}
		at := t0 + i*m
		r.OnPrice(mes.ID, at, p)
		r.OnPrice(es.ID, at, p+px("0.25"))
		switch i {
		case 35:
			require.NoError(t, r.OnFill(venue.Fill{ID: 1, Contract: mes.ID, Side: venue.Buy, Qty: 2, Price: p, Time: at, Fee: dec("1.24")}, mes))
		case 140:
			require.NoError(t, r.OnFill(venue.Fill{ID: 2, Contract: mes.ID, Side: venue.Sell, Qty: 3, Price: p, Time: at, Fee: dec("1.86")}, mes))
		case 420:
			require.NoError(t, r.OnFill(venue.Fill{ID: 3, Contract: mes.ID, Side: venue.Buy, Qty: 1, Price: p, Time: at, Fee: dec("0.62")}, mes))
			require.NoError(t, r.OnFill(venue.Fill{ID: 4, Contract: es.ID, Side: venue.Sell, Qty: 1, Price: p, Time: at, Fee: dec("2.1")}, es))
		case 700: // 20:10 CT: the ES short spans the 17:00 open
			require.NoError(t, r.OnFill(venue.Fill{ID: 5, Contract: es.ID, Side: venue.Buy, Qty: 1, Price: p, Time: at, Fee: dec("2.1")}, es))
		case 840:
			require.NoError(t, r.OnFill(venue.Fill{ID: 6, Contract: mes.ID, Side: venue.Buy, Qty: 1, Price: p, Time: at, Fee: dec("0.62")}, mes))
		}
	}
	return r.Finish(t0 + 24*60*m)
}

func TestJSONGolden(t *testing.T) {
	s := sampleRun(t)
	var buf bytes.Buffer
	require.NoError(t, s.WriteJSON(&buf))
	golden := filepath.Join("testdata", "summary.golden.json")
	if *update {
		require.NoError(t, os.WriteFile(golden, buf.Bytes(), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "run go test -update to create it")
	assert.Equal(t, string(want), buf.String())
}

func TestJSONShape(t *testing.T) {
	s := sampleRun(t)
	var buf bytes.Buffer
	require.NoError(t, s.WriteJSON(&buf))
	out := buf.String()
	assert.Contains(t, out, `"start": "2024-03-05T14:30:00Z"`, "RFC 3339 UTC times")
	assert.Contains(t, out, `"starting_capital": "100000"`, "money as exact strings")
	assert.NotContains(t, out, "Series")
	assert.NotContains(t, out, "Equity\":", "the series stays out of the JSON")
}

func TestDeterministicFiles(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	s1, s2 := sampleRun(t), sampleRun(t)
	require.NoError(t, s1.WriteDir(a))
	require.NoError(t, s2.WriteDir(b))
	for _, name := range []string{SummaryFile, TradesFile, EquityFile, HTMLFile} {
		x, err := os.ReadFile(filepath.Join(a, name))
		require.NoError(t, err)
		y, err := os.ReadFile(filepath.Join(b, name))
		require.NoError(t, err)
		assert.NotEmpty(t, x, name)
		assert.True(t, bytes.Equal(x, y), "%s differs between two identical runs", name)
	}
}

func TestTradesCSV(t *testing.T) {
	t0 := ct(time.March, 5, 9, 0)
	s := record(t, Config{}, []event{
		fillEv(mes, venue.Buy, 2, "5000.25", "1.24", t0),
		fillEv(mes, venue.Sell, 2, "5003.5", "1.24", t0+int64(90*time.Second)+5),
	}).Finish(t0 + int64(time.Hour))
	var buf bytes.Buffer
	require.NoError(t, s.WriteTradesCSV(&buf))
	want := "n,contract,symbol,side,qty,entry_time,entry_price,exit_time,exit_price,gross_pnl,entry_fee,exit_fee,fees,net_pnl,duration_s\n" +
		"1,1,MESH4,Buy,2,2024-03-05T15:00:00Z,5000.25,2024-03-05T15:01:30.000000005Z,5003.5,32.5,1.24,1.24,2.48,30.02,90.000000005\n"
	assert.Equal(t, want, buf.String())
}

func TestEquityCSV(t *testing.T) {
	t0 := ct(time.March, 5, 9, 0)
	s := record(t, Config{StartingCapital: dec("1000")}, []event{
		fillEv(mes, venue.Buy, 1, "100", "0", t0),
		priceEv(mes, t0+int64(time.Minute), "80"),
	}).Finish(t0 + int64(2*time.Minute))
	var buf bytes.Buffer
	require.NoError(t, s.WriteEquityCSV(&buf))
	want := "time,equity,drawdown,drawdown_pct\n" +
		"2024-03-05T15:00:00Z,1000,0,0\n" +
		"2024-03-05T15:01:00Z,900,100,10\n" +
		"2024-03-05T15:02:00Z,900,100,10\n"
	assert.Equal(t, want, buf.String())

	s.Series = nil
	buf.Reset()
	require.NoError(t, s.WriteEquityCSV(&buf))
	assert.Equal(t, "time,equity,drawdown,drawdown_pct\n", buf.String())
}

func TestHTMLOffline(t *testing.T) {
	s := sampleRun(t)
	var buf bytes.Buffer
	require.NoError(t, s.WriteHTML(&buf))
	html := buf.String()
	lower := strings.ToLower(html)
	for _, fetch := range []string{`src="http`, `src='http`, `href="http`, `href='http`, `url(http`, `<script src`, `<link`, `@import`} {
		assert.NotContains(t, lower, fetch, "the page must not fetch anything")
	}
	assert.Contains(t, html, echartsJS[:200], "ECharts is inline")
	assert.Contains(t, html, "echarts.init(document.getElementById('equity')")
	assert.Contains(t, html, "echarts.init(document.getElementById('drawdown')")
	assert.Contains(t, html, "echarts.init(document.getElementById('fills_0')")
	assert.Contains(t, html, "echarts.init(document.getElementById('fills_1')")
	assert.Contains(t, html, "Net PnL")
}

func TestHTMLLargeRunIsDownsampled(t *testing.T) {
	r, err := NewRecorder(Config{SampleInterval: time.Second})
	require.NoError(t, err)
	t0 := ct(time.March, 5, 9, 0)
	require.NoError(t, r.OnFill(venue.Fill{Contract: mes.ID, Side: venue.Buy, Qty: 1, Price: px("5000"), Time: t0}, mes))
	p := px("5000")
	const n = 40_000
	for i := int64(1); i <= n; i++ {
		if i%3 == 0 {
			p -= px("0.25")
		} else {
			p += px("0.25")
		}
		r.OnPrice(mes.ID, t0+i*int64(time.Second), p)
	}
	s := r.Finish(t0 + n*int64(time.Second))
	require.Greater(t, len(s.Series.Equity), n)
	var buf bytes.Buffer
	require.NoError(t, s.WriteHTML(&buf))
	data := buf.Len() - len(echartsJS)
	assert.Less(t, data, 3*MaxChartPoints*60, "3 series of at most MaxChartPoints points: %d bytes of data", data)
}

func TestWriteTable(t *testing.T) {
	s := sampleRun(t)
	var buf bytes.Buffer
	require.NoError(t, s.WriteTable(&buf))
	out := buf.String()
	lines := strings.Split(out, "\n")
	col := strings.Index(lines[0], "2024")
	require.Positive(t, col)
	for _, l := range lines[:26] {
		require.Greater(t, len([]rune(l)), col, l)
		assert.NotEqual(t, ' ', []rune(l)[col], "values are aligned: %q", l)
		assert.Equal(t, ' ', []rune(l)[col-1], "values are aligned: %q", l)
	}
	assert.Contains(t, out, "Net PnL")
	assert.Contains(t, out, "Open position")
	assert.Contains(t, out, "MESH4")
}

func TestWriteDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run1")
	s := sampleRun(t)
	require.NoError(t, s.WriteDir(dir))
	for _, name := range []string{SummaryFile, TradesFile, EquityFile, HTMLFile} {
		fi, err := os.Stat(filepath.Join(dir, name))
		require.NoError(t, err)
		assert.Positive(t, fi.Size(), name)
	}
	blocker := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(blocker, nil, 0o644))
	assert.Error(t, s.WriteDir(blocker))
}
