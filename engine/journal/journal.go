// Package journal is a live session's record of its order flow: every
// order keel sends (with its intent), every cancel and modify it asks for,
// every refusal of its own, and every event the venue sends back
// (acknowledgements, fills, rejections, position and account reports), in
// an embedded SQLite database (modernc.org/sqlite, pure Go, WAL mode).
//
// # Durability
//
// An order, cancel or modify is committed to the journal before it leaves
// the process (Venue wraps the venue to make it so): if the write fails
// the order is not sent. A commit is a write to the database's write-ahead
// log, which survives a crash of keel (kill -9, a panic, the OOM killer)
// the moment the call returns. With Sync "normal" (the default) the log is
// fsynced at checkpoints and on Close, so a power loss or kernel crash can
// lose the last commits; with Sync "full" every commit is fsynced first,
// which survives those too at the price of a disk flush per order.
//
// Venue events are appended from the venue's goroutines through a queue
// and committed in batches (at most Options.FlushEvery apart): a crash
// can lose the last of them, which is why a restart reconciles with the
// venue's own snapshot rather than trusting the journal for fills.
//
// # One journal, one account
//
// A journal belongs to one environment (demo, live, replay) and one
// account, recorded when it is created; Open refuses it for another. Only
// one process may have it open (an exclusive lock on PATH.lock). A journal
// that is not a keel journal, or fails SQLite's integrity check, is an
// error: it is never replaced.
package journal

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"github.com/keeltrade/keel/venue"
)

// Record kinds.
const (
	KindSubmit = "submit" // an order keel sent (the order, with its intent), before it left
	KindCancel = "cancel" // a cancel keel asked for, before it left
	KindModify = "modify" // a modify keel asked for, before it left
	KindEvent  = "event"  // an event: the venue's, or keel's own refusal (Local)
	KindStart  = "start"  // a session began
	KindEnd    = "end"    // a session ended cleanly
)

// Identity is whose journal it is.
type Identity struct {
	Env     string // demo, live or replay
	Account string // the account's name
}

// Options tune a journal.
type Options struct {
	// Sync is "normal" (the default) or "full"; see the package doc.
	Sync string
	// FlushEvery bounds how long a venue event waits in the queue; default
	// 5ms.
	FlushEvery time.Duration
	// Now is the clock records are stamped with; default time.Now.
	Now func() time.Time
}

// ErrForeign is Open's error for a journal of another account or
// environment.
var ErrForeign = errors.New("journal belongs to another account or environment")

// Journal is an open journal. Its methods are safe for concurrent use.
type Journal struct {
	path     string
	id       Identity
	session  string
	db       *sql.DB
	ckpt     *sql.DB // checkpoints
	insert   *sql.Stmt
	stopCkpt chan struct{}
	ckptDone chan struct{}
	lock     *os.File
	now      func() time.Time
	every    time.Duration

	wmu    sync.Mutex // held while taking a batch from the queue and committing it
	mu     sync.Mutex // guards queue and closed
	queue  []record
	closed bool
	kick   chan struct{}
	done   chan struct{}
	err    error // the writer's first error, guarded by mu
}

type record struct {
	at       int64
	kind     string
	clientID string
	event    string
	body     []byte
}

