package risk

import (
	"fmt"

	"github.com/keeltrade/keel/venue"
)

// Protective orders. Orders keel sends to reduce risk — the kill switch's
// and a loss breach's flatten, flatten before the close, a failed
// strategy's flatten, an operator's flatten — must always get through, so
// the gate judges them apart from intents (Request.Protect):
//
//   - they are single orders: no brackets, no OCO partner;
//   - their prices, if any, are on the tick grid;
//   - in the scope that asked for them (the account for ProtectAccount,
//     the strategy for ProtectStrategy) they must reduce the real
//     position: their quantity plus the protective orders already working
//     on that side at most |net|, on the side that closes it. Other
//     working orders do not count: the gate always asks for a CancelAll
//     before a Flatten, so they are on their way out;
//   - in the other scope they pass when they reduce its position too, or
//     leave it no larger (a strategy's flatten may turn the account when
//     another strategy holds the other side); one that would grow it is
//     judged by that scope's exposure rules — kill switch, position and
//     total position limits, loss limits — and nothing else.
//
// Nothing else applies: not the order rate, the duplicate guard, the
// open-order limit, the entry windows before the close, nor a closed
// session (the venue refuses what cannot trade, and keel retries). Allowed
// protective orders take no order-rate token and leave no duplicate entry.

// RuleClientID refuses an intent whose client order id the gate still
// tracks: ids are never reused (the engine derives unique ones).
const RuleClientID = "client-id"

// RuleProtective refuses a protective order that would not reduce the
// position it is meant to reduce, or that is not a single order.
const RuleProtective = "protective"

// Protection says who asked for a protective order (Request.Protect).
type Protection uint8

// Protections.
const (
	NotProtective   Protection = iota // an ordinary intent
	ProtectAccount                    // the account's limits, the kill switch or an operator
	ProtectStrategy                   // the strategy's own limits, or its failure
)

// String returns "none", "account" or "strategy".
func (p Protection) String() string {
	switch p {
	case NotProtective:
		return "none"
	case ProtectAccount:
		return "account"
	case ProtectStrategy:
		return "strategy"
	}
	return fmt.Sprintf("Protection(%d)", uint8(p))
}

func (g *Guard) checkProtective(req *Request) *Denied {
	if d := g.begin(req); d != nil {
		return g.denied(d)
	}
	in := req.Intent
	cu := &g.cur
	if in.OCO != nil || len(in.Brackets) > 0 {
		return g.denied(&Denied{Rule: RuleProtective, Limit: "a single order", Observed: "linked orders",
			Text: "a protective order takes no brackets and no OCO partner"})
	}
	if d := gridCheck(cu.c, "", in.Type, in.Limit, in.Stop); d != nil {
		return g.denied(d)
	}
	for _, s := range [2]*Scope{g.account, cu.strat} {
		p := s.peek(cu.slot)
		if p != nil && reduces(p.net, cu.sign, cu.qty, p.sameProtective(cu.sign)) {
			continue
		}
		if (s == g.account) == (req.Protect == ProtectAccount) {
			return g.denied(g.notReducing(s, p))
		}
		// The other scope: a strategy's flatten that leaves the account's
		// position no larger (it may turn it: another strategy holds the
		// other side) passes; one that grows it is judged by the
		// account's exposure rules, never by its order-flow rules.
		if p != nil && holds(p.net, cu.sign, cu.qty, p.sameProtective(cu.sign)) {
			continue
		}
		for _, r := range s.rules[:s.nb] {
			switch r.(type) {
			case killRule, positionRule, totalRule, dailyLossRule, drawdownRule:
				if d := r.Check(req, s); d != nil {
					return g.denied(d)
				}
			}
		}
	}
	g.record(req)
	return nil
}

// holds reports whether an order of qty on side sign, after the
// protective orders working on that side (same), leaves |net| no larger.
func holds(net, sign, qty, same int64) bool {
	after := net + sign*(qty+same)
	return abs(after) <= abs(net) && net != 0
}

func (g *Guard) notReducing(s *Scope, p *spos) *Denied {
	cu := &g.cur
	var net, work int64
	if p != nil {
		net, work = p.net, p.sameProtective(cu.sign)
	}
	side := venue.Buy
	if cu.sign < 0 {
		side = venue.Sell
	}
	return &Denied{
		Rule: RuleProtective, Limit: "reduce the " + s.label + "'s position", Observed: fmt.Sprintf("net %+d, working protective %d, this %s %d", net, work, side, cu.qty),
		Text: fmt.Sprintf("protective order would not reduce the %s's position in %s (net %+d, protective %ss already working %d, this order %d)",
			s.label, cu.c.symbol, net, side, work, cu.qty),
	}
}

// ObserveTransfer implements TransferObserver: a position moved between two
// strategies inside keel moves their scopes, at the transfer's price, and
// leaves the account as it is. An empty From gives To part of the
// account's position no strategy held (one the venue reported).
func (g *Guard) ObserveTransfer(t *venue.Transfer) {
	if g.moveTo(t.Time) {
		g.catchUp()
	}
	if t.Qty == 0 || t.From == t.To {
		return
	}
	c, _ := g.contractByID(t.Contract)
	var price int64
	if c.known && c.bad == "" {
		price = c.ticks(t.Price)
	}
	if t.From != "" { // "": from the account's own, unattributed position
		g.book(g.strategy(t.From), c, -t.Qty, price, 0)
	}
	g.book(g.strategy(t.To), c, t.Qty, price, 0)
}

// CheckStrategies reports a strategies section of the configuration that
// names none of the running strategies (see Config.CheckStrategies); the
// engine calls it at start, so a typo never means "no limits".
func (g *Guard) CheckStrategies(running []string) error { return g.cfg.CheckStrategies(running) }
