package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeRisk writes a risk file into dir and returns its path.
func writeRisk(t *testing.T, dir, body string) string {
	t.Helper()
	path := filepath.Join(dir, "risk.yaml")
	require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
	return path
}

// head returns the first three lines of s, for failure messages.
func head(s string) string {
	lines := strings.SplitN(s, "\n", 4)
	return strings.Join(lines[:min(len(lines), 3)], "\n")
}

// oneLine asserts that s is a single line of text.
func oneLine(t *testing.T, s string) {
	t.Helper()
	assert.Equal(t, 1, strings.Count(strings.TrimSpace(s), "\n")+1, "one line: %q", s)
}

// TestBacktestRiskUnknownStrategy checks that a strategies section naming no
// strategy of the run stops the backtest before any data is read: the data
// file does not exist, and the error is about the risk file.
func TestBacktestRiskUnknownStrategy(t *testing.T) {
	dir := t.TempDir()
	riskFile := writeRisk(t, dir, "account:\n  market_hours: {enabled: false}\nstrategies:\n  smacros:\n    max_position: 1\n")
	missing := filepath.Join(dir, "no-such-data.csv")
	for _, args := range [][]string{
		{"backtest", "-strategy", "smacross", "-p", "symbol=ESZ6", "-risk", riskFile, "-out", "", missing},
		{"backtest", "-strategy", "smacross", "-p", "symbol=ESZ6", "-sweep", "fast=2:3:1", "-risk", riskFile, "-out", "", missing},
		{"demo", "-risk", riskFile, "-out", ""},
	} {
		code, stdout, errOut := runCLI(args...)
		assert.Equal(t, 1, code, "%v: %s", args, errOut)
		assert.Contains(t, errOut, riskFile+`: risk config: strategies.smacros: "smacros": line 4: no strategy of that name runs (running: smacross)`, args)
		assert.NotContains(t, errOut, "no-such-data", args)
		oneLine(t, errOut)
		assert.False(t, strings.Contains(stdout, "Net PnL"), "%v ran", args)
	}

	// Spelled right, the section applies.
	data := writeTrades(t, dir, "es.csv", 1000, nil)
	good := writeRisk(t, dir, "account:\n  market_hours: {enabled: false}\nstrategies:\n  smacross:\n    max_order_qty: 1\n")
	code, stdout, errOut := runCLI("backtest", "-strategy", "smacross", "-p", "symbol=ESZ6,fast=3,slow=8,qty=2", "-risk", good, "-out", "", data)
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, `risk gate denied [1-9]\d* intents`, stdout)
}

func TestBacktestRiskNonIntegerLimit(t *testing.T) {
	dir := t.TempDir()
	riskFile := writeRisk(t, dir, "account:\n  market_hours: {enabled: false}\n  max_position: 0.5\n")
	code, _, errOut := runCLI("backtest", "-strategy", "smacross", "-p", "symbol=ESZ6", "-risk", riskFile, "-out", "", filepath.Join(dir, "none.csv"))
	assert.Equal(t, 1, code, errOut)
	assert.Contains(t, errOut, `account.max_position: "0.5": line 3: not a whole number`)
	oneLine(t, errOut)
}

// TestDemoRiskOnUncoveredDates runs the bundled 2013 sample, which keel's
// CME calendar does not cover, under a risk file with market hours on (the
// account default). The backtest's -session policy decides what such dates
// mean; the run says so once in the summary instead of two warnings per
// order, and the orders trade.
func TestDemoRiskOnUncoveredDates(t *testing.T) {
	riskFile := writeRisk(t, t.TempDir(), "account:\n  max_position: 5\n")
	code, stdout, errOut := runCLI("demo", "-risk", riskFile, "-out", "")
	require.Equal(t, 0, code, errOut)
	assert.Zero(t, strings.Count(errOut, "denied"), head(errOut))
	assert.LessOrEqual(t, strings.Count(errOut, "\n"), 2, "stderr: %s", head(errOut))
	m := regexp.MustCompile(`(\d+) orders, (\d+) fills`).FindStringSubmatch(stdout)
	require.NotNil(t, m, head(stdout))
	assert.NotEqual(t, "0", m[2], "the orders were not all refused")
	assert.Equal(t, 1, strings.Count(stdout, "calendar does not cover"))
	assert.Regexp(t, "(?m)^note: "+m[1]+" orders fell on dates keel's CME calendar does not cover", stdout)
	assert.False(t, strings.Contains(stdout, "risk gate denied"), "no denials")

	// -session strict refuses those dates, as it does without a risk file.
	code, stdout, errOut = runCLI("demo", "-risk", riskFile, "-session", "strict", "-out", "")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, stdout, ", 0 fills")
}

// TestBacktestHugeIndicatorPeriod: a window longer than indicator.MaxPeriod
// is refused at once with a one-line error, not an out-of-memory crash.
func TestBacktestHugeIndicatorPeriod(t *testing.T) {
	dir := t.TempDir()
	data := writeTrades(t, dir, "es.csv", 200, nil)
	for _, args := range [][]string{
		{"backtest", "-strategy", "smacross", "-p", "symbol=ESZ6,slow=999999999999", "-out", "", data},
		{"backtest", "-strategy", "smacross", "-p", "symbol=ESZ6,fast=1048577,slow=1048578", "-out", "", data},
		{"demo", "-p", "slow=999999999999", "-out", ""},
		{"backtest", "-strategy", "smacross", "-p", "symbol=ESZ6", "-sweep", "slow=30|999999999999", "-out", "", data},
	} {
		start := time.Now()
		code, stdout, errOut := runCLI(args...)
		assert.Equal(t, 1, code, "%v: %s", args, errOut)
		assert.Contains(t, errOut, "must be at most 1048576", args)
		oneLine(t, errOut)
		assert.False(t, strings.Contains(stdout, "Net PnL"), "%v ran", args)
		assert.Less(t, time.Since(start), 5*time.Second, args)
	}
}
