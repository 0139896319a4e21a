package tradovate

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// Market replay. A replay session plays a past market at a chosen speed
// into a replay account that exists only for the session. The replay
// socket serves orders, user sync and market data alike. The first
// connect checks the start (replay/checkreplaysession; a start the server
// adjusts is logged and used) and initializes the clock; a reconnect joins
// the running session without initializing it again (that would start the
// replay over). The replay account is the active one account/list lists on
// the replay socket. Clock events drive the engine's clock (OnClock).

// ReplayOptions configure a replay session (Env replay).
type ReplayOptions struct {
	Start time.Time
	// Speed is the replay speed in percent of real time, 1–400 (default 400).
	Speed int
	// InitialBalance is the replay account's starting cash (default 50000).
	InitialBalance decimal.Decimal
	// OnClock gets every clock event: the replay time and the speed (0:
	// the server paused the replay; ChangeSpeed resumes it).
	OnClock func(t time.Time, speed int)
}

type replayState struct {
	mu          sync.Mutex
	initialized bool
	start       time.Time // where the replay actually started
	last        wire.Clock
}

// ReplayClock returns the last replay clock event (zero before one).
func (a *Adapter) ReplayClock() (time.Time, int) {
	a.replay.mu.Lock()
	defer a.replay.mu.Unlock()
	return a.replay.last.T.Time, a.replay.last.S
}

// ReplayStart is where the replay started (after any adjustment).
func (a *Adapter) ReplayStart() time.Time {
	a.replay.mu.Lock()
	defer a.replay.mu.Unlock()
	return a.replay.start
}

// ChangeSpeed sets the replay speed (0 pauses; 1–400 percent).
func (a *Adapter) ChangeSpeed(ctx context.Context, speed int) error {
	if speed < 0 || speed > wire.MaxReplaySpeed {
		return fmt.Errorf("tradovate: replay speed %d: want 0 to %d", speed, wire.MaxReplaySpeed)
	}
	var r wire.SimpleResponse
	return a.trade.Do(ctx, "replay/changespeed", "", wire.ChangeSpeed{Speed: speed}, &r)
}

// initReplay starts the session on the first connect.
func (a *Adapter) initReplay(ctx context.Context, c *Conn) error {
	ro := a.opt.Replay
	if ro == nil {
		return Permanent(errors.New("tradovate: a replay session needs Options.Replay (its start and speed)"))
	}
	a.replay.mu.Lock()
	done := a.replay.initialized
	a.replay.mu.Unlock()
	if done {
		return nil
	}
	speed := ro.Speed
	if speed == 0 {
		speed = wire.MaxReplaySpeed
	}
	if speed < 1 || speed > wire.MaxReplaySpeed {
		return Permanent(fmt.Errorf("tradovate: replay speed %d: want 1 to %d percent", speed, wire.MaxReplaySpeed))
	}
	var chk wire.CheckReplaySessionResponse
	if err := c.Do(ctx, "replay/checkreplaysession", "", wire.CheckReplaySession{StartTimestamp: wire.TimeOf(ro.Start)}, &chk); err != nil {
		return fmt.Errorf("replay: check session: %w", err)
	}
	start := ro.Start
	switch chk.CheckStatus {
	case wire.CheckStatusOK:
	case wire.CheckStatusAdjusted:
		start = chk.StartTimestamp.Time
		a.log.Warn("replay start adjusted by the server", "asked", ro.Start, "start", start)
	default:
		return Permanent(fmt.Errorf("tradovate: replay from %s is not possible (%s): no data there, or the user's plan has no replay sessions", ro.Start.UTC().Format(time.RFC3339), chk.CheckStatus))
	}
	bal := ro.InitialBalance
	if bal.IsZero() {
		bal = decimal.NewFromInt(50000)
	}
	d := wire.Dec(bal)
	var ok wire.SimpleResponse
	if err := c.Do(ctx, "replay/initializeclock", "", wire.InitializeClock{StartTimestamp: wire.TimeOf(start), Speed: speed, InitialBalance: &d}, &ok); err != nil {
		return fmt.Errorf("replay: initialize clock: %w", err)
	}
	a.replay.mu.Lock()
	a.replay.initialized, a.replay.start = true, start
	a.replay.mu.Unlock()
	a.log.Info("replay session started", "start", start, "speed", speed)
	return nil
}

// replayAccount picks the replay account from account/list on the socket.
func (a *Adapter) replayAccount(ctx context.Context, c *Conn) error {
	var accts []wire.Account
	if err := c.Do(ctx, "account/list", "", nil, &accts); err != nil {
		return fmt.Errorf("replay: account/list: %w", err)
	}
	return a.setAccount(accts)
}

func (a *Adapter) onClock(d []byte) {
	clk, err := wire.ParseClock(d)
	if err != nil {
		a.log.Warn("clock event not decoded", "err", err)
		return
	}
	a.replay.mu.Lock()
	a.replay.last = clk
	a.replay.mu.Unlock()
	if ro := a.opt.Replay; ro != nil && ro.OnClock != nil {
		ro.OnClock(clk.T.Time, clk.S)
	}
}
