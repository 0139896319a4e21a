package risk

import (
	"fmt"
	"math"
	"strconv"

	"github.com/keeltrade/keel/venue"
)

// gcra is a token bucket in its "generic cell rate" form: one timestamp,
// the theoretical arrival time of the next order at the sustained rate. An
// order is allowed when tat − now ≤ τ (the burst tolerance); each allowed
// order pushes tat by the interval T = per / max. Integer, exact, O(1).
type gcra struct{ tat int64 }

// rateRule limits the orders a scope sends over the engine clock
// (Request.Now). Only allowed intents take a token.
type rateRule struct{ g *Guard }

func (rateRule) Name() string { return RuleOrderRate }

func (rateRule) Check(req *Request, s *Scope) *Denied {
	tat := max(s.rate.tat, req.Now)
	if tat-req.Now <= s.lim.rateTau {
		return nil
	}
	wait := tat - s.lim.rateTau - req.Now
	r := s.lim.rate
	return &Denied{
		Rule: RuleOrderRate, Limit: fmt.Sprintf("%d per %s (burst %d)", r.Max, r.Per, max(r.Burst, 1)), Observed: "next order allowed in " + fmtDur(wait),
		Text: fmt.Sprintf("%s is sending orders faster than %d per %s; wait %s or raise order_rate", s.label, r.Max, r.Per, fmtDur(wait)),
	}
}

func (rateRule) Commit(req *Request, s *Scope) {
	s.rate.tat = max(s.rate.tat, req.Now) + s.lim.rateT
}

// dupKey identifies an intent for the duplicate guard.
type dupKey struct {
	strat int32
	slot  int32
	side  venue.Side
	typ   venue.OrderType
	qty   int64
	limit venue.Price
	stop  venue.Price
}

// equal is *k == *o, field by field (see begin).
func (k *dupKey) equal(o *dupKey) bool {
	return k.qty == o.qty && k.limit == o.limit && k.stop == o.stop &&
		k.strat == o.strat && k.slot == o.slot && k.side == o.side && k.typ == o.typ
}

// hash never returns 0, which marks an empty table entry.
func (k *dupKey) hash() uint64 {
	return dupHash(k.strat, k.slot, k.side, k.typ, k.qty, k.limit, k.stop)
}

// dupHash is the hash of the dupKey with these fields.
func dupHash(strat, slot int32, side venue.Side, typ venue.OrderType, qty int64, limit, stop venue.Price) uint64 {
	h := uint64(strat)<<32 ^ uint64(slot)
	h ^= uint64(side)<<56 ^ uint64(typ)<<48
	h = (h ^ uint64(qty)) * 0x9e3779b97f4a7c15
	h = (h ^ uint64(limit)) * 0xbf58476d1ce4e5b9
	h = (h ^ uint64(stop)) * 0x94d049bb133111eb
	return (h ^ h>>31) | 1
}

// dupTable remembers recently allowed intents: a 4-way set-associative
// table of 256 entries, so lookups and inserts are O(1) with no
// allocation. A set's hashes and times share one cache line; the full keys
// sit apart and are compared only on a hash match. An entry is only
// evicted by a newer intent of its set, so duplicates are caught as long as
// fewer than four distinct intents of one set were allowed within the
// window — in practice, always (the default order rate allows 10 a second).
type dupTable struct {
	e   [dupSets * dupWays]dupSlot
	key [dupSets * dupWays]dupKey
}

const (
	dupSets = 64
	dupWays = 4
)

// probe is written for four ways.
var _ = [1]struct{}{}[dupWays-4]

type dupSlot struct {
	h  uint64 // 0: empty
	at int64
}

// find returns when the intent k (with hash h) was last allowed, if at or
// after since.
func (t *dupTable) find(h uint64, k *dupKey, since int64) (int64, bool) {
	if i, _ := t.probe(h, k); i >= 0 && t.e[i].at >= since {
		return t.e[i].at, true
	}
	return 0, false
}

