package sandbox

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/cme"
)

// MarketConfig configures the market data the md and replay sockets stream
// (Config.Market). Zero fields take DefaultMarketConfig's values.
type MarketConfig struct {
	// HistoryTicks is how many trades per contract the server keeps for
	// tick charts; default 100,000.
	HistoryTicks int
	// HistoryMinutes is how many one-minute bars per contract it keeps for
	// minute charts; default 20,000 (about two weeks of Globex).
	HistoryMinutes int
	// HistoryDays is how many daily bars per contract it keeps; default 1,000.
	HistoryDays int
	// DOMLevels is the depth of DOM events on each side. Data files carry
	// only the top of book, so the levels below it are synthesized; default 10.
	DOMLevels int
	// ClockInterval is how often (wall time) replay sockets get a clock
	// event; default 500 ms.
	ClockInterval time.Duration
	// Replay is the data market replay plays. Default: Config.MarketData
	// when it is a *Feed. Without data replay/checkreplaysession answers
	// Ineligible.
	Replay *Feed
	// Synthesize, when set, makes up a seeded market for every listed
	// contract subscribed on the md socket that the data does not cover
	// (see SyntheticMarket); runner sim sets it. By default such a
	// subscription streams nothing until someone feeds the contract.
	Synthesize *SyntheticMarket
}

// DefaultMarketConfig returns the market configuration New uses for zero fields.
func DefaultMarketConfig() MarketConfig {
	return MarketConfig{HistoryTicks: 100_000, HistoryMinutes: 20_000, HistoryDays: 1_000, DOMLevels: 10, ClockInterval: 500 * time.Millisecond}
}

func (m MarketConfig) withDefaults() MarketConfig {
	d := DefaultMarketConfig()
	if m.HistoryTicks == 0 {
		m.HistoryTicks = d.HistoryTicks
	}
	if m.HistoryMinutes == 0 {
		m.HistoryMinutes = d.HistoryMinutes
	}
	if m.HistoryDays == 0 {
		m.HistoryDays = d.HistoryDays
	}
	if m.DOMLevels == 0 {
		m.DOMLevels = d.DOMLevels
	}
	if m.ClockInterval == 0 {
		m.ClockInterval = d.ClockInterval
	}
	if m.Synthesize != nil {
		sm := *m.Synthesize
		sm.withDefaults()
		m.Synthesize = &sm
	}
	return m
}

