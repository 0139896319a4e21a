package risk

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// The kill switch. Tripped by Trip (an API), Signal (a SIGUSR1 handler), a
// kill file appearing, or a breach or denial of a rule listed in
// kill_switch.trip_on, it cancels every working order and flattens every
// position (as Actions), then refuses every intent that does not reduce
// the account's position. It latches: a state file keeps it tripped across
// restarts until Reset.
//
// Trip, Signal, Reset and Tripped are safe from any goroutine: they work on
// the shared state under a mutex and bump a version; the engine goroutine
// notices the version with one atomic load at its next Check, tick or
// event and applies the change there.

// KillState is what the state file holds.
type KillState struct {
	Tripped bool      `json:"tripped"`
	Reason  string    `json:"reason"`
	Time    time.Time `json:"time"`
}

type killSwitch struct {
	stateFile, file string
	log             *slog.Logger

	mu     sync.Mutex
	state  KillState // guarded by mu
	resets uint64    // guarded by mu: Reset calls so far
	ver    atomic.Uint64

	// Owned by the engine goroutine.
	seen       uint64
	seenResets uint64
	tripped    bool
	reason     string
	nextFile   int64
}

func (k *killSwitch) init(cfg KillSwitch, log *slog.Logger) error {
	k.stateFile, k.file, k.log = cfg.StateFile, cfg.File, log
	if k.stateFile == "" {
		return nil
	}
	data, err := os.ReadFile(k.stateFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("risk: kill switch state file: %w", err)
	}
	var st KillState
	if err := json.Unmarshal(data, &st); err != nil {
		// Fail safe: a state file exists but cannot be read, so assume the
		// switch was tripped.
		st = KillState{Tripped: true, Reason: fmt.Sprintf("kill switch state file %s is unreadable (%v); inspect it and Reset", k.stateFile, err), Time: time.Now()}
	}
	if !st.Tripped {
		return nil
	}
	k.state = st
	k.ver.Add(1)
	log.Warn("kill switch is tripped from a previous run; only reducing orders pass until Reset", "reason", st.Reason, "since", st.Time, "state_file", k.stateFile)
	return nil
}

func (k *killSwitch) pending() bool { return k.ver.Load() != k.seen }

// trip latches the switch; a second trip keeps the first reason.
func (k *killSwitch) trip(reason string, at time.Time) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.state.Tripped {
		return nil
	}
	k.state = KillState{Tripped: true, Reason: reason, Time: at.UTC()}
	k.ver.Add(1)
	if k.stateFile == "" {
		return nil
	}
	if err := writeFileAtomic(k.stateFile, k.state); err != nil {
		return fmt.Errorf("risk: kill switch tripped but not persisted: %w", err)
	}
	return nil
}

func (k *killSwitch) reset() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.file != "" && k.fileExists() {
		return fmt.Errorf("risk: kill file %s still exists; remove it before Reset", k.file)
	}
	if k.stateFile != "" {
		if err := os.Remove(k.stateFile); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("risk: reset kill switch: %w", err)
		}
	}
	k.state = KillState{}
	k.resets++
	k.ver.Add(1)
	return nil
}

func (k *killSwitch) fileExists() bool {
	_, err := os.Stat(k.file)
	return err == nil
}

func (k *killSwitch) snapshot() KillState {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.state
}

// writeFileAtomic writes v as JSON to path through a temporary file in the
// same directory (mode 0600), synced and renamed into place, so a crash
// leaves either the old file or the new one.
func writeFileAtomic(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return err
	}
	if _, err := f.Write(append(data, '\n')); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	ok = true
	if d, err := os.Open(dir); err == nil {
		d.Sync() // best effort: make the rename durable
		d.Close()
	}
	return nil
}

// Trip trips the kill switch (an API call): working orders are cancelled
// and positions flattened (see Actions), and from the engine's next call on
// only reducing intents pass, until Reset. It persists the state file
// before returning; an error means the switch is tripped in memory but may
// not survive a restart. Safe from any goroutine.
func (g *Guard) Trip(reason string) error {
	if reason == "" {
		reason = "tripped by API"
	}
	return g.ks.trip(reason, g.wall())
}

// Signal trips the kill switch on behalf of an OS signal; call it from the
// runner's SIGUSR1 handler. Safe from any goroutine.
func (g *Guard) Signal(sig os.Signal) error {
	return g.ks.trip("signal "+sig.String()+" received", g.wall())
}

// Reset clears a tripped kill switch and removes its state file; it also
// clears latched trailing-drawdown breaches, restarting their high-water
// marks at the current equity. (Daily-loss breaches clear at the next trade
// date.) It fails while the kill file exists. Safe from any goroutine; the
// engine goroutine applies it at its next call.
func (g *Guard) Reset() error { return g.ks.reset() }

// Tripped returns the kill switch's state. Safe from any goroutine.
func (g *Guard) Tripped() KillState { return g.ks.snapshot() }

// tripLoop trips from the engine goroutine (rule breach, kill file) and
// applies it at once.
func (g *Guard) tripLoop(reason string, now int64) {
	if err := g.ks.trip(reason, time.Unix(0, now)); err != nil {
		g.log.Error("kill switch", "err", err)
	}
	g.applyKill()
}

// applyKill brings the engine goroutine's view up to date with the shared
// state.
func (g *Guard) applyKill() {
	k := &g.ks
	k.mu.Lock()
	st, resets := k.state, k.resets
	k.seen = k.ver.Load()
	k.mu.Unlock()
	if resets != k.seenResets {
		k.seenResets = resets
		for _, s := range g.scopes {
			if s.ddBrk {
				s.ddBrk = false
				s.peak = s.equity
			}
		}
	}
	switch {
	case st.Tripped && !k.tripped:
		k.tripped, k.reason = true, st.Reason
		g.log.Error("kill switch tripped: cancelling working orders and flattening", "reason", st.Reason, "at", st.Time)
		reason := "kill switch: " + st.Reason
		g.push(Action{Kind: CancelAll, Reason: reason})
		g.push(Action{Kind: Flatten, Reason: reason})
	case !st.Tripped && k.tripped:
		k.tripped, k.reason = false, ""
		g.log.Warn("kill switch reset")
	}
}

// killRule refuses every intent that does not reduce the account's
// position while the switch is tripped.
type killRule struct{ g *Guard }

func (killRule) Name() string { return RuleKillSwitch }

func (r killRule) Check(req *Request, s *Scope) *Denied {
	k := &r.g.ks
	if !k.tripped || s.reducing() {
		return nil
	}
	return &Denied{
		Rule: RuleKillSwitch, Limit: "reducing orders only", Observed: "order adds to the position",
		Text: fmt.Sprintf("kill switch tripped (%s); only orders that reduce a position pass until an operator calls Reset", k.reason),
	}
}
