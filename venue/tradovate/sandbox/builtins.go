package sandbox

import (
	"strings"

	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// trading are the services that serve accounts and orders: the replay
// socket is a trading socket too.
var trading = []Service{Demo, Live, Replay}

// registerBuiltins registers every endpoint this package implements.
func (s *Server) registerBuiltins() {
	// Authentication. Tokens come from the demo or live REST base; one
	// token authorizes every socket.
	s.Handle("auth/accesstokenrequest", Route{Handler: s.accessTokenRequest, Public: true}, Demo, Live)
	s.Handle("auth/renewaccesstoken", Route{Handler: s.renewAccessToken}, trading...)
	s.Handle("auth/me", Route{Handler: s.me}, trading...)

	// Orders.
	order := func(h Handler) Route { return Route{Handler: h, Domain: DomainOrders, Write: true} }
	s.Handle("order/placeorder", order(s.placeOrder), trading...)
	s.Handle("order/placeoso", order(s.placeOSO), trading...)
	s.Handle("order/placeoco", order(s.placeOCO), trading...)
	s.Handle("order/modifyorder", order(s.modifyOrder), trading...)
	s.Handle("order/cancelorder", order(s.cancelOrder), trading...)
	s.Handle("order/liquidateposition", order(s.liquidatePosition), trading...)

	// Account entities.
	s.registerEntity(wire.EntityAccount, DomainAccounting, tableOps(wire.EntityAccount, true, true), trading...)
	s.registerEntity(wire.EntityCashBalance, DomainAccounting, tableOps(wire.EntityCashBalance, false, false), trading...)
	s.registerEntity(wire.EntityPosition, DomainPositions, tableOps(wire.EntityPosition, true, false), trading...)
	s.registerEntity(wire.EntityFill, DomainPositions, tableOps(wire.EntityFill, false, false), trading...)
	s.registerEntity(wire.EntityFillPair, DomainPositions, tableOps(wire.EntityFillPair, false, false), trading...)
	for _, name := range []string{wire.EntityOrder, wire.EntityOrderVersion, wire.EntityCommand, wire.EntityCommandReport} {
		s.registerEntity(name, DomainOrders, tableOps(name, false, false), trading...)
	}
	s.registerEntity(wire.EntityExecutionReport, DomainOrders, tableOps(wire.EntityExecutionReport, true, true), trading...)

	// Users.
	s.registerEntity(wire.EntityUser, DomainUsers, userOps(), trading...)
	s.Handle("user/syncrequest", Route{Handler: s.syncRequest, Domain: DomainUsers}, trading...)

	// Contract library.
	s.registerEntity(wire.EntityProduct, DomainContractLibrary, s.productOps(), trading...)
	s.registerEntity(wire.EntityContract, DomainContractLibrary, s.contractOps(), trading...)
	s.registerEntity(wire.EntityContractMaturity, DomainContractLibrary, s.maturityOps(), trading...)
	s.registerEntity(wire.EntityProductSession, DomainContractLibrary, s.sessionOps(), trading...)
	s.Handle("contract/rollcontract", Route{Handler: s.rollContract, Domain: DomainContractLibrary}, trading...)

	// Market data and market replay (md_routes.go, chart.go, replay.go).
	s.registerMarketData()
	s.registerReplay()
}

// userOps serves the caller's own user entity.
func userOps() entityOps {
	self := func(c *Call) wire.User {
		u := c.Session.user.cfg
		return wire.User{ID: u.UserID, Name: u.Name, Timestamp: wire.TimeOf(c.Server.clock.Now()), Email: u.Email, Status: u.Status}
	}
	return entityOps{
		list: func(c *Call) []any { return []any{self(c)} },
		item: func(c *Call, id int64) (any, bool) { return self(c), id == c.Session.UserID() },
		find: func(c *Call, name string) (any, bool) { return self(c), strings.EqualFold(name, c.Session.UserName()) },
		suggest: func(c *Call, t string, l int) []any {
			if l > 0 && strings.HasPrefix(lower(c.Session.UserName()), lower(t)) {
				return []any{self(c)}
			}
			return nil
		},
	}
}

func (s *Server) productOps() entityOps {
	return entityOps{
		list: func(c *Call) []any {
			out := make([]any, len(s.lib.products))
			for i, p := range s.lib.products {
				out[i] = p
			}
			return out
		},
		item: func(c *Call, id int64) (any, bool) { return s.lib.productByID(id) },
		find: func(c *Call, name string) (any, bool) { return s.lib.product(strings.ToUpper(strings.TrimSpace(name))) },
		deps: func(c *Call, exchangeID int64) []any {
			var out []any
			for _, p := range s.lib.products {
				if p.ExchangeID == exchangeID {
					out = append(out, p)
				}
			}
			return out
		},
		suggest: func(c *Call, t string, l int) []any {
			var out []any
			t = strings.ToUpper(strings.TrimSpace(t))
			for _, p := range s.lib.products {
				if len(out) < l && (strings.HasPrefix(p.Name, t) || strings.Contains(strings.ToUpper(p.Description), t)) {
					out = append(out, p)
				}
			}
			return out
		},
	}
}

func (s *Server) contractOps() entityOps {
	return entityOps{
		item: func(c *Call, id int64) (any, bool) { return s.lib.contractByID(id) },
		find: func(c *Call, name string) (any, bool) { return s.lib.contractByName(name, c.Now()) },
		deps: func(c *Call, maturityID int64) []any {
			sym, _, ok := s.lib.symbolOfMaturity(maturityID)
			if !ok {
				return nil
			}
			con, ok := s.lib.contractOf(sym)
			if !ok {
				return nil
			}
			return []any{con}
		},
		suggest: func(c *Call, t string, l int) []any {
			var out []any
			for _, con := range s.lib.suggest(t, l, c.Now()) {
				out = append(out, con)
			}
			return out
		},
	}
}

func (s *Server) maturityOps() entityOps {
	return entityOps{
		item: func(c *Call, id int64) (any, bool) {
			sym, _, ok := s.lib.symbolOfMaturity(id)
			if !ok {
				return nil, false
			}
			return s.lib.maturity(sym, c.Now())
		},
		deps: func(c *Call, productID int64) []any {
			p, ok := s.lib.productByID(productID)
			if !ok {
				return nil
			}
			var out []any
			for _, m := range s.lib.maturities(p.Name, c.Now()) {
				out = append(out, m)
			}
			return out
		},
	}
}

func (s *Server) sessionOps() entityOps {
	return entityOps{
		item: func(c *Call, id int64) (any, bool) { return s.lib.session(id) },
		deps: func(c *Call, productID int64) []any {
			if ps, ok := s.lib.session(productID); ok {
				return []any{ps}
			}
			return nil
		},
	}
}

// rollContract serves contract/rollcontract; an unknown name is a 200
// with errorText.
func (s *Server) rollContract(c *Call) {
	var req wire.RollContract
	if !c.Decode(&req, false) {
		return
	}
	con, err := s.lib.roll(req, c.Now())
	if err != nil {
		c.Reply(200, wire.RollContractResponse{ErrorText: err.Error()})
		return
	}
	c.Reply(200, wire.RollContractResponse{Contract: &con})
}