func (m *MarketConfig) validate() error {
	var errs []error
	for _, f := range []struct {
		name string
		n    int
	}{{"HistoryTicks", m.HistoryTicks}, {"HistoryMinutes", m.HistoryMinutes}, {"HistoryDays", m.HistoryDays}, {"DOMLevels", m.DOMLevels}} {
		if f.n < 1 {
			errs = append(errs, fmt.Errorf("sandbox: Config.Market.%s is %d: it must be at least 1", f.name, f.n))
		}
	}
	if m.DOMLevels > 100 {
		errs = append(errs, fmt.Errorf("sandbox: Config.Market.DOMLevels is %d: at most 100", m.DOMLevels))
	}
	if m.ClockInterval < time.Millisecond {
		errs = append(errs, fmt.Errorf("sandbox: Config.Market.ClockInterval is %s: it must be at least 1ms", m.ClockInterval))
	}
	if m.Synthesize != nil {
		if err := m.Synthesize.validate(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// market is one stream of market data and what it has shown: each
// contract's book, session statistics, volume profile and bounded history,
// and the sockets subscribed to it. The server has one for its feed (the
// md service); every replay session has its own.
type market struct {
	srv *Server
	cfg MarketConfig

	mu        sync.Mutex
	contracts map[venue.ContractID]*contractMD
	subs      map[*Conn]*mdSub
	chartSeq  int64 // the last chart id handed out
}

func newMarket(s *Server, cfg MarketConfig) *market {
	return &market{srv: s, cfg: cfg, contracts: map[venue.ContractID]*contractMD{}, subs: map[*Conn]*mdSub{}}
}

// contractMD is one contract's market state and subscribers. Guarded by market.mu.
type contractMD struct {
	id   venue.ContractID
	root string
	tick venue.Price

	d contractData

	quoteSubs, domSubs, histSubs []*mdSub
	charts                       []*chartSub
}

// contractData is what the data has shown of one contract.
type contractData struct {
	seen bool
	time int64 // last tick, Unix ns

	hasQuote         bool
	bid, ask         venue.Price
	bidSize, askSize int32

	hasTrade bool
	last     venue.Price
	lastSize int32
	lastAggr venue.Side
	dir      int8 // tick-rule direction of the last trade: +1 up, -1 down

	// The current trade date and its statistics.
	td        int32 // YYYYMMDD; 0 before the first tick
	tdMinute  int64 // the Unix minute td was computed for
	hasOpen   bool  // a trade happened this trade date
	open      venue.Price
	high, low venue.Price
	volume    int64
	hasSettle bool
	settle    venue.Price // last trade of the previous trade date
	histBase  venue.Price // first trade of the trade date
	hist      map[int64]int64

	tickID  int64
	ticks   ring[histTick]
	minutes ring[barData]
	days    ring[barData]
}

// histTick is one trade in the tick history, with the book at that moment.
type histTick struct {
	time             int64
	id               int64
	td               int32
	price, bid, ask  venue.Price
	size             int32
	bidSize, askSize int32
	hasBid, hasAsk   bool
	dir              int8 // tick-rule direction
	atBid            bool // traded at the bid (seller-initiated)
}

// barData is one bar of trades. start is its open time (Unix ns); daily
// bars start at 00:00 UTC of their trade date.
type barData struct {
	start                  int64
	td                     int32
	open, high, low, close venue.Price
	upVol, downVol         int64
	upTicks, downTicks     int64
	bidVol, offerVol       int64
}

// add counts one trade into the bar.
func (b *barData) add(px venue.Price, size int64, dir int8, atBid bool) {
	if b.upTicks+b.downTicks == 0 {
		b.open, b.high, b.low = px, px, px
	}
	b.high, b.low, b.close = max(b.high, px), min(b.low, px), px
	if dir < 0 {
		b.downVol += size
		b.downTicks++
	} else {
		b.upVol += size
		b.upTicks++
	}
	if atBid {
		b.bidVol += size
	} else {
		b.offerVol += size
	}
}

// merge adds a later bar into b.
func (b *barData) merge(o *barData) {
	b.high, b.low, b.close = max(b.high, o.high), min(b.low, o.low), o.close
	b.upVol += o.upVol
	b.downVol += o.downVol
	b.upTicks += o.upTicks
	b.downTicks += o.downTicks
	b.bidVol += o.bidVol
	b.offerVol += o.offerVol
}

// ring is a bounded buffer keeping the newest max values.
type ring[T any] struct {
	buf   []T
	start int
	max   int
}

func (r *ring[T]) push(v T) {
	if len(r.buf) < r.max {
		r.buf = append(r.buf, v)
		return
	}
	if r.max == 0 {
		return
	}
	r.buf[r.start] = v
	r.start++
	if r.start == len(r.buf) {
		r.start = 0
	}
}

func (r *ring[T]) len() int { return len(r.buf) }

// at returns the i-th value, oldest first.
func (r *ring[T]) at(i int) *T {
	i += r.start
	if i >= len(r.buf) {
		i -= len(r.buf)
	}
	return &r.buf[i]
}

func (r *ring[T]) last() *T {
	if len(r.buf) == 0 {
		return nil
	}
	return r.at(len(r.buf) - 1)
}

// contract returns the state of contract id, creating it; nil for an id
// that is not a sandbox contract. Called with m.mu held.
func (m *market) contract(id venue.ContractID) *contractMD {
	if cm := m.contracts[id]; cm != nil {
		return cm
	}
	in, ok := m.srv.lib.ByID(id)
	if !ok {
		return nil
	}
	cm := &contractMD{id: id, root: in.Root, tick: in.TickSize}
	cm.d = m.freshData()
	m.contracts[id] = cm
	return cm
}

func (m *market) freshData() contractData {
	return contractData{
		ticks:   ring[histTick]{max: m.cfg.HistoryTicks},
		minutes: ring[barData]{max: m.cfg.HistoryMinutes},
		days:    ring[barData]{max: m.cfg.HistoryDays},
	}
}

// reset forgets every contract's data and keeps the subscriptions (a
// replay session starting over).
func (m *market) reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, cm := range m.contracts {
		cm.d = m.freshData()
		for _, ch := range cm.charts {
			ch.sub.mu.Lock()
			ch.hasCur, ch.done, ch.ticks, ch.dirty = false, nil, nil, false
			ch.sub.mu.Unlock()
		}
	}
}

// onTick shows a tick to the market and streams it to the subscribers.
func (m *market) onTick(t venue.Tick) { m.apply(&t, true) }

// load records a tick in the history without streaming it.
func (m *market) load(t venue.Tick) { m.apply(&t, false) }

func (m *market) apply(t *venue.Tick, live bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	cm := m.contract(t.Contract)
	if cm == nil {
		return
	}
	d := &cm.d
	d.setTradeDate(cm.root, t.Time)
	d.seen, d.time = true, t.Time
	if t.Flags&venue.HasQuote != 0 {
		d.hasQuote = true
		d.bid, d.ask, d.bidSize, d.askSize = t.Bid, t.Ask, t.BidSize, t.AskSize
	}
	var ht histTick
	trade := t.Flags&venue.HasTrade != 0
	opened := trade && !d.hasOpen
	if trade {
		ht = cm.trade(t)
	}
	if !live {
		return
	}
	// Each subscriber gets the tick's events — quote, DOM, histogram —
	// in one batch, so they travel together.
	var q quoteSnap
	if len(cm.quoteSubs)+len(cm.domSubs) > 0 {
		q = cm.snapshot()
	}
	var hist []byte
	if trade && len(cm.histSubs) > 0 {
		if opened {
			// The trade date's first trade: a new base, every item anew.
			hist = appendHistogramEvent(nil, cm)
		} else {
			off := int64((t.Price - d.histBase) / cm.tick)
			hist = appendHistogramUpdate(nil, cm, off, d.hist[off])
		}
	}
	for _, s := range cm.quoteSubs {
		s.enqueueTick(cm.id, &q, true, hist)
	}
	for _, s := range cm.domSubs {
		if !s.quotes[cm.id] {
			s.enqueueTick(cm.id, &q, false, hist)
		}
	}
	if hist != nil {
		for _, s := range cm.histSubs {
			if !s.quotes[cm.id] && !s.doms[cm.id] {
				s.enqueueTick(cm.id, nil, false, hist)
			}
		}
	}
	if !trade {
		return
	}
	for _, ch := range cm.charts {
		ch.onTrade(cm, &ht)
	}
}

// setTradeDate moves the statistics to t's trade date: a new trade date
// starts with no open, no volume and an empty volume profile, and the
// previous one's last trade becomes the settlement price.
func (d *contractData) setTradeDate(root string, t int64) {
	minute := floorDiv(t, int64(time.Minute))
	if d.td != 0 && minute == d.tdMinute {
		return
	}
	td := tradeDateKey(root, t)
	d.tdMinute = minute
	if td == d.td {
		return
	}
	if d.hasOpen {
		d.hasSettle, d.settle = true, d.last
	}
	d.td, d.hasOpen, d.volume, d.hist = td, false, 0, nil
}

// trade records a trade: the last price, the tick-rule direction, the
// trade date's statistics and volume profile, and the history. It returns
// the history entry. Called with market.mu held.
func (cm *contractMD) trade(t *venue.Tick) histTick {
	d := &cm.d
	px, size := t.Price, int64(t.Size)
	switch {
	case !d.hasTrade:
		d.dir = 1
	case px > d.last:
		d.dir = 1
	case px < d.last:
		d.dir = -1
	}
	d.hasTrade, d.last, d.lastSize, d.lastAggr = true, px, t.Size, t.Aggressor
	if !d.hasOpen {
		d.hasOpen, d.open, d.high, d.low, d.histBase = true, px, px, px, px
		d.hist = map[int64]int64{}
	}
	d.high, d.low = max(d.high, px), min(d.low, px)
	d.volume += size
	if cm.tick > 0 {
		d.hist[int64((px-d.histBase)/cm.tick)] += size
	}

	atBid := false
	switch {
	case t.Aggressor == venue.Sell:
		atBid = true
	case t.Aggressor == venue.Buy:
	case d.hasQuote && d.bidSize+d.askSize > 0 && px <= d.bid:
		atBid = true
	case d.hasQuote && d.bidSize+d.askSize > 0 && px >= d.ask:
	default:
		atBid = d.dir < 0
	}
	start := t.Time - floorMod(t.Time, int64(time.Minute))
	if b := d.minutes.last(); b != nil && b.start == start {
		b.add(px, size, d.dir, atBid)
	} else {
		nb := barData{start: start, td: d.td}
		nb.add(px, size, d.dir, atBid)
		d.minutes.push(nb)
	}
	if b := d.days.last(); b != nil && b.td == d.td {
		b.add(px, size, d.dir, atBid)
	} else {
		nb := barData{start: tdStart(d.td), td: d.td}
		nb.add(px, size, d.dir, atBid)
		d.days.push(nb)
	}
	d.tickID++
	ht := histTick{time: t.Time, id: d.tickID, td: d.td, price: px, size: t.Size, dir: d.dir, atBid: atBid}
	if d.hasQuote {
		ht.bid, ht.bidSize, ht.hasBid = d.bid, d.bidSize, d.bid != 0 || d.bidSize != 0
		ht.ask, ht.askSize, ht.hasAsk = d.ask, d.askSize, d.ask != 0 || d.askSize != 0
	}
	d.ticks.push(ht)
	return ht
}

// quoteSnap is what a quote or DOM event says about a contract at one tick.
type quoteSnap struct {
	id   venue.ContractID
	time int64
	tick venue.Price

	hasBid, hasAsk   bool
	bid, ask         venue.Price
	bidSize, askSize int32

	hasTrade bool
	last     venue.Price
	lastSize int32

	hasSession      bool
	open, high, low venue.Price
	volume          int64
	hasSettle       bool
	settle          venue.Price
}

// snapshot returns the contract's quote. Until a quote is seen, the book
// is derived from the last trade (the trade at the touch its aggressor
// took, the other side one tick away, size 1), so trade-only data still
// has a bid, an offer and a DOM. Called with market.mu held.
func (cm *contractMD) snapshot() quoteSnap {
	d := &cm.d
	q := quoteSnap{
		id: cm.id, time: d.time, tick: cm.tick,
		hasTrade: d.hasTrade, last: d.last, lastSize: d.lastSize,
		hasSession: d.hasOpen, open: d.open, high: d.high, low: d.low, volume: d.volume,
		hasSettle: d.hasSettle, settle: d.settle,
	}
	switch {
	case d.hasQuote:
		q.hasBid, q.bid, q.bidSize = d.bid != 0 || d.bidSize != 0, d.bid, d.bidSize
		q.hasAsk, q.ask, q.askSize = d.ask != 0 || d.askSize != 0, d.ask, d.askSize
	case d.hasTrade:
		q.hasBid, q.hasAsk, q.bidSize, q.askSize = true, true, 1, 1
		if d.lastAggr == venue.Sell {
			q.bid, q.ask = d.last, d.last+cm.tick
		} else {
			q.bid, q.ask = d.last-cm.tick, d.last
		}
	}
	return q
}

// tradeDateKey returns root's CME trade date at t as YYYYMMDD. Outside
// the calendar's range it applies the Globex rule without holidays: from
// 17:00 CT a session trades for the next day, Friday evening and weekends
// for Monday.
func tradeDateKey(root string, t int64) int32 {
	at := time.Unix(0, t)
	if d, err := cme.DefaultCalendar().TradeDate(root, at); err == nil {
		y, m, dd := d.Date()
		return int32(y*10000 + int(m)*100 + dd)
	}
	ct := at.In(cme.Chicago())
	y, m, dd := ct.Date()
	day := time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
	if ct.Hour() >= 17 {
		day = day.AddDate(0, 0, 1)
	}
	switch day.Weekday() {
	case time.Saturday:
		day = day.AddDate(0, 0, 2)
	case time.Sunday:
		day = day.AddDate(0, 0, 1)
	}
	y, m, dd = day.Date()
	return int32(y*10000 + int(m)*100 + dd)
}

// tdStart is 00:00 UTC of a YYYYMMDD trade date, in Unix ns.
func tdStart(td int32) int64 {
	return time.Date(int(td/10000), time.Month(td/100%100), int(td%100), 0, 0, 0, 0, time.UTC).UnixNano()
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }
