package backtest

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/keeltrade/keel/backtest/data"
	"github.com/keeltrade/keel/backtest/report"
	"github.com/keeltrade/keel/engine"
	"github.com/keeltrade/keel/risk"
	"github.com/keeltrade/keel/strategy"
	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/cme"
	"github.com/keeltrade/keel/venue/sim"
)

// SessionPolicy says how a backtest checks that the market was open when an
// order arrived.
type SessionPolicy string

// Session policies.
const (
	// SessionAuto checks against keel's CME calendar where it covers the
	// date and lets orders through (counted in Result.SessionUnchecked)
	// where it does not, such as years before the calendar begins.
	SessionAuto SessionPolicy = "auto"
	// SessionStrict rejects orders whose date the calendar does not cover.
	SessionStrict SessionPolicy = "strict"
	// SessionOff never checks.
	SessionOff SessionPolicy = "off"
)

// Config is one backtest run.
type Config struct {
	// Strategy is a registered strategy name; Params its parameters.
	Strategy string
	Params   map[string]string
	// Files are tick files (CSV or keel binary, several merged in time
	// order) or bar CSV files (all of one kind).
	Files []string
	// Ticks, instead of Files, streams ticks from code (generated data, a
	// recorder); its contract ids must come from Registry, which it should
	// use to resolve symbols. Run closes it.
	Ticks data.TickSource
	// Registry resolves symbols; default a new one. Set it when Ticks was
	// built against a registry of its own.
	Registry *data.Registry
	// SkipBadRows counts malformed rows and carries on instead of stopping.
	SkipBadRows bool
	// BarPeriod is the length of the bars in bar files (default 1m).
	BarPeriod time.Duration
	// Sim configures the simulated exchange; its Instruments, SessionCheck
	// and Now are set by the driver.
	Sim sim.Config
	// Session is the session policy; default SessionAuto.
	Session SessionPolicy
	// NewGate builds the run's risk gate (nil: no gate). A function, so that
	// parallel sweep runs each get their own state.
	NewGate func() (risk.Gate, error)
	// Report configures statistics (starting capital, sampling).
	Report report.Config
	// Logger receives strategy logs; default: discard below Warn to stderr.
	Logger *slog.Logger
	// Progress, if set, is called about every 64k ticks with the count so far.
	Progress func(ticks int64)
	// Calendar defaults to cme.DefaultCalendar().
	Calendar *cme.Calendar
}

// Result is what a run produced. Everything in it is a function of the
// inputs only, so reruns are byte-identical.
type Result struct {
	Summary report.Summary
	Stats   engine.Stats
	// Orders is every order the strategy sent, in order.
	Orders []venue.Order
	// Failures are strategies stopped by a panic or an Init error.
	Failures []engine.Failure
	// Skipped rows (with SkipBadRows) and up to ten of their reasons.
	Skipped        int64
	SkippedSamples []data.RowError
	// SessionUnchecked counts orders whose session could not be checked
	// because the calendar does not cover their date (SessionAuto).
	SessionUnchecked int64
	// Instruments are the contracts the run saw, in id order.
	Instruments []venue.Instrument
	// BarData says the input was bars (Stats.Ticks then counts bars).
	BarData bool
	// WarmUps are the strategies' declared warm-ups and how they went.
	WarmUps []engine.WarmUp
}

// InstanceName is the engine instance name of the strategy under test; it
// prefixes client order ids.
func InstanceName(name string) string {
	return strings.NewReplacer("-", "_", " ", "_", "/", "_").Replace(name)
}

