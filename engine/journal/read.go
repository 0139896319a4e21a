package journal

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/keeltrade/keel/venue"
)

// Entry is one record of a journal.
type Entry struct {
	Seq      int64
	Session  string
	At       time.Time
	Kind     string // KindSubmit, KindEvent, …
	ClientID string
	Event    string // the event kind, for KindEvent
	Body     json.RawMessage
}

// SessionInfo summarizes one session of a journal.
type SessionInfo struct {
	ID          string
	First, Last time.Time
	Records     int
	Ended       bool // it recorded a clean end
}

// Reader reads a journal without taking its lock: a running session may
// be writing it.
type Reader struct {
	path string
	db   *sql.DB
	Env  string
	// Account is the account the journal belongs to.
	Account string
}

// OpenReader opens the journal at path read-only.
func OpenReader(path string) (*Reader, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	r := &Reader{path: path, db: db}
	rows, err := db.Query("SELECT key, value FROM meta")
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("journal %s is not a keel journal: %w", path, err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			db.Close()
			return nil, fmt.Errorf("journal %s: %w", path, err)
		}
		switch k {
		case "env":
			r.Env = v
		case "account":
			r.Account = v
		}
	}
	return r, rows.Err()
}

// Close closes the reader.
func (r *Reader) Close() error { return r.db.Close() }

// Sessions lists the journal's sessions, oldest first.
func (r *Reader) Sessions() ([]SessionInfo, error) {
	rows, err := r.db.Query(`SELECT session, min(at), max(at), count(*), sum(kind = 'end') FROM records GROUP BY session ORDER BY min(seq)`)
	if err != nil {
		return nil, fmt.Errorf("journal %s: %w", r.path, err)
	}
	defer rows.Close()
	var out []SessionInfo
	for rows.Next() {
		var s SessionInfo
		var first, last int64
		var ended int
		if err := rows.Scan(&s.ID, &first, &last, &s.Records, &ended); err != nil {
			return nil, fmt.Errorf("journal %s: %w", r.path, err)
		}
		s.First, s.Last, s.Ended = time.Unix(0, first).UTC(), time.Unix(0, last).UTC(), ended > 0
		out = append(out, s)
	}
	return out, rows.Err()
}

// Entries returns a session's records in the order they were written.
func (r *Reader) Entries(session string) ([]Entry, error) {
	rows, err := r.db.Query(`SELECT seq, session, at, kind, client_id, event, body FROM records WHERE session = ? ORDER BY seq`, session)
	if err != nil {
		return nil, fmt.Errorf("journal %s: %w", r.path, err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var at int64
		var body string
		if err := rows.Scan(&e.Seq, &e.Session, &at, &e.Kind, &e.ClientID, &e.Event, &body); err != nil {
			return nil, fmt.Errorf("journal %s: %w", r.path, err)
		}
		e.At, e.Body = time.Unix(0, at).UTC(), json.RawMessage(body)
		out = append(out, e)
	}
	return out, rows.Err()
}

// ErrNoSession is Entries' error for a session the journal does not have.
var ErrNoSession = errors.New("journal has no such session")

// Describe is a one-line human reading of an entry.
func (e Entry) Describe() string {
	switch e.Kind {
	case KindSubmit:
		var o venue.Order
		if json.Unmarshal(e.Body, &o) != nil {
			return string(e.Body)
		}
		in := o.Intent
		s := fmt.Sprintf("%s %d %s %s", in.Side, in.Qty, in.Symbol, in.Type)
		if in.Limit != 0 {
			s += " limit " + in.Limit.String()
		}
		if in.Stop != 0 {
			s += " stop " + in.Stop.String()
		}
		if len(in.Brackets) > 0 {
			s += fmt.Sprintf(" with %d exits", len(in.Brackets))
		}
		if in.Tag != "" {
			s += " tag " + in.Tag
		}
		if o.Protective {
			s += " (protective)"
		}
		return s
	case KindEvent:
		var ev venue.Event
		if json.Unmarshal(e.Body, &ev) != nil {
			return string(e.Body)
		}
		var parts []string
		if ev.Kind == venue.EventFilled {
			parts = append(parts, fmt.Sprintf("%s %d @ %s", ev.Fill.Side, ev.Fill.Qty, ev.Fill.Price))
		}
		if ev.Kind == venue.EventPosition {
			parts = append(parts, fmt.Sprintf("net %+d avg %s", ev.Position.Net, ev.Position.AvgPrice))
		}
		if ev.Reason != "" {
			parts = append(parts, ev.Reason)
		}
		if ev.Text != "" {
			parts = append(parts, ev.Text)
		}
		if ev.Local {
			parts = append(parts, "(keel's own)")
		}
		return strings.Join(parts, " ")
	}
	var m map[string]any
	if json.Unmarshal(e.Body, &m) == nil && len(m) > 0 {
		var parts []string
		for _, k := range []string{"env", "account", "client_id", "Qty", "Limit", "Stop"} {
			if v, ok := m[k]; ok && v != nil && v != "" && v != float64(0) {
				parts = append(parts, fmt.Sprintf("%s=%v", k, v))
			}
		}
		return strings.Join(parts, " ")
	}
	return ""
}
