package backtest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/keeltrade/keel/backtest/report"
	"github.com/keeltrade/keel/engine"
	"github.com/keeltrade/keel/engine/ring"
	"github.com/keeltrade/keel/risk"
	"github.com/keeltrade/keel/strategy"
	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/tradovate"
)

// ReplayConfig is a backtest on Tradovate's market replay: the strategy
// runs in the live engine loop, through the real adapter (its orders go to
// the replay account over the replay socket, its ticks come from the
// replay's quotes), on the replay's clock, from From to To.
type ReplayConfig struct {
	Strategy string
	Params   map[string]string
	// Tradovate is the connection; its Env must be replay (the replay
	// socket is TRADOVATE_REPLAY_URL).
	Tradovate tradovate.Config
	// Options tune the adapter (socket timings, logger); Replay is set by
	// RunReplay.
	Options  tradovate.Options
	From, To time.Time
	// Speed is the replay speed in percent of real time (1–400; default 400).
	Speed   int
	NewGate func() (risk.Gate, error)
	Report  report.Config
	Logger  *slog.Logger
	// StateDir keeps session ids (default engine.DefaultStateDir()): the
	// replay is a venue outside the process, so client order ids must not
	// repeat across runs.
	StateDir string
}

// replayClock is the engine's clock in a replay: the replay time of the
// last clock event (or market event, whichever is later).
type replayClock struct{ ns atomic.Int64 }

func (c *replayClock) Now() int64 { return c.ns.Load() }

func (c *replayClock) set(t int64) {
	for {
		old := c.ns.Load()
		if t <= old || c.ns.CompareAndSwap(old, t) {
			return
		}
	}
}