// Run executes one backtest: the data streams through the engine loop on
// this goroutine, the simulator matches, the risk gate (if any) checks every
// intent, and the report recorder watches prices and fills.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if len(cfg.Files) == 0 && cfg.Ticks == nil {
		return nil, errors.New("backtest: no data files given")
	}
	if len(cfg.Files) > 0 && cfg.Ticks != nil {
		return nil, errors.New("backtest: give data files or a tick source, not both")
	}
	params := strategy.NewParams(cfg.Params)
	strat, err := strategy.New(cfg.Strategy, params)
	if err != nil {
		return nil, err
	}
	cal := cfg.Calendar
	if cal == nil {
		cal = cme.DefaultCalendar()
	}
	reg := cfg.Registry
	if reg == nil {
		reg = data.NewRegistry(time.Time{})
	}
	if cfg.Calendar != nil {
		reg.SetCalendar(cfg.Calendar) // continuous contracts roll by it
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}

	res := &Result{}
	simCfg := cfg.Sim
	simCfg.Instruments = reg
	sc, err := newSessionCheck(cfg.Session, cal, reg, &res.SessionUnchecked)
	if err != nil {
		return nil, err
	}
	simCfg.SessionCheck = sc
	// Orders are stamped with the engine's data clock, which runs ahead of
	// the simulator's market time when a timer or bar close fires between
	// two events.
	clock := engine.NewSimClock(0)
	simCfg.Now = clock.Now
	ex, err := sim.New(simCfg)
	if err != nil {
		return nil, fmt.Errorf("backtest: simulator: %w", err)
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
	var fillErr error
	eng, err := engine.New(engine.Config{
		Session:     "bt",
		Clock:       clock,
		Instruments: reg,
		Venue:       ex,
		Gate:        gate,
		Logger:      logger,
		Observe: func(ev *venue.Event) {
			if ev.Kind != venue.EventFilled || fillErr != nil {
				return
			}
			inst, ok := reg.ByID(ev.Fill.Contract)
			if !ok {
				fillErr = fmt.Errorf("backtest: fill for unknown contract %d", ev.Fill.Contract)
				return
			}
			fillErr = rec.OnFill(ev.Fill, inst)
		},
	})
	if err != nil {
		return nil, err
	}
	if err := eng.Add(InstanceName(cfg.Strategy), strat, params); err != nil {
		return nil, err
	}

	feed := &feed{ticks: cfg.Ticks, closers: []io.Closer{cfg.Ticks}}
	if cfg.Ticks == nil {
		if feed, err = openFeed(cfg, reg); err != nil {
			return nil, err
		}
	}
	defer feed.Close()

	if err := eng.Start(); err != nil {
		return nil, err
	}
	for _, in := range reg.All() { // contracts the strategy asked for
		if !in.Continuous() { // its months trade, and are tracked as they do
			_ = rec.Track(in)
		}
	}
	var (
		end      int64
		expireAt int64 = -1 << 63
		n        int64
		day      = newDayBoundary()
	)
	// step is called for every event before the engine sees it, with the
	// time it trades at and the time it ends (the same for ticks):
	// progress, cancellation and Day-order expiry.
	step := func(t, last int64) error {
		if n&0xffff == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if cfg.Progress != nil && n > 0 {
				cfg.Progress(n)
			}
		}
		n++
		if t >= expireAt {
			// A new CME trade date began. What fell due before the boundary
			// (bar closes, timers) belongs to the old date and runs first;
			// then the old date's Day orders expire.
			if expireAt != -1<<63 {
				eng.Advance(expireAt - 1)
				ex.ExpireDay()
			}
			expireAt = day.next(t)
		}
		end = max(end, last)
		return nil
	}
	if feed.bars != nil {
		err = runBars(feed.bars, eng, rec, step, &fillErr)
	} else {
		err = runTicks(feed.ticks, eng, rec, step, &fillErr)
	}
	if err != nil {
		return nil, err
	}
	if n == 0 {
		name := strings.Join(cfg.Files, ", ")
		if name == "" {
			name = "tick source"
		}
		return nil, fmt.Errorf("backtest: %s: %w", name, data.ErrEmpty)
	}
	if cfg.Progress != nil {
		cfg.Progress(n)
	}
	eng.Stop()
	res.Summary = rec.Finish(end)
	engineSummary(&res.Summary, eng)
	res.Stats = eng.Stats()
	res.WarmUps = eng.WarmUps()
	res.Orders = eng.Orders()
	res.Failures = eng.Failures()
	res.Skipped, res.SkippedSamples = feed.skipped()
	res.Instruments = reg.All()
	res.BarData = feed.bars != nil
	return res, nil
}

// engineSummary adds to a report what only the engine knows: lost exits
// and rolls.
func engineSummary(s *report.Summary, eng *engine.Engine) {
	s.ExitsLost = eng.Stats().ExitsLost
	s.Rolls, s.RollCost = nil, decimal.Zero
	for _, r := range eng.Rolls() {
		s.Rolls = append(s.Rolls, report.Roll{Time: time.Unix(0, r.At).UTC(), Strategy: r.Strategy, Root: r.Root, From: r.From, To: r.To,
			Qty: r.Qty, Closed: r.Closed, Opened: r.Opened, Cost: r.Cost, Note: r.Note})
		s.RollCost = s.RollCost.Add(r.Cost)
	}
}

