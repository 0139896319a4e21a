package risk

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
)

// sim is an independent model of a venue for the property tests: it holds
// the orders the gate allowed and fills any part of them at any later
// time, and tracks the true net positions itself.
type sim struct {
	t      *testing.T
	h      *harness
	rng    *rand.Rand
	insts  []venue.Instrument
	strats []string
	last   map[venue.ContractID]venue.Price
	work   []simOrder
	acct   map[venue.ContractID]int64
	strat  map[string]map[venue.ContractID]int64
}

type simOrder struct {
	id       string
	strategy string
	inst     venue.Instrument
	side     venue.Side
	rem      int64
}

func newSim(t *testing.T, seed uint64, cfg Config, strats ...string) *sim {
	s := &sim{
		t: t, h: newHarness(t, cfg), rng: rand.New(rand.NewPCG(seed, seed^0x5eed)),
		insts: []venue.Instrument{mes, es}, strats: strats,
		last: map[venue.ContractID]venue.Price{mes.ID: px("5000"), es.ID: px("5000")},
		acct: map[venue.ContractID]int64{}, strat: map[string]map[venue.ContractID]int64{},
	}
	for _, name := range strats {
		s.strat[name] = map[venue.ContractID]int64{}
	}
	return s
}

func (s *sim) intent() (*Request, string, venue.Instrument) {
	name := s.strats[s.rng.IntN(len(s.strats))]
	inst := s.insts[s.rng.IntN(len(s.insts))]
	side := venue.Buy
	if s.rng.IntN(2) == 0 {
		side = venue.Sell
	}
	qty := int64(1 + s.rng.IntN(4))
	// Often size the order to close the strategy's position exactly.
	if n := s.strat[name][inst.ID]; n != 0 && s.rng.IntN(3) == 0 {
		qty = abs(n)
		side = venue.Sell
		if n < 0 {
			side = venue.Buy
		}
		if s.rng.IntN(2) == 0 && qty > 1 {
			qty-- // partly
		}
	}
	typ := venue.Market
	var price venue.Price
	if s.rng.IntN(2) == 0 {
		typ = venue.Limit
		price = s.last[inst.ID] + venue.Price(s.rng.IntN(9)-4)*inst.TickSize
	}
	return s.h.request(name, inst, side, qty, typ, price), name, inst
}

func (s *sim) submit() (*Request, *Denied, bool, bool) {
	req, name, inst := s.intent()
	sign := req.Intent.Side.Sign()
	redAcct := reduces(s.acct[inst.ID], sign, req.Intent.Qty, s.working("", inst, req.Intent.Side))
	redStrat := reduces(s.strat[name][inst.ID], sign, req.Intent.Qty, s.working(name, inst, req.Intent.Side))
	d := s.h.check(req)
	if d == nil {
		s.work = append(s.work, simOrder{id: req.ClientID, strategy: name, inst: inst, side: req.Intent.Side, rem: req.Intent.Qty})
	}
	return req, d, redAcct, redStrat
}

// working is the model's remaining quantity of working orders of strategy
// ("" for all) on one side of inst.
func (s *sim) working(strategy string, inst venue.Instrument, side venue.Side) int64 {
	var n int64
	for _, o := range s.work {
		if o.inst.ID == inst.ID && o.side == side && (strategy == "" || o.strategy == strategy) {
			n += o.rem
		}
	}
	return n
}

// fillSome fills part or all of a random working order.
func (s *sim) fillSome() {
	if len(s.work) == 0 {
		return
	}
	i := s.rng.IntN(len(s.work))
	o := &s.work[i]
	q := 1 + s.rng.Int64N(o.rem)
	o.rem -= q
	final := o.rem == 0
	price := s.last[o.inst.ID]
	s.h.fill(o.id, o.inst, o.side, q, price.String(), final, "0.62")
	d := o.side.Sign() * q
	s.acct[o.inst.ID] += d
	s.strat[o.strategy][o.inst.ID] += d
	if final {
		s.work = append(s.work[:i], s.work[i+1:]...)
	}
}

func (s *sim) cancelSome() {
	if len(s.work) == 0 {
		return
	}
	i := s.rng.IntN(len(s.work))
	s.h.cancel(s.work[i].id)
	s.work = append(s.work[:i], s.work[i+1:]...)
}

func (s *sim) mark() {
	inst := s.insts[s.rng.IntN(len(s.insts))]
	p := s.last[inst.ID] + venue.Price(s.rng.IntN(41)-20)*inst.TickSize
	s.last[inst.ID] = p
	s.h.trade(inst, p.String())
}

