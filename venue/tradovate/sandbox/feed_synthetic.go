package sandbox

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/cme"
)

// SyntheticConfig configures the synthetic generator: a seeded random
// walk of one contract's top of book with trades at the touch, on the
// contract's tick grid. The same configuration always gives the same ticks.
type SyntheticConfig struct {
	// Symbol is the contract, e.g. "ESZ6" (resolved at Start).
	Symbol string `yaml:"symbol"`
	// Seed seeds the walk.
	Seed int64 `yaml:"seed"`
	// Start is the time of the first tick. Default: when NewFeed runs,
	// truncated to the minute (so set it for reproducible runs).
	Start time.Time `yaml:"start"`
	// Price is the first bid; default a typical price of the product (ES
	// 5000), on the grid.
	Price venue.Price `yaml:"price"`
	// Interval is the mean time between ticks; each gap is drawn from
	// [Interval/2, 3·Interval/2) in whole milliseconds. Default 250 ms.
	Interval time.Duration `yaml:"interval"`
	// Count is how many ticks to make; 0 is endless.
	Count int64 `yaml:"count"`
	// AllHours generates around the clock. By default the walk pauses
	// while the contract's Globex session is closed (within the CME
	// calendar's years) and resumes at the next open.
	AllHours bool `yaml:"allHours"`
}

// typicalPrices are the default starting prices by product root.
var typicalPrices = map[string]string{
	"ES": "5000", "MES": "5000", "NQ": "18000", "MNQ": "18000", "YM": "40000", "MYM": "40000",
	"RTY": "2000", "M2K": "2000", "CL": "70", "MCL": "70", "NG": "3", "GC": "2000", "MGC": "2000",
	"SI": "25", "ZN": "110", "ZB": "120", "ZF": "108", "ZT": "102", "6E": "1.08", "6J": "0.0068",
	"ZC": "450", "ZS": "1200", "ZW": "600",
}

func (c *SyntheticConfig) validate() error {
	var errs []error
	if c.Interval < 0 || (c.Interval > 0 && c.Interval < time.Millisecond) {
		errs = append(errs, fmt.Errorf("sandbox: SyntheticConfig.Interval is %s: want at least 1ms (0: 250ms)", c.Interval))
	}
	if c.Count < 0 {
		errs = append(errs, fmt.Errorf("sandbox: SyntheticConfig.Count is %d: want 0 (endless) or more", c.Count))
	}
	if c.Price < 0 {
		errs = append(errs, fmt.Errorf("sandbox: SyntheticConfig.Price is %s: it must be positive", c.Price))
	}
	return errors.Join(errs...)
}

// withDefaults fills the defaults and checks the symbol and price grid.
func (c SyntheticConfig) withDefaults(lib *library) (SyntheticConfig, error) {
	if c.Start.IsZero() {
		c.Start = time.Now().UTC().Truncate(time.Minute)
	}
	if c.Interval == 0 {
		c.Interval = 250 * time.Millisecond
	}
	c.Symbol = strings.ToUpper(strings.TrimSpace(c.Symbol))
	in, err := lib.resolver(c.Start)(c.Symbol)
	if err != nil {
		return c, fmt.Errorf("sandbox: SyntheticConfig.Symbol: %w", err)
	}
	if c.Price == 0 {
		if s, ok := typicalPrices[in.Root]; ok {
			c.Price = venue.MustParsePrice(s).RoundToTick(in.TickSize, venue.RoundNearest)
		} else {
			c.Price = in.TickSize * 1000
		}
	}
	if !c.Price.OnGrid(in.TickSize) {
		return c, fmt.Errorf("sandbox: SyntheticConfig.Price %s is not on %s's tick grid (%s)", c.Price, c.Symbol, in.TickSize)
	}
	return c, nil
}

// synthetic is the generator as a tick source.
type synthetic struct {
	rng      *rand.Rand
	id       venue.ContractID
	tick     venue.Price
	sched    *cme.Schedule
	t        int64 // time of the last tick
	interval int64 // ms
	n, count int64

	bid              venue.Price
	bidSize, askSize int32
}

func newSynthetic(lib *library, c SyntheticConfig) (*synthetic, error) {
	in, err := lib.resolver(c.Start)(c.Symbol)
	if err != nil {
		return nil, fmt.Errorf("sandbox: synthetic feed: %w", err)
	}
	g := &synthetic{
		rng: rand.New(rand.NewPCG(uint64(c.Seed), 0x9e3779b97f4a7c15)),
		id:  in.ID, tick: in.TickSize, t: c.Start.UnixNano(),
		interval: max(c.Interval.Milliseconds(), 1), count: c.Count,
		bid: c.Price, bidSize: 20, askSize: 20,
	}
	if !c.AllHours {
		g.sched, _ = cme.DefaultCalendar().ScheduleFor(in.Root)
	}
	return g, nil
}

// Next makes the next tick: 40% are trades at the touch (HasTrade and the
// book after it; a trade that takes the whole touch moves the price a
// tick), the rest are book updates (new sizes, a one-tick move one time
// in four). The spread is one tick.
func (g *synthetic) Next(t *venue.Tick) error {
	if g.count > 0 && g.n >= g.count {
		return io.EOF
	}
	if g.n > 0 {
		ms := g.interval/2 + g.rng.Int64N(g.interval)
		g.t += max(ms, 1) * int64(time.Millisecond)
	}
	g.skipClosed()
	g.n++
	*t = venue.Tick{Time: g.t, Contract: g.id, Flags: venue.HasQuote}
	if g.n > 1 && g.rng.IntN(10) < 4 {
		size := int32(1 + g.rng.IntN(8))
		t.Flags |= venue.HasTrade
		t.Size = size
		if g.rng.IntN(2) == 0 {
			t.Aggressor, t.Price = venue.Buy, g.bid+g.tick
			if g.askSize -= size; g.askSize <= 0 {
				g.bid += g.tick
				g.bidSize, g.askSize = int32(5+g.rng.IntN(40)), int32(5+g.rng.IntN(40))
			}
		} else {
			t.Aggressor, t.Price = venue.Sell, g.bid
			if g.bidSize -= size; g.bidSize <= 0 {
				g.bid -= g.tick
				g.bidSize, g.askSize = int32(5+g.rng.IntN(40)), int32(5+g.rng.IntN(40))
			}
		}
	} else if g.n > 1 {
		if g.rng.IntN(4) == 0 {
			g.bid += g.tick * venue.Price(2*g.rng.IntN(2)-1)
		}
		g.bidSize, g.askSize = int32(1+g.rng.IntN(60)), int32(1+g.rng.IntN(60))
	}
	if g.bid < g.tick {
		g.bid = g.tick
	}
	t.Bid, t.Ask, t.BidSize, t.AskSize = g.bid, g.bid+g.tick, g.bidSize, g.askSize
	return nil
}

// skipClosed moves the time to the next session open when the market is
// closed (within the calendar's years).
func (g *synthetic) skipClosed() {
	if g.sched == nil {
		return
	}
	at := time.Unix(0, g.t)
	if open, err := g.sched.IsOpen(at); err != nil || open {
		return
	}
	if st, err := g.sched.Status(at); err == nil && !st.NextOpen.IsZero() {
		g.t = st.NextOpen.UnixNano()
	}
}

func (g *synthetic) Close() error { return nil }