// probe returns the entry holding k (with hash h), or -1, and the entry
// add(h, k, ·) would write: k's own entry, the set's first empty one, or
// else its oldest. A key is in a set at most once (add reuses its entry,
// and a set fills from its start, so no empty entry precedes it).
func (t *dupTable) probe(h uint64, k *dupKey) (hit, victim int) {
	set := int(h&(dupSets-1)) * dupWays
	e := (*[dupWays]dupSlot)(t.e[set : set+dupWays])
	// Whether a way holds the hash decides the path, so one branch; the
	// way itself is selected without branches.
	m := -1
	if e[0].h == h {
		m = 0
	}
	if e[1].h == h {
		m = 1
	}
	if e[2].h == h {
		m = 2
	}
	if e[3].h == h {
		m = 3
	}
	if m >= 0 {
		if t.key[set+m].equal(k) {
			return set + m, set + m
		}
		for w := range e { // a hash collision
			if e[w].h == h && t.key[set+w].equal(k) {
				return set + w, set + w
			}
		}
	}
	for w := range e {
		if e[w].h == 0 {
			return -1, set + w
		}
	}
	// The oldest, again without branches on the times.
	v, vat := 0, e[0].at
	if e[1].at < vat {
		v, vat = 1, e[1].at
	}
	if e[2].at < vat {
		v, vat = 2, e[2].at
	}
	if e[3].at < vat {
		v = 3
	}
	return -1, set + v
}

func (t *dupTable) add(h uint64, k *dupKey, now int64) {
	_, i := t.probe(h, k)
	t.put(i, h, k, now)
}

// put writes entry i (a victim from probe).
func (t *dupTable) put(i int, h uint64, k *dupKey, now int64) {
	t.e[i] = dupSlot{h: h, at: now}
	t.key[i] = *k
}

// findDup looks the current intent up, once per Check, over the longer of
// the account's and the strategy's windows; each scope's rule then
// compares the age with its own window. It also finds the entry that
// records the intent if it is allowed.
func (g *Guard) findDup(now int64) {
	c := &g.cur
	w := max(g.account.lim.dupWindow, c.strat.lim.dupWindow)
	i, v := g.dups.probe(c.dh, &c.dk)
	c.dupVictim = v
	c.dupAt, c.dupHit = math.MinInt64, false // dupAt: before every window, for passes
	if i >= 0 {
		if at := g.dups.e[i].at; at >= now-w+1 {
			c.dupAt, c.dupHit = at, true
		}
	}
}

// dupLast returns when the intent being checked was last allowed within
// the longer window (see findDup).
func (g *Guard) dupLast() (int64, bool) { return g.cur.dupAt, g.cur.dupHit }

// dupRule refuses an intent identical to one the same strategy had allowed
// within the scope's window.
type dupRule struct{ g *Guard }

func (dupRule) Name() string { return RuleDuplicate }

func (r dupRule) Check(req *Request, s *Scope) *Denied {
	at, ok := r.g.dupLast()
	if !ok || at < req.Now-s.lim.dupWindow+1 {
		return nil
	}
	in := req.Intent
	ago := req.Now - at
	what := in.Side.String() + " " + strconv.FormatInt(in.Qty, 10) + " " + r.g.cur.c.symbol + " " + in.Type.String()
	switch {
	case in.Type == venue.StopLimit:
		what += " stop " + in.Stop.String() + " limit " + in.Limit.String()
	case in.Type.NeedsLimit():
		what += " " + in.Limit.String()
	case in.Type.NeedsStop():
		what += " " + in.Stop.String()
	}
	return &Denied{
		Rule: RuleDuplicate, Limit: fmtDur(s.lim.dupWindow), Observed: "same order " + fmtDur(ago) + " ago",
		Text: fmt.Sprintf("identical order (%s) from strategy %s was sent %s ago, inside the %s duplicate window of %s; if it is intended, resend after the window",
			what, r.g.cur.strat.name, fmtDur(ago), s.label, fmtDur(s.lim.dupWindow)),
	}
}