const schema = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
	seq       INTEGER PRIMARY KEY AUTOINCREMENT,
	session   TEXT    NOT NULL,
	at        INTEGER NOT NULL,
	kind      TEXT    NOT NULL,
	client_id TEXT    NOT NULL DEFAULT '',
	event     TEXT    NOT NULL DEFAULT '',
	body      TEXT    NOT NULL
);
-- No indexes: each would add a page to every commit before a send. Reads
-- (journal show, a restart) scan.
`

// Open opens (creating if need be) the journal at path for id, records
// the start of session, and starts its event writer.
func Open(path string, id Identity, session string, opt Options) (*Journal, error) {
	if id.Env == "" || id.Account == "" || session == "" {
		return nil, errors.New("journal: Open needs an environment, an account and a session")
	}
	mode := strings.ToLower(opt.Sync)
	switch mode {
	case "":
		mode = "normal"
	case "normal", "full":
	default:
		return nil, fmt.Errorf("journal: sync %q: want normal or full", opt.Sync)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	lock, err := lockFile(path + ".lock")
	if err != nil {
		return nil, err
	}
	j := &Journal{path: path, id: id, session: session, lock: lock, now: opt.Now, every: opt.FlushEvery, kick: make(chan struct{}, 1), done: make(chan struct{})}
	if j.now == nil {
		j.now = time.Now
	}
	if j.every <= 0 {
		j.every = 5 * time.Millisecond
	}
	if err := j.open(mode); err != nil {
		if j.db != nil {
			j.db.Close()
		}
		if j.ckpt != nil {
			j.ckpt.Close()
		}
		lock.Close()
		return nil, err
	}
	go j.writer()
	j.stopCkpt, j.ckptDone = make(chan struct{}), make(chan struct{})
	go func() { defer close(j.ckptDone); j.checkpointer() }()
	if err := j.write(KindStart, "", "", map[string]string{"env": id.Env, "account": id.Account}); err != nil {
		j.Close()
		return nil, err
	}
	return j, nil
}

func (j *Journal) open(mode string) error {
	_, statErr := os.Stat(j.path)
	fresh := errors.Is(statErr, os.ErrNotExist)
	dsn := "file:" + j.path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(" + mode + ")&_pragma=wal_autocheckpoint(0)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	j.db = db
	db.SetMaxOpenConns(1) // one writer; every statement in order
	ctx := context.Background()
	if !fresh {
		var res string
		if err := db.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&res); err != nil {
			return fmt.Errorf("journal %s is not a readable SQLite database (%v); it was left as it is: move it away to start a new one", j.path, err)
		}
		if res != "ok" {
			return fmt.Errorf("journal %s is corrupt (%s); it was left as it is: move it away to start a new one", j.path, res)
		}
		var n int
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='records'").Scan(&n); err != nil || n == 0 {
			return fmt.Errorf("journal %s is a SQLite database but not a keel journal; it was left as it is", j.path)
		}
	}
	if _, err := db.ExecContext(ctx, schema); err != nil {
		return fmt.Errorf("journal %s: schema: %w", j.path, err)
	}
	for _, kv := range [][2]string{{"env", j.id.Env}, {"account", j.id.Account}} {
		if _, err := db.ExecContext(ctx, "INSERT OR IGNORE INTO meta(key, value) VALUES(?, ?)", kv[0], kv[1]); err != nil {
			return fmt.Errorf("journal %s: %w", j.path, err)
		}
		var have string
		if err := db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", kv[0]).Scan(&have); err != nil {
			return fmt.Errorf("journal %s: %w", j.path, err)
		}
		if have != kv[1] {
			return fmt.Errorf("journal %s: %w: it is %s %q's, this session is %s %q; give each its own journal (-journal)", j.path, ErrForeign, kv[0], have, kv[0], kv[1])
		}
	}
	j.insert, err = db.PrepareContext(ctx, "INSERT INTO records(session, at, kind, client_id, event, body) VALUES(?, ?, ?, ?, ?, ?)")
	if err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	// Checkpoints (the log copied into the database, with an fsync) run on
	// a connection of their own, off the path of the writes before a send.
	if j.ckpt, err = sql.Open("sqlite", "file:"+j.path+"?_pragma=busy_timeout(5000)"); err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	j.ckpt.SetMaxOpenConns(1)
	return nil
}

// checkpointEvery is how often the log is checkpointed into the database.
const checkpointEvery = time.Second

func (j *Journal) checkpointer() {
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-j.stopCkpt:
			return
		case <-t.C:
			// PASSIVE: copies what no reader still needs, never blocks the writer.
			_, _ = j.ckpt.Exec("PRAGMA wal_checkpoint(PASSIVE)")
		}
	}
}

// lockFile takes an exclusive lock on path, or says who holds it.
func lockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("journal: lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(path)
		f.Close()
		return nil, fmt.Errorf("journal is locked by another runner (%s): %s; stop it, or give this session another journal", strings.TrimSpace(string(holder)), path)
	}
	_ = f.Truncate(0)
	_, _ = fmt.Fprintf(f, "pid %d", os.Getpid())
	return f, nil
}

// Earlier returns the orders earlier sessions of this journal sent within
// the last since (by the time they were journaled), by client id: what a
// restarted session adopts when the venue reports them
// (engine.Config.Adopt).
func (j *Journal) Earlier(since time.Duration) (map[string]venue.Order, error) {
	rows, err := j.db.Query("SELECT body FROM records WHERE kind = ? AND session <> ? AND at >= ?", KindSubmit, j.session, j.now().Add(-since).UnixNano())
	if err != nil {
		return nil, fmt.Errorf("journal %s: %w", j.path, err)
	}
	defer rows.Close()
	out := map[string]venue.Order{}
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, fmt.Errorf("journal %s: %w", j.path, err)
		}
		var o venue.Order
		if err := json.Unmarshal([]byte(body), &o); err != nil || o.ClientID == "" {
			continue // not one this version can read: the venue's report still stands, in the house book
		}
		out[o.ClientID] = o
	}
	return out, rows.Err()
}

// Path is where the journal is.
func (j *Journal) Path() string { return j.path }

// Session is the session its records are written under.
func (j *Journal) Session() string { return j.session }

// Submit records an order before it is sent.
func (j *Journal) Submit(o venue.Order) error {
	return j.write(KindSubmit, o.ClientID, "", o)
}

// Cancel records a cancel before it is sent.
func (j *Journal) Cancel(clientID string) error {
	return j.write(KindCancel, clientID, "", map[string]string{"client_id": clientID})
}

// Modify records a modify before it is sent.
func (j *Journal) Modify(clientID string, m venue.Modify) error {
	return j.write(KindModify, clientID, "", m)
}

// write commits one record now.
func (j *Journal) write(kind, clientID, event string, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("journal: encode %s: %w", kind, err)
	}
	j.mu.Lock()
	closed := j.closed
	j.mu.Unlock()
	if closed {
		return errors.New("journal: closed")
	}
	if _, err := j.insert.Exec(j.session, j.now().UnixNano(), kind, clientID, event, body); err != nil {
		return fmt.Errorf("journal %s: write %s %s: %w", j.path, kind, clientID, err)
	}
	return nil
}

// Event queues a venue event (or keel's own refusal) for the writer. It
// does not block on the disk.
func (j *Journal) Event(ev venue.Event) {
	body, err := json.Marshal(ev)
	if err != nil {
		body = []byte(fmt.Sprintf(`{"error":%q}`, err.Error()))
	}
	r := record{at: j.now().UnixNano(), kind: KindEvent, clientID: ev.ClientID, event: ev.Kind.String(), body: body}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return // after Close: the venue's late events are not journaled
	}
	j.queue = append(j.queue, r)
	select {
	case j.kick <- struct{}{}:
	default:
	}
}

// writer commits queued events in batches.
func (j *Journal) writer() {
	defer close(j.done)
	var batch []record
	for {
		_, open := <-j.kick
		time.Sleep(j.every) // let a burst gather into one commit
		batch = j.flushQueue(batch)
		if !open {
			return
		}
	}
}

// flushQueue commits what is queued, in order with any other flush; it
// returns the batch's buffer for reuse.
func (j *Journal) flushQueue(batch []record) []record {
	j.wmu.Lock()
	defer j.wmu.Unlock()
	j.mu.Lock()
	batch, j.queue = j.queue, batch[:0]
	j.mu.Unlock()
	if len(batch) > 0 {
		if err := j.commit(batch); err != nil {
			j.mu.Lock()
			if j.err == nil {
				j.err = err
			}
			j.mu.Unlock()
		}
	}
	return batch
}

func (j *Journal) commit(batch []record) error {
	tx, err := j.db.Begin()
	if err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	st := tx.Stmt(j.insert)
	for _, r := range batch {
		if _, err := st.Exec(j.session, r.at, r.kind, r.clientID, r.event, r.body); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("journal %s: write event: %w", j.path, err)
		}
	}
	return tx.Commit()
}

// Err is the first error writing queued events, if any.
func (j *Journal) Err() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.err
}

// End records that the session ended cleanly. Close without End (a crash,
// a second signal) leaves the session unended, which is what a restart
// looks for.
func (j *Journal) End() error {
	j.flushQueue(nil)
	if err := j.Err(); err != nil {
		return err
	}
	return j.write(KindEnd, "", "", map[string]string{})
}

// Close flushes the queued events, checkpoints the log into the database
// (an fsync) and closes it.
func (j *Journal) Close() error {
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return nil
	}
	j.closed = true
	close(j.kick)
	j.mu.Unlock()
	<-j.done
	close(j.stopCkpt)
	<-j.ckptDone
	j.ckpt.Close()
	err := j.Err()
	if _, cerr := j.db.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); cerr != nil && err == nil {
		err = fmt.Errorf("journal %s: checkpoint: %w", j.path, cerr)
	}
	if cerr := j.db.Close(); cerr != nil && err == nil {
		err = cerr
	}
	j.lock.Close()
	return err
}
