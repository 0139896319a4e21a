package tradovate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// ConnState is where a connection stands.
type ConnState uint8

// Connection states, in the order a connection walks them.
const (
	StateDisconnected ConnState = iota // not connected; reconnecting after a backoff unless closed
	StateConnecting                    // dialing, waiting for the "o" frame
	StateAuthorizing                   // sending authorize, then the OnReady work (sync, subscriptions)
	StateConnected                     // authorized and ready: requests flow
	StateClosed                        // closed by Close, or stopped for good (a quota shutdown)
)

// stableAfter is how long a connection must stay up for the reconnect
// backoff to start over: a server that drops every socket right after the
// sync must not get a full syncrequest every 100ms.
const stableAfter = 10 * time.Second

var stateNames = [...]string{"Disconnected", "Connecting", "Authorizing", "Connected", "Closed"}

func (s ConnState) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "ConnState(" + strconv.Itoa(int(s)) + ")"
}

// ConnEvent is a state change, for the engine, logs and metrics.
type ConnEvent struct {
	Conn  string // the connection's name: "trading", "md", "replay"
	State ConnState
	Err   error // why it left Connected, when it did
	At    time.Time
	// Outage is how long the connection was down, on reaching Connected
	// after a drop (0 on the first connect).
	Outage time.Duration
}

// Errors of requests. A request that fails with ErrNotConnected was never
// sent. One that fails with an error wrapping ErrOutcomeUnknown was
// (or may have been) sent and its answer is lost — a timeout, or the
// socket dropped first: an order's outcome is then unknown and is resolved
// by reconciliation against the venue after the reconnect, never by
// sending it again.
var (
	ErrNotConnected   = errors.New("tradovate: not connected (request not sent)")
	ErrOutcomeUnknown = errors.New("tradovate: request sent, outcome unknown")
	ErrClosed         = errors.New("tradovate: connection closed")
)

// Permanent marks an error from Token or OnReady that reconnecting cannot
// fix (credentials refused, a replay that is not possible): the connection
// stops for good with it instead of retrying, which for logins would only
// earn a lockout.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// refusedCredentials reports whether err is Tradovate refusing the
// credentials themselves (errorText, 401, a captcha lockout), which no
// retry fixes; network trouble, server errors, 429s and timeouts are not.
func refusedCredentials(err error) bool {
	var ae *AuthError
	if !errors.As(err, &ae) {
		return false
	}
	var api *wire.APIError
	var st *wire.StatusError
	var pe *wire.PenaltyError
	switch {
	case errors.As(err, &api):
		return true
	case errors.As(err, &pe):
		return pe.Captcha
	case errors.As(err, &st):
		return st.Status == 401 || st.Status == 403
	}
	return false
}

// QuotaError is a shutdown for ConnectionQuotaReached or IPQuotaReached:
// another session of this user (or IP) took the connection. keel does not
// fight it by reconnecting.
type QuotaError struct{ Reason, Text string }

func (e *QuotaError) Error() string {
	return fmt.Sprintf("tradovate: the server closed the connection: %s %s — another session of this user or IP is connected (Tradovate allows two); close it, or reuse one token (TokenCache) instead of logging in again", e.Reason, e.Text)
}

// ConnOptions configure a Conn. Zero durations take the defaults.
type ConnOptions struct {
	Name string // for logs and events
	URL  string
	// Token returns the token to authorize with, on every (re)connect.
	Token func(ctx context.Context) (Secret, error)
	// Heartbeat is the client heartbeat ("[]") interval, independent of
	// traffic: 2.5s.
	Heartbeat time.Duration
	// DeadAfter drops a socket that has sent no frame at all (not even a
	// server heartbeat) for this long: 10s.
	DeadAfter time.Duration
	// RequestTimeout bounds each request's wait for its response: 10s.
	RequestTimeout time.Duration
	// ReconnectMin and ReconnectMax bound the jittered exponential
	// backoff between attempts: 100ms and 30s.
	ReconnectMin, ReconnectMax time.Duration
	// OnReady runs after every authorize, before the state is Connected:
	// the place to sync and subscribe again. An error drops the socket and
	// the connection retries.
	OnReady func(ctx context.Context, c *Conn) error
	// OnEvent gets every event ({e,d}: props, md, chart, clock, shutdown)
	// on the connection's read goroutine, in order, parsed (m) and raw
	// (the message's bytes, for decoders that read them directly). Both
	// alias a buffer reused for the next frame: copy what you keep.
	OnEvent func(m *wire.Message, raw []byte)
	// OnState gets every state change.
	OnState func(ConnEvent)
	// Refused is called when the server refuses the token at authorize
	// (expired, or its session evicted), before the retry: the place to
	// drop it so Token gets a new one.
	Refused func()
	Dialer  *websocket.Dialer
	Logger  *slog.Logger
}

