package risk

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/cme"
)

// cyclingCal opens every hour for 50 minutes from t0, starts a trade date
// every two hours, and knows nothing
// about the root "ZZ".
func cyclingCal() *fakeCal {
	return &fakeCal{fn: func(root string, t time.Time) (cme.Status, error) {
		if root == "ZZ" {
			return cme.Status{}, fmt.Errorf("zz: %w", cme.ErrCalendarUnknown)
		}
		off := t.Sub(t0) % time.Hour
		if off < 0 {
			off += time.Hour
		}
		start := t.Add(-off)
		// A new trade date every two sessions.
		td := time.Date(2026, 11, 24+int(t.Sub(t0)/(2*time.Hour)), 0, 0, 0, 0, ct)
		if off < 50*time.Minute {
			return cme.Status{Open: true, SessionClose: start.Add(50 * time.Minute), CloseReason: "break",
				NextOpen: start.Add(time.Hour), TradeDate: td}, nil
		}
		return cme.Status{Reason: "break", NextOpen: start.Add(time.Hour), TradeDate: td}, nil
	}}
}

// countingRule is a WithRule rule that refuses quantity 3 for strategy c
// and counts its commits.
type countingRule struct{ commits int }

func (*countingRule) Name() string { return "no-three" }

func (*countingRule) Check(req *Request, s *Scope) *Denied {
	if s.Name() == "c" && req.Intent.Qty == 3 {
		return &Denied{Rule: "no-three", Text: "no threes for c"}
	}
	return nil
}

func (r *countingRule) Commit(*Request, *Scope) { r.commits++ }

// reference is what Check answers by running the rule lists in order (the
// plan's fast path left out), without committing anything.
func reference(g *Guard, req *Request) *Denied {
	if g.moveTo(req.Now) {
		g.catchUp()
	}
	if d := g.begin(req); d != nil {
		return d
	}
	for _, s := range [2]*Scope{g.account, g.cur.strat} {
		for _, r := range s.rules {
			if d := r.Check(req, s); d != nil {
				return d
			}
		}
	}
	return nil
}

