package tradovate

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/cme"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// Contracts: keel's symbols are Tradovate contract names (MESZ6), and a
// contract's venue.ContractID is Tradovate's contract id. Market data
// events name contracts by id only, so the adapter keeps the map both ways.

// Contract resolves a contract name (MESZ6) with contract/find into an
// instrument: Tradovate's id, keel's tick size and point value (venue/cme).
// A root ("MES" or "@MES") resolves to its front month on the CME
// calendar.
func (a *Adapter) Contract(ctx context.Context, symbol string) (venue.Instrument, error) {
	sym, err := cme.ParseSymbol(symbol, a.auth.opt.Now()) // a root resolves to its front month
	if err != nil {
		return venue.Instrument{}, fmt.Errorf("tradovate: contract %s: %w", symbol, err)
	}
	name := sym.String()
	var c wire.Contract
	if err := a.auth.REST(ctx, "GET", "contract/find", "name="+url.QueryEscape(name), nil, &c); err != nil {
		return venue.Instrument{}, fmt.Errorf("tradovate: contract %s: %w (is it listed and not expired? runner doctor suggests the front month)", name, err)
	}
	if c.ID == 0 {
		return venue.Instrument{}, fmt.Errorf("tradovate: contract %s: not found", name)
	}
	in, err := cme.Instrument(sym, venue.ContractID(c.ID))
	if err != nil {
		return venue.Instrument{}, fmt.Errorf("tradovate: contract %s: %w", name, err)
	}
	in.Symbol = c.Name
	return in, nil
}

// Instruments resolves every symbol; the set maps names and ids both ways.
func (a *Adapter) Instruments(ctx context.Context, symbols ...string) (*venue.InstrumentSet, error) {
	ins := make([]venue.Instrument, 0, len(symbols))
	for _, s := range symbols {
		in, err := a.Contract(ctx, s)
		if err != nil {
			return nil, err
		}
		ins = append(ins, in)
	}
	return venue.NewInstrumentSet(ins...)
}

// Suggest lists up to n contracts matching text (contract/suggest?t=&l=).
func (a *Adapter) Suggest(ctx context.Context, text string, n int) ([]wire.Contract, error) {
	var cs []wire.Contract
	q := "t=" + url.QueryEscape(text) + "&l=" + itoa(int64(n))
	if err := a.auth.REST(ctx, "GET", "contract/suggest", q, nil, &cs); err != nil {
		return nil, err
	}
	return cs, nil
}

// MarketData is the md socket (the replay socket in a replay session):
// quote subscriptions decoded straight from the frame bytes into
// venue.Tick values, handed to Publish in batches on the socket's
// goroutine; charts and history. Subscriptions are made again after every
// reconnect.
type MarketData struct {
	a       *Adapter
	conn    *Conn
	publish func([]venue.Tick)
	dec     *QuoteDecoder
	buf     []venue.Tick

	// reset asks the reader to forget the decoder's volume baselines
	// before its next quote (the decoder belongs to the read goroutine).
	reset atomic.Bool

	mu     sync.Mutex
	quotes []string // contract names subscribed
	charts map[int64]*chartReq
	early  map[int64][]wire.ChartPacket // packets of ids not registered yet (before getChart's answer)
	errs   int64
}

// MarketDataOptions configure OpenMarketData.
type MarketDataOptions struct {
	// Publish receives each frame's ticks, on the socket's goroutine; the
	// slice is reused after it returns. It must not block for long: give
	// the ticks to the engine's ring.
	Publish func([]venue.Tick)
}

// OpenMarketData connects the market-data socket. Orders never go over it.
func (a *Adapter) OpenMarketData(ctx context.Context, opt MarketDataOptions) (*MarketData, error) {
	if opt.Publish == nil {
		opt.Publish = func([]venue.Tick) {}
	}
	m := &MarketData{a: a, publish: opt.Publish, dec: NewQuoteDecoder(64), buf: make([]venue.Tick, 0, 256), charts: map[int64]*chartReq{}, early: map[int64][]wire.ChartPacket{}}
	co := a.opt.Conn
	co.Name, co.URL, co.Logger = "md", a.cfg.MarketDataURL(), a.opt.Logger
	co.Token = func(ctx context.Context) (Secret, error) {
		t, err := a.auth.Token(ctx)
		if err != nil {
			return "", err
		}
		return t.MD, nil
	}
	co.OnReady = m.resubscribe
	co.OnEvent = m.onEvent
	co.Refused = a.auth.Forget
	co.OnState = a.opt.OnState
	m.conn = NewConn(co)
	m.conn.Start(ctx)
	if err := m.conn.WaitConnected(ctx); err != nil {
		m.conn.Close()
		return nil, fmt.Errorf("tradovate: connect md: %w", err)
	}
	return m, nil
}

