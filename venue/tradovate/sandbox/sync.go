package sandbox

import (
	"encoding/json"
	"strings"

	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// syncRequest serves user/syncrequest: the snapshot of the requested
// users' or accounts' entities, then — on a websocket — props events for
// them on the same socket until it closes. entityTypes filters both.
// With splitResponses the snapshot comes as several responses with the
// request's id: first users, accounts and the library entities, then one
// response per remaining entity array (Tradovate does not document the
// split format; this is the sandbox's choice).
func (s *Server) syncRequest(c *Call) {
	var req wire.SyncRequest
	if !c.Decode(&req, true) {
		return
	}
	e := c.Env
	uid := c.Session.UserID()
	e.mu.Lock()
	defer e.mu.Unlock()
	accounts := map[int64]bool{}
	switch {
	case len(req.Accounts) > 0:
		for _, id := range req.Accounts {
			a := e.byAcct[id]
			if a == nil || a.user != uid {
				c.Fail(401, textAccessDenied)
				return
			}
			accounts[id] = true
		}
	case len(req.Users) > 0:
		for _, id := range req.Users {
			if id != uid {
				c.Fail(401, textAccessDenied)
				return
			}
		}
		fallthrough
	default:
		for _, a := range e.userAccounts(uid) {
			accounts[a.ent.ID] = true
		}
	}
	types := entityTypeSet(req.EntityTypes)
	snap := e.snapshot(c, accounts, types)
	if req.SplitResponses && c.Conn != nil {
		s.replySplit(c, snap)
	} else {
		c.Reply(200, snap)
	}
	if c.Conn != nil {
		e.subs[c.Conn] = &subscription{accounts: accounts, types: types}
	}
}

// entityTypeSet normalises entityTypes ("order", "orders", "Order") to
// lower-case singular names; nil when none were given.
func entityTypeSet(names []string) map[string]bool {
	if len(names) == 0 {
		return nil
	}
	set := map[string]bool{}
	for _, n := range names {
		n = lower(strings.TrimSpace(n))
		if singular, ok := pluralToSingular[n]; ok {
			n = singular
		}
		set[n] = true
	}
	return set
}

var pluralToSingular = func() map[string]string {
	m := map[string]string{}
	for _, n := range []string{
		wire.EntityAccount, wire.EntityUser, wire.EntityContract, wire.EntityContractMaturity, wire.EntityProduct,
		wire.EntityOrder, wire.EntityOrderVersion, wire.EntityCommand, wire.EntityCommandReport,
		wire.EntityExecutionReport, wire.EntityFill, wire.EntityFillPair, wire.EntityPosition, wire.EntityCashBalance,
	} {
		m[lower(n)+"s"] = lower(n)
	}
	m["contractmaturities"] = "contractmaturity"
	m["currencies"] = "currency"
	return m
}()

// snapshot builds the SyncMessage. Called with e.mu held.
func (e *Env) snapshot(c *Call, accounts map[int64]bool, types map[string]bool) wire.SyncMessage {
	want := func(t string) bool { return types == nil || types[lower(t)] }
	uid := c.Session.UserID()
	mine := func(r *row) bool { return accounts[r.account] }
	u := c.Session.user.cfg
	m := wire.SyncMessage{
		Users: []wire.User{{
			ID: u.UserID, Name: u.Name, Timestamp: wire.TimeOf(e.srv.clock.Now()), Email: u.Email, Status: u.Status,
		}},
		ContractGroups: []wire.ContractGroup{},
	}
	collect := func(entity string) []*row { return e.tables[entity].visible(uid, mine) }
	if want(wire.EntityAccount) {
		m.Accounts = rowsAs[wire.Account](collect(wire.EntityAccount))
		m.AccountRiskStatuses = []json.RawMessage{}
		m.MarginSnapshots = []json.RawMessage{}
		m.UserAccountAutoLiqs = []json.RawMessage{}
	}
	if want(wire.EntityCashBalance) {
		m.CashBalances = rowsAs[wire.CashBalance](collect(wire.EntityCashBalance))
		m.Currencies = []wire.Currency{{ID: currencyUSD, Name: "USD", Symbol: "$"}}
	}
	if want(wire.EntityPosition) {
		m.Positions = rowsAs[wire.Position](collect(wire.EntityPosition))
	}
	if want(wire.EntityFillPair) {
		m.FillPairs = rowsAs[wire.FillPair](collect(wire.EntityFillPair))
	}
	if want(wire.EntityOrder) {
		m.Orders = rowsAs[wire.Order](collect(wire.EntityOrder))
		m.OrderStrategies = []json.RawMessage{}
		m.OrderStrategyLinks = []json.RawMessage{}
		m.OrderStrategyTypes = []wire.OrderStrategyType{{ID: 2, Name: "multibracket", Enabled: true}}
	}
	if want(wire.EntityCommand) {
		m.Commands = rowsAs[wire.Command](collect(wire.EntityCommand))
	}
	if want(wire.EntityCommandReport) {
		m.CommandReports = rowsAs[wire.CommandReport](collect(wire.EntityCommandReport))
	}
	if want(wire.EntityExecutionReport) {
		m.ExecutionReports = rowsAs[wire.ExecutionReport](collect(wire.EntityExecutionReport))
	}
	if want(wire.EntityOrderVersion) {
		m.OrderVersions = rowsAs[wire.OrderVersion](collect(wire.EntityOrderVersion))
	}
	if want(wire.EntityFill) {
		m.Fills = rowsAs[wire.Fill](collect(wire.EntityFill))
	}
	// The contracts (with maturities and products) that orders and
	// positions refer to, so a client can price positions (P&L needs
	// valuePerPoint).
	seen := map[int64]bool{}
	var ids []int64
	for _, entity := range []string{wire.EntityOrder, wire.EntityPosition} {
		for _, r := range collect(entity) {
			var cid int64
			switch v := r.v.(type) {
			case wire.Order:
				cid = v.ContractID
			case wire.Position:
				cid = v.ContractID
			}
			if cid != 0 && !seen[cid] {
				seen[cid] = true
				ids = append(ids, cid)
			}
		}
	}
	if want(wire.EntityContract) {
		m.Contracts = []wire.Contract{}
		m.ContractMaturities = []wire.ContractMaturity{}
		m.Products = []wire.Product{}
		m.Exchanges = []wire.Exchange{{ID: 2, Name: "CME"}, {ID: 3, Name: "CBOT"}, {ID: 4, Name: "NYMEX"}, {ID: 5, Name: "COMEX"}}
		m.SpreadDefinitions = []json.RawMessage{}
		products := map[int64]bool{}
		now := e.clock.Now()
		for _, id := range ids {
			con, ok := e.srv.lib.contractByID(id)
			if !ok {
				continue
			}
			m.Contracts = append(m.Contracts, con)
			sym, p, _ := e.srv.lib.symbolOfContract(id)
			if mt, ok := e.srv.lib.maturity(sym, now); ok {
				m.ContractMaturities = append(m.ContractMaturities, mt)
			}
			if !products[p.ID] {
				products[p.ID] = true
				m.Products = append(m.Products, p)
			}
		}
	}
	if types == nil {
		m.UserProperties = []json.RawMessage{}
		m.Properties = []json.RawMessage{}
		m.UserPlugins = []json.RawMessage{}
		m.UserReadStatuses = []json.RawMessage{}
	}
	return m
}

func rowsAs[T any](rows []*row) []T {
	out := make([]T, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.v.(T))
	}
	return out
}