// TestPlanMatchesRules drives a gate with every rule on, tight limits and
// random intents of every shape, and checks that the fast path never lets
// through what a built-in rule refuses, that Check answers exactly as the
// rule lists do, and that each scope's running total exposure is the sum
// over its contracts.
func TestPlanMatchesRules(t *testing.T) {
	zz := venue.Instrument{ID: 3, Symbol: "ZZZ6", Root: "ZZ", TickSize: px("0.5"), PointValue: decimal.NewFromInt(10), Currency: "USD"}
	insts := []venue.Instrument{mes, es, zz}
	acct := Limits{
		MarketHours:      MarketHours{Enabled: true, UnknownCalendar: Allow, NoEntriesBeforeClose: 4 * time.Minute, FlattenBeforeClose: 2 * time.Minute},
		MaxOrderQty:      5,
		MaxPosition:      8,
		MaxTotalPosition: 14,
		MaxOpenOrders:    7,
		DailyLoss:        decimal.NewFromInt(20000),
		TrailingDrawdown: decimal.NewFromInt(40000),
		TrailingMode:     EndOfDay,
		FlattenOnBreach:  true,
		OrderRate:        Rate{Max: 30, Per: time.Minute, Burst: 6},
		DuplicateWindow:  2 * time.Second,
		PriceBand:        PriceBand{Ticks: 40, NoLastTrade: Refuse},
	}
	def := acct
	def.MarketHours = MarketHours{Enabled: true, UnknownCalendar: Refuse, NoEntriesBeforeClose: 6 * time.Minute}
	def.MaxOrderQty, def.MaxPosition, def.MaxTotalPosition, def.MaxOpenOrders = 4, 4, 6, 3
	def.DailyLoss, def.TrailingDrawdown = decimal.NewFromInt(9000), decimal.NewFromInt(6000)
	def.OrderRate = Rate{Max: 8, Per: time.Minute, Burst: 2}
	def.DuplicateWindow = 5 * time.Second
	def.PriceBand = PriceBand{Ticks: 10, NoLastTrade: Allow}
	cfg := Config{
		SessionRoot: "ES",
		Account:     acct,
		Defaults:    def,
		Strategies: map[string]Limits{
			"off":  {},
			"band": {PriceBand: PriceBand{Ticks: 4, NoLastTrade: Refuse}, MaxTotalPosition: 3},
		},
	}
	strats := []string{"a", "b", "c", "off", "band"}
	types := []venue.OrderType{venue.Market, venue.Limit, venue.Stop, venue.StopLimit, venue.MIT}

	denials := map[string]int{}
	for seed := uint64(1); seed <= 12; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 99))
			extra := &countingRule{}
			h := newHarness(t, cfg, WithCalendar(cyclingCal()), WithRule(extra))
			g := h.g
			last := map[venue.ContractID]venue.Price{}
			type work struct {
				id   string
				inst venue.Instrument
				side venue.Side
				rem  int64
			}
			var working []work
			var prev *Request
			allowed := 0
			price := func(inst venue.Instrument) venue.Price {
				base, ok := last[inst.ID]
				if !ok {
					base = px("5000")
				}
				p := base + venue.Price(rng.IntN(25)-12)*inst.TickSize
				if rng.IntN(8) == 0 {
					p = base + venue.Price(rng.IntN(121)-60)*inst.TickSize
				}
				if rng.IntN(25) == 0 {
					p += px("0.1") // off the grid
				}
				return p
			}
			for i := range 4000 {
				h.advance(time.Duration(1+rng.IntN(100)) * time.Millisecond)
				if rng.IntN(4) == 0 {
					h.advance(time.Duration(rng.IntN(10)) * time.Second)
				}
				if rng.IntN(200) == 0 {
					h.advance(time.Duration(rng.IntN(40)) * time.Minute)
				}
				switch r := rng.IntN(20); {
				case r < 10:
					var req *Request
					if prev != nil && rng.IntN(6) == 0 {
						cp := *prev.Intent
						req = &Request{Strategy: prev.Strategy, ClientID: fmt.Sprintf("%s-0-%d", prev.Strategy, i), Instrument: prev.Instrument, Intent: &cp}
					} else {
						inst := insts[rng.IntN(len(insts))]
						in := &venue.OrderIntent{Symbol: inst.Symbol, Side: venue.Buy, Qty: int64(1 + rng.IntN(4)), Type: types[rng.IntN(len(types))]}
						if rng.IntN(2) == 0 {
							in.Side = venue.Sell
						}
						if rng.IntN(8) == 0 {
							in.Qty = int64(1 + rng.IntN(6))
						}
						if in.Type.NeedsLimit() {
							in.Limit = price(inst)
						}
						if in.Type.NeedsStop() {
							in.Stop = price(inst)
						}
						switch rng.IntN(8) {
						case 0:
							in.OCO = &venue.Leg{Side: in.Side, Type: venue.Stop, Stop: price(inst), Qty: int64(1 + rng.IntN(6))}
						case 1:
							in.Brackets = []venue.Leg{{Type: venue.Limit, Limit: price(inst)}, {Type: venue.Stop, Stop: price(inst)}}
						}
						name := strats[rng.IntN(len(strats))]
						req = &Request{Strategy: name, ClientID: fmt.Sprintf("%s-0-%d", name, i), Instrument: inst, Intent: in}
					}
					req.Now = h.now.UnixNano()
					want := reference(g, req)
					if want == nil {
						for _, s := range [2]*Scope{g.account, g.cur.strat} {
							if g.passes(req, s) {
								for _, r := range s.rules[:s.nb] {
									require.Nil(t, r.Check(req, s), "step %d: scope %q passes, rule %s refuses", i, s.name, r.Name())
								}
							}
						}
					} else if g.begin(req) == nil {
						for _, s := range [2]*Scope{g.account, g.cur.strat} {
							if g.passes(req, s) {
								for _, r := range s.rules[:s.nb] {
									require.Nil(t, r.Check(req, s), "step %d: scope %q passes, rule %s refuses", i, s.name, r.Name())
								}
							}
						}
					}
					got := g.Check(req)
					require.Equal(t, want, got, "step %d", i)
					prev = req
					if got != nil {
						denials[got.Rule]++
						break
					}
					allowed++
					working = append(working, work{req.ClientID, req.Instrument, req.Intent.Side, req.Intent.Qty})
				case r < 13:
					if len(working) == 0 {
						break
					}
					j := rng.IntN(len(working))
					w := &working[j]
					q := 1 + rng.Int64N(w.rem)
					w.rem -= q
					p, ok := last[w.inst.ID]
					if !ok {
						p = px("5000")
					}
					h.fill(w.id, w.inst, w.side, q, p.String(), w.rem == 0, "1.25")
					if w.rem == 0 {
						working = append(working[:j], working[j+1:]...)
					}
				case r < 14:
					if len(working) == 0 {
						break
					}
					j := rng.IntN(len(working))
					h.cancel(working[j].id)
					working = append(working[:j], working[j+1:]...)
				case r < 19:
					inst := insts[rng.IntN(len(insts))]
					p, ok := last[inst.ID]
					if !ok {
						p = px("5000")
					}
					p += venue.Price(rng.IntN(81)-40) * inst.TickSize
					last[inst.ID] = p
					h.trade(inst, p.String())
				default:
					if g.Tripped().Tripped {
						require.NoError(t, g.Reset())
					} else if rng.IntN(10) == 0 {
						require.NoError(t, g.Trip("test"))
					}
				}
				g.Actions()
				for _, s := range g.scopes {
					var sum int64
					for _, p := range s.pos {
						sum += exposure(p.net, p.buy, p.sell)
					}
					require.Equal(t, sum, s.expo, "step %d: scope %q total exposure", i, s.name)
				}
			}
			require.Positive(t, allowed)
			require.Equal(t, 2*allowed, extra.commits, "the WithRule committer runs for both scopes of every allowed intent")
		})
	}
	t.Log(denials)
	for _, r := range []string{RuleKillSwitch, RuleMarketHours, RuleMaxOrderQty, RuleMaxPosition, RuleMaxTotalPosition, RuleMaxOpenOrders,
		RuleOrderRate, RuleDuplicate, RulePriceBand, RuleDailyLoss, RuleTrailingDrawdown, "no-three"} {
		require.Positive(t, denials[r], "rule %s was exercised", r)
	}
}

