package data

import (
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/cme"
)

// sharedData is ../shared/data seen from the module root (/work/main), i.e.
// ../../../shared/data from this package's directory.
func sharedData(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "data")
	path := filepath.Join(dir, name)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("real market data not available (%s): %v", path, err)
	}
	return path
}

func TestSharedDataTicks(t *testing.T) {
	tests := []struct {
		file          string
		format        TickFormat
		rows          int
		trades, zeros int // HasTrade rows, size-0 trades
		volume        int64
		symbols       int
	}{
		{"es_databento_ESH4_20231225_trades.csv", TradesFormat, 2973, 2973, 0, 9892, 1},
		{"es_databento_ESH4_20231225_bbo.csv", BBOFormat, 25440, 0, 0, 0, 1},
		{"es_databento_ESU4_20240701_mbp1_ticks.csv", MBP1Format, 2288, 120, 0, -1, 1},
		{"es_databento_ESU4_20240701_trades.csv", TradesFormat, 120, 120, 0, -1, 1},
		{"es_databento_ESM4_20240508_2s_bbo.csv", BBOFormat, 135, 0, 0, 0, 1},
		{"es_databento_ESM4_20240508_2s_trades.csv", TradesFormat, 5, 5, 0, -1, 1},
		{"gc_tick_trades_lean_20131007-09.csv", TradesFormat, 157849, 157849, 459, -1, 11},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			src, err := OpenTickCSV(sharedData(t, tt.file), testOpts())
			require.NoError(t, err)
			defer src.Close()
			assert.Equal(t, tt.format, src.Format())
			var (
				tk                  venue.Tick
				rows, trades, zeros int
				volume              int64
				prev                int64
			)
			for {
				err := src.Next(&tk)
				if err == io.EOF {
					break
				}
				require.NoError(t, err)
				rows++
				if tk.Time < prev {
					t.Fatalf("row %d: time %d before %d", rows, tk.Time, prev)
				}
				prev = tk.Time
				if tk.IsTrade() {
					trades++
					volume += int64(tk.Size)
					if tk.Size == 0 {
						zeros++
					}
				}
			}
			assert.Equal(t, tt.rows, rows)
			assert.Equal(t, tt.trades, trades)
			assert.Equal(t, tt.zeros, zeros)
			if tt.volume >= 0 {
				assert.Equal(t, tt.volume, volume)
			}
			assert.Len(t, src.Instruments(), tt.symbols)
			assert.Zero(t, src.Skipped())
		})
	}
}

// The README: the ESU4 trades file equals the T rows of the MBP-1 file.
func TestSharedDataMBP1TradesMatchTradesFile(t *testing.T) {
	mbp, err := OpenTickCSV(sharedData(t, "es_databento_ESU4_20240701_mbp1_ticks.csv"), testOpts())
	require.NoError(t, err)
	defer mbp.Close()
	trades, err := OpenTickCSV(sharedData(t, "es_databento_ESU4_20240701_trades.csv"), testOpts())
	require.NoError(t, err)
	defer trades.Close()

	var fromMBP []venue.Tick
	for _, tk := range readTicks(t, mbp) {
		if tk.IsTrade() {
			require.True(t, tk.IsQuote())
			tk.Bid, tk.Ask, tk.BidSize, tk.AskSize, tk.Recv = 0, 0, 0, 0, 0
			tk.Flags = venue.HasTrade
			fromMBP = append(fromMBP, tk)
		}
	}
	var want []venue.Tick
	for _, tk := range readTicks(t, trades) {
		tk.Recv = 0
		want = append(want, tk)
	}
	assert.Equal(t, want, fromMBP)
}

func TestSharedDataBars(t *testing.T) {
	tests := []struct {
		file   string
		period time.Duration
		rows   int
	}{
		{"es_minute_trade_bars_lean_2013-2020.csv", time.Minute, 23948},
		{"es_hour_trade_bars_lean.csv", time.Hour, 357},
		{"es_nq_databento_ESU4_NQU4_20240701_ohlcv1m.csv", time.Minute, 60},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			src, err := OpenBarCSV(sharedData(t, tt.file), CSVOptions{Resolve: testResolver, BarPeriod: tt.period})
			require.NoError(t, err)
			defer src.Close()
			bars := readBars(t, src)
			assert.Len(t, bars, tt.rows)
			assert.Zero(t, src.Skipped())
			for _, b := range bars {
				require.Equal(t, b.Start+int64(tt.period), b.End)
			}
		})
	}
}

func TestSharedDataUnsupportedFiles(t *testing.T) {
	_, err := OpenTickCSV(sharedData(t, "es_databento_ESH4_20231225_mbo.csv.gz"), testOpts())
	assert.ErrorContains(t, err, "market-by-order (MBO) file")
	_, err = OpenBarCSV(sharedData(t, "es_minute_quote_bars_lean_2013-2020.csv"), testOpts())
	assert.ErrorContains(t, err, `missing column "open"`)
}

// The whole gold file through the binary format and back: streaming the CSV
// again, each row equals the next tick of its contract's binary file.
func TestSharedDataConvertRoundTrip(t *testing.T) {
	path := sharedData(t, "gc_tick_trades_lean_20131007-09.csv")
	dir := t.TempDir()
	conv, err := Convert(path, dir, testResolver, CSVOptions{})
	require.NoError(t, err)
	assert.Len(t, conv.Files, 11)
	assert.Equal(t, int64(157849), conv.Ticks)
	assert.Equal(t, filepath.Join(dir, "GCZ13.ktick"), conv.Files[0])

	bins := map[venue.ContractID]*BinaryReader{}
	for _, f := range conv.Files {
		r, err := OpenBinary(f)
		require.NoError(t, err)
		defer r.Close()
		bins[r.Instrument().ID] = r
	}
	src, err := OpenTickCSV(path, testOpts())
	require.NoError(t, err)
	defer src.Close()
	var want, got venue.Tick
	for n := 1; ; n++ {
		err := src.Next(&want)
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		if err := bins[want.Contract].Next(&got); err != nil || got != want {
			t.Fatalf("row %d: binary tick %+v (%v), CSV tick %+v", n, got, err, want)
		}
	}
	for _, r := range bins {
		assert.ErrorIs(t, r.Next(&got), io.EOF)
	}
}

// The real files against the real CME product table, the way the runner
// resolves them: every price is on the product's tick grid.
func TestSharedDataWithCMEProducts(t *testing.T) {
	tests := []struct {
		file string
		ref  time.Time
		rows int64
	}{
		{"es_databento_ESH4_20231225_bbo.csv", time.Date(2023, 12, 25, 0, 0, 0, 0, time.UTC), 25440},
		{"es_databento_ESU4_20240701_mbp1_ticks.csv", time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC), 2288},
		{"es_databento_ESH4_20231225_trades.csv", time.Date(2023, 12, 25, 0, 0, 0, 0, time.UTC), 2973},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			ids := map[string]venue.ContractID{}
			resolve := func(s string) (venue.Instrument, error) {
				sym, err := cme.ParseSymbol(s, tt.ref)
				if err != nil {
					return venue.Instrument{}, err
				}
				if ids[s] == 0 {
					ids[s] = venue.ContractID(len(ids) + 1)
				}
				return cme.Instrument(sym, ids[s])
			}
			src, err := OpenTickCSV(sharedData(t, tt.file), CSVOptions{Resolve: resolve})
			require.NoError(t, err)
			defer src.Close()
			readTicks(t, src)
			assert.Equal(t, tt.rows, src.Rows())
		})
	}
}