// replySplit sends the snapshot as several responses with the same id.
func (s *Server) replySplit(c *Call, m wire.SyncMessage) {
	head := wire.SyncMessage{
		Users: m.Users, Accounts: m.Accounts, ContractGroups: m.ContractGroups, Currencies: m.Currencies,
		Contracts: m.Contracts, ContractMaturities: m.ContractMaturities, Products: m.Products, Exchanges: m.Exchanges,
	}
	c.Reply(200, head)
	parts := []struct {
		key string
		v   any
		n   int
	}{
		{"accountRiskStatuses", m.AccountRiskStatuses, len(m.AccountRiskStatuses)},
		{"cashBalances", m.CashBalances, len(m.CashBalances)},
		{"positions", m.Positions, len(m.Positions)},
		{"fillPairs", m.FillPairs, len(m.FillPairs)},
		{"orders", m.Orders, len(m.Orders)},
		{"commands", m.Commands, len(m.Commands)},
		{"commandReports", m.CommandReports, len(m.CommandReports)},
		{"executionReports", m.ExecutionReports, len(m.ExecutionReports)},
		{"orderVersions", m.OrderVersions, len(m.OrderVersions)},
		{"fills", m.Fills, len(m.Fills)},
	}
	for _, p := range parts {
		if p.n == 0 {
			continue
		}
		b, err := wire.Marshal(map[string]any{p.key: p.v})
		if err != nil {
			continue
		}
		c.Conn.Send(wire.AppendArrayFrame(nil, wire.AppendResponse(nil, c.Request.ID, 200, b)))
	}
}