// runTicks streams ticks through the engine with one tick of lookahead, so
// strategies hear of the end of the data (EndOfData) while one more tick can
// still fill their closing orders. Two buffers are swapped, never copied.
func runTicks(src data.TickSource, eng *engine.Engine, rec *report.Recorder, step func(at, last int64) error, fillErr *error) error {
	var buf [2]venue.Tick
	cur, nxt := &buf[0], &buf[1]
	have, err := nextTick(src, cur)
	for have && err == nil {
		if have, err = nextTick(src, nxt); err != nil {
			return err
		}
		if err := step(cur.Time, cur.Time); err != nil {
			return err
		}
		if !have {
			eng.EndOfData()
		}
		eng.OnTick(cur)
		if cur.Flags&venue.HasTrade != 0 {
			rec.OnPrice(cur.Contract, cur.Time, cur.Price)
		} else if cur.Bid > 0 && cur.Ask > 0 {
			rec.OnPrice(cur.Contract, cur.Time, (cur.Bid+cur.Ask)/2)
		}
		if *fillErr != nil {
			return *fillErr
		}
		cur, nxt = nxt, cur
	}
	return err
}

func nextTick(src data.TickSource, t *venue.Tick) (bool, error) {
	err := src.Next(t)
	if err == nil {
		return true, nil
	}
	if err == io.EOF || errors.Is(err, io.EOF) {
		return false, nil
	}
	return false, err
}

// runBars is runTicks for bar data.
func runBars(src data.BarSource, eng *engine.Engine, rec *report.Recorder, step func(at, last int64) error, fillErr *error) error {
	var buf [2]venue.Bar
	cur, nxt := &buf[0], &buf[1]
	next := func(b *venue.Bar) (bool, error) {
		err := src.Next(b)
		if err == nil {
			return true, nil
		}
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		return false, err
	}
	have, err := next(cur)
	for have && err == nil {
		if have, err = next(nxt); err != nil {
			return err
		}
		// A bar trades from its start: the trade date it belongs to (and
		// the expiry of the previous one's Day orders) is decided there.
		if err := step(cur.Start, cur.End); err != nil {
			return err
		}
		if !have {
			eng.EndOfData()
		}
		eng.OnBarData(cur)
		rec.OnPrice(cur.Contract, cur.End, cur.Close)
		if *fillErr != nil {
			return *fillErr
		}
		cur, nxt = nxt, cur
	}
	return err
}

// dayBoundary finds the next CME trade-date boundary (17:00 America/Chicago).
type dayBoundary struct{ loc *time.Location }

func newDayBoundary() dayBoundary { return dayBoundary{loc: cme.Chicago()} }

// next returns the first 17:00 CT strictly after t (Unix ns).
func (d dayBoundary) next(t int64) int64 {
	ct := time.Unix(0, t).In(d.loc)
	b := time.Date(ct.Year(), ct.Month(), ct.Day(), 17, 0, 0, 0, d.loc)
	if !b.After(ct) {
		b = time.Date(ct.Year(), ct.Month(), ct.Day()+1, 17, 0, 0, 0, d.loc)
	}
	return b.UnixNano()
}

// newSessionCheck builds the simulator's session hook from the calendar.
func newSessionCheck(p SessionPolicy, cal *cme.Calendar, reg *data.Registry, unchecked *int64) (func(venue.ContractID, int64) error, error) {
	switch p {
	case "", SessionAuto, SessionStrict:
	case SessionOff:
		return nil, nil
	default:
		return nil, fmt.Errorf("backtest: session policy %q: want auto, strict or off", p)
	}
	strict := p == SessionStrict
	schedules := map[venue.ContractID]*cme.Schedule{}
	return func(c venue.ContractID, t int64) error {
		s, ok := schedules[c]
		if !ok {
			inst, found := reg.ByID(c)
			if !found {
				return fmt.Errorf("unknown contract %d", c)
			}
			var err error
			if s, err = cal.ScheduleFor(inst.Root); err != nil {
				return err
			}
			schedules[c] = s
		}
		at := time.Unix(0, t)
		st, err := s.Status(at)
		if errors.Is(err, cme.ErrCalendarUnknown) && !strict {
			*unchecked++
			return nil
		}
		if err != nil {
			return err
		}
		if !st.Open {
			msg := "market closed (" + st.Reason + ")"
			if !st.NextOpen.IsZero() {
				msg += "; next open " + st.NextOpen.In(cme.Chicago()).Format("2006-01-02 15:04 MST")
			}
			return errors.New(msg)
		}
		return nil
	}, nil
}