// TestReusedIDWithLiveLegs: a client id whose order the gate still tracks
// (ended, kept for its linked legs) is refused; once the legs end and the
// record is dropped the free list stays sound.
func TestReusedIDWithLiveLegs(t *testing.T) {
	h := newHarness(t, offConfig())
	g := h.g
	req := h.request("a", mes, venue.Buy, 1, venue.Limit, px("5000"))
	req.Intent.Brackets = []venue.Leg{{Type: venue.Limit, Limit: px("5010")}, {Type: venue.Stop, Stop: px("4990")}}
	require.Nil(t, h.check(req))
	id := req.ClientID
	h.event(venue.Event{Kind: venue.EventAccepted, ClientID: id + "/tp"})
	h.cancel(id) // kept: its leg may still report
	require.Equal(t, 2, g.orders.len())

	again := h.request("a", mes, venue.Buy, 2, venue.Limit, px("5000"))
	again.ClientID = id
	d := h.check(again)
	require.NotNil(t, d)
	require.Equal(t, RuleClientID, d.Rule)
	h.event(venue.Event{Kind: venue.EventCancelled, ClientID: id + "/tp"})
	require.Zero(t, g.orders.len(), "the parent goes with its last leg")
	other := h.mustMarket("a", es, venue.Sell, 1) // may reuse the dropped record

	seen := map[*order]bool{}
	for _, o := range g.free {
		require.False(t, seen[o], "a record is on the free list twice")
		seen[o] = true
	}
	g.orders.each(func(o *order) { require.False(t, seen[o], "a live record is on the free list") })
	acct := g.Account()
	require.Equal(t, int64(1), acct.OpenOrders())
	require.Equal(t, int64(0), acct.Working(mes.ID, venue.Buy))
	require.Equal(t, int64(1), acct.Working(es.ID, venue.Sell))
	h.cancel(other)
	require.Equal(t, int64(0), acct.OpenOrders())
	require.Zero(t, g.orders.len())
}
