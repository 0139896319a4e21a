package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeTrades writes a small ES trades CSV: a sine-ish walk, one trade every 10 s.
func writeTrades(t *testing.T, dir, name string, rows int, mutate func(i int, row string) string) string {
	t.Helper()
	var sb strings.Builder
	sb.WriteString("ts_utc_ns,symbol,price,size,side\n")
	start := time.Date(2026, 11, 2, 14, 30, 0, 0, time.UTC)
	price := 600000 // quarter points
	for i := range rows {
		switch (i / 40) % 4 {
		case 0, 1:
			price++
		default:
			price--
		}
		row := fmt.Sprintf("%d,ESZ6,%d.%02d,1,B", start.Add(time.Duration(i)*10*time.Second).UnixNano(), price/4, 25*(price%4))
		if mutate != nil {
			row = mutate(i, row)
		}
		sb.WriteString(row + "\n")
	}
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, []byte(sb.String()), 0o644))
	return path
}

func TestBacktestCommand(t *testing.T) {
	dir := t.TempDir()
	data := writeTrades(t, dir, "es.csv", 2000, nil)
	out := filepath.Join(dir, "rep")
	code, stdout, errOut := runCLI("backtest", "-strategy", "smacross", "-p", "symbol=ESZ6,fast=3,slow=8", "-out", out, "-fee", "1.5", data)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, stdout, "smacross on "+data+": 2000 ticks")
	assert.Contains(t, stdout, "Net PnL")
	assert.FileExists(t, filepath.Join(out, "report.html"))

	// Convert to binary and run the same backtest on it: same result.
	bin := filepath.Join(dir, "bin")
	code, stdout, errOut = runCLI("convert", "-out", bin, data)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, stdout, "2000 ticks")
	code, a, errOut := runCLI("backtest", "-strategy", "smacross", "-p", "symbol=ESZ6,fast=3,slow=8", "-json", "-out", "", data)
	require.Equal(t, 0, code, errOut)
	code, b, errOut := runCLI("backtest", "-strategy", "smacross", "-p", "symbol=ESZ6,fast=3,slow=8", "-json", "-out", "", filepath.Join(bin, "ESZ6.ktick"))
	require.Equal(t, 0, code, errOut)
	assert.JSONEq(t, a, b, "CSV and binary give the same backtest")

	// buyhold flattens on the last tick.
	code, stdout, errOut = runCLI("backtest", "-strategy", "buyhold", "-p", "symbol=ESZ6", "-out", "", data)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, stdout, "2 orders, 2 fills")
}

func TestBacktestBadInput(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.csv")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	unknown := writeTrades(t, dir, "unknown.csv", 10, func(_ int, row string) string { return strings.Replace(row, "ESZ6", "XXZ6", 1) })
	bad := writeTrades(t, dir, "bad.csv", 50, func(i int, row string) string {
		if i == 20 || i == 30 {
			return strings.Replace(row, ",1,B", ",x,B", 1)
		}
		return row
	})
	for _, tt := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no files", []string{"backtest", "-strategy", "buyhold"}, 2, "no data files"},
		{"no strategy", []string{"backtest", "-strategy", "", empty}, 2, "-strategy is required"},
		{"unknown strategy", []string{"backtest", "-strategy", "nope", empty}, 1, `unknown strategy "nope"`},
		{"empty file", []string{"backtest", "-strategy", "buyhold", "-p", "symbol=ESZ6", "-out", "", empty}, 1, "empty.csv"},
		{"missing file", []string{"backtest", "-strategy", "buyhold", "-p", "symbol=ESZ6", "-out", "", filepath.Join(dir, "nope.csv")}, 1, "no such file"},
		{"unknown contract", []string{"backtest", "-strategy", "buyhold", "-p", "symbol=ESZ6", "-out", "", unknown}, 1, "XXZ6"},
		{"bad row", []string{"backtest", "-strategy", "buyhold", "-p", "symbol=ESZ6", "-out", "", bad}, 1, "bad.csv:22:"},
		{"bad session", []string{"backtest", "-strategy", "buyhold", "-p", "symbol=ESZ6", "-session", "maybe", "-out", "", bad}, 2, "-session"},
		{"bad sweep", []string{"backtest", "-strategy", "smacross", "-p", "symbol=ESZ6", "-sweep", "fast=5:1:1", "-out", "", bad}, 2, "end is before start"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(tt.args...)
			assert.Equal(t, tt.code, code, errOut)
			assert.Contains(t, errOut, tt.want)
			assert.Equal(t, 1, strings.Count(strings.TrimSpace(errOut), "\n")+1, "one line: %q", errOut)
		})
	}
	code, stdout, errOut := runCLI("backtest", "-strategy", "buyhold", "-p", "symbol=ESZ6", "-out", "", "-skip-bad-rows", bad)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, stdout, "skipped 2 malformed rows")
	assert.Contains(t, stdout, "bad.csv:22:")
	assert.Contains(t, stdout, "bad.csv:32:")
}