// ConnStats counts what a connection did.
type ConnStats struct {
	Connects       int           // successful connects (the first and every reconnect)
	Drops          int           // connections lost after Connected
	Attempts       int           // dial attempts
	HeartbeatsSent int64         // client heartbeats
	Requests       int64         // requests sent
	Timeouts       int64         // requests whose answer never came
	LastOutage     time.Duration // drop → Connected, of the last reconnect
}

// Conn is one Tradovate websocket (trading, md or replay), kept
// connected: it frames requests, authorizes, sends heartbeats, detects a
// dead socket, correlates responses by request id with per-request
// timeouts, and reconnects with jittered exponential backoff, running
// OnReady each time. Requests in flight when the socket drops fail with
// ErrOutcomeUnknown; requests made while it is down fail at once with
// ErrNotConnected.
type Conn struct {
	opt ConnOptions
	log *slog.Logger

	mu       sync.Mutex
	ws       *websocket.Conn // nil while down
	usable   bool            // authorized: requests may be sent
	state    ConnState
	nextID   int64
	pending  map[int64]chan reply
	stats    ConnStats
	downAt   time.Time
	upAt     time.Time // when it last reached Connected
	fatal    error
	closed   bool
	stop     context.CancelFunc
	done     chan struct{}
	stateErr error

	wmu sync.Mutex // one writer at a time
}

type reply struct {
	status int
	data   []byte
}

// NewConn returns a connection; Start connects it.
func NewConn(opt ConnOptions) *Conn {
	d := func(p *time.Duration, v time.Duration) {
		if *p <= 0 {
			*p = v
		}
	}
	d(&opt.Heartbeat, 2500*time.Millisecond)
	d(&opt.DeadAfter, 10*time.Second)
	d(&opt.RequestTimeout, 10*time.Second)
	d(&opt.ReconnectMin, 100*time.Millisecond)
	d(&opt.ReconnectMax, 30*time.Second)
	if opt.Dialer == nil {
		opt.Dialer = &websocket.Dialer{HandshakeTimeout: 10 * time.Second}
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Name == "" {
		opt.Name = "tradovate"
	}
	return &Conn{opt: opt, log: opt.Logger.With("conn", opt.Name), pending: map[int64]chan reply{}}
}

// Start connects in the background and keeps the connection up until
// Close (or ctx ends). It returns at once; use WaitConnected to wait.
func (c *Conn) Start(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	c.mu.Lock()
	c.stop, c.done = cancel, make(chan struct{})
	c.mu.Unlock()
	go c.run(ctx)
}

// Close stops the connection and waits for its goroutines. Requests in
// flight fail.
func (c *Conn) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	stop, done, ws := c.stop, c.done, c.ws
	c.mu.Unlock()
	if ws != nil {
		c.wmu.Lock()
		_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bye"), time.Now().Add(time.Second))
		c.wmu.Unlock()
	}
	if stop != nil {
		stop()
		<-done
	}
	return nil
}

// State returns the current state and, in Disconnected or Closed, why.
func (c *Conn) State() (ConnState, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state, c.stateErr
}

// Stats returns counters.
func (c *Conn) Stats() ConnStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