// Close closes the socket.
func (m *MarketData) Close() error { return m.conn.Close() }

// Conn returns the socket, for its state and stats.
func (m *MarketData) Conn() *Conn { return m.conn }

// SubscribeQuotes subscribes to quotes of contract names (md/subscribeQuote).
func (m *MarketData) SubscribeQuotes(ctx context.Context, names ...string) error {
	for _, n := range names {
		if err := m.conn.Do(ctx, "md/subscribeQuote", "", wire.MDRequest{Symbol: wire.SymbolName(n)}, nil); err != nil {
			return fmt.Errorf("tradovate: subscribe %s: %w", n, err)
		}
		m.mu.Lock()
		if !slices.Contains(m.quotes, n) {
			m.quotes = append(m.quotes, n)
		}
		m.mu.Unlock()
	}
	return nil
}

func (m *MarketData) resubscribe(ctx context.Context, c *Conn) error {
	m.mu.Lock()
	names := append([]string(nil), m.quotes...)
	m.mu.Unlock()
	m.reset.Store(true) // volume baselines start again: no trade invented across the gap
	for _, n := range names {
		if err := c.Do(ctx, "md/subscribeQuote", "", wire.MDRequest{Symbol: wire.SymbolName(n)}, nil); err != nil {
			return fmt.Errorf("resubscribe %s: %w", n, err)
		}
	}
	return nil
}

func (m *MarketData) onEvent(ev *wire.Message, raw []byte) {
	switch ev.Event {
	case wire.EventMD:
		if m.reset.Swap(false) {
			m.dec.Reset()
		}
		out, err := m.dec.DecodeMessage(raw, time.Now().UnixNano(), m.buf[:0])
		if err != nil {
			m.mu.Lock()
			m.errs++
			m.mu.Unlock()
			m.a.log.Warn("md event not decoded", "err", err)
		}
		if len(out) > 0 {
			m.publish(out)
		}
		m.buf = out[:0]
	case wire.EventChart:
		m.onChart(ev.Data)
	}
}

// --- charts and history ---

// chartReq collects one md/getChart request's packets until end of history.
type chartReq struct {
	bars  []wire.Bar
	ticks []wire.TickValue
	done  chan struct{}
	err   error
}

func (m *MarketData) onChart(d json.RawMessage) {
	var ce wire.ChartEvent
	if err := json.Unmarshal(d, &ce); err != nil {
		m.a.log.Warn("chart event not decoded", "err", err)
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range ce.Charts {
		p := &ce.Charts[i]
		r := m.charts[p.ID]
		if r == nil {
			// Possibly ahead of the getChart answer that names it; kept a
			// little while (bounded), dropped if nobody claims it.
			if len(m.early) < 64 && len(m.early[p.ID]) < 1024 {
				m.early[p.ID] = append(m.early[p.ID], *p)
			}
			continue
		}
		m.feed(p.ID, r, p)
	}
}

// feed adds one packet to a request (m.mu held).
func (m *MarketData) feed(id int64, r *chartReq, p *wire.ChartPacket) {
	if p.EOH {
		delete(m.charts, id)
		close(r.done)
		return
	}
	r.bars = append(r.bars, p.Bars...)
	if len(p.Ticks) > 0 {
		tv, err := p.DecodeTicks()
		if err != nil {
			r.err = err
		}
		r.ticks = append(r.ticks, tv...)
	}
}

// claim registers a request under its historical id and gives it the
// packets that came before the answer.
func (m *MarketData) claim(id int64, r *chartReq) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.charts[id] = r
	for _, p := range m.early[id] {
		if _, open := m.charts[id]; open {
			m.feed(id, r, &p)
		}
	}
	delete(m.early, id)
}

