package backtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/tradovate"
	"github.com/keeltrade/keel/venue/tradovate/sandbox"
)

// The replay backtest runs the strategy through the real adapter on the
// sandbox's market replay and reports like a file backtest.
func TestRunReplay(t *testing.T) {
	start := time.Date(2026, 3, 4, 15, 0, 0, 0, time.UTC)
	var b strings.Builder
	b.WriteString("ts_utc_ns,symbol,bid,bid_size,ask,ask_size,last,last_size,side,action\n")
	for i := range 600 {
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
	vals := map[string]string{
		tradovate.KeyEnv: "replay", tradovate.KeyName: u.Name, tradovate.KeyPassword: u.Password, tradovate.KeyCID: strconv.FormatInt(u.CID, 10), tradovate.KeySec: u.Sec,
		tradovate.KeyURL: s.RESTURL(sandbox.Demo), tradovate.KeyReplayURL: s.WebSocketURL(sandbox.Replay),
	}
	tc, err := tradovate.LoadConfig("", func(k string) string { return vals[k] })
	require.NoError(t, err)
	tc.DeviceFile = filepath.Join(t.TempDir(), "device")
	res, err := RunReplay(context.Background(), ReplayConfig{
		Strategy: "buyhold", Params: map[string]string{"symbol": "ESM6"}, Tradovate: tc,
		From: start.Add(5 * time.Second), To: start.Add(15 * time.Second), Speed: 400,
		StateDir: t.TempDir(), Logger: quiet(),
	})
	require.NoError(t, err)
	require.NotEmpty(t, res.Orders)
	assert.Equal(t, venue.Filled, res.Orders[0].Status, "bought on the replay")
	assert.Contains(t, res.Orders[0].ClientID, "buyhold-", "a client id of this session")
	assert.Equal(t, 1, res.Summary.Fills)
	require.Len(t, res.Summary.OpenPositions, 1)
	assert.Equal(t, int64(1), res.Summary.OpenPositions[0].Net)
	assert.True(t, res.Summary.OpenPnL.IsPositive(), "the market rose after the buy: %s", res.Summary.OpenPnL)
	assert.False(t, res.Summary.End.After(start.Add(16*time.Second)), "ends at -to: %s", res.Summary.End)
}