// WaitConnected waits until the connection is Connected, it stops for
// good, or ctx ends.
func (c *Conn) WaitConnected(ctx context.Context) error {
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for {
		c.mu.Lock()
		st, fatal, closed := c.state, c.fatal, c.closed
		c.mu.Unlock()
		switch {
		case st == StateConnected:
			return nil
		case fatal != nil:
			return fatal
		case closed:
			return ErrClosed
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

func (c *Conn) connectedAt() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.upAt
}

func (c *Conn) setState(s ConnState, err error) {
	c.mu.Lock()
	if c.state == s && s != StateDisconnected {
		c.mu.Unlock()
		return
	}
	prev := c.state
	c.state, c.stateErr = s, err
	ev := ConnEvent{Conn: c.opt.Name, State: s, Err: err, At: time.Now()}
	switch {
	case s == StateConnected:
		c.stats.Connects++
		c.upAt = ev.At
		if !c.downAt.IsZero() {
			ev.Outage = ev.At.Sub(c.downAt)
			c.stats.LastOutage = ev.Outage
			c.downAt = time.Time{}
		}
	case prev == StateConnected:
		c.stats.Drops++
		c.downAt = ev.At
	}
	c.mu.Unlock()
	if s == StateConnected || prev == StateConnected || s == StateClosed {
		lvl := slog.LevelInfo
		if err != nil {
			lvl = slog.LevelWarn
		}
		c.log.Log(context.Background(), lvl, "connection "+s.String(), "url", c.opt.URL, "err", err, "outage", ev.Outage)
	}
	if c.opt.OnState != nil {
		c.opt.OnState(ev)
	}
}

func (c *Conn) run(ctx context.Context) {
	defer close(c.done)
	failures := 0
	for {
		connected, err := c.session(ctx)
		c.failPending()
		c.mu.Lock()
		var pe *permanentError
		if errors.As(err, &pe) && c.fatal == nil {
			c.fatal = pe.err
		}
		fatal := c.fatal
		c.mu.Unlock()
		if ctx.Err() != nil || fatal != nil {
			if fatal != nil {
				c.log.Error("connection stopped for good", "err", fatal)
			}
			c.setState(StateClosed, fatal)
			return
		}
		c.setState(StateDisconnected, err)
		if connected && time.Since(c.connectedAt()) > stableAfter {
			failures = 0 // it stayed up: the next drop starts the backoff over
		}
		delay := backoff(failures, c.opt.ReconnectMin, c.opt.ReconnectMax)
		failures++
		c.log.Debug("reconnecting", "in", delay, "err", err)
		select {
		case <-ctx.Done():
			c.setState(StateClosed, nil)
			return
		case <-time.After(delay):
		}
	}
}

// backoff is min·2^n, capped, with ±50% jitter so that many clients do not
// come back in step.
func backoff(n int, lo, hi time.Duration) time.Duration {
	d := lo << min(n, 20)
	if d > hi || d <= 0 {
		d = hi
	}
	return d/2 + time.Duration(rand.Int64N(int64(d)))
}

// session is one socket's life: dial, open, authorize, OnReady, then read
// until it fails. It reports whether it reached Connected.
func (c *Conn) session(ctx context.Context) (connected bool, err error) {
	c.setState(StateConnecting, nil)
	c.mu.Lock()
	c.stats.Attempts++
	c.mu.Unlock()
	ws, _, err := c.opt.Dialer.DialContext(ctx, c.opt.URL, nil)
	if err != nil {
		return false, &NetError{Op: "dial " + c.opt.Name, Err: err}
	}
	sctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		c.mu.Lock()
		c.ws, c.usable = nil, false
		c.mu.Unlock()
		ws.Close()
		wg.Wait()
	}()
	_ = ws.SetReadDeadline(time.Now().Add(c.opt.DeadAfter))
	_, first, err := ws.ReadMessage()
	if err != nil {
		return false, &NetError{Op: c.opt.Name + " open", Err: err}
	}
	if f, err := wire.ParseFrame(first); err != nil || f.Type != wire.FrameOpen {
		return false, fmt.Errorf("tradovate: %s: the server did not open the socket (first frame %q)", c.opt.Name, trim(first))
	}
	c.mu.Lock()
	c.ws = ws
	c.mu.Unlock()

	readErr := make(chan error, 1)
	wg.Add(2)
	go func() { defer wg.Done(); readErr <- c.read(ws) }()
	go func() { defer wg.Done(); c.heartbeat(sctx, ws) }()

	c.setState(StateAuthorizing, nil)
	if err := c.authorize(sctx); err != nil {
		return false, err
	}
	c.mu.Lock()
	c.usable = true
	c.mu.Unlock()
	if c.opt.OnReady != nil {
		if err := c.opt.OnReady(sctx, c); err != nil {
			return false, fmt.Errorf("tradovate: %s: after authorize: %w", c.opt.Name, err)
		}
	}
	c.setState(StateConnected, nil)
	select {
	case err := <-readErr:
		return true, err
	case <-ctx.Done():
		return true, ctx.Err()
	}
}

func (c *Conn) authorize(ctx context.Context) error {
	tok, err := c.opt.Token(ctx)
	if refusedCredentials(err) {
		return Permanent(err) // refused credentials do not improve by retrying
	}
	if err != nil {
		return err // the network, a 5xx, a 429, a cancelled wait: try again later
	}
	// The raw token as the body: what Tradovate documents (a JSON-quoted
	// token is accepted too, but raw is the reference form).
	status, data, err := c.roundTrip(ctx, "authorize", "", []byte(tok.Reveal()))
	if err != nil {
		return err
	}
	if status != 200 {
		if c.opt.Refused != nil {
			c.opt.Refused()
		}
		return &AuthError{Op: "authorize " + c.opt.Name, Err: &wire.StatusError{Status: status, Text: string(bytes.Trim(data, `"`))},
			Advice: "the token was refused: it expired, or the session was evicted by newer logins (two are allowed)"}
	}
	return nil
}

// heartbeat sends "[]" every Heartbeat, whatever the traffic: the server
// drops a client that stays silent, and does not send its own heartbeats
// while it streams.
func (c *Conn) heartbeat(ctx context.Context, ws *websocket.Conn) {
	t := time.NewTicker(c.opt.Heartbeat)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := c.write(ws, []byte("[]")); err != nil {
				return
			}
			c.mu.Lock()
			c.stats.HeartbeatsSent++
			c.mu.Unlock()
		}
	}
}

