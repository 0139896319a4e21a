package risk

import (
	"github.com/keeltrade/keel/venue"
)

// Rule is one pre-trade check. A Guard holds one list of rules per scope
// (the account, each strategy) and, for every intent, runs the account's
// list against the account's Scope and then the strategy's list against the
// strategy's Scope; the first *Denied wins.
//
// Check runs synchronously on the engine goroutine: it must not block,
// and it must not allocate when it allows (a denial may).
type Rule interface {
	// Name is the rule's name in Denied.Rule and kill_switch.trip_on.
	Name() string
	// Check judges req in scope s: nil allows.
	Check(req *Request, s *Scope) *Denied
}

// Committer is implemented by rules that keep state about allowed intents
// (the order rate limit does): Commit is called for each scope's
// committers once the intent has passed every rule of every scope.
type Committer interface {
	Commit(req *Request, s *Scope)
}

// Scope is what the gate knows about one scope — the whole account, or one
// strategy's own orders and fills — as rules see it. Money is in int64
// micro-units of the account currency. A Scope belongs to the engine
// goroutine; its methods must not be called from elsewhere.
type Scope struct {
	g      *Guard
	id     int32
	name   string
	label  string // "account" or "strategy <name>", for messages
	lim    limits
	rules  []Rule
	nb     int         // rules[:nb] are built-in, rules[nb:] are WithRule's
	xrules []Rule      // rules[nb:]
	plan   uint16      // the built-in rules, as plan bits (see passes)
	xcomm  []Committer // the committers among rules[nb:]
	dup    bool        // the account or this scope has a duplicate window
	pos    []spos      // by contract slot; grown on demand

	open     int64 // working orders (not counting linked legs)
	expo     int64 // Σ exposure over pos: kept by setNet and addWork
	equity   int64 // realized + unrealized − fees since the gate started
	fees     int64
	dayStart int64 // equity at the start of the trade date
	peak     int64 // high-water mark of equity
	dayBrk   bool  // daily loss breached this trade date
	ddBrk    bool  // trailing drawdown breached (latched until Reset)

	rate gcra
}

// spos is a scope's state in one contract.
type spos struct {
	net       int64 // signed net position
	buy, sell int64 // remaining quantity of working buy and sell orders (OCO partners included)
	// Of buy and sell, the protective orders' (flattens keel sent).
	pbuy, psell int64
	// Working bracket exits, per side (a bracket's stop and target count
	// once): working orders like the others for the worst case, where
	// against the position they close they cost nothing, and reducing
	// orders, which fill before or alongside any other exit.
	xbuy, xsell int64
	flat        int64 // SessionClose (Unix ns) a flatten-before-close was emitted for
}

// same returns the working quantity on side sign that would close the
// position alongside a new reducing order: every working order on that
// side, bracket exits included.
func (p *spos) same(sign int64) int64 {
	if sign > 0 {
		return p.buy + p.xbuy
	}
	return p.sell + p.xsell
}

// sameProtective returns the working protective quantity on side sign.
func (p *spos) sameProtective(sign int64) int64 {
	if sign > 0 {
		return p.pbuy
	}
	return p.psell
}

// Name returns the strategy's name, or "" for the account scope.
func (s *Scope) Name() string { return s.name }

func (s *Scope) at(slot int32) *spos {
	if int(slot) >= len(s.pos) {
		s.grow(int(slot) + 1)
	}
	return &s.pos[slot]
}

func (s *Scope) grow(n int) {
	if n <= cap(s.pos) {
		s.pos = s.pos[:n]
		return
	}
	p := make([]spos, n, max(n, 2*cap(s.pos), 8))
	copy(p, s.pos)
	s.pos = p
}

// exposure is the contract's worst-case absolute position: every working
// order on a side fills (a bracket's exits once, the larger of them).
// Exits against a filled entry offset it exactly, so they cost nothing; an
// exit whose position was closed by other means is real exposure.
func (p *spos) exposure() int64 {
	return exposure(p.net, p.buy+p.xbuy, p.sell+p.xsell)
}