// step does one random thing; it returns the answer when it was a Check.
func (s *sim) step() (*Request, *Denied, bool, bool, bool) {
	s.h.advance(time.Duration(1+s.rng.IntN(500)) * time.Millisecond)
	switch r := s.rng.IntN(10); {
	case r < 4:
		req, d, ra, rs := s.submit()
		return req, d, ra, rs, true
	case r < 7:
		s.fillSome()
	case r < 8:
		s.cancelSome()
	default:
		s.mark()
	}
	s.h.g.Actions()
	return nil, nil, false, false, false
}

// checkBooks asserts the gate's positions match the model's.
func (s *sim) checkBooks() {
	for _, inst := range s.insts {
		if got, want := s.h.g.Account().Net(inst.ID), s.acct[inst.ID]; got != want {
			s.t.Fatalf("account net %s: gate %d, venue %d", inst.Symbol, got, want)
		}
		for _, name := range s.strats {
			if sc, ok := s.h.g.Strategy(name); ok {
				if got, want := sc.Net(inst.ID), s.strat[name][inst.ID]; got != want {
					s.t.Fatalf("strategy %s net %s: gate %d, venue %d", name, inst.Symbol, got, want)
				}
			}
		}
	}
}

// TestPropertyReducingNeverDeniedByLossOrKill: an intent that reduces the
// position (in the account and in its strategy) is never refused by a loss
// rule or the kill switch, whatever happened before.
func TestPropertyReducingNeverDeniedByLossOrKill(t *testing.T) {
	cfg := offConfig()
	cfg.Account.DailyLoss = decimal.NewFromInt(200)
	cfg.Account.TrailingDrawdown = decimal.NewFromInt(300)
	cfg.Account.FlattenOnBreach = true
	cfg.Defaults.DailyLoss = decimal.NewFromInt(80)
	cfg.Defaults.TrailingDrawdown = decimal.NewFromInt(120)
	cfg.Defaults.TrailingMode = EndOfDay
	lossRules := map[string]bool{RuleDailyLoss: true, RuleTrailingDrawdown: true, RuleKillSwitch: true}

	guarded := 0 // reducing intents checked while a loss rule or the switch blocked new risk
	for seed := uint64(1); seed <= 40; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			s := newSim(t, seed, cfg, "a", "b")
			tripAt := 500 + s.rng.IntN(1500)
			reducing, denied := 0, 0
			for i := 0; i < 3000; i++ {
				if i == tripAt {
					require.NoError(t, s.h.g.Trip("property test"))
				}
				req, d, ra, rs, checked := s.step()
				if !checked {
					continue
				}
				if d != nil {
					denied++
				}
				if ra && rs {
					reducing++
					if g := s.h.g; g.ks.tripped || g.account.dayBrk || g.account.ddBrk {
						guarded++
					}
					if d != nil {
						require.False(t, lossRules[d.Rule], "step %d: reducing %s %d denied: %v", i, req.Intent.Side, req.Intent.Qty, d)
					}
				}
				s.checkBooks()
			}
			require.Positive(t, reducing)
			require.Positive(t, denied, "the limits were exercised")
		})
	}
	require.Greater(t, guarded, 100)
}

// TestPropertyPositionNeverBeyondLimit: whatever part of whichever allowed
// order fills whenever, no position ever exceeds its limits.
func TestPropertyPositionNeverBeyondLimit(t *testing.T) {
	cfg := offConfig()
	cfg.Account.MaxPosition = 5
	cfg.Account.MaxTotalPosition = 8
	cfg.Defaults.MaxPosition = 3
	cfg.Strategies = map[string]Limits{"c": {MaxPosition: 1, MaxTotalPosition: 1}}

	for seed := uint64(1); seed <= 40; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			s := newSim(t, seed, cfg, "a", "b", "c")
			maxSeen, denied := int64(0), 0
			for i := 0; i < 3000; i++ {
				if _, d, _, _, checked := s.step(); checked && d != nil {
					denied++
				}
				var total int64
				for _, inst := range s.insts {
					n := abs(s.acct[inst.ID])
					total += n
					maxSeen = max(maxSeen, n)
					if n > 5 || abs(s.strat["a"][inst.ID]) > 3 || abs(s.strat["b"][inst.ID]) > 3 {
						t.Fatalf("step %d: %s: account %d, a %d, b %d", i, inst.Symbol, s.acct[inst.ID], s.strat["a"][inst.ID], s.strat["b"][inst.ID])
					}
				}
				if c := abs(s.strat["c"][mes.ID]) + abs(s.strat["c"][es.ID]); total > 8 || c > 1 {
					t.Fatalf("step %d: account total %d, strategy c total %d", i, total, c)
				}
			}
			s.checkBooks()
			require.Positive(t, denied)
			require.GreaterOrEqual(t, maxSeen, int64(3), "positions reached the limits")
		})
	}
}
