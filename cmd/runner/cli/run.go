package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/keeltrade/keel/engine"
	"github.com/keeltrade/keel/risk"
	"github.com/keeltrade/keel/venue/tradovate"
)

func init() {
	commands["run"] = command{summary: "run strategies live on Tradovate (demo or live): -config keel.yaml, or -strategy NAME", run: runRun}
}

const runUsage = `usage: runner run -config keel.yaml [-yes-live]
       runner run -strategy NAME [-p name=value]... [-risk risk.yaml] [-journal PATH] [-yes-live]

Runs a live session through the Tradovate adapter, the risk gate and the
journal until SIGINT or SIGTERM (or -duration): then it stops entries,
cancels working orders, flattens per on_stop, waits for the venue's answers
and exits 0 once all is done. A second signal exits at once. SIGUSR1 trips
the kill switch. The connection comes from the TRADOVATE_* variables (and
the tradovate: file of keel.yaml); TRADOVATE_ENV is always explicit, and
live also needs -yes-live (or confirm_live: true). keel.example.yaml
documents every key.
`

func runRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("run", stderr)
	fs.Usage = func() { fmt.Fprint(stderr, runUsage); fs.PrintDefaults() }
	config := fs.String("config", "", "keel.yaml: the session (strategies, risk, journal, stop policy)")
	name := fs.String("strategy", "", "one strategy to run (instead of -config)")
	var params multiFlag
	fs.Var(&params, "p", "strategy parameter name=value (repeatable; with -strategy)")
	riskFile := fs.String("risk", "", "risk gate YAML (with -strategy; required for live)")
	journalPath := fs.String("journal", "", "journal database (default: journal-<env>.db in the state directory)")
	yesLive := fs.Bool("yes-live", false, "confirm a live (real money) session")
	duration := fs.Duration("duration", 0, "stop after this long (0: run until a signal)")
	onStop := fs.String("on-stop", "", "at the stop: flatten (default) or keep-exits")
	logLevel := fs.String("log-level", "", "debug, info (default), warn or error")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var cfg *runConfig
	switch {
	case *config != "" && *name != "":
		return usagef("give -config or -strategy, not both")
	case *config != "":
		if len(params) > 0 || *riskFile != "" {
			return usagef("-p and -risk go with -strategy; with -config they are in keel.yaml")
		}
		var err error
		if cfg, err = loadRunConfig(*config); err != nil {
			return err
		}
	case *name != "":
		var err error
		if cfg, err = shortcutConfig(*name, params, *riskFile); err != nil {
			return err
		}
	default:
		return usagef("give -config keel.yaml or -strategy NAME (runner run -h)")
	}
	if *journalPath != "" {
		cfg.Journal = *journalPath
	}
	if *duration != 0 {
		cfg.Duration = *duration
	}
	if *onStop != "" {
		if *onStop != string(engine.FlattenOnFailure) && *onStop != string(engine.KeepExits) {
			return usagef("-on-stop %q: want %s or %s", *onStop, engine.FlattenOnFailure, engine.KeepExits)
		}
		cfg.OnStop = *onStop
	}
	if *logLevel != "" {
		cfg.LogLevel = *logLevel
	}
	tv, err := tradovate.LoadConfig(cfg.Tradovate, os.Getenv)
	if err != nil {
		return err
	}
	if cfg.Env != string(tv.Env) {
		return fmt.Errorf("keel.yaml says env: %s but %s is %s: they must agree", cfg.Env, tradovate.KeyEnv, tv.Env)
	}
	switch tv.Env {
	case tradovate.Live:
		if !*yesLive && !cfg.ConfirmLive {
			return usagef("%s=live trades real money: confirm with -yes-live (or confirm_live: true in keel.yaml)", tradovate.KeyEnv)
		}
	case tradovate.Replay:
		return fmt.Errorf("%s=replay: runner run trades demo or live accounts for now; use 'runner backtest -replay' for market replay", tradovate.KeyEnv)
	}

	level := slog.LevelInfo
	_ = level.UnmarshalText([]byte(cmpOr(cfg.LogLevel, "info")))
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	dir, err := sessionStateDir(cfg)
	if err != nil {
		return err
	}
	session, err := engine.NewSessionID(dir, time.Now())
	if err != nil {
		return err
	}

	var guard *risk.Guard
	out := &sessionOut{}
	app := newSession(sessionInput{cfg: cfg, tv: tv, log: log, stdout: stdout, session: session, kill: func(g *risk.Guard) { guard = g }}, out)
	if err := app.Err(); err != nil {
		return fmt.Errorf("session: %w", err)
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGUSR1)
	defer signal.Stop(sigs)

	startCtx, cancelStart := context.WithTimeout(ctx, 60*time.Second)
	defer cancelStart()
	fmt.Fprintf(stdout, "keel session %s: %d strategies on Tradovate %s (live path: adapter, risk gate, journal)\n", session, len(cfg.Strategies), tv.Env)
	if err := app.Start(startCtx); err != nil {
		stopCtx, cancel := context.WithTimeout(context.Background(), cfg.StopTimeout+10*time.Second)
		defer cancel()
		_ = app.Stop(stopCtx)
		return fmt.Errorf("session start: %w", err)
	}
	log.Info("session running", "session", session, "journal", out.j.Path())

	var timer <-chan time.Time
	if cfg.Duration > 0 {
		timer = time.After(cfg.Duration)
	}
	why := ""
