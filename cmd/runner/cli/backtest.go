package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/keeltrade/keel/backtest"
	"github.com/keeltrade/keel/backtest/data"
	"github.com/keeltrade/keel/backtest/report"
	"github.com/keeltrade/keel/risk"
	"github.com/keeltrade/keel/strategy"
	"github.com/keeltrade/keel/venue/sim"
	"github.com/keeltrade/keel/venue/tradovate"
	"github.com/schollz/progressbar/v3"
	"github.com/shopspring/decimal"
	"golang.org/x/term"
)

func init() {
	commands["backtest"] = command{summary: "backtest a strategy on tick or bar files (CSV, gzip or keel binary)", run: runBacktest}
}

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// backtestFlags are the flags shared by the backtest command and the demo.
type backtestFlags struct {
	strategy    string
	params      multiFlag
	paramsFile  string
	barPeriod   time.Duration
	skipBad     bool
	latency     time.Duration
	slippage    int64
	fee         string
	session     string
	capital     string
	riskFile    string
	out         string
	asJSON      bool
	sweep       string
	rankBy      string
	workers     int
	noProgress  bool
	logLevel    string
	defaultFee  string
	defaultOut  string
	defaultStra string
}

func (f *backtestFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.strategy, "strategy", f.defaultStra, "registered strategy name ("+strings.Join(strategy.Names(), ", ")+")")
	fs.Var(&f.params, "p", "strategy parameter name=value (repeatable; also a,b lists: -p fast=5,slow=20)")
	fs.StringVar(&f.paramsFile, "params", "", "YAML file of strategy parameters (-p values override it)")
	fs.DurationVar(&f.barPeriod, "bar-period", time.Minute, "length of the bars in bar files")
	fs.BoolVar(&f.skipBad, "skip-bad-rows", false, "count and skip malformed rows instead of stopping at the first")
	fs.DurationVar(&f.latency, "latency", 0, "simulated order latency in market time")
	fs.Int64Var(&f.slippage, "slippage", 0, "adverse slippage in ticks on market and stop fills")
	fs.StringVar(&f.fee, "fee", f.defaultFee, "fees per contract per side in USD (exchange + clearing + broker)")
	fs.StringVar(&f.session, "session", string(backtest.SessionAuto), "market-hours check: auto (where the calendar covers the date), strict or off")
	fs.StringVar(&f.capital, "capital", "100000", "starting capital in USD, for returns and drawdown %")
	fs.StringVar(&f.riskFile, "risk", "", "risk gate YAML configuration (default: no gate); on dates the CME calendar does not cover, -session decides, not market_hours.unknown_calendar")
	fs.StringVar(&f.out, "out", f.defaultOut, "report folder (summary.json, trades.csv, equity.csv, report.html); empty for none")
	fs.BoolVar(&f.asJSON, "json", false, "print the summary (or sweep) as JSON on stdout")
	fs.StringVar(&f.sweep, "sweep", "", "parameter grid, e.g. fast=5:20:5,slow=30:90:30")
	fs.StringVar(&f.rankBy, "rank-by", report.ByNetPnL, "sweep ranking: net_pnl, sharpe, sortino, profit_factor, drawdown, drawdown_pct")
	fs.IntVar(&f.workers, "workers", 0, "parallel sweep runs (default: number of CPUs)")
	fs.BoolVar(&f.noProgress, "no-progress", false, "never show a progress bar")
	fs.StringVar(&f.logLevel, "log-level", "warn", "strategy log level: debug, info, warn, error")
}