// RunReplay runs one backtest on market replay and reports it exactly like
// a file backtest (Result, report.Summary). It ends when the replay clock
// reaches To, or ctx ends (an error then).
func RunReplay(ctx context.Context, cfg ReplayConfig) (*Result, error) {
	if cfg.Tradovate.Env != tradovate.Replay {
		return nil, fmt.Errorf("backtest: replay needs %s=replay (got %q)", tradovate.KeyEnv, cfg.Tradovate.Env)
	}
	if cfg.From.IsZero() || !cfg.To.After(cfg.From) {
		return nil, fmt.Errorf("backtest: replay: -to (%s) must be after -from (%s)", cfg.To.Format(time.RFC3339), cfg.From.Format(time.RFC3339))
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	params := strategy.NewParams(cfg.Params)
	strat, err := strategy.New(cfg.Strategy, params)
	if err != nil {
		return nil, fmt.Errorf("backtest: %w", err)
	}
	rec, err := report.NewRecorder(cfg.Report)
	if err != nil {
		return nil, fmt.Errorf("backtest: report: %w", err)
	}
	var gate risk.Gate
	if cfg.NewGate != nil {
		if gate, err = cfg.NewGate(); err != nil {
			return nil, fmt.Errorf("backtest: risk gate: %w", err)
		}
	}
	dir := cfg.StateDir
	if dir == "" {
		if dir, err = engine.DefaultStateDir(); err != nil {
			return nil, err
		}
	}
	session, err := engine.NewSessionID(dir, time.Now())
	if err != nil {
		return nil, err
	}

	clock := &replayClock{}
	var resume atomic.Bool
	clock.set(cfg.From.UnixNano())
	opt := cfg.Options
	if opt.Logger == nil {
		opt.Logger = logger
	}
	capital := cfg.Report.StartingCapital
	if capital.IsZero() {
		capital = report.DefaultStartingCapital
	}
	opt.Replay = &tradovate.ReplayOptions{Start: cfg.From, Speed: cfg.Speed, InitialBalance: capital,
		OnClock: func(t time.Time, speed int) {
			clock.set(min(t.UnixNano(), cfg.To.UnixNano()))
			if speed == 0 {
				resume.Store(true) // the server paused the replay: ask it to go on
			}
		}}
	ad, err := tradovate.New(cfg.Tradovate, opt)
	if err != nil {
		return nil, err
	}
	defer ad.Close()
	if err := ad.Connect(ctx); err != nil {
		return nil, err
	}
	feed, err := engine.NewFeed(1<<14, 1<<12, ring.Park(time.Millisecond))
	if err != nil {
		return nil, err
	}
	end := cfg.To.UnixNano()
	reached := make(chan struct{})
	var once sync.Once
	md, err := ad.OpenMarketData(ctx, tradovate.MarketDataOptions{Publish: func(ts []venue.Tick) {
		// Nothing from after -to reaches the engine.
		keep := ts[:0]
		for i := range ts {
			if ts[i].Time > end {
				// Past -to; a quote without a timestamp (stamped with the
				// wall clock) is far past it and does not end the run.
				if ts[i].Time <= end+int64(time.Hour) {
					once.Do(func() { close(reached) })
				}
				continue
			}
			clock.set(ts[i].Time)
			keep = append(keep, ts[i])
		}
		if len(keep) == 0 {
			return
		}
		if _, err := feed.Ticks.PublishBatch(keep); err != nil {
			logger.Debug("tick dropped: the engine stopped", "err", err)
		}
	}})
	if err != nil {
		return nil, err
	}
	defer md.Close()
	ins := tradovate.NewLiveInstruments(ctx, ad, md, logger)

	var fillErr error
	eng, err := engine.New(engine.Config{
		Session: session, Clock: clock, Instruments: ins, Venue: ad, Gate: gate, Logger: logger, Mode: strategy.ModeReplay,
		Observe: func(ev *venue.Event) {
			if ev.Kind != venue.EventFilled || fillErr != nil {
				return
			}
			inst, ok := ins.ByID(ev.Fill.Contract)
			if !ok {
				fillErr = fmt.Errorf("backtest: fill for unknown contract %d", ev.Fill.Contract)
				return
			}
			fillErr = rec.OnFill(ev.Fill, inst)
		},
		ObserveTick: func(t *venue.Tick) {
			if t.Flags&venue.HasTrade != 0 {
				rec.OnPrice(t.Contract, t.Time, t.Price)
			} else if t.Bid > 0 && t.Ask > 0 {
				rec.OnPrice(t.Contract, t.Time, (t.Bid+t.Ask)/2)
			}
		},
	})
	if err != nil {
		return nil, err
	}
	if err := eng.Add(InstanceName(cfg.Strategy), strat, params); err != nil {
		return nil, err
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- eng.Run(runCtx, feed) }()

	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	var runErr error
wait:
	for {
		select {
		case runErr = <-done:
			break wait
		case <-ctx.Done():
			stop()
			<-done
			return nil, ctx.Err()
		case <-reached:
			stop()
			runErr = <-done
			break wait
		case <-tick.C:
			if t, _ := ad.ReplayClock(); t.UnixNano() >= end {
				stop()
				runErr = <-done
				break wait
			}
			if resume.Swap(false) {
				speed := cfg.Speed
				if speed == 0 {
					speed = 400
				}
				go func() { _ = ad.ChangeSpeed(ctx, speed) }()
			}
			if st, why := ad.State(); st == tradovate.StateClosed {
				stop()
				<-done
				return nil, fmt.Errorf("backtest: replay stopped before -to: %w", why)
			}
		}
	}
	if runErr != nil && !errors.Is(runErr, context.Canceled) {
		return nil, runErr
	}
	if fillErr != nil {
		return nil, fillErr
	}
	if err := ins.Err(); err != nil {
		return nil, fmt.Errorf("backtest: replay: %w", err)
	}
	for _, in := range ins.All() {
		_ = rec.Track(in)
	}
	res := &Result{Summary: rec.Finish(min(clock.Now(), end)), Stats: eng.Stats(), Orders: eng.Orders(), Failures: eng.Failures(), Instruments: ins.All(), WarmUps: eng.WarmUps()}
	engineSummary(&res.Summary, eng)
	return res, nil
}