wait:
	for {
		select {
		case <-ctx.Done():
			why = "stop requested"
			break wait
		case <-timer:
			why = "duration reached"
			break wait
		case s := <-sigs:
			if s == syscall.SIGUSR1 {
				if guard == nil {
					log.Error("SIGUSR1: there is no kill switch without a risk gate (-risk)")
					continue
				}
				if err := guard.Signal(s); err != nil {
					log.Error("kill switch", "err", err)
				}
				continue
			}
			why = "signal " + s.String()
			break wait
		}
	}
	log.Warn("session stopping", "why", why)
	// A second SIGINT or SIGTERM exits at once; the journal's last commits
	// are already in its log, and it is closed first.
	stopped := make(chan struct{})
	defer close(stopped)
	go func() {
		for {
			select {
			case s := <-sigs:
				if s == syscall.SIGUSR1 {
					if guard != nil {
						_ = guard.Signal(s)
					}
					continue
				}
				log.Error("second signal: exiting now, without waiting for the stop to complete; check the account", "signal", s.String())
				if out.j != nil {
					_ = out.j.Close()
				}
				os.Exit(1)
			case <-stopped:
				return
			}
		}
	}()
	stopCtx, cancel := context.WithTimeout(context.Background(), cfg.StopTimeout+10*time.Second)
	defer cancel()
	stopErr := app.Stop(stopCtx)
	if err := printSessionReport(stdout, out); err != nil {
		stopErr = errors.Join(stopErr, err)
	}
	if out.runErr != nil {
		stopErr = errors.Join(stopErr, out.runErr)
	}
	if stopErr != nil {
		return stopErr
	}
	if !out.settled {
		return errors.New("the stop did not complete: see above")
	}
	return nil
}

// shortcutConfig is the session of `runner run -strategy NAME`: its
// environment is TRADOVATE_ENV's.
func shortcutConfig(name string, params []string, riskFile string) (*runConfig, error) {
	node := yaml.Node{Kind: yaml.MappingNode}
	for _, p := range params {
		for kv := range strings.SplitSeq(p, ",") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || strings.TrimSpace(k) == "" {
				return nil, usagef("-p %q: want name=value", kv)
			}
			node.Content = append(node.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: strings.TrimSpace(k)}, &yaml.Node{Kind: yaml.ScalarNode, Value: strings.TrimSpace(v)})
		}
	}
	cfg := &runConfig{Env: os.Getenv(tradovate.KeyEnv), Risk: riskFile, lines: map[string]int{}}
	cfg.Strategies = []runStrategy{{Strategy: name, Params: node}}
	if err := cfg.check(tradovate.KeyEnv + " and flags"); err != nil {
		return nil, err
	}
	return cfg, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
