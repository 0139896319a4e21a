package risk

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
)

var wallT = time.Date(2026, 11, 24, 16, 0, 0, 0, time.UTC)

func wall() Option { return WithWallClock(func() time.Time { return wallT }) }

func TestKillSwitchTrip(t *testing.T) {
	h := newHarness(t, offConfig(), wall())
	h.position("a", mes, venue.Buy, 2, "5000")
	working := h.mustMarket("a", mes, venue.Buy, 1)
	require.Nil(t, h.g.Actions())

	require.NoError(t, h.g.Trip("manual stop"))
	assert.Equal(t, KillState{Tripped: true, Reason: "manual stop", Time: wallT}, h.g.Tripped())
	assert.Equal(t, []Action{
		{Kind: CancelAll, Reason: "kill switch: manual stop"},
		{Kind: Flatten, Reason: "kill switch: manual stop"},
	}, h.g.Actions())
	assert.Nil(t, h.g.Actions(), "actions are handed out once")

	want := &Denied{Rule: "kill-switch", Limit: "reducing orders only", Observed: "order adds to the position",
		Text: "kill switch tripped (manual stop); only orders that reduce a position pass until an operator calls Reset"}
	_, d := h.market("a", mes, venue.Buy, 1)
	assert.Equal(t, want, d)
	_, d = h.market("a", es, venue.Sell, 1)
	assert.Equal(t, want, d, "no new positions anywhere")
	_, d = h.market("a", mes, venue.Sell, 3)
	assert.Equal(t, want, d, "flipping is not reducing")
	_, d = h.market("a", mes, venue.Sell, 2)
	assert.Nil(t, d, "getting flat passes")

	// A fill of an order that was working when the switch tripped is
	// flattened again.
	h.fill(working, mes, venue.Buy, 1, "5000", true)
	assert.Equal(t, []Action{
		{Kind: CancelAll, Contract: mes.ID, Reason: "kill switch tripped: manual stop"},
		{Kind: Flatten, Contract: mes.ID, Reason: "kill switch tripped: manual stop"},
	}, h.g.Actions())

	// A second trip keeps the first reason.
	require.NoError(t, h.g.Trip("again"))
	assert.Equal(t, "manual stop", h.g.Tripped().Reason)
	assert.Nil(t, h.g.Actions())

	require.NoError(t, h.g.Reset())
	assert.False(t, h.g.Tripped().Tripped)
	_, d = h.market("a", mes, venue.Buy, 1)
	assert.Nil(t, d)
}

func TestKillSwitchPersists(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state", "kill.json")
	cfg := offConfig()
	cfg.KillSwitch.StateFile = state

	h := newHarness(t, cfg, wall())
	require.NoError(t, h.g.Trip("operator: runaway strategy"))
	fi, err := os.Stat(state)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	var st KillState
	data, err := os.ReadFile(state)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &st))
	assert.Equal(t, KillState{Tripped: true, Reason: "operator: runaway strategy", Time: wallT}, st)
	entries, _ := os.ReadDir(filepath.Dir(state))
	assert.Len(t, entries, 1, "no temporary files left")

	// A restart with the same state file is still tripped, and flattens again.
	h2 := newHarness(t, cfg, wall())
	assert.True(t, h2.g.Tripped().Tripped)
	_, d := h2.market("a", mes, venue.Buy, 1)
	require.NotNil(t, d)
	assert.Equal(t, "kill-switch", d.Rule)
	assert.Contains(t, d.Text, "operator: runaway strategy")
	assert.Len(t, h2.g.Actions(), 2)

	// Reset removes the state; the next restart is clear.
	require.NoError(t, h2.g.Reset())
	_, err = os.Stat(state)
	assert.ErrorIs(t, err, os.ErrNotExist)
	_, d = h2.market("a", mes, venue.Buy, 1)
	assert.Nil(t, d)
	h3 := newHarness(t, cfg, wall())
	assert.False(t, h3.g.Tripped().Tripped)
}

func TestKillSwitchCorruptStateFailsSafe(t *testing.T) {
	state := filepath.Join(t.TempDir(), "kill.json")
	require.NoError(t, os.WriteFile(state, []byte("{not json"), 0o600))
	cfg := offConfig()
	cfg.KillSwitch.StateFile = state
	h := newHarness(t, cfg)
	assert.True(t, h.g.Tripped().Tripped)
	assert.Contains(t, h.g.Tripped().Reason, "unreadable")
}

