package sandbox

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/cme"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// mdFailure is the body of an md request that fails as business (HTTP
// 200): an unknown symbol, a second subscription. Tradovate does not
// document these; the sandbox answers with errorText (which wire.Check
// turns into an *APIError) and a code to branch on.
type mdFailure struct {
	ErrorText string `json:"errorText"`
	ErrorCode string `json:"errorCode"`
}

// Error codes of mdFailure.
const (
	codeUnknownSymbol     = "UnknownSymbol"
	codeAlreadySubscribed = "AlreadySubscribed"
	codeNoReplaySession   = "NoReplaySession"
)

// mdKind is a kind of md subscription.
type mdKind uint8

const (
	mdQuote mdKind = iota + 1
	mdDOM
	mdHistogram
)

func (k mdKind) String() string {
	switch k {
	case mdQuote:
		return "quotes"
	case mdDOM:
		return "DOM"
	}
	return "histogram"
}

// registerMarketData sets up the server's market (fed by Server.Feed) and
// the md endpoints of the md and replay sockets.
func (s *Server) registerMarketData() {
	s.md = newMarket(s, s.cfg.Market)
	s.OnTick(s.md.onTick)
	if sm := s.cfg.Market.Synthesize; sm != nil {
		s.synth = newSynthesizer(s, *sm)
	}
	if f, ok := s.cfg.MarketData.(*Feed); ok {
		f.bind(s.md.load)
	}
	route := func(h func(*Call, *market)) Route {
		return Route{Domain: DomainMarketData, Handler: func(c *Call) {
			if c.Conn == nil {
				c.Fail(400, fmt.Sprintf("Bad request: %s streams over the websocket (%s)", c.Request.Endpoint, s.WebSocketURL(c.Service)))
				return
			}
			if m := s.marketOf(c); m != nil {
				h(c, m)
			}
		}}
	}
	svcs := []Service{MD, Replay}
	for _, k := range []struct {
		name string
		kind mdKind
	}{{"Quote", mdQuote}, {"DOM", mdDOM}, {"Histogram", mdHistogram}} {
		s.Handle("md/subscribe"+k.name, route(func(c *Call, m *market) { m.subscribe(c, k.kind) }), svcs...)
		s.Handle("md/unsubscribe"+k.name, route(func(c *Call, m *market) { m.unsubscribe(c, k.kind) }), svcs...)
	}
	s.Handle("md/getChart", route(s.getChart), svcs...)
	s.Handle("md/cancelChart", route(s.cancelChart), svcs...)
}

// marketOf returns the market a call streams from: the server's on the md
// socket, the caller's replay session's on the replay socket. Without a
// replay session it answers the call and returns nil.
func (s *Server) marketOf(c *Call) *market {
	if c.Service != Replay {
		return s.md
	}
	rs := s.replays.sessionOf(c)
	if rs == nil {
		c.Reply(200, mdFailure{ErrorText: "No replay session: send replay/initializeclock first", ErrorCode: codeNoReplaySession})
		return nil
	}
	return rs.market
}

