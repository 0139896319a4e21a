package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"go.uber.org/fx"
	"go.uber.org/fx/fxevent"

	"github.com/keeltrade/keel/backtest/report"
	"github.com/keeltrade/keel/engine"
	"github.com/keeltrade/keel/engine/journal"
	"github.com/keeltrade/keel/engine/ring"
	"github.com/keeltrade/keel/risk"
	"github.com/keeltrade/keel/strategy"
	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/tradovate"
)

// A live session is an fx application: each component is provided by a
// constructor and started and stopped by lifecycle hooks, in dependency
// order (stopping in reverse):
//
//	adapter (connect)  →  journal (open)  →  market data (connect)  →  engine loop (run)
//
// so the loop stops first — entries halted, orders cancelled, positions
// flattened per on_stop, the venue's answers awaited — then market data,
// then the journal is flushed and closed, then the trading socket.

// sessionInput is what the command line hands the session.
type sessionInput struct {
	cfg     *runConfig
	tv      tradovate.Config
	log     *slog.Logger
	stdout  io.Writer
	session string // engine session id
	// kill is where the session puts its kill switch for SIGUSR1.
	kill func(*risk.Guard)
}

// sessionOut is what the session leaves for the command to report.
type sessionOut struct {
	mu       sync.Mutex
	eng      *engine.Engine
	feed     *engine.Feed
	rec      *report.Recorder
	ins      *tradovate.LiveInstruments
	j        *journal.Journal
	start    time.Time
	settled  bool // the stop completed before its deadline
	working  int
	open     int64
	runErr   error
	lastTime int64
}

// newSession builds the fx application of one session.
func newSession(in sessionInput, out *sessionOut) *fx.App {
	return fx.New(
		fx.WithLogger(func() fxevent.Logger {
			l := &fxevent.SlogLogger{Logger: in.log.With("component", "fx")}
			l.UseLogLevel(slog.LevelDebug) // the lifecycle's steps; errors stay errors
			return l
		}),
		fx.Supply(in.cfg, in.tv, in.log, out),
		fx.Provide(
			newAdapter(in),
			newJournal(in),
			newMarketData,
			newInstruments,
			newFeed,
			newGate(in),
			newEngineConfig(in),
		),
		engine.Module,
		fx.Invoke(addStrategies, runLoop),
	)
}

func newAdapter(in sessionInput) func(lc fx.Lifecycle) (*tradovate.Adapter, error) {
	return func(lc fx.Lifecycle) (*tradovate.Adapter, error) {
		ad, err := tradovate.New(in.tv, tradovate.Options{Logger: in.log, Account: in.cfg.Account})
		if err != nil {
			return nil, err
		}
		lc.Append(fx.Hook{
			OnStart: func(ctx context.Context) error { return ad.Connect(ctx) },
			OnStop:  func(context.Context) error { return ad.Close() },
		})
		return ad, nil
	}
}

// newJournal opens the session's journal, which belongs to one
// environment and one Tradovate user (and account, when one is named).
func newJournal(in sessionInput) func(lc fx.Lifecycle, out *sessionOut) (*journal.Journal, error) {
	return func(lc fx.Lifecycle, out *sessionOut) (*journal.Journal, error) {
		path := in.cfg.Journal
		if path == "" {
			dir, err := sessionStateDir(in.cfg)
			if err != nil {
				return nil, err
			}
			path = filepath.Join(dir, "journal-"+string(in.tv.Env)+".db")
		}
		who := in.tv.Name
		if in.cfg.Account != "" {
			who += "/" + in.cfg.Account
		}
		j, err := journal.Open(path, journal.Identity{Env: string(in.tv.Env), Account: who}, in.session, journal.Options{Sync: in.cfg.JournalSync})
		if err != nil {
			return nil, err
		}
		out.j = j
		lc.Append(fx.Hook{OnStop: func(context.Context) error {
			err := j.End()
			return errors.Join(err, j.Close())
		}})
		return j, nil
	}
}

// marketData is the market-data socket, opened when the session starts
// (after the trading socket connected).
type marketData struct {
	mu sync.Mutex
	md *tradovate.MarketData
}

func (m *marketData) SubscribeQuotes(ctx context.Context, names ...string) error {
	m.mu.Lock()
	md := m.md
	m.mu.Unlock()
	if md == nil {
		return errors.New("market data is not connected")
	}
	return md.SubscribeQuotes(ctx, names...)
}