func TestSweepCommand(t *testing.T) {
	dir := t.TempDir()
	data := writeTrades(t, dir, "es.csv", 1500, nil)
	out := filepath.Join(dir, "sweep")
	code, stdout, errOut := runCLI("backtest", "-strategy", "smacross", "-p", "symbol=ESZ6", "-sweep", "fast=2:4:1,slow=10:20:10", "-out", out, data)
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	require.Len(t, lines, 1+6+1, stdout)
	assert.Contains(t, lines[0], "rank")
	assert.Contains(t, lines[1], "fast=")
	csv, err := os.ReadFile(filepath.Join(out, "sweep.csv"))
	require.NoError(t, err)
	assert.Equal(t, 7, strings.Count(string(csv), "\n"))
	code, again, _ := runCLI("backtest", "-strategy", "smacross", "-p", "symbol=ESZ6", "-sweep", "fast=2:4:1,slow=10:20:10", "-workers", "1", "-out", out, data)
	require.Equal(t, 0, code)
	assert.Equal(t, stdout, again, "parallel and serial sweeps rank the same")
}

func TestBacktestWithRiskGate(t *testing.T) {
	dir := t.TempDir()
	data := writeTrades(t, dir, "es.csv", 1000, nil)
	riskFile := filepath.Join(dir, "risk.yaml")
	require.NoError(t, os.WriteFile(riskFile, []byte("account:\n  market_hours: {enabled: false}\n  max_order_qty: 1\n"), 0o600))
	code, stdout, errOut := runCLI("backtest", "-strategy", "smacross", "-p", "symbol=ESZ6,fast=3,slow=8,qty=2", "-risk", riskFile, "-out", "", data)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, stdout, "0 fills")
	assert.Regexp(t, `risk gate denied [1-9]\d* intents`, stdout)
	assert.Contains(t, errOut, "max-order-qty")

	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("account:\n  max_position: -3\n  max_bananas: 1\n"), 0o600))
	code, _, errOut = runCLI("backtest", "-strategy", "smacross", "-p", "symbol=ESZ6", "-risk", bad, "-out", "", data)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "max_bananas")
}

func TestBacktestExitCodes(t *testing.T) {
	dir := t.TempDir()
	data := writeTrades(t, dir, "es.csv", 200, nil)
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-latency", "-1s"}, 2, "-latency"},
		{[]string{"-slippage", "-1"}, 2, "-slippage"},
		{[]string{"-bar-period", "0s"}, 2, "-bar-period"},
		{[]string{"-session", "bogus"}, 2, "-session"},
		{[]string{"-sweep", "qty=1:2:1", "-rank-by", "bogus"}, 2, "bogus"},
	} {
		args := append([]string{"backtest", "-strategy", "buyhold", "-p", "symbol=ESZ6", "-out", ""}, tt.args...)
		code, _, errOut := runCLI(append(args, data)...)
		assert.Equal(t, tt.code, code, "%v: %s", tt.args, errOut)
		assert.Contains(t, errOut, tt.want)
	}
	// A strategy that fails its Init is a failed run, even though it ran.
	code, stdout, errOut := runCLI("backtest", "-strategy", "buyhold", "-p", "symbol=FOOZ3", "-out", "", data)
	assert.Equal(t, 1, code, stdout)
	assert.Contains(t, errOut, "strategy buyhold stopped")
}

func TestBacktestIgnoresLiveKillSwitch(t *testing.T) {
	dir := t.TempDir()
	data := writeTrades(t, dir, "es.csv", 500, nil)
	state := filepath.Join(dir, "kill.json")
	require.NoError(t, os.WriteFile(state, []byte(`{"tripped":true,"reason":"live","time":"2026-11-27T10:00:00Z"}`), 0o600))
	riskFile := filepath.Join(dir, "risk.yaml")
	require.NoError(t, os.WriteFile(riskFile, []byte("kill_switch: {state_file: "+state+"}\naccount:\n  market_hours: {enabled: false}\n"), 0o600))
	code, stdout, errOut := runCLI("backtest", "-strategy", "buyhold", "-p", "symbol=ESZ6", "-risk", riskFile, "-out", "", data)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, stdout, "2 fills", "the live latch does not block a backtest")
	after, err := os.ReadFile(state)
	require.NoError(t, err)
	assert.Contains(t, string(after), `"reason":"live"`, "and the backtest does not touch it")
}

// A warm-up that the data never completes is a warning, not "0 orders".
func TestBacktestWarnsWarmUpNeverReady(t *testing.T) {
	dir := t.TempDir()
	path := writeTrades(t, dir, "trades.csv", 400, nil) // about an hour of trades
	code, stdout, stderr := runCLI("backtest", "-strategy", "smacross", "-p", "symbol=ESZ6", "-p", "fast=5", "-p", "slow=120", "-p", "bar=5m", "-session", "off", "-out", "", path)
	require.Equal(t, 0, code, "%s\n%s", stdout, stderr)
	assert.Contains(t, stdout, "warning: smacross never finished its warm-up: it had 13 of 120 5m0s bars of ESZ6")
	code, stdout, _ = runCLI("backtest", "-strategy", "smacross", "-p", "symbol=ESZ6", "-p", "fast=2", "-p", "slow=3", "-session", "off", "-out", "", path)
	require.Equal(t, 0, code)
	assert.Contains(t, stdout, "warm-up: smacross was ready after")
}
