package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
	"time"

	"github.com/keeltrade/keel/backtest/data"
	"github.com/keeltrade/keel/venue"
)

// FeedConfig says where a Feed's market data comes from and how fast it
// plays. Set Files or Synthetic.Symbol, not both. runner sim reads it from
// YAML.
type FeedConfig struct {
	// Files are tick or bar files — tick CSV (trades, bbo or mbp1 layout),
	// bar CSV (OHLCV), keel binary tick files, plain or gzip; see package
	// backtest. Several files are merged by time. A bar becomes four trades
	// (open, low or high, high or low, close) a quarter of its period
	// apart, its volume split between them, so minute charts of the feed
	// reproduce the bars.
	Files []string `yaml:"files"`
	// BarPeriod is the length of the bars in bar files; default one minute.
	BarPeriod time.Duration `yaml:"barPeriod"`
	// Synthetic, with Symbol set, generates the data instead.
	Synthetic SyntheticConfig `yaml:"synthetic"`
	// Speed is how fast the data plays, as a multiple of real time by the
	// data's timestamps: 1 is real time, 60 a minute per second, 0 as fast
	// as possible.
	Speed float64 `yaml:"speed"`
	// Start is where playback begins; data before it only fills the chart
	// history. Default: the start of the data.
	Start time.Time `yaml:"start"`
	// SkipGaps, when positive, jumps over quiet spells in the data longer
	// than this (nights, weekends) instead of waiting them out.
	SkipGaps time.Duration `yaml:"skipGaps"`
}

// Feed is market data from files or a seeded generator. As a
// MarketDataSource (Config.MarketData) it plays the data into the server
// — the demo and live matching engines and the md sockets — at its
// Speed; market replay (Config.Market.Replay, by default the same Feed)
// opens its own stream of the same data with Open. A Feed plays for one
// server at a time.
type Feed struct {
	cfg   FeedConfig
	lib   *library
	files []feedFile
	start int64 // first data time (Unix ns)
	synth SyntheticConfig

	mu      sync.Mutex
	running bool
	history func(venue.Tick) // the bound server's chart history
	speed   float64
	playing bool
	w0      time.Time // wall time of the anchor
	d0      int64     // data time of the anchor
	last    int64     // data time of the last tick fed
	fed     bool
	next    int64 // data time of the tick about to be fed

	idxOnce sync.Once
	idx     *dataIndex
	idxErr  error
}

// NewFeed validates cfg, opens each file once to check it and find the
// start of its data, and returns the feed.
func NewFeed(cfg FeedConfig) (*Feed, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.BarPeriod == 0 {
		cfg.BarPeriod = time.Minute
	}
	f := &Feed{cfg: cfg, lib: newLibrary(), speed: cfg.Speed, next: math.MaxInt64}
	if len(cfg.Files) > 0 {
		f.start = math.MaxInt64
		for _, path := range cfg.Files {
			ff, first, err := probeFile(f.lib, path, cfg.BarPeriod)
			if err != nil {
				return nil, err
			}
			f.files = append(f.files, ff)
			f.start = min(f.start, first)
		}
	} else {
		sc, err := cfg.Synthetic.withDefaults(f.lib)
		if err != nil {
			return nil, err
		}
		f.synth = sc
		f.start = sc.Start.UnixNano()
	}
	return f, nil
}

