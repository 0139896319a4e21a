package sim

import (
	"errors"
	"fmt"
	"sort"

	"github.com/keeltrade/keel/venue"
)

// Exchange is an in-process exchange: it matches orders against the market
// data it is shown and reports events to the sink given to Start. It
// implements venue.InLoop.
//
// An Exchange runs on the engine's goroutine and is not safe for concurrent
// use: Submit, Cancel, Modify, OnTick, OnBar, ExpireDay and the query
// methods must all be called from one goroutine (or under one lock). Events
// are delivered synchronously from inside those calls; the sink may call
// back into the Exchange (for example to submit an order on a fill).
type Exchange struct {
	cfg     Config
	latency int64
	sink    venue.EventSink
	closed  bool

	now int64  // market time: the latest tick time or bar end seen
	seq uint64 // market events processed (OnTick and OnBar calls)

	books map[venue.ContractID]*book
	list  []*book // books in creation order, for deterministic walks
	last  *book   // one-entry cache for OnTick

	ids       map[string]*order // every client id ever seen, reserved leg ids included
	cmds      []command         // cancels and modifies still travelling to the book
	nextOrder int64
	nextFill  int64
	busy      int // depth of matching loops; books are tidied only at zero

	// The latest fill of a bracket entry, for the legs it places (bars).
	lastPx   venue.Price
	lastOpen bool

	gtdNext int64 // the earliest Expire of a working GTD order (0: none)
}

var _ venue.InLoop = (*Exchange)(nil)

// New validates cfg and returns an exchange with no orders and no market
// data. Call Start before anything else.
func New(cfg Config) (*Exchange, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &Exchange{
		cfg:     cfg,
		latency: int64(cfg.Latency),
		books:   make(map[venue.ContractID]*book),
		ids:     make(map[string]*order),
	}, nil
}

// Start binds the sink that receives every event. It may be called once.
func (x *Exchange) Start(sink venue.EventSink) error {
	switch {
	case sink == nil:
		return errors.New("sim: start: nil event sink")
	case x.sink != nil:
		return errors.New("sim: start: already started")
	case x.closed:
		return errors.New("sim: start: exchange is closed")
	}
	x.sink = sink
	return nil
}

// Close stops the exchange: later Submit, Cancel and Modify calls fail and
// market data is ignored. Working orders are left as they are. Close is
// idempotent.
func (x *Exchange) Close() error {
	x.closed = true
	return nil
}

func (x *Exchange) ready(op string) error {
	switch {
	case x.closed:
		return fmt.Errorf("sim: %s: exchange is closed", op)
	case x.sink == nil:
		return fmt.Errorf("sim: %s: exchange not started (call Start first)", op)
	}
	return nil
}

// Time returns market time: the latest tick time or bar end seen (Unix ns).
func (x *Exchange) Time() int64 { return x.now }

// clock is the submit time of requests.
func (x *Exchange) clock() int64 {
	if x.cfg.Now != nil {
		return x.cfg.Now()
	}
	return x.now
}

// Submit places an order. Rejections (unknown contract, invalid prices,
// closed session) arrive as EventRejected; an error means the request was
// malformed (nil order, empty or duplicate client id) or the exchange is
// not running, and nothing was placed. The exchange keeps its own copy of
// the intent's brackets and OCO partner.
func (x *Exchange) Submit(vo venue.Order) error {
	if err := x.ready("submit"); err != nil {
		return err
	}
	id := vo.ClientID
	if id == "" {
		return errors.New("sim: submit: the order has no client id")
	}
	if _, dup := x.ids[id]; dup {
		return fmt.Errorf("sim: submit %s: duplicate client id", id)
	}
	in := vo.Intent.Clone()
	var legIDs []string
	if len(in.Brackets) > 0 && len(in.Brackets) <= 2 {
		legIDs = bracketIDs(id, in.Brackets)
	} else if in.OCO != nil {
		legIDs = []string{id + ocoSuffix}
	}
	for _, lid := range legIDs {
		if _, dup := x.ids[lid]; dup {
			return fmt.Errorf("sim: submit %s: client id %s, needed for a linked order, is already in use", id, lid)
		}
	}

	now := x.clock()
	o := &order{
		id: id, parentID: vo.ParentID, strategy: vo.Strategy, symbol: in.Symbol, tag: in.Tag,
		side: in.Side, typ: in.Type, tif: in.TIF, qty: in.Qty, limit: in.Limit, stop: in.Stop,
		created: now, updated: now, queue: -1, legIdx: -1, expire: in.Expire,
	}
	x.ids[id] = o

	inst, ok := x.resolve(vo.Contract, in.Symbol)
	if !ok {
		x.reject(o, vo.Contract, now, reasonUnknown, textUnknownSymbol)
		return nil
	}
	if in.Symbol == "" {
		in.Symbol, o.symbol = inst.Symbol, inst.Symbol
	}
	o.intent, o.hasIntent = in, true
	if err := in.Validate(inst); err != nil {
		x.reject(o, inst.ID, now, intentReason(err), err.Error())
		return nil
	}
	if x.cfg.SessionCheck != nil {
		if err := x.cfg.SessionCheck(inst.ID, now); err != nil {
			x.reject(o, inst.ID, now, reasonSessionClosed, err.Error())
			return nil
		}
	}

	b := x.bookOf(inst)
	x.place(b, o, now+x.latency)
	x.watchGTD(o)
	var partner *order
	switch {
	case in.OCO != nil:
		leg, _ := in.LinkedLeg(id, legIDs[0])
		partner = x.newOCO(b, o, leg, legIDs[0], now)
	case len(in.Brackets) > 0:
		x.newBracket(b, o, in.Brackets, legIDs, now)
	}
	x.emit(x.event(venue.EventAccepted, o, now))
	if partner != nil && partner.live() {
		x.emit(x.event(venue.EventAccepted, partner, now))
	}
	return nil
}