func (c *Conn) write(ws *websocket.Conn, b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return ws.WriteMessage(websocket.TextMessage, b)
}

// read reads frames until the socket fails, routing responses to their
// requests and events to OnEvent. The frame buffer is reused.
func (c *Conn) read(ws *websocket.Conn) error {
	buf := make([]byte, 0, 64<<10)
	for {
		_ = ws.SetReadDeadline(time.Now().Add(c.opt.DeadAfter))
		_, r, err := ws.NextReader()
		if err != nil {
			var ne interface{ Timeout() bool }
			if errors.As(err, &ne) && ne.Timeout() {
				return fmt.Errorf("tradovate: %s: no frame for %s: the socket is dead", c.opt.Name, c.opt.DeadAfter)
			}
			return &NetError{Op: c.opt.Name + " read", Err: err}
		}
		buf = buf[:0]
		for {
			if len(buf) == cap(buf) {
				buf = append(buf, 0)[:len(buf)]
			}
			n, err := r.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
			if err == io.EOF {
				break
			}
			if err != nil {
				return &NetError{Op: c.opt.Name + " read", Err: err}
			}
		}
		f, err := wire.ParseFrame(buf)
		if err != nil {
			c.log.Warn("malformed frame ignored", "err", err, "frame", trim(buf))
			continue
		}
		switch f.Type {
		case wire.FrameClose:
			return fmt.Errorf("tradovate: %s: the server closed the socket: %s", c.opt.Name, trim(buf))
		case wire.FrameArray:
			if c.dispatchFrame(f, buf) {
				return c.fatalErr()
			}
		}
	}
}

var errStop = errors.New("stop")

// dispatchFrame hands each message of an array frame on. A message that
// does not parse is logged and skipped: the rest of its frame (a fill,
// say) still counts. It reports whether a message stopped the connection
// (a shutdown).
func (c *Conn) dispatchFrame(f wire.Frame, raw []byte) (stop bool) {
	err := f.Messages(func(msg []byte) error {
		if err := c.dispatch(msg); err != nil {
			if errors.Is(err, errStop) {
				stop = true
				return err
			}
			c.log.Warn("malformed message ignored", "err", err, "message", trim(msg))
		}
		return nil
	})
	if err != nil && !stop {
		c.log.Warn("malformed frame ignored", "err", err, "frame", trim(raw))
	}
	return stop
}

func (c *Conn) fatalErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fatal != nil {
		return c.fatal
	}
	return errors.New("tradovate: shutdown")
}