// resolveSymbol finds the contract a request names: a contract name at
// the call's time, a contract id, or — for charts — a continuous name
// ("@ES", the front month). An unknown symbol is answered and gives nil.
func (m *market) resolveSymbol(c *Call, sym wire.MDSymbol, continuous bool) *contractMD {
	if sym.IsZero() {
		c.Fail(400, "Bad request: symbol is required: a contract name like ESM6 or a contract id")
		return nil
	}
	lib := m.srv.lib
	id := sym.ID
	if sym.Name != "" {
		id = 0
		now := c.Now()
		name := strings.TrimSpace(sym.Name)
		if con, ok := lib.contractByName(name, now); ok {
			id = con.ID
		} else if n, err := strconv.ParseInt(name, 10, 64); err == nil {
			id = n
		} else if continuous {
			if cs, err := cme.ParseSymbol(strings.ToUpper(name), now); err == nil && (strings.HasPrefix(name, "@") || strings.EqualFold(name, cs.Root)) {
				if con, ok := lib.contractOf(cs); ok {
					id = con.ID
				}
			}
		}
	}
	if _, ok := lib.contractByID(id); !ok {
		text := fmt.Sprintf("Unknown symbol %q: name a listed contract like ESM6 or give its contract id (contract/find)", sym.String())
		if continuous {
			text = fmt.Sprintf("Unknown symbol %q: name a listed contract like ESM6, a continuous one like @ES, or give its contract id", sym.String())
		}
		c.Reply(200, mdFailure{ErrorText: text, ErrorCode: codeUnknownSymbol})
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.contract(venue.ContractID(id))
}

// subsOf returns the contract's subscribers of kind. Called with m.mu held.
func (cm *contractMD) subsOf(kind mdKind) *[]*mdSub {
	switch kind {
	case mdQuote:
		return &cm.quoteSubs
	case mdDOM:
		return &cm.domSubs
	}
	return &cm.histSubs
}

// setOf returns the contracts s subscribed to with kind. Called with m.mu held.
func (s *mdSub) setOf(kind mdKind) map[venue.ContractID]bool {
	switch kind {
	case mdQuote:
		return s.quotes
	case mdDOM:
		return s.doms
	}
	return s.hists
}

// subscribe serves md/subscribeQuote, md/subscribeDOM and
// md/subscribeHistogram: the response ({"subscriptionId": contract id}),
// then the contract's current state if the market has seen it, then an
// event per change — of a synthetic market if the data has none for it
// and the server makes markets up. One subscription of each kind per
// contract and socket.
func (m *market) subscribe(c *Call, kind mdKind) {
	var req wire.MDRequest
	if !c.Decode(&req, false) {
		return
	}
	cm := m.resolveSymbol(c, req.Symbol, false)
	if cm == nil {
		return
	}
	sub := m.subFor(c.Conn)
	sub.sendMu.Lock()
	defer sub.sendMu.Unlock()
	m.mu.Lock()
	set := sub.setOf(kind)
	if set[cm.id] {
		m.mu.Unlock()
		c.Reply(200, mdFailure{
			ErrorText: fmt.Sprintf("Already subscribed to %s of contract %d on this socket: one subscription per contract", kind, cm.id),
			ErrorCode: codeAlreadySubscribed,
		})
		return
	}
	if !sub.gone {
		set[cm.id] = true
		list := cm.subsOf(kind)
		*list = append(*list, sub)
		// The current state goes first; the socket's goroutine cannot
		// write it before the response, which needs sendMu.
		d := &cm.d
		switch {
		case kind == mdQuote && d.seen:
			sub.enqueue(mdItem{kind: itemQuote, q: cm.snapshot()})
		case kind == mdDOM && (d.hasQuote || d.hasTrade):
			sub.enqueue(mdItem{kind: itemDOM, q: cm.snapshot()})
		case kind == mdHistogram && d.hasOpen:
			sub.enqueue(mdItem{kind: itemRaw, raw: appendHistogramEvent(nil, cm)})
		}
	}
	m.mu.Unlock()
	c.Reply(200, wire.MDSubscribeResponse{SubscriptionID: int64(cm.id)})
	m.synthesize(cm.id)
}

// unsubscribe serves the md/unsubscribe* endpoints: events the
// subscription produced before are written before the response, none
// after. Unsubscribing what is not subscribed succeeds.
func (m *market) unsubscribe(c *Call, kind mdKind) {
	var req wire.MDRequest
	if !c.Decode(&req, false) {
		return
	}
	cm := m.resolveSymbol(c, req.Symbol, false)
	if cm == nil {
		return
	}
	sub := m.existingSub(c.Conn)
	if sub == nil {
		c.Reply(200, nil)
		return
	}
	sub.sendMu.Lock()
	defer sub.sendMu.Unlock()
	m.mu.Lock()
	if set := sub.setOf(kind); set[cm.id] {
		delete(set, cm.id)
		list := cm.subsOf(kind)
		*list = without(*list, sub)
	}
	m.mu.Unlock()
	sub.flushLocked()
	c.Reply(200, nil)
}