func TestKillSwitchFile(t *testing.T) {
	dir := t.TempDir()
	kill := filepath.Join(dir, "KILL")
	cfg := offConfig()
	cfg.KillSwitch.File = kill
	cfg.KillSwitch.StateFile = filepath.Join(dir, "kill.json")
	h := newHarness(t, cfg)

	h.mustMarket("a", mes, venue.Buy, 1) // the file is checked now
	require.NoError(t, os.WriteFile(kill, nil, 0o600))
	h.advance(999 * time.Millisecond)
	h.mustMarket("a", mes, venue.Buy, 1) // not again within a second of engine time
	h.advance(time.Millisecond)
	_, d := h.market("a", mes, venue.Buy, 1)
	require.NotNil(t, d)
	assert.Equal(t, "kill-switch", d.Rule)
	assert.Equal(t, "kill file "+kill+" exists", h.g.Tripped().Reason)
	assert.Len(t, h.g.Actions(), 2)

	// Latched: removing the file is not a reset, and Reset needs it gone.
	assert.ErrorContains(t, h.g.Reset(), "remove it before Reset")
	require.NoError(t, os.Remove(kill))
	h.advance(2 * time.Second)
	_, d = h.market("a", mes, venue.Buy, 1)
	require.NotNil(t, d)
	require.NoError(t, h.g.Reset())
	_, d = h.market("a", mes, venue.Buy, 1)
	assert.Nil(t, d)
}

func TestKillSwitchFileSeenByTicks(t *testing.T) {
	kill := filepath.Join(t.TempDir(), "KILL")
	cfg := offConfig()
	cfg.KillSwitch.File = kill
	h := newHarness(t, cfg)
	h.trade(mes, "5000")
	require.NoError(t, os.WriteFile(kill, nil, 0o600))
	h.advance(time.Second)
	h.trade(mes, "5000")
	assert.True(t, h.g.Tripped().Tripped)
	assert.Len(t, h.g.Actions(), 2)
}

func TestKillSwitchSignal(t *testing.T) {
	h := newHarness(t, offConfig(), wall())
	require.NoError(t, h.g.Signal(syscall.SIGUSR1))
	assert.Equal(t, "signal user defined signal 1 received", h.g.Tripped().Reason)
	_, d := h.market("a", mes, venue.Buy, 1)
	require.NotNil(t, d)
	assert.Equal(t, "kill-switch", d.Rule)
}

func TestKillSwitchTripOnDenial(t *testing.T) {
	cfg := offConfig()
	cfg.Account.MaxOrderQty = 5
	cfg.KillSwitch.TripOn = []string{RuleMaxOrderQty}
	h := newHarness(t, cfg)
	_, d := h.market("a", mes, venue.Buy, 50)
	require.NotNil(t, d)
	assert.Equal(t, "max-order-qty", d.Rule)
	assert.True(t, h.g.Tripped().Tripped)
	assert.Contains(t, h.g.Tripped().Reason, "rule max-order-qty: order quantity 50")
	_, d = h.market("a", mes, venue.Buy, 1)
	assert.Equal(t, "kill-switch", d.Rule)
}

// TestKillSwitchConcurrentTrip trips and resets from other goroutines while
// the engine goroutine checks intents (run with -race).
func TestKillSwitchConcurrentTrip(t *testing.T) {
	cfg := offConfig()
	cfg.KillSwitch.StateFile = filepath.Join(t.TempDir(), "kill.json")
	h := newHarness(t, cfg)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if i%2 == 0 {
				_ = h.g.Trip("api")
			} else {
				_ = h.g.Reset()
			}
			_ = h.g.Tripped()
		}
	}()
	for i := 0; i < 2000; i++ {
		h.advance(time.Millisecond)
		id, d := h.market("a", mes, venue.Buy, 1)
		if d == nil {
			h.cancel(id)
		}
		h.g.Actions()
	}
	close(stop)
	wg.Wait()
	require.NoError(t, h.g.Reset())
	_, d := h.market("a", mes, venue.Buy, 1)
	assert.Nil(t, d)
}