func (c *Conn) dispatch(msg []byte) error {
	m, err := wire.ParseMessage(msg)
	if err != nil {
		return err
	}
	if !m.IsEvent() {
		if !m.HasID {
			return nil
		}
		c.mu.Lock()
		ch := c.pending[m.ID]
		delete(c.pending, m.ID)
		c.mu.Unlock()
		if ch != nil {
			ch <- reply{status: m.Status, data: bytes.Clone(m.Data)}
		}
		return nil
	}
	if m.Event == wire.EventShutdown {
		var sd wire.Shutdown
		_ = json.Unmarshal(m.Data, &sd)
		if c.opt.OnEvent != nil {
			c.opt.OnEvent(&m, msg)
		}
		switch sd.ReasonCode {
		case "ConnectionQuotaReached", "IPQuotaReached":
			c.mu.Lock()
			c.fatal = &QuotaError{Reason: sd.ReasonCode, Text: sd.Reason}
			c.mu.Unlock()
			return errStop
		default:
			c.log.Warn("server shutdown; reconnecting after a backoff", "reason", sd.ReasonCode, "text", sd.Reason)
			return fmt.Errorf("%w: shutdown %s", errStop, sd.ReasonCode)
		}
	}
	if c.opt.OnEvent != nil {
		c.opt.OnEvent(&m, msg)
	}
	return nil
}

// failPending fails every request waiting for an answer: the socket that
// would carry it is gone.
func (c *Conn) failPending() {
	c.mu.Lock()
	p := c.pending
	c.pending = map[int64]chan reply{}
	c.mu.Unlock()
	for _, ch := range p {
		close(ch)
	}
}

// Do sends a request and decodes its answer into out (nil to discard)
// through wire.Decode: a non-200 status is *wire.StatusError (401 as is,
// 429 as *RateLimitError), a 200 carrying a failure its typed error.
// body is marshalled as JSON (nil for none). See ErrNotConnected and
// ErrOutcomeUnknown for what failures mean.
func (c *Conn) Do(ctx context.Context, endpoint, query string, body, out any) error {
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return fmt.Errorf("tradovate: %s: %w", endpoint, err)
		}
	}
	status, data, err := c.roundTrip(ctx, endpoint, query, raw)
	if err != nil {
		return err
	}
	if status == 429 {
		return &RateLimitError{Op: endpoint}
	}
	if err := wire.Decode(status, data, out); err != nil {
		return fmt.Errorf("tradovate: %s: %w", endpoint, err)
	}
	return nil
}

// DoRaw is Do with the body already encoded as JSON.
func (c *Conn) DoRaw(ctx context.Context, endpoint, query string, body []byte, out any) error {
	status, data, err := c.roundTrip(ctx, endpoint, query, body)
	if err != nil {
		return err
	}
	if status == 429 {
		return &RateLimitError{Op: endpoint}
	}
	if err := wire.Decode(status, data, out); err != nil {
		return fmt.Errorf("tradovate: %s: %w", endpoint, err)
	}
	return nil
}

func (c *Conn) roundTrip(ctx context.Context, endpoint, query string, body []byte) (int, []byte, error) {
	c.mu.Lock()
	ws := c.ws
	if ws == nil || (!c.usable && endpoint != "authorize") {
		c.mu.Unlock()
		return 0, nil, ErrNotConnected
	}
	c.nextID++
	id := c.nextID
	ch := make(chan reply, 1)
	c.pending[id] = ch
	c.stats.Requests++
	c.mu.Unlock()

	frame := make([]byte, 0, len(endpoint)+len(query)+len(body)+24)
	frame = append(frame, endpoint...)
	frame = append(frame, '\n')
	frame = strconv.AppendInt(frame, id, 10)
	frame = append(frame, '\n')
	frame = append(frame, query...)
	frame = append(frame, '\n')
	frame = append(frame, body...)
	if err := c.write(ws, frame); err != nil {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
		// A failed write may still have left the process.
		return 0, nil, fmt.Errorf("%w: %s: write: %v", ErrOutcomeUnknown, endpoint, err)
	}
	t := time.NewTimer(c.opt.RequestTimeout)
	defer t.Stop()
	select {
	case r, ok := <-ch:
		if !ok {
			return 0, nil, fmt.Errorf("%w: %s: the connection dropped before the answer", ErrOutcomeUnknown, endpoint)
		}
		return r.status, r.data, nil
	case <-t.C:
		c.mu.Lock()
		delete(c.pending, id)
		c.stats.Timeouts++
		c.mu.Unlock()
		return 0, nil, fmt.Errorf("%w: %s: no answer in %s", ErrOutcomeUnknown, endpoint, c.opt.RequestTimeout)
	case <-ctx.Done():
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
		return 0, nil, fmt.Errorf("%w: %s: %v", ErrOutcomeUnknown, endpoint, ctx.Err())
	}
}

func trim(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}