func newMarketData(lc fx.Lifecycle, ad *tradovate.Adapter, feed *engine.Feed, log *slog.Logger, out *sessionOut) *marketData {
	m := &marketData{}
	lc.Append(fx.Hook{
		OnStart: func(ctx context.Context) error {
			md, err := ad.OpenMarketData(context.WithoutCancel(ctx), tradovate.MarketDataOptions{Publish: func(ts []venue.Tick) {
				if _, err := feed.Ticks.PublishBatch(ts); err != nil {
					log.Debug("tick dropped: the engine stopped", "err", err)
				}
			}})
			if err != nil {
				return err
			}
			m.mu.Lock()
			m.md = md
			m.mu.Unlock()
			return nil
		},
		OnStop: func(context.Context) error {
			m.mu.Lock()
			defer m.mu.Unlock()
			if m.md == nil {
				return nil
			}
			return m.md.Close()
		},
	})
	return m
}

func newInstruments(ad *tradovate.Adapter, md *marketData, log *slog.Logger, out *sessionOut) *tradovate.LiveInstruments {
	ins := tradovate.NewLiveInstruments(context.Background(), ad, md, log)
	out.ins = ins
	return ins
}

func newFeed(out *sessionOut) (*engine.Feed, error) {
	f, err := engine.NewFeed(1<<14, 1<<12, ring.Park(time.Millisecond))
	out.feed = f
	return f, err
}

// newGate is the risk gate from the risk file (required for live). Its
// kill switch latches in the state directory unless the file says where.
func newGate(in sessionInput) func(log *slog.Logger) (risk.Gate, error) {
	return func(log *slog.Logger) (risk.Gate, error) {
		if in.cfg.Risk == "" {
			if in.tv.Env == tradovate.Live {
				return nil, errors.New("a live session needs a risk gate: give -risk risk.yaml (or risk: in keel.yaml)")
			}
			log.Warn("no risk gate configured (-risk): every intent passes; fine for a demo, never for live")
			return risk.AllowAll{}, nil
		}
		rc, err := risk.LoadConfig(in.cfg.Risk)
		if err != nil {
			return nil, err
		}
		if rc.KillSwitch.StateFile == "" {
			dir, err := sessionStateDir(in.cfg)
			if err != nil {
				return nil, err
			}
			rc.KillSwitch.StateFile = filepath.Join(dir, "killswitch-"+string(in.tv.Env)+".json")
		}
		g, err := risk.New(rc, risk.WithLogger(log))
		if err != nil {
			return nil, err
		}
		if in.kill != nil {
			in.kill(g)
		}
		return g, nil
	}
}

func newEngineConfig(in sessionInput) func(ins *tradovate.LiveInstruments, ad *tradovate.Adapter, j *journal.Journal, gate risk.Gate, log *slog.Logger, out *sessionOut) (engine.Config, error) {
	return func(ins *tradovate.LiveInstruments, ad *tradovate.Adapter, j *journal.Journal, gate risk.Gate, log *slog.Logger, out *sessionOut) (engine.Config, error) {
		rec, err := report.NewRecorder(report.Config{})
		if err != nil {
			return engine.Config{}, err
		}
		// A restart takes the orders earlier sessions sent into its books
		// when the venue reports them, so the venue's account rebuilds
		// each strategy's position and working orders.
		earlier, err := j.Earlier(7 * 24 * time.Hour)
		if err != nil {
			return engine.Config{}, err
		}
		if len(earlier) > 0 {
			log.Info("journal: earlier sessions' orders will be adopted as the venue reports them", "orders", len(earlier))
		}
		out.rec = rec
		mode := strategy.ModeDemo
		if in.tv.Env == tradovate.Live {
			mode = strategy.ModeLive
		}
		return engine.Config{
			Session:     in.session,
			OnFailure:   engine.FailurePolicy(in.cfg.OnFailure),
			Mode:        mode,
			Instruments: ins,
			Venue:       journal.Wrap(ad, j),
			Clock:       engine.WallClock{},
			Gate:        gate,
			Logger:      log,
			Adopt: func(id string) (venue.Order, bool) {
				o, ok := earlier[id]
				return o, ok
			},
			Observe: func(ev *venue.Event) {
				if ev.Local {
					j.Event(*ev) // keel's own refusals: the venue never saw them
				}
				if ev.Kind != venue.EventFilled {
					return
				}
				if inst, ok := ins.ByID(ev.Fill.Contract); ok {
					if err := rec.OnFill(ev.Fill, inst); err != nil {
						log.Error("session report: fill not recorded", "err", err)
					}
				}
			},
			ObserveTick: func(t *venue.Tick) {
				if t.Flags&venue.HasTrade != 0 {
					rec.OnPrice(t.Contract, t.Time, t.Price)
				} else if t.Bid > 0 && t.Ask > 0 {
					rec.OnPrice(t.Contract, t.Time, (t.Bid+t.Ask)/2)
				}
				out.lastTime = max(out.lastTime, t.Time)
			},
		}, nil
	}
}