// HistoryRequest asks for chart history.
type HistoryRequest struct {
	Symbol string // contract name
	// Type is wire.ChartTypeMinuteBar (Size minutes), ChartTypeDailyBar or
	// ChartTypeTick (Size must be 1).
	Type string
	Size int64
	// From and To bound the history; To zero means now. Max bounds the
	// elements per request (default 5000): longer spans are paged back.
	From, To time.Time
	Max      int
}

// History holds what a history request returned, oldest first.
type History struct {
	Bars  []wire.Bar
	Ticks []wire.TickValue
}

// History fetches chart history, paging back through long spans: each
// request asks for up to Max elements ending at the oldest one received,
// until From is reached or the server has no more. Ticks are sorted (they
// may arrive out of order).
func (m *MarketData) History(ctx context.Context, req HistoryRequest) (History, error) {
	if req.Max <= 0 {
		req.Max = 5000
	}
	if req.Size <= 0 {
		req.Size = 1
	}
	var h History
	closest := req.To
	for page := 0; page < 10_000; page++ {
		tr := wire.TimeRange{AsMuchAsElements: int64(req.Max)}
		if !closest.IsZero() {
			tr.ClosestTimestamp = wire.TimeOf(closest)
		}
		if !req.From.IsZero() {
			tr.AsFarAsTimestamp = wire.TimeOf(req.From)
		}
		body := wire.GetChart{Symbol: wire.SymbolName(req.Symbol), TimeRange: tr,
			ChartDescription: wire.ChartDescription{UnderlyingType: req.Type, ElementSize: req.Size, ElementSizeUnit: wire.ChartUnitUnderlying}}
		r := &chartReq{done: make(chan struct{})}
		var resp wire.GetChartResponse
		if err := m.conn.Do(ctx, "md/getChart", "", body, &resp); err != nil {
			return h, fmt.Errorf("tradovate: history %s: %w", req.Symbol, err)
		}
		m.claim(resp.HistoricalID, r)
		// A page that never ends (the socket dropped under it) must not
		// hold the caller forever.
		wait := time.NewTimer(max(6*m.conn.opt.RequestTimeout, 30*time.Second))
		select {
		case <-r.done:
			wait.Stop()
		case <-ctx.Done():
			wait.Stop()
			return h, ctx.Err()
		case <-wait.C:
			return h, fmt.Errorf("tradovate: history %s: no end of history within %s", req.Symbol, max(6*m.conn.opt.RequestTimeout, 30*time.Second))
		}
		_ = m.conn.Do(ctx, "md/cancelChart", "", wire.CancelChart{SubscriptionID: resp.RealtimeID}, nil)
		if r.err != nil {
			return h, r.err
		}
		n := len(r.bars) + len(r.ticks)
		oldest := closest
		h.Bars = append(r.bars, h.Bars...)
		h.Ticks = append(r.ticks, h.Ticks...)
		for _, b := range r.bars {
			if oldest.IsZero() || b.Timestamp.Before(oldest) {
				oldest = b.Timestamp.Time
			}
		}
		for _, t := range r.ticks {
			if oldest.IsZero() || t.Time.Before(oldest) {
				oldest = t.Time
			}
		}
		if n < req.Max || (!req.From.IsZero() && !oldest.After(req.From)) || !oldest.Before(closest) && !closest.IsZero() {
			break
		}
		closest = oldest
	}
	sort.SliceStable(h.Bars, func(i, j int) bool { return h.Bars[i].Timestamp.Before(h.Bars[j].Timestamp.Time) })
	sort.SliceStable(h.Ticks, func(i, j int) bool { return h.Ticks[i].Time.Before(h.Ticks[j].Time) })
	h.Bars = dedupBars(h.Bars)
	return h, nil
}

// dedupBars drops bars repeated at page boundaries (same open time).
func dedupBars(bs []wire.Bar) []wire.Bar {
	out := bs[:0]
	for i, b := range bs {
		if i > 0 && b.Timestamp.Equal(bs[i-1].Timestamp.Time) {
			continue
		}
		out = append(out, b)
	}
	return out
}