// config turns the flags into a backtest configuration.
func (f *backtestFlags) config(files []string, stderr io.Writer) (backtest.Config, error) {
	if f.strategy == "" {
		return backtest.Config{}, usagef("-strategy is required (registered: %s)", strings.Join(strategy.Names(), ", "))
	}
	params := map[string]string{}
	if f.paramsFile != "" {
		data, err := os.ReadFile(f.paramsFile)
		if err != nil {
			return backtest.Config{}, err
		}
		p, err := strategy.ParamsFromYAML(data)
		if err != nil {
			return backtest.Config{}, fmt.Errorf("%s: %w", f.paramsFile, err)
		}
		params = p.Values()
	}
	if len(f.params) > 0 {
		p, err := strategy.ParseParams(f.params...)
		if err != nil {
			return backtest.Config{}, usageError{err}
		}
		for k, v := range p.Values() {
			params[k] = v
		}
	}
	fee, err := decimal.NewFromString(f.fee)
	if err != nil || fee.IsNegative() {
		return backtest.Config{}, usagef("-fee %q: want a non-negative amount such as 2.07", f.fee)
	}
	capital, err := decimal.NewFromString(f.capital)
	if err != nil || !capital.IsPositive() {
		return backtest.Config{}, usagef("-capital %q: want a positive amount", f.capital)
	}
	switch {
	case f.latency < 0:
		return backtest.Config{}, usagef("-latency %s: must not be negative", f.latency)
	case f.slippage < 0:
		return backtest.Config{}, usagef("-slippage %d: must not be negative", f.slippage)
	case f.barPeriod <= 0:
		return backtest.Config{}, usagef("-bar-period %s: must be positive", f.barPeriod)
	}
	switch backtest.SessionPolicy(f.session) {
	case backtest.SessionAuto, backtest.SessionStrict, backtest.SessionOff:
	default:
		return backtest.Config{}, usagef("-session %q: want auto, strict or off", f.session)
	}
	if f.sweep != "" {
		if _, err := report.Rank(nil, f.rankBy); err != nil {
			return backtest.Config{}, usageError{err}
		}
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		return backtest.Config{}, usagef("-log-level %q: want debug, info, warn or error", f.logLevel)
	}
	cfg := backtest.Config{
		Strategy:    f.strategy,
		Params:      params,
		Files:       files,
		SkipBadRows: f.skipBad,
		BarPeriod:   f.barPeriod,
		Sim: sim.Config{
			Latency:       f.latency,
			SlippageTicks: f.slippage,
			DefaultFee:    sim.FeeSchedule{Broker: fee},
		},
		Session: backtest.SessionPolicy(f.session),
		Report:  report.Config{StartingCapital: capital},
		Logger:  slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})),
	}
	if f.riskFile != "" {
		logger := cfg.Logger
		rc, err := risk.LoadConfig(f.riskFile)
		if err != nil {
			return backtest.Config{}, err
		}
		if err := rc.CheckStrategies([]string{backtest.InstanceName(f.strategy)}); err != nil {
			return backtest.Config{}, fmt.Errorf("%s: %w", f.riskFile, err)
		}
		// A backtest must neither be blocked by the live kill switch nor
		// latch it: its state and trip files belong to live trading.
		rc.KillSwitch.StateFile, rc.KillSwitch.File = "", ""
		allowUncoveredDates(&rc)
		cfg.NewGate = func() (risk.Gate, error) {
			g, err := risk.New(rc, risk.WithLogger(logger))
			if err != nil {
				return nil, err
			}
			return g, nil
		}
	}
	return cfg, nil
}

// allowUncoveredDates lets every scope of rc through on dates the CME
// calendar does not cover. In a backtest those dates are the -session
// policy's to judge, once for the run: auto lets the orders through and
// counts them in the summary, strict rejects them. Left to the gate, the
// account default (refuse) would deny every order of a backtest on data
// older than the calendar, with a warning each.
func allowUncoveredDates(rc *risk.Config) {
	rc.Account.MarketHours.UnknownCalendar = risk.Allow
	rc.Defaults.MarketHours.UnknownCalendar = risk.Allow
	for name, l := range rc.Strategies {
		l.MarketHours.UnknownCalendar = risk.Allow
		rc.Strategies[name] = l
	}
}

func runBacktest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("backtest", stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: runner backtest -strategy NAME [-p name=value]... [flags] FILE...")
		fmt.Fprintln(stderr, "       runner backtest -replay -from RFC3339 -to RFC3339 [-speed N] -strategy NAME [-p name=value]... [flags]")
		fs.PrintDefaults()
	}
	f := &backtestFlags{defaultFee: "0", defaultOut: "keel-report"}
	f.register(fs)
	rp := &replayFlags{}
	rp.register(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if rp.replay {
		return runReplayBacktest(ctx, f, rp, fs.Args(), stdout, stderr)
	}
	if fs.NArg() == 0 {
		return usagef("no data files given: runner backtest -strategy NAME FILE... (or -replay -from … -to … for market replay)")
	}
	cfg, err := f.config(fs.Args(), stderr)
	if err != nil {
		return err
	}
	return executeBacktest(ctx, f, cfg, strings.Join(cfg.Files, ", "), stdout, stderr)
}

// replayFlags are backtest's market-replay flags.
type replayFlags struct {
	replay   bool
	from, to string
	speed    int
	config   string
}

func (r *replayFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&r.replay, "replay", false, "run on Tradovate market replay (TRADOVATE_REPLAY_URL) instead of data files")
	fs.StringVar(&r.from, "from", "", "replay start, RFC3339 (with -replay)")
	fs.StringVar(&r.to, "to", "", "replay end, RFC3339 (with -replay)")
	fs.IntVar(&r.speed, "speed", 400, "replay speed in percent of real time, 1-400 (with -replay)")
	fs.StringVar(&r.config, "config", "", "YAML file of TRADOVATE_* settings (the environment wins)")
}

// runReplayBacktest runs the strategy on market replay through the real
// adapter and reports it like a file backtest.
func runReplayBacktest(ctx context.Context, f *backtestFlags, rp *replayFlags, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		return usagef("-replay takes no data files (got %s)", strings.Join(args, " "))
	}
	if f.sweep != "" {
		return usagef("-sweep is for data files, not -replay")
	}
	from, err := time.Parse(time.RFC3339, rp.from)
	if err != nil {
		return usagef("-from %q: want an RFC3339 time such as 2026-03-04T15:00:00Z", rp.from)
	}
	to, err := time.Parse(time.RFC3339, rp.to)
	if err != nil {
		return usagef("-to %q: want an RFC3339 time such as 2026-03-04T16:00:00Z", rp.to)
	}
	if !to.After(from) {
		return usagef("-to %s must be after -from %s", rp.to, rp.from)
	}
	if rp.speed < 1 || rp.speed > 400 {
		return usagef("-speed %d: want 1 to 400 (percent of real time)", rp.speed)
	}
	tc, err := tradovate.LoadConfig(rp.config, nil)
	if err != nil {
		return err
	}
	if tc.Env != tradovate.Replay {
		return fmt.Errorf("-replay needs %s=replay (it is %q)", tradovate.KeyEnv, tc.Env)
	}
	cfg, err := f.config(nil, stderr)
	if err != nil {
		return err
	}
	rc := backtest.ReplayConfig{Strategy: cfg.Strategy, Params: cfg.Params, Tradovate: tc, From: from, To: to, Speed: rp.speed,
		NewGate: cfg.NewGate, Report: cfg.Report, Logger: cfg.Logger}
	name := fmt.Sprintf("market replay %s to %s", from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339))
	fmt.Fprintf(stderr, "replaying %s at %d%% through %s\n", name, rp.speed, tc.ReplayURL)
	return reportRun(ctx, f, cfg, name, func(ctx context.Context) (*backtest.Result, error) { return backtest.RunReplay(ctx, rc) }, stdout, stderr)
}

// executeBacktest runs one backtest or a sweep and prints the outcome.
// dataName is how the data is named in the output (file paths by default).
func executeBacktest(ctx context.Context, f *backtestFlags, cfg backtest.Config, dataName string, stdout, stderr io.Writer) (err error) {
	if f.sweep != "" {
		return executeSweep(ctx, f, cfg, stdout)
	}
	bar := progressFor(f, stdout, cfg.Files)
	if bar != nil {
		cfg.Progress = func(n int64) { _ = bar.Set64(n) }
	}
	return reportRun(ctx, f, cfg, dataName, func(ctx context.Context) (*backtest.Result, error) {
		res, err := backtest.Run(ctx, cfg)
		if bar != nil {
			_ = bar.Finish()
			fmt.Fprintln(stdout)
		}
		return res, err
	}, stdout, stderr)
}

// reportRun runs a backtest (from files or on replay) and prints and
// writes its report.
func reportRun(ctx context.Context, f *backtestFlags, cfg backtest.Config, dataName string, run func(context.Context) (*backtest.Result, error), stdout, stderr io.Writer) (err error) {
	start := time.Now()
	res, err := run(ctx)
	if err != nil {
		return err
	}
	defer func() {
		// The report is written, but a strategy that failed is a failed run.
		if len(res.Failures) > 0 && err == nil {
			err = fmt.Errorf("strategy %s stopped: %w", res.Failures[0].Strategy, res.Failures[0].Err)
		}
	}()
	elapsed := time.Since(start)
	if f.out != "" {
		if err := res.Summary.WriteDir(f.out); err != nil {
			return err
		}
	}
	if f.asJSON {
		return res.Summary.WriteJSON(stdout)
	}
	fmt.Fprintf(stdout, "%s on %s: %d %s, %d orders, %d fills\n", cfg.Strategy, dataName,
		res.Stats.Ticks, unitName(res), len(res.Orders), res.Summary.Fills)
	if err := res.Summary.WriteTable(stdout); err != nil {
		return err
	}
	for _, fl := range res.Failures {
		fmt.Fprintf(stdout, "strategy %s stopped: %v\n", fl.Strategy, fl.Err)
	}

	if res.Skipped > 0 {
		fmt.Fprintf(stdout, "skipped %d malformed rows, e.g.:\n", res.Skipped)
		for _, r := range res.SkippedSamples {
			fmt.Fprintf(stdout, "  %s\n", r.Error())
		}
	}
	if res.Stats.Denied > 0 {
		fmt.Fprintf(stdout, "risk gate denied %d intents\n", res.Stats.Denied)
	}
	for _, w := range res.WarmUps {
		switch {
		case !w.Declared:
		case w.Ready:
			fmt.Fprintf(stdout, "warm-up: %s was ready after %d %s (%s, %s), %d intents refused before\n",
				w.Strategy, w.Events, unitName(res), w.Status, time.Unix(0, w.ReadyAt).UTC().Format(time.RFC3339), w.Refused)
		default:
			fmt.Fprintf(stdout, "warning: %s never finished its warm-up: it had %s after all %d %s, and traded nothing (%d intents refused); use more data or a shorter warm-up\n",
				w.Strategy, w.Status, w.Events, unitName(res), w.Refused)
		}
	}
	if n := res.Summary.ExitsLost; n > 0 {
		fmt.Fprintf(stdout, "warning: %d bracket exits were cancelled or expired while their position was still open; those positions went on without that exit\n", n)
	}
	for _, r := range res.Summary.Rolls {
		if r.Note != "" {
			fmt.Fprintf(stdout, "warning: %s's roll of %s from %s to %s on %s did not complete: %s\n", r.Strategy, r.Root, r.From, r.To, r.Time.Format(time.DateOnly), r.Note)
		}
	}
	if res.SessionUnchecked > 0 {
		fmt.Fprintf(stdout, "note: %d orders fell on dates keel's CME calendar does not cover; their market hours were not checked (-session strict rejects them)\n", res.SessionUnchecked)
	}
	if f.out != "" {
		abs, _ := filepath.Abs(f.out)
		fmt.Fprintf(stdout, "report: %s\n", filepath.Join(abs, report.HTMLFile))
	}
	fmt.Fprintf(stderr, "%d %s in %s (%.0f/s)\n", res.Stats.Ticks, unitName(res), elapsed.Round(time.Millisecond), float64(res.Stats.Ticks)/elapsed.Seconds())
	return nil
}

func unitName(res *backtest.Result) string {
	if res.BarData {
		return "bars"
	}
	return "ticks"
}

func executeSweep(ctx context.Context, f *backtestFlags, cfg backtest.Config, stdout io.Writer) error {
	axes, err := backtest.ParseSweep(f.sweep)
	if err != nil {
		return usageError{err}
	}
	results, err := backtest.Sweep(ctx, cfg, axes, f.workers)
	if err != nil {
		return err
	}
	ranked, err := report.Rank(results, f.rankBy)
	if err != nil {
		return usageError{err}
	}
	if f.out != "" {
		if err := os.MkdirAll(f.out, 0o755); err != nil {
			return err
		}
		fh, err := os.Create(filepath.Join(f.out, "sweep.csv"))
		if err != nil {
			return err
		}
		if err := report.WriteSweepCSV(fh, ranked); err != nil {
			fh.Close()
			return err
		}
		if err := fh.Close(); err != nil {
			return err
		}
	}
	if f.asJSON {
		type row struct {
			Rank    int               `json:"rank"`
			Params  map[string]string `json:"params"`
			Summary report.Summary    `json:"summary"`
		}
		rows := make([]row, len(ranked))
		for i, r := range ranked {
			p := map[string]string{}
			for _, kv := range r.Params {
				p[kv.Name] = kv.Value
			}
			r.Summary.TradeList, r.Summary.Daily = nil, nil
			rows[i] = row{Rank: i + 1, Params: p, Summary: r.Summary}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "rank\tparams\tnet PnL\ttrades\twin %\tprofit factor\tmax DD\tsharpe\t")
	for i, r := range ranked {
		s := r.Summary
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%.1f\t%.2f\t%s\t%.2f\t\n", i+1, r.ParamText(), s.NetPnL.StringFixed(2), s.Trades, s.WinRatePct, float64(s.ProfitFactor), s.MaxDrawdown.StringFixed(2), s.Sharpe)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if f.out != "" {
		abs, _ := filepath.Abs(filepath.Join(f.out, "sweep.csv"))
		fmt.Fprintf(stdout, "sweep: %s\n", abs)
	}
	return nil
}

// progressFor returns a progress bar when stdout is a terminal, nil otherwise.
// The total is known for keel binary files (their header counts ticks);
// for CSV the bar shows a running count and rate.
func progressFor(f *backtestFlags, stdout io.Writer, files []string) *progressbar.ProgressBar {
	if f.noProgress || f.asJSON {
		return nil
	}
	fh, ok := stdout.(*os.File)
	if !ok || !term.IsTerminal(int(fh.Fd())) {
		return nil
	}
	total := int64(0)
	for _, path := range files {
		br, err := data.OpenBinary(path)
		if err != nil {
			total = -1
			break
		}
		total += int64(br.Count())
		br.Close()
	}
	if total == 0 {
		total = -1
	}
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(fh),
		progressbar.OptionSetDescription("backtest"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("ticks"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}