func addStrategies(cfg *runConfig, eng *engine.Engine) error {
	for _, s := range cfg.Strategies {
		if err := eng.Add(s.Name, s.strat, s.params); err != nil {
			return err
		}
	}
	return nil
}

// runLoop runs the engine loop from the session's start to its stop. The
// stop is orderly: Halt (no new orders; cancel, flatten per on_stop), then
// wait for the venue's answers until stop_timeout, then end the loop.
func runLoop(lc fx.Lifecycle, cfg *runConfig, eng *engine.Engine, feed *engine.Feed, log *slog.Logger, out *sessionOut) {
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	out.eng = eng
	lc.Append(fx.Hook{
		OnStart: func(context.Context) error {
			out.start = time.Now()
			go func() { done <- eng.Run(runCtx, feed) }()
			// Strategies' Init ran in Run's Start: wait for it, so a bad
			// symbol fails the start rather than the first tick.
			return feed.Call(context.Background(), func() {})
		},
		OnStop: func(ctx context.Context) error {
			defer cancel()
			deadline := time.Now().Add(cfg.StopTimeout)
			var haltErr error
			if err := feed.Call(ctx, func() { haltErr = eng.Halt(engine.FailurePolicy(cfg.OnStop), "session stopping") }); err != nil && !errors.Is(err, engine.ErrLoopEnded) {
				return err
			}
			if haltErr != nil {
				log.Error("halt", "err", haltErr)
			}
			for time.Now().Before(deadline) {
				var w int
				var open int64
				if err := feed.Call(ctx, func() { w, open = eng.Settled() }); err != nil {
					break
				}
				out.mu.Lock()
				out.working, out.open = w, open
				out.settled = w == 0 && open == 0
				out.mu.Unlock()
				if w == 0 && open == 0 {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			if !out.settled {
				log.Error("the stop did not complete before stop_timeout: orders may still be working or positions open at the venue; check them", "working", out.working, "open", out.open, "timeout", cfg.StopTimeout)
			}
			cancel()
			select {
			case err := <-done:
				if err != nil && !errors.Is(err, context.Canceled) {
					out.runErr = err
				}
			case <-ctx.Done():
				return ctx.Err()
			}
			return nil
		},
	})
}

// sessionStateDir is where a session keeps its ids, journal and latch.
func sessionStateDir(cfg *runConfig) (string, error) {
	if cfg.StateDir != "" {
		return cfg.StateDir, os.MkdirAll(cfg.StateDir, 0o700)
	}
	dir, err := engine.DefaultStateDir()
	if err != nil {
		return "", err
	}
	return dir, os.MkdirAll(dir, 0o700)
}

// printSessionReport is the session's summary, in the backtest report's
// format.
func printSessionReport(w io.Writer, out *sessionOut) error {
	if out.rec == nil || out.eng == nil {
		return nil
	}
	if out.ins != nil {
		for _, in := range out.ins.All() {
			_ = out.rec.Track(in)
		}
	}
	end := max(out.lastTime, time.Now().UnixNano())
	sum := out.rec.Finish(end)
	orders := out.eng.Orders()
	fmt.Fprintf(w, "\nsession %s: %d orders, %d fills, in %s\n", out.j.Session(), len(orders), sum.Fills, time.Since(out.start).Round(time.Millisecond))
	if err := sum.WriteTable(w); err != nil {
		return err
	}
	for _, f := range out.eng.Failures() {
		fmt.Fprintf(w, "strategy %s failed: %v\n", f.Strategy, f.Err)
	}
	if out.settled {
		fmt.Fprintln(w, "stop: complete (no orders working, strategies flat as on_stop asked)")
	} else {
		fmt.Fprintf(w, "stop: NOT complete: %d orders working, %d contracts open at the deadline; check the account\n", out.working, out.open)
	}
	fmt.Fprintf(w, "journal: %s (runner journal show -session %s %s)\n", out.j.Path(), out.j.Session(), out.j.Path())
	return nil
}
