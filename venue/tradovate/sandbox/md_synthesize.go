package sandbox

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/keeltrade/keel/venue"
)

// SyntheticMarket configures the market the server makes up for listed
// contracts its data does not cover (MarketConfig.Synthesize), so that a
// client subscribing to any valid contract sees quotes instead of
// silence, as it would on Tradovate.
//
// The first md subscription or chart of such a contract on the md socket
// starts a seeded random walk of its book and trades — the synthetic
// feed's generator (SyntheticConfig), from the product's typical price —
// that runs until the server closes. Its ticks go through Server.Feed:
// the demo and live engines trade on them and every md socket sees them.
// They are stamped with the server clock's time (the data's, under
// runner sim) and come at wall-time intervals, around the clock: the
// walk ignores the session calendar so a client always has a market.
// A contract counts as covered when the server's market has seen it or,
// with a *Feed as Config.MarketData, when the feed's data has it (a file
// feed is scanned once, in the background, to know). Replay sessions play
// only their data.
type SyntheticMarket struct {
	// Seed seeds every contract's walk together with the contract id: a
	// contract walks the same way on every run with the same seed.
	Seed int64
	// Interval is the mean wall time between a contract's ticks; each gap
	// is drawn from [Interval/2, 3·Interval/2) in whole milliseconds.
	// Default 250 ms.
	Interval time.Duration
}

// maxSynthetic caps how many contracts get a synthetic market, so a client
// subscribing to the whole library cannot make the server spin.
const maxSynthetic = 256

func (c *SyntheticMarket) withDefaults() {
	if c.Interval == 0 {
		c.Interval = 250 * time.Millisecond
	}
}

func (c *SyntheticMarket) validate() error {
	if c.Interval < time.Millisecond {
		return fmt.Errorf("sandbox: Config.Market.Synthesize.Interval is %s: want at least 1ms (0: 250ms)", c.Interval)
	}
	return nil
}

// synthesizer runs the synthetic markets: one goroutine, owned by the
// server, steps every contract's walk when its next tick is due.
type synthesizer struct {
	s   *Server
	cfg SyntheticMarket

	mu      sync.Mutex
	asked   map[venue.ContractID]bool
	queue   []venue.ContractID
	running bool
	full    bool // maxSynthetic reached (logged once)
	wake    chan struct{}
}

func newSynthesizer(s *Server, cfg SyntheticMarket) *synthesizer {
	return &synthesizer{s: s, cfg: cfg, asked: map[venue.ContractID]bool{}, wake: make(chan struct{}, 1)}
}

// synthesize asks for a synthetic market of contract id when m is the
// server's md market and the server makes markets up. It never blocks:
// whether the data covers the contract is decided by the synthesizer's
// goroutine.
func (m *market) synthesize(id venue.ContractID) {
	if sy := m.srv.synth; sy != nil && m == m.srv.md {
		sy.want(id)
	}
}

func (sy *synthesizer) want(id venue.ContractID) {
	sy.mu.Lock()
	defer sy.mu.Unlock()
	if sy.asked[id] {
		return
	}
	if len(sy.asked) >= maxSynthetic {
		if !sy.full {
			sy.full = true
			sy.s.log.Warn("sandbox: no more synthetic markets: contracts beyond the cap stay silent", "max", maxSynthetic, "contractId", id)
		}
		return
	}
	sy.asked[id] = true
	sy.queue = append(sy.queue, id)
	if !sy.running {
		sy.running = sy.s.goServer(sy.run)
	}
	select {
	case sy.wake <- struct{}{}:
	default:
	}
}

// walk is one contract's synthetic market: the generator and its next
// tick, due at a wall time.
type walk struct {
	gen  *synthetic
	next venue.Tick
	due  time.Time
}

// run steps the walks until the server closes.
func (sy *synthesizer) run(ctx context.Context) {
	var walks []*walk
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		sy.mu.Lock()
		queue := sy.queue
		sy.queue = nil
		sy.mu.Unlock()
		for _, id := range queue {
			if w := sy.start(id); w != nil {
				walks = append(walks, w)
			}
		}
		now := time.Now()
		next := now.Add(time.Hour)
		for _, w := range walks {
			if !w.due.After(now) {
				sy.step(w, now)
			}
			if w.due.Before(next) {
				next = w.due
			}
		}
		timer.Reset(time.Until(next))
		select {
		case <-ctx.Done():
			return
		case <-sy.wake:
		case <-timer.C:
		}
	}
}

// start makes the walk of a contract the data does not cover; nil for one
// it covers.
func (sy *synthesizer) start(id venue.ContractID) *walk {
	s := sy.s
	if s.md.seen(id) {
		return nil
	}
	if f, ok := s.cfg.MarketData.(*Feed); ok && f.covers(id) {
		return nil
	}
	in, ok := s.lib.ByID(id)
	if !ok {
		return nil
	}
	px := in.TickSize * 1000
	if p, ok := typicalPrices[in.Root]; ok {
		px = venue.MustParsePrice(p).RoundToTick(in.TickSize, venue.RoundNearest)
	}
	g := &synthetic{
		rng: rand.New(rand.NewPCG(uint64(sy.cfg.Seed), uint64(id))),
		id:  id, tick: in.TickSize,
		interval: max(sy.cfg.Interval.Milliseconds(), 1),
		bid:      px, bidSize: 20, askSize: 20,
	}
	w := &walk{gen: g, due: time.Now()}
	_ = g.Next(&w.next) // endless: never fails
	s.log.Info("sandbox: synthetic market data", "contract", in.Symbol, "seed", sy.cfg.Seed)
	return w
}

// step feeds the walk's due tick at the server clock's time and draws the
// next one.
func (sy *synthesizer) step(w *walk, now time.Time) {
	t := w.next
	t.Time, t.Recv = sy.s.clock.Now().UnixNano(), now.UnixNano()
	sy.s.Feed(t)
	prev := w.next.Time
	_ = w.gen.Next(&w.next)
	w.due = now.Add(time.Duration(w.next.Time - prev))
}

// seen reports whether the market has shown any data of contract id.
func (m *market) seen(id venue.ContractID) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	cm := m.contracts[id]
	return cm != nil && cm.d.seen
}

// covers reports whether the feed's data has ticks of contract id. A file
// feed's data is scanned once (see index); unreadable data covers nothing.
func (f *Feed) covers(id venue.ContractID) bool {
	idx, err := f.index()
	return err == nil && idx.contracts[id]
}
