package sandbox

import (
	"fmt"
	"strconv"
	"strings"
)

// row is one stored entity.
type row struct {
	id      int64
	master  int64 // the deps master: account for orders, order for commands…
	account int64 // owning account
	user    int64 // owning user
	name    string
	v       any // the wire entity, by value
}

// table is one entity type of an environment, by id.
type table struct {
	name string
	rows map[int64]*row
}

func newTable(name string) *table { return &table{name: name, rows: map[int64]*row{}} }

func (t *table) put(r *row) { t.rows[r.id] = r }

func (t *table) get(id int64) *row { return t.rows[id] }

// visible returns the rows of user u matching keep, by id.
func (t *table) visible(u int64, keep func(*row) bool) []*row {
	var out []*row
	for _, r := range t.rows {
		if r.user == u && (keep == nil || keep(r)) {
			out = append(out, r)
		}
	}
	return sortedRows(out)
}

func values(rows []*row) []any {
	out := make([]any, len(rows))
	for i, r := range rows {
		out[i] = r.v
	}
	return out
}

// entityOps are the shared operations of one entity type; nil ones are
// not offered.
type entityOps struct {
	list    func(c *Call) []any
	item    func(c *Call, id int64) (any, bool)
	deps    func(c *Call, master int64) []any
	find    func(c *Call, name string) (any, bool)
	suggest func(c *Call, text string, limit int) []any
}

// registerEntity adds <name>/list, item, items, find, deps, ldeps and
// suggest, as far as ops offers them.
func (s *Server) registerEntity(name string, domain Domain, ops entityOps, services ...Service) {
	route := func(h Handler) Route { return Route{Handler: h, Domain: domain} }
	if ops.list != nil {
		s.Handle(name+"/list", route(func(c *Call) { c.Reply(200, nonNil(ops.list(c))) }), services...)
	}
	if ops.item != nil {
		s.Handle(name+"/item", route(func(c *Call) {
			id, ok := queryID(c, "id")
			if !ok {
				return
			}
			v, found := ops.item(c, id)
			if !found {
				c.Fail(404, fmt.Sprintf("%s %d not found", name, id))
				return
			}
			c.Reply(200, v)
		}), services...)
		s.Handle(name+"/items", route(func(c *Call) {
			ids, ok := queryIDs(c, "ids")
			if !ok {
				return
			}
			out := []any{}
			for _, id := range ids {
				if v, found := ops.item(c, id); found {
					out = append(out, v)
				}
			}
			c.Reply(200, out)
		}), services...)
	}
	if ops.deps != nil {
		s.Handle(name+"/deps", route(func(c *Call) {
			id, ok := queryID(c, "masterid")
			if !ok {
				return
			}
			c.Reply(200, nonNil(ops.deps(c, id)))
		}), services...)
		s.Handle(name+"/ldeps", route(func(c *Call) {
			ids, ok := queryIDs(c, "masterids")
			if !ok {
				return
			}
			out := []any{}
			for _, id := range ids {
				out = append(out, ops.deps(c, id)...)
			}
			c.Reply(200, out)
		}), services...)
	}
	if ops.find != nil {
		s.Handle(name+"/find", route(func(c *Call) {
			n := c.Query().Get("name")
			if n == "" {
				c.Fail(400, "Bad request: find needs ?name=")
				return
			}
			v, found := ops.find(c, n)
			if !found {
				c.Fail(404, fmt.Sprintf("%s %q not found", name, n))
				return
			}
			c.Reply(200, v)
		}), services...)
	}
	if ops.suggest != nil {
		s.Handle(name+"/suggest", route(func(c *Call) {
			q := c.Query()
			limit := 10
			if l := q.Get("l"); l != "" {
				n, err := strconv.Atoi(l)
				if err != nil || n < 0 {
					c.Fail(400, fmt.Sprintf("Bad request: l=%q is not a count", l))
					return
				}
				limit = n
			}
			c.Reply(200, nonNil(ops.suggest(c, q.Get("t"), limit)))
		}), services...)
	}
}

func nonNil(v []any) []any {
	if v == nil {
		return []any{}
	}
	return v
}

func queryID(c *Call, key string) (int64, bool) {
	v := c.Query().Get(key)
	id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		c.Fail(400, fmt.Sprintf("Bad request: %s=%q is not an id", key, v))
		return 0, false
	}
	return id, true
}

func queryIDs(c *Call, key string) ([]int64, bool) {
	v := c.Query().Get(key)
	var out []int64
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		id, err := strconv.ParseInt(part, 10, 64)
		if err != nil {
			c.Fail(400, fmt.Sprintf("Bad request: %s=%q is not a list of ids", key, v))
			return nil, false
		}
		out = append(out, id)
	}
	return out, true
}

// tableOps serves an environment table to the session's user.
func tableOps(name string, find, suggest bool) entityOps {
	rows := func(c *Call, keep func(*row) bool) []any {
		e := c.Env
		e.mu.Lock()
		defer e.mu.Unlock()
		return values(e.tables[name].visible(c.Session.UserID(), keep))
	}
	ops := entityOps{
		list: func(c *Call) []any { return rows(c, nil) },
		item: func(c *Call, id int64) (any, bool) {
			e := c.Env
			e.mu.Lock()
			defer e.mu.Unlock()
			r := e.tables[name].get(id)
			if r == nil || r.user != c.Session.UserID() {
				return nil, false
			}
			return r.v, true
		},
		deps: func(c *Call, master int64) []any {
			return rows(c, func(r *row) bool { return r.master == master })
		},
	}
	if find {
		ops.find = func(c *Call, n string) (any, bool) {
			got := rows(c, func(r *row) bool { return strings.EqualFold(r.name, n) })
			if len(got) == 0 {
				return nil, false
			}
			return got[0], true
		}
	}
	if suggest {
		ops.suggest = func(c *Call, text string, limit int) []any {
			got := rows(c, func(r *row) bool { return strings.HasPrefix(lower(r.name), lower(text)) })
			if len(got) > limit {
				got = got[:limit]
			}
			return got
		}
	}
	return ops
}
