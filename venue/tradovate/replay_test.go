package tradovate

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/tradovate/sandbox"
)

// replayData writes minutes of ESM6 quotes and trades from start, one a
// second, as an mbp1 tick file.
func replayData(t testing.TB, start time.Time, minutes int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("ts_utc_ns,symbol,bid,bid_size,ask,ask_size,last,last_size,side,action\n")
	for i := range minutes * 60 {
		at := start.Add(time.Duration(i) * time.Second)
		bid := 4800 + float64(i%8)*0.25
		fmt.Fprintf(&b, "%d,ESM6,%.2f,10,%.2f,10,%.2f,1,B,T\n", at.UnixNano(), bid, bid+0.25, bid+0.25)
	}
	path := filepath.Join(t.TempDir(), "replay.csv")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	return path
}

func TestReplaySession(t *testing.T) {
	start := time.Date(2026, 3, 4, 15, 0, 0, 0, time.UTC)
	f, err := sandbox.NewFeed(sandbox.FeedConfig{Files: []string{replayData(t, start, 30)}})
	require.NoError(t, err)
	s := sandbox.Start(t, sandbox.WithHeartbeat(50*time.Millisecond), sandbox.WithConfig(func(c *sandbox.Config) {
		c.Market.Replay = f
		c.Market.ClockInterval = 20 * time.Millisecond
	}))
	cfg := sandboxConfig(t, s, Replay)
	var mu sync.Mutex
	var clocks []time.Time
	a, err := New(cfg, Options{Logger: quiet(), Replay: &ReplayOptions{Start: start.Add(time.Minute), Speed: 400, OnClock: func(at time.Time, speed int) {
		mu.Lock()
		clocks = append(clocks, at)
		mu.Unlock()
	}}})
	require.NoError(t, err)
	ev := &events{}
	require.NoError(t, a.Start(ev.sink))
	defer a.Close()
	assert.NotZero(t, a.AccountID(), "the replay account, from account/list on the replay socket")
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(clocks) >= 3 }, 5*time.Second, 10*time.Millisecond)
	mu.Lock()
	assert.False(t, clocks[0].Before(start.Add(time.Minute)), "the clock starts at the replay start")
	assert.True(t, clocks[len(clocks)-1].After(clocks[0]), "and moves")
	mu.Unlock()

	cid, err := s.ContractID("ESM6")
	require.NoError(t, err)
	require.NoError(t, a.Submit(venue.Order{ClientID: "r-1.1-1", Contract: cid, Intent: venue.OrderIntent{Symbol: "ESM6", Side: venue.Buy, Qty: 1, Type: venue.Market}}))
	ev.wait(t, "filled on replay data", func() bool {
		f := ev.of("r-1.1-1", venue.EventFilled)
		return len(f) == 1 && f[0].Final
	})
	fill := ev.of("r-1.1-1", venue.EventFilled)[0].Fill
	assert.False(t, time.Unix(0, fill.Time).Before(start), "a fill in replay time: %s", time.Unix(0, fill.Time).UTC())

	// Pause: the clock stops.
	require.NoError(t, a.ChangeSpeed(t.Context(), 0))
	require.Eventually(t, func() bool { _, sp := a.ReplayClock(); return sp == 0 }, 5*time.Second, 10*time.Millisecond)
	t1, _ := a.ReplayClock()
	time.Sleep(100 * time.Millisecond)
	t2, _ := a.ReplayClock()
	assert.Equal(t, t1, t2, "paused")
	assert.Error(t, a.ChangeSpeed(t.Context(), 401))
}

func TestReplayNotPossibleStops(t *testing.T) {
	start := time.Date(2026, 3, 4, 15, 0, 0, 0, time.UTC)
	f, err := sandbox.NewFeed(sandbox.FeedConfig{Files: []string{replayData(t, start, 2)}})
	require.NoError(t, err)
	s := sandbox.Start(t, sandbox.WithConfig(func(c *sandbox.Config) { c.Market.Replay = f }))
	a, err := New(sandboxConfig(t, s, Replay), Options{Logger: quiet(), Replay: &ReplayOptions{Start: start.AddDate(1, 0, 0)}})
	require.NoError(t, err)
	err = a.Start((&events{}).sink)
	require.Error(t, err, "after the data: ineligible, and no retry loop")
	assert.Contains(t, err.Error(), "not possible")
}

// Review H6: a replay session whose sockets all closed has ended; the
// adapter says so and stops instead of reconnecting forever.
func TestReplaySessionEndedStops(t *testing.T) {
	start := time.Date(2026, 3, 4, 15, 0, 0, 0, time.UTC)
	f, err := sandbox.NewFeed(sandbox.FeedConfig{Files: []string{replayData(t, start, 30)}})
	require.NoError(t, err)
	s := sandbox.Start(t, sandbox.WithConfig(func(c *sandbox.Config) { c.Market.Replay = f }))
	a, err := New(sandboxConfig(t, s, Replay), Options{Logger: quiet(), Replay: &ReplayOptions{Start: start.Add(time.Minute)},
		Conn: ConnOptions{ReconnectMin: 10 * time.Millisecond, ReconnectMax: 50 * time.Millisecond}})
	require.NoError(t, err)
	require.NoError(t, a.Start((&events{}).sink))
	defer a.Close()
	_, err = s.Inject(sandbox.Fault{Kind: sandbox.FaultDrop, Target: sandbox.Target{Service: sandbox.Replay}})
	require.NoError(t, err)
	require.Eventually(t, func() bool { st, _ := a.State(); return st == StateClosed }, 5*time.Second, 10*time.Millisecond)
	_, why := a.State()
	assert.ErrorContains(t, why, "replay session ended")
}
