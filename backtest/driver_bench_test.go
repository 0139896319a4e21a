package backtest

import (
	"context"
	"github.com/keeltrade/keel/backtest/data"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"

	_ "github.com/keeltrade/keel/examples/buyhold"
)

// synthTicks is a deterministic random walk of ES trades with the touch
// around them, one event every 50ms: what a busy tick file looks like.
type synthTicks struct {
	n, left int
	id      venue.ContractID
	rng     *rand.Rand
	t       int64
	price   venue.Price
}

func newSynth(n int, id venue.ContractID) *synthTicks {
	return &synthTicks{n: n, left: n, id: id, rng: rand.New(rand.NewPCG(1, 2)),
		t: time.Date(2026, 11, 2, 14, 30, 0, 0, time.UTC).UnixNano(), price: venue.MustParsePrice("6000")}
}

func (s *synthTicks) Next(t *venue.Tick) error {
	if s.left == 0 {
		return io.EOF
	}
	s.left--
	const tick = venue.Price(250_000_000)
	s.t += int64(50 * time.Millisecond)
	s.price += tick * venue.Price(int64(s.rng.IntN(3))-1)
	side := venue.Buy
	if s.rng.IntN(2) == 0 {
		side = venue.Sell
	}
	*t = venue.Tick{Time: s.t, Contract: s.id, Price: s.price, Size: int32(1 + s.rng.IntN(4)), Aggressor: side,
		Bid: s.price - tick, Ask: s.price, BidSize: 20, AskSize: 20, Flags: venue.HasTrade | venue.HasQuote}
	if side == venue.Sell {
		t.Bid, t.Ask = s.price, s.price+tick
	}
	return nil
}

func (s *synthTicks) Close() error { return nil }

const benchTicks = 1_000_000

// benchFiles writes the synthetic ticks once per process as binary and CSV.
func benchFiles(b *testing.B) (bin, csv string) {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "keel-bench-"+strconv.Itoa(benchTicks))
	bin, csv = filepath.Join(dir, "ESZ6.ktick"), filepath.Join(dir, "ESZ6.csv")
	if _, err := os.Stat(csv); err == nil {
		return bin, csv
	}
	require.NoError(b, os.MkdirAll(dir, 0o755))
	reg := data.NewRegistry(time.Time{})
	inst, err := reg.Resolve("ESZ6")
	require.NoError(b, err)
	w, err := data.CreateBinary(bin, inst)
	require.NoError(b, err)
	var sb strings.Builder
	sb.WriteString("ts_utc_ns,symbol,price,size,side\n")
	src := newSynth(benchTicks, inst.ID)
	var t venue.Tick
	for src.Next(&t) == nil {
		require.NoError(b, w.Write(&t))
		side := "B"
		if t.Aggressor == venue.Sell {
			side = "S"
		}
		sb.WriteString(strconv.FormatInt(t.Time, 10) + ",ESZ6," + t.Price.String() + "," + strconv.Itoa(int(t.Size)) + "," + side + "\n")
	}
	require.NoError(b, w.Close())
	require.NoError(b, os.WriteFile(csv, []byte(sb.String()), 0o644))
	return bin, csv
}

func benchRun(b *testing.B, strat string, params map[string]string, file string) {
	cfg := Config{Strategy: strat, Params: params, Files: []string{file}, Logger: quiet(), Session: SessionOff}
	b.ReportAllocs()
	b.ResetTimer()
	var ticks int64
	for b.Loop() {
		res, err := Run(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		ticks += res.Stats.Ticks
	}
	b.ReportMetric(float64(ticks)/b.Elapsed().Seconds(), "ticks/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(ticks), "ns/tick")
}

func BenchmarkBacktestBuyHoldBinary(b *testing.B) {
	bin, _ := benchFiles(b)
	benchRun(b, "buyhold", map[string]string{"symbol": "ESZ6"}, bin)
}

func BenchmarkBacktestSMACrossBinary(b *testing.B) {
	bin, _ := benchFiles(b)
	benchRun(b, "smacross", map[string]string{"symbol": "ESZ6", "fast": "5", "slow": "20"}, bin)
}

func BenchmarkBacktestSMACrossCSV(b *testing.B) {
	_, csv := benchFiles(b)
	benchRun(b, "smacross", map[string]string{"symbol": "ESZ6", "fast": "5", "slow": "20"}, csv)
}

// BenchmarkBacktestMemory50M runs buyhold over 50 million generated ticks
// and reports the peak Go heap and the process's peak resident set.
func BenchmarkBacktestMemory50M(b *testing.B) {
	const n = 50_000_000
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	for b.Loop() {
		runtime.GC()
		var peak uint64
		reg := data.NewRegistry(time.Time{})
		inst, err := reg.Resolve("ESZ6")
		require.NoError(b, err)
		cfg := Config{Strategy: "buyhold", Params: map[string]string{"symbol": "ESZ6"}, Ticks: newSynth(n, inst.ID), Registry: reg,
			Logger: quiet(), Session: SessionOff,
			Progress: func(int64) {
				metrics.Read(sample)
				peak = max(peak, sample[0].Value.Uint64())
			}}
		res, err := Run(context.Background(), cfg)
		require.NoError(b, err)
		require.Equal(b, int64(n), res.Stats.Ticks)
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "ticks/s")
	}
	if hwm := vmHWM(); hwm > 0 {
		b.ReportMetric(float64(hwm)/(1<<20), "peak-rss-MB")
	}
}

// vmHWM reads the process's peak resident set from /proc (Linux), in bytes.
func vmHWM() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

// BenchmarkBacktestSourceBinary is the bare binary read of the same file
// the full-backtest benchmarks use: the baseline the engine's cost is
// measured against.
func BenchmarkBacktestSourceBinary(b *testing.B) {
	bin, _ := benchFiles(b)
	b.ReportAllocs()
	b.ResetTimer()
	var ticks int64
	var t venue.Tick
	for b.Loop() {
		src, err := data.OpenBinary(bin)
		if err != nil {
			b.Fatal(err)
		}
		for src.Next(&t) == nil {
			ticks++
		}
		src.Close()
	}
	b.ReportMetric(float64(ticks)/b.Elapsed().Seconds(), "ticks/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(ticks), "ns/tick")
}
