package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestDemoRuns(t *testing.T) {
	out1 := t.TempDir()
	code, out, errOut := runCLI("-out", out1)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "keel demo: smacross on real E-mini S&P 500 data")
	assert.Contains(t, out, "smacross on ESZ13 sample: 16673 bars")
	assert.Contains(t, out, "Net PnL")
	assert.Contains(t, out, filepath.Join(out1, "report.html"))
	for _, f := range []string{"summary.json", "trades.csv", "equity.csv", "report.html"} {
		assert.FileExists(t, filepath.Join(out1, f))
	}
	out2 := t.TempDir()
	code, _, errOut = runCLI("demo", "-out", out2)
	require.Equal(t, 0, code, errOut)
	for _, f := range []string{"summary.json", "trades.csv", "equity.csv", "report.html"} {
		a, err := os.ReadFile(filepath.Join(out1, f))
		require.NoError(t, err)
		b, err := os.ReadFile(filepath.Join(out2, f))
		require.NoError(t, err)
		assert.Equal(t, a, b, "%s is byte-identical across runs", f)
	}
}

func TestDemoJSON(t *testing.T) {
	code, out, errOut := runCLI("demo", "-json", "-out", "", "-p", "fast=5,slow=20")
	require.Equal(t, 0, code, errOut)
	var sum struct {
		Trades int    `json:"trades"`
		NetPnL string `json:"net_pnl"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &sum), out)
	assert.Positive(t, sum.Trades)
	assert.NotEmpty(t, sum.NetPnL)
}

func TestUsageErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"nope"}, 2, `unknown command "nope"`},
		{[]string{"demo", "-fee", "x"}, 2, "-fee"},
		{[]string{"demo", "extra"}, 2, "takes no files"},
		{[]string{"demo", "-p", "fast=40,slow=30", "-out", ""}, 1, "greater than fast"},
		{[]string{"demo", "-p", "fsat=4", "-out", ""}, 1, `unknown parameter "fsat"`},
		{[]string{"demo", "-strategy", "nope", "-out", ""}, 1, `unknown strategy "nope"`},
	} {
		code, _, errOut := runCLI(tt.args...)
		assert.Equal(t, tt.code, code, "%v: %s", tt.args, errOut)
		assert.Contains(t, errOut, tt.want, tt.args)
	}
	code, out, _ := runCLI("help")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "backtest")
}
