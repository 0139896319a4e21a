package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue/tradovate/sandbox"
)

// runner backtest -replay runs on the sandbox's market replay and prints
// the same report as a file backtest.
func TestBacktestReplay(t *testing.T) {
	start := time.Date(2026, 3, 4, 15, 0, 0, 0, time.UTC)
	var b strings.Builder
	b.WriteString("ts_utc_ns,symbol,bid,bid_size,ask,ask_size,last,last_size,side,action\n")
	for i := range 400 {
		at := start.Add(time.Duration(i) * 250 * time.Millisecond)
		px := 4800 + float64(i/20)*0.25
		fmt.Fprintf(&b, "%d,ESM6,%.2f,10,%.2f,10,%.2f,1,B,T\n", at.UnixNano(), px-0.25, px, px)
	}
	path := filepath.Join(t.TempDir(), "replay.csv")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	f, err := sandbox.NewFeed(sandbox.FeedConfig{Files: []string{path}})
	require.NoError(t, err)
	s := sandbox.Start(t, sandbox.WithConfig(func(c *sandbox.Config) {
		c.Market.Replay = f
		c.Market.ClockInterval = 20 * time.Millisecond
	}))
	u := sandbox.DefaultUser()
	for k, v := range map[string]string{
		"TRADOVATE_ENV": "replay", "TRADOVATE_NAME": u.Name, "TRADOVATE_PASSWORD": u.Password, "TRADOVATE_CID": strconv.FormatInt(u.CID, 10),
		"TRADOVATE_SEC": u.Sec, "TRADOVATE_URL": s.RESTURL(sandbox.Demo), "TRADOVATE_REPLAY_URL": s.WebSocketURL(sandbox.Replay),
		"TRADOVATE_DEVICE_ID": "11111111-2222-4333-8444-555555555555", "XDG_STATE_HOME": t.TempDir(),
	} {
		t.Setenv(k, v)
	}
	out := filepath.Join(t.TempDir(), "report")
	code, stdout, stderr := runCLI("backtest", "-replay", "-from", start.Add(2*time.Second).Format(time.RFC3339), "-to", start.Add(10*time.Second).Format(time.RFC3339),
		"-strategy", "buyhold", "-p", "symbol=ESM6", "-out", out)
	require.Equal(t, 0, code, "stdout: %s\nstderr: %s", stdout, stderr)
	assert.Contains(t, stdout, "buyhold on market replay 2026-03-04T15:00:02Z to 2026-03-04T15:00:10Z")
	assert.Contains(t, stdout, "1 fills")
	assert.FileExists(t, filepath.Join(out, "report.html"))
	assert.NotContains(t, stdout+stderr, u.Password)

	code, _, stderr = runCLI("backtest", "-replay", "-from", "yesterday", "-to", "now", "-strategy", "buyhold")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "RFC3339")
	t.Setenv("TRADOVATE_ENV", "demo")
	code, _, stderr = runCLI("backtest", "-replay", "-from", start.Format(time.RFC3339), "-to", start.Add(time.Second).Format(time.RFC3339), "-strategy", "buyhold", "-p", "symbol=ESM6")
	assert.NotEqual(t, 0, code)
	assert.Contains(t, stderr, "TRADOVATE_ENV=replay")
}
