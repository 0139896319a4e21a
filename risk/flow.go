package risk

import (
	"fmt"
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

func dupKeyOf(req *Request, c *cur) dupKey {
	in := req.Intent
	return dupKey{strat: c.strat.id, slot: c.slot, side: in.Side, typ: in.Type, qty: in.Qty, limit: in.Limit, stop: in.Stop}
}

// hash never returns 0, which marks an empty table entry.
func (k *dupKey) hash() uint64 {
	h := uint64(k.strat)<<32 ^ uint64(k.slot)
	h ^= uint64(k.side)<<56 ^ uint64(k.typ)<<48
	h = (h ^ uint64(k.qty)) * 0x9e3779b97f4a7c15
	h = (h ^ uint64(k.limit)) * 0xbf58476d1ce4e5b9
	h = (h ^ uint64(k.stop)) * 0x94d049bb133111eb
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

type dupSlot struct {
	h  uint64 // 0: empty
	at int64
}

// find returns when the intent k (with hash h) was last allowed, if at or
// after since.
func (t *dupTable) find(h uint64, k *dupKey, since int64) (int64, bool) {
	set := int(h&(dupSets-1)) * dupWays
	for i := set; i < set+dupWays; i++ {
		if e := &t.e[i]; e.h == h && e.at >= since && t.key[i] == *k {
			return e.at, true
		}
	}
	return 0, false
}

func (t *dupTable) add(h uint64, k *dupKey, now int64) {
	set := int(h&(dupSets-1)) * dupWays
	victim := set
	for i := set; i < set+dupWays; i++ {
		e := &t.e[i]
		if e.h == 0 || (e.h == h && t.key[i] == *k) {
			victim = i
			break
		}
		if e.at < t.e[victim].at {
			victim = i
		}
	}
	t.e[victim] = dupSlot{h: h, at: now}
	t.key[victim] = *k
}

// dupLast looks the current intent up once per Check, over the longer of
// the account's and the strategy's windows; each scope's rule then
// compares the age with its own window.
func (g *Guard) dupLast(now int64) (int64, bool) {
	c := &g.cur
	if !c.dupDone {
		c.dupDone = true
		w := max(g.account.lim.dupWindow, c.strat.lim.dupWindow)
		c.dupAt, c.dupHit = g.dups.find(c.dh, &c.dk, now-w+1)
	}
	return c.dupAt, c.dupHit
}

// dupRule refuses an intent identical to one the same strategy had allowed
// within the scope's window.
type dupRule struct{ g *Guard }

func (dupRule) Name() string { return RuleDuplicate }

func (r dupRule) Check(req *Request, s *Scope) *Denied {
	at, ok := r.g.dupLast(req.Now)
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