func (c *FeedConfig) validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("sandbox: "+format, args...)) }
	switch {
	case len(c.Files) == 0 && c.Synthetic.Symbol == "":
		bad("FeedConfig: set Files (tick or bar files) or Synthetic.Symbol (a contract like ESZ6)")
	case len(c.Files) > 0 && c.Synthetic.Symbol != "":
		bad("FeedConfig: Files and Synthetic.Symbol are both set: choose one")
	}
	if c.Speed < 0 || math.IsNaN(c.Speed) || math.IsInf(c.Speed, 0) {
		bad("FeedConfig.Speed is %v: want 0 (as fast as possible) or a positive multiple of real time", c.Speed)
	}
	if c.BarPeriod < 0 {
		bad("FeedConfig.BarPeriod is %s: it must be positive", c.BarPeriod)
	}
	if c.SkipGaps < 0 {
		bad("FeedConfig.SkipGaps is %s: it must be positive (or 0 to wait gaps out)", c.SkipGaps)
	}
	if c.Synthetic.Symbol != "" {
		if err := c.Synthetic.validate(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Config returns the feed's configuration, defaults filled in.
func (f *Feed) Config() FeedConfig {
	c := f.cfg
	if c.Synthetic.Symbol != "" {
		c.Synthetic = f.synth
	}
	return c
}

// DataStart returns the time of the feed's first tick.
func (f *Feed) DataStart() time.Time { return time.Unix(0, f.start).UTC() }

// Open returns a fresh stream of the feed's data from its start: the
// files merged by time, or the generator from its seed. Ticks carry
// sandbox contract ids. The caller closes it.
func (f *Feed) Open() (data.TickSource, error) {
	if len(f.files) == 0 {
		return newSynthetic(f.lib, f.synth)
	}
	srcs := make([]data.TickSource, 0, len(f.files))
	for _, ff := range f.files {
		src, err := ff.open(f.lib, f.cfg.BarPeriod)
		if err != nil {
			for _, s := range srcs {
				_ = s.Close()
			}
			return nil, err
		}
		srcs = append(srcs, src)
	}
	if len(srcs) == 1 {
		return srcs[0], nil
	}
	return data.Merge(srcs...), nil
}

// bind makes data before FeedConfig.Start go to the server's chart history.
func (f *Feed) bind(history func(venue.Tick)) {
	f.mu.Lock()
	f.history = history
	f.mu.Unlock()
}

// Run plays the data into feed (Server.Feed) until it ends or ctx is
// done: ticks before FeedConfig.Start go to the chart history only, then
// every tick is fed when its time comes at the feed's Speed. It returns
// nil at the end of the data and ctx's error when stopped.
func (f *Feed) Run(ctx context.Context, feed func(venue.Tick)) error {
	f.mu.Lock()
	if f.running {
		f.mu.Unlock()
		return errors.New("sandbox: feed is already running: a Feed plays for one server at a time")
	}
	f.running = true
	history := f.history
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.running = false
		f.mu.Unlock()
	}()

	src, err := f.Open()
	if err != nil {
		return err
	}
	defer src.Close()
	start := f.playStart()
	var t venue.Tick
	for n := 0; ; n++ {
		if err := src.Next(&t); err != nil {
			return endOfData(err)
		}
		if t.Time >= start {
			break
		}
		if history != nil {
			history(t)
		}
		if n&4095 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
	}

	f.mu.Lock()
	f.playing, f.w0, f.d0 = true, time.Now(), start
	f.mu.Unlock()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	prev := start
	for n := 0; ; n++ {
		if err := f.wait(ctx, timer, t.Time, prev); err != nil {
			return err
		}
		if n&1023 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		feed(t)
		f.mu.Lock()
		f.last, f.fed = max(f.last, t.Time), true
		f.mu.Unlock()
		prev = t.Time
		if err := src.Next(&t); err != nil {
			f.mu.Lock()
			f.next = math.MaxInt64
			f.mu.Unlock()
			return endOfData(err)
		}
	}
}

func endOfData(err error) error {
	if errors.Is(err, io.EOF) {
		return nil
	}
	return fmt.Errorf("sandbox: feed: %w", err)
}

// playStart is the data time playback begins at.
func (f *Feed) playStart() int64 {
	if !f.cfg.Start.IsZero() {
		return f.cfg.Start.UnixNano()
	}
	return f.start
}

// wait blocks until the tick at data time t is due at the feed's speed.
func (f *Feed) wait(ctx context.Context, timer *time.Timer, t, prev int64) error {
	f.mu.Lock()
	f.next = t
	if f.speed <= 0 {
		f.mu.Unlock()
		return nil
	}
	if f.cfg.SkipGaps > 0 && t-prev > int64(f.cfg.SkipGaps) {
		f.w0, f.d0 = time.Now(), t
	}
	due := f.w0.Add(time.Duration(float64(t-f.d0) / f.speed))
	f.mu.Unlock()
	d := time.Until(due)
	if d <= 50*time.Microsecond {
		return nil
	}
	timer.Reset(d)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// Clock returns the feed's time as a Clock: before playback, the start;
// while playing, the data time running at Speed (never past the next tick
// not yet fed, never before the last one fed); at speed 0, the time of
// the last tick fed. Give it to Config.Clock so the server lives at the
// data's time: contract names, sessions and timestamps then follow the
// data.
func (f *Feed) Clock() Clock { return feedClock{f} }

type feedClock struct{ f *Feed }

func (c feedClock) Now() time.Time { return time.Unix(0, c.f.now()).UTC() }

func (f *Feed) now() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case !f.playing:
		return f.playStart()
	case f.speed <= 0:
		if f.fed {
			return f.last
		}
		return f.d0
	}
	t := f.d0 + int64(float64(time.Since(f.w0))*f.speed)
	t = min(t, f.next)
	if f.fed {
		t = max(t, f.last)
	}
	return t
}