// place makes o a working order of b that reaches the book at arrive,
// giving it a venue id unless it has one.
func (x *Exchange) place(b *book, o *order, arrive int64) {
	if o.venueID == 0 {
		x.nextOrder++
		o.venueID = x.nextOrder
	}
	o.bk = b
	o.status = venue.Working
	o.arrive = arrive
	o.minSeq = x.seq + 1
	b.add(o)
}

func (x *Exchange) resolve(c venue.ContractID, symbol string) (venue.Instrument, bool) {
	if c != 0 {
		return x.cfg.Instruments.ByID(c)
	}
	if symbol == "" {
		return venue.Instrument{}, false
	}
	return x.cfg.Instruments.BySymbol(symbol)
}

// bookOf returns the book for inst, creating it.
func (x *Exchange) bookOf(inst venue.Instrument) *book {
	if b, ok := x.books[inst.ID]; ok {
		return b
	}
	b := &book{
		inst: inst,
		fee:  x.cfg.feeFor(inst),
		slip: venue.Price(x.cfg.SlippageTicks) * inst.TickSize,
		pos:  position{pv: inst.PointValue},
	}
	x.books[inst.ID] = b
	x.list = append(x.list, b)
	return b
}

// bookFor returns the book for market data on c, or nil for a contract the
// instruments do not know.
func (x *Exchange) bookFor(c venue.ContractID) *book {
	if b := x.last; b != nil && b.inst.ID == c {
		return b
	}
	b, ok := x.books[c]
	if !ok {
		inst, known := x.cfg.Instruments.ByID(c)
		if !known {
			return nil
		}
		b = x.bookOf(inst)
	}
	x.last = b
	return b
}

func (x *Exchange) reject(o *order, c venue.ContractID, now int64, reason, text string) {
	o.status = venue.Rejected
	ev := venue.Event{Kind: venue.EventRejected, Time: now, ClientID: o.id, Contract: c, Reason: reason, Text: text}
	x.emit(ev)
}

func (x *Exchange) event(kind venue.EventKind, o *order, t int64) venue.Event {
	ev := venue.Event{Kind: kind, Time: t, ClientID: o.id, VenueID: o.venueID, Contract: o.bk.inst.ID}
	if kind == venue.EventAccepted || kind == venue.EventModified {
		ev.Qty = o.qty
	}
	return ev
}

func (x *Exchange) emit(ev venue.Event) { x.sink(ev) }

// finish ends a working order with status (Cancelled or Expired) and reports it.
func (x *Exchange) finish(o *order, status venue.OrderStatus, t int64, text string) {
	if !o.live() {
		return
	}
	o.status = status
	o.updated = t
	o.bk.dead++
	kind := venue.EventCancelled
	if status == venue.Expired {
		kind = venue.EventExpired
	}
	ev := x.event(kind, o, t)
	ev.Text = text
	x.emit(ev)
}

// Position returns the position in contract c (zero when never traded).
func (x *Exchange) Position(c venue.ContractID) venue.Position {
	if b, ok := x.books[c]; ok {
		return b.pos.snapshot(c)
	}
	return venue.Position{Contract: c}
}

// Positions returns the position of every contract traded so far, flat
// ones included, in the order the contracts were first seen.
func (x *Exchange) Positions() []venue.Position {
	var out []venue.Position
	for _, b := range x.list {
		if b.pos.traded {
			out = append(out, b.pos.snapshot(b.inst.ID))
		}
	}
	return out
}

// WorkingOrders returns a snapshot of every working order (placed and not
// yet filled, cancelled or expired), by venue id. Bracket legs waiting for
// their entry to fill are not working yet and are not included.
func (x *Exchange) WorkingOrders() []venue.Order {
	var out []venue.Order
	for _, b := range x.list {
		for _, o := range b.orders {
			if o.live() {
				out = append(out, o.snapshot())
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].VenueID < out[j].VenueID })
	return out
}

// Order returns a snapshot of the order with the given client id, in
// whatever state it is (terminal ones included). Bracket legs not yet
// placed have status PendingNew.
func (x *Exchange) Order(clientID string) (venue.Order, bool) {
	o, ok := x.ids[clientID]
	if !ok {
		return venue.Order{}, false
	}
	return o.snapshot(), true
}

// watchGTD notes a GTD order's expiry.
func (x *Exchange) watchGTD(o *order) {
	if o.tif == venue.GTD && o.expire > 0 && (x.gtdNext == 0 || o.expire < x.gtdNext) {
		x.gtdNext = o.expire
	}
}

// expireGTD expires the GTD orders due at market time now, in venue id
// order, and finds the next expiry. Market events call it when one is due.
func (x *Exchange) expireGTD(now int64) {
	var due []*order
	next := int64(0)
	for _, b := range x.list {
		for _, o := range b.orders {
			if !o.live() || o.tif != venue.GTD {
				continue
			}
			if o.expire <= now {
				due = append(due, o)
			} else if next == 0 || o.expire < next {
				next = o.expire
			}
		}
	}
	x.gtdNext = next
	sort.Slice(due, func(i, j int) bool { return due[i].venueID < due[j].venueID })
	for _, o := range due {
		x.finish(o, venue.Expired, o.expire, "GTD order expired")
	}
}