// setNet sets the net position of p, one of s.pos.
func (s *Scope) setNet(p *spos, net int64) {
	before := p.exposure()
	p.net = net
	s.expo += p.exposure() - before
}

// addWork adds q to the working quantity of one side (sign) of p, one of
// s.pos.
func (s *Scope) addWork(p *spos, sign, q int64) {
	before := p.exposure()
	if sign > 0 {
		p.buy += q
	} else {
		p.sell += q
	}
	s.expo += p.exposure() - before
}

// addExit adds q to the working bracket-exit quantity of one side of p.
func (s *Scope) addExit(p *spos, sign, q int64) {
	before := p.exposure()
	if sign > 0 {
		p.xbuy += q
	} else {
		p.xsell += q
	}
	s.expo += p.exposure() - before
}

// peek returns the scope's state in slot without growing (nil if none).
func (s *Scope) peek(slot int32) *spos {
	if int(slot) < len(s.pos) {
		return &s.pos[slot]
	}
	return nil
}

func (s *Scope) posOf(c venue.ContractID) *spos {
	slot, ok := s.g.slots[c]
	if !ok {
		return nil
	}
	return s.peek(slot)
}

// Net returns the scope's net position in a contract (positive long).
func (s *Scope) Net(c venue.ContractID) int64 {
	if p := s.posOf(c); p != nil {
		return p.net
	}
	return 0
}

// Working returns the remaining quantity of the scope's working orders on
// one side of a contract, OCO partners included, bracket exits not.
func (s *Scope) Working(c venue.ContractID, side venue.Side) int64 {
	p := s.posOf(c)
	switch {
	case p == nil:
		return 0
	case side == venue.Buy:
		return p.buy
	case side == venue.Sell:
		return p.sell
	}
	return 0
}

// OpenOrders returns the number of the scope's working orders.
func (s *Scope) OpenOrders() int64 { return s.open }

// Equity returns realized + unrealized PnL minus fees since the gate
// started, in micro-units.
func (s *Scope) Equity() int64 { return s.equity }

// DayPnL returns the PnL since the start of the current trade date, in micro-units.
func (s *Scope) DayPnL() int64 { return s.equity - s.dayStart }

// Drawdown returns how far equity is below its high-water mark, in micro-units.
func (s *Scope) Drawdown() int64 { return s.peak - s.equity }

// Reduces reports whether req lowers the scope's absolute net position in
// its contract without flipping it, counting the scope's working orders on
// the same side (bracket exits included): they would fill first or
// alongside. Such intents pass the loss rules and the kill switch, so a
// trader can always get flat, but five reducing orders cannot add up to a
// flip. An OCO pair reduces when both its orders do (only one can fill);
// an order with brackets never does (its exits would reopen the position).
func (s *Scope) Reduces(req *Request) bool {
	p := s.posOf(req.Instrument.ID)
	in := req.Intent
	if p == nil || in == nil || len(in.Brackets) > 0 {
		return false
	}
	qty, sign := in.Qty, in.Side.Sign()
	if in.OCO != nil {
		if in.OCO.Side != in.Side {
			return false
		}
		qty = max(qty, legQty(in))
	}
	return reduces(p.net, sign, qty, p.same(sign))
}

// reduces is the one rule of reducing, for every scope and every rule: an
// order of qty on side sign, with same already working on that side,
// lowers |net| without flipping it.
func reduces(net, sign, qty, same int64) bool {
	if net == 0 || sign*net > 0 || qty <= 0 {
		return false
	}
	return qty+same <= abs(net)
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// reducing is Reduces for the intent being checked, without the map lookup.
func (s *Scope) reducing() bool {
	c := &s.g.cur
	p := s.peek(c.slot)
	return p != nil && reduces(p.net, c.sign, c.rqty, p.same(c.sign))
}

// legQty is the quantity of the intent's OCO partner (0 means the order's).
func legQty(in *venue.OrderIntent) int64 {
	if in.OCO.Qty > 0 {
		return in.OCO.Qty
	}
	return in.Qty
}