// feed is the run's data: ticks or bars, merged across files.
type feed struct {
	ticks   data.TickSource
	bars    data.BarSource
	closers []io.Closer
	skips   []interface {
		Skipped() int64
		SkippedSamples() []data.RowError
	}
}

func (f *feed) Close() error {
	var errs []error
	for _, c := range f.closers {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

func (f *feed) skipped() (int64, []data.RowError) {
	var n int64
	var samples []data.RowError
	for _, s := range f.skips {
		n += s.Skipped()
		for _, r := range s.SkippedSamples() {
			if len(samples) < maxSkipSamples {
				samples = append(samples, r)
			}
		}
	}
	return n, samples
}

// openFeed opens every file, checks they are all ticks or all bars, and
// merges them in time order.
func openFeed(cfg Config, reg *data.Registry) (*feed, error) {
	opt := data.CSVOptions{Resolve: reg.Resolve, SkipBadRows: cfg.SkipBadRows, BarPeriod: cfg.BarPeriod}
	f := &feed{}
	var ticks []data.TickSource
	var bars []data.BarSource
	for _, path := range cfg.Files {
		isBars, err := isBarFile(path)
		if err != nil {
			f.Close()
			return nil, err
		}
		if isBars {
			b, err := data.OpenBarCSV(path, opt)
			if err != nil {
				f.Close()
				return nil, err
			}
			f.closers = append(f.closers, b)
			f.skips = append(f.skips, b)
			bars = append(bars, b)
			continue
		}
		src, err := data.OpenTicks(path, opt)
		if err != nil {
			f.Close()
			return nil, err
		}
		f.closers = append(f.closers, src)
		if s, ok := src.(interface {
			Skipped() int64
			SkippedSamples() []data.RowError
		}); ok {
			f.skips = append(f.skips, s)
		}
		if br, ok := src.(*data.BinaryReader); ok {
			if src, err = fromBinary(br, reg); err != nil {
				f.Close()
				return nil, fmt.Errorf("backtest: %s: %w", path, err)
			}
		}
		ticks = append(ticks, src)
	}
	switch {
	case len(bars) > 0 && len(ticks) > 0:
		f.Close()
		return nil, errors.New("backtest: mixing bar files and tick files in one run is not supported")
	case len(bars) == 1:
		f.bars = bars[0]
	case len(bars) > 1:
		f.bars = data.MergeBars(bars...)
	case len(ticks) == 1:
		f.ticks = ticks[0]
	default:
		f.ticks = data.Merge(ticks...)
	}
	return f, nil
}

// fromBinary registers a binary file's contract in the run's registry and
// renumbers its ticks to the registry's id.
func fromBinary(br *data.BinaryReader, reg *data.Registry) (data.TickSource, error) {
	fileInst := br.Instrument()
	inst, err := reg.Resolve(fileInst.Symbol)
	if err != nil {
		return nil, err
	}
	if inst.TickSize != fileInst.TickSize || !inst.PointValue.Equal(fileInst.PointValue) {
		return nil, fmt.Errorf("contract %s: file says tick %s and point value %s, the product table %s and %s",
			inst.Symbol, fileInst.TickSize, fileInst.PointValue, inst.TickSize, inst.PointValue)
	}
	if inst.ID == fileInst.ID {
		return br, nil
	}
	return &renumber{src: br, id: inst.ID}, nil
}

type renumber struct {
	src data.TickSource
	id  venue.ContractID
}

func (r *renumber) Next(t *venue.Tick) error {
	if err := r.src.Next(t); err != nil {
		return err
	}
	t.Contract = r.id
	return nil
}

func (r *renumber) Close() error { return r.src.Close() }

// isBarFile reads a file's first line (through gzip if need be) and reports
// whether it is a bar CSV header (has open/high/low/close columns).
func isBarFile(path string) (bool, error) {
	fh, err := os.Open(path)
	if err != nil {
		return false, fmt.Errorf("backtest: %w", err)
	}
	defer fh.Close()
	br := bufio.NewReader(fh)
	var r io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return false, fmt.Errorf("backtest: %s: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("backtest: %s: %w", path, err)
	}
	cols := map[string]bool{}
	for c := range strings.SplitSeq(strings.TrimSpace(line), ",") {
		cols[strings.TrimSpace(c)] = true
	}
	return cols["open"] && cols["high"] && cols["low"] && cols["close"], nil
}

// maxSkipSamples is how many skipped-row reasons a Result keeps.
const maxSkipSamples = 10
