package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// Close codes the sandbox uses in c[code,"reason"] frames (and the
// websocket close that follows).
const (
	CloseBye           = 1000 // the client spoke something other than the request protocol
	CloseGoingAway     = 1001 // server shutting down
	CloseUnsupported   = 1003 // binary frame
	CloseTooBig        = 1009 // frame larger than Config.MaxFrameBytes
	ClosePolicy        = 3000 // Tradovate's "Go away!": timeouts, session eviction, slow consumer
	closeAbort         = -1   // peer gone: no frames, just drop
	maxCloseReasonSize = 123
)

var upgrader = websocket.Upgrader{
	ReadBufferSize:  4096,
	WriteBufferSize: 4096,
	// serveHTTP has refused foreign origins already (guard.go); this
	// keeps the upgrader from ever accepting one.
	CheckOrigin: func(r *http.Request) bool { return !crossOrigin(r) },
}

// Conn is one websocket client of the sandbox. Its methods are safe for
// concurrent use.
type Conn struct {
	srv *Server
	svc Service
	env *Env
	ws  *websocket.Conn

	qmu       sync.Mutex
	queue     [][]byte      // complete frames waiting for the writer
	spare     [][]byte      // the writer's last batch, reused
	wake      chan struct{} // a frame was queued (capacity 1)
	closing   chan struct{} // closed by the first close request
	closeOnce sync.Once
	closeCode int
	closeText string
	done      chan struct{} // closed when the writer has stopped

	ctx    context.Context
	cancel context.CancelFunc
	tasks  sync.WaitGroup

	mu      sync.Mutex
	session *Session
	noTasks bool // set before the close waits for tasks

	framesOut atomic.Int64
}

// serveWebSocket upgrades the request and runs the socket until it closes.
// The net/http handler goroutine becomes the socket's reader; a second
// goroutine writes.
func (s *Server) serveWebSocket(w http.ResponseWriter, r *http.Request, svc Service) {
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	ctx, cancel := context.WithCancel(s.ctx)
	c := &Conn{
		srv: s, svc: svc, env: s.envs[svc], ws: ws,
		wake:    make(chan struct{}, 1),
		closing: make(chan struct{}),
		done:    make(chan struct{}),
		ctx:     ctx, cancel: cancel,
	}
	if !s.addConn(c) {
		cancel()
		_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(CloseGoingAway, "Server shutting down"), time.Now().Add(time.Second))
		_ = ws.Close()
		return
	}
	defer s.removeConn(c)
	logged := s.log.Enabled(context.Background(), slog.LevelInfo)
	if logged {
		s.log.Info("sandbox: socket open", "service", svc, "conn", c.ID(), "remote", r.RemoteAddr)
	}
	go c.writeLoop()
	c.readLoop()
	c.closeWith(closeAbort, "")
	<-c.done
	if logged {
		attrs := []any{"service", svc, "conn", c.ID()}
		if sess := c.Session(); sess != nil {
			attrs = append(attrs, "user", sess.UserName(), "session", sess.ID())
		}
		if c.closeCode == closeAbort {
			attrs = append(attrs, "code", "none (dropped or gone)")
		} else {
			attrs = append(attrs, "code", c.closeCode, "reason", c.closeText)
		}
		s.log.Info("sandbox: socket closed", attrs...)
	}
	c.cancel()
	c.mu.Lock()
	c.noTasks = true
	c.mu.Unlock()
	c.tasks.Wait()
	if c.env != nil {
		c.env.unsubscribe(c)
	}
	if sess := c.Session(); sess != nil {
		s.auth.detach(sess, c)
	}
}

// Service returns the service the socket belongs to.
func (c *Conn) Service() Service { return c.svc }

// Env returns the socket's trading environment (nil on md).
func (c *Conn) Env() *Env { return c.env }

// Session returns the socket's session once authorized, else nil.
func (c *Conn) Session() *Session {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.session
}

// Context is cancelled when the socket closes; goroutines serving the
// socket (Go) watch it.
func (c *Conn) Context() context.Context { return c.ctx }

// Go runs fn in a goroutine owned by the socket: the socket's close waits
// for it, so it must return soon after ctx is done.
func (c *Conn) Go(fn func(ctx context.Context)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.noTasks {
		return
	}
	c.tasks.Add(1)
	go func() {
		defer c.tasks.Done()
		fn(c.ctx)
	}()
}

// Send queues a complete frame ("a[...]"). It never blocks: a client too
// slow to keep Config.SendQueue frames moving is dropped. It returns false
// when the frame was not queued.
func (c *Conn) Send(frame []byte) bool {
	if c.srv.faults.intercepts() {
		return c.srv.faults.send(c, frame) // message faults (fault_send.go)
	}
	return c.enqueue(frame)
}

// enqueue is Send without fault injection.
func (c *Conn) enqueue(frame []byte) bool {
	select {
	case <-c.closing:
		return false
	default:
	}
	c.qmu.Lock()
	if len(c.queue) >= c.srv.cfg.SendQueue {
		c.qmu.Unlock()
		c.Close(ClosePolicy, "Slow consumer")
		return false
	}
	c.queue = append(c.queue, frame)
	c.qmu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
	return true
}

// take returns the queued frames; the writer hands the slice back with
// release once written.
func (c *Conn) take() [][]byte {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	batch := c.queue
	c.queue, c.spare = c.spare[:0], nil
	return batch
}

func (c *Conn) release(batch [][]byte) {
	clear(batch)
	c.qmu.Lock()
	if c.spare == nil && cap(batch) <= 1024 {
		c.spare = batch[:0]
	}
	c.qmu.Unlock()
}

// writeQueued writes every queued frame; false when the socket failed.
func (c *Conn) writeQueued() bool {
	batch := c.take()
	defer c.release(batch)
	for _, f := range batch {
		if !c.write(f) {
			return false
		}
	}
	return true
}

// SendEvent queues one {e,d} event in its own frame.
func (c *Conn) SendEvent(name string, data any) error {
	b, err := wire.Marshal(data)
	if err != nil {
		return err
	}
	c.Send(wire.AppendArrayFrame(nil, wire.AppendEvent(nil, name, b)))
	return nil
}

// Close sends c[code,"reason"] after the frames already queued and closes
// the socket. Only the first close counts.
func (c *Conn) Close(code int, reason string) { c.closeWith(code, reason) }

// Shutdown sends a shutdown event {reasonCode, reason} and closes the
// socket with ClosePolicy, as Tradovate does before a graceful close.
func (c *Conn) Shutdown(reasonCode, reason string) {
	_ = c.SendEvent(wire.EventShutdown, wire.Shutdown{ReasonCode: reasonCode, Reason: reason})
	text := reasonCode
	if reason != "" {
		text = reason
	}
	c.Close(ClosePolicy, text)
}

func (c *Conn) closeWith(code int, reason string) {
	c.closeOnce.Do(func() {
		if len(reason) > maxCloseReasonSize {
			reason = reason[:maxCloseReasonSize]
		}
		c.closeCode, c.closeText = code, reason
		close(c.closing)
	})
}

// writeLoop owns every write: queued frames, "h" after HeartbeatInterval
// of silence, the authorize deadline, and the closing sequence.
func (c *Conn) writeLoop() {
	defer close(c.done)
	defer c.ws.Close()
	cfg := &c.srv.cfg
	if !c.write(wire.OpenFrame) {
		c.closeWith(closeAbort, "")
		return
	}
	hb := time.NewTimer(cfg.HeartbeatInterval)
	defer hb.Stop()
	auth := time.NewTimer(cfg.AuthorizeTimeout)
	defer auth.Stop()
	for {
		select {
		case <-c.wake:
			if !c.writeQueued() {
				c.closeWith(closeAbort, "")
				continue
			}
			hb.Reset(cfg.HeartbeatInterval)
		case <-hb.C:
			if c.srv.faults.heartbeatsStopped(c) { // FaultStopHeartbeats
				hb.Reset(cfg.HeartbeatInterval)
				continue
			}
			if !c.write(wire.HeartbeatFrame) {
				c.closeWith(closeAbort, "")
				continue
			}
			hb.Reset(cfg.HeartbeatInterval)
		case <-auth.C:
			if c.Session() == nil {
				c.closeWith(ClosePolicy, "Authorization timeout: send authorize first")
			}
		case <-c.ctx.Done():
			c.closeWith(CloseGoingAway, "Server shutting down")
			c.finish()
			return
		case <-c.closing:
			c.finish()
			return
		}
	}
}

// finish writes what was queued before the close request, then the close
// frame and the websocket close.
func (c *Conn) finish() {
	if c.closeCode == closeAbort || !c.writeQueued() {
		return
	}
	if !c.write(wire.AppendCloseFrame(nil, c.closeCode, c.closeText)) {
		return
	}
	code := c.closeCode
	if code < 1000 || code > 4999 {
		code = CloseGoingAway
	}
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, c.closeText), time.Now().Add(c.srv.cfg.WriteTimeout))
}

func (c *Conn) write(frame []byte) bool {
	_ = c.ws.SetWriteDeadline(time.Now().Add(c.srv.cfg.WriteTimeout))
	if err := c.ws.WriteMessage(websocket.TextMessage, frame); err != nil {
		return false
	}
	c.framesOut.Add(1)
	return true
}

// readLoop reads client frames until the socket fails or closes, and
// serves each in order.
func (c *Conn) readLoop() {
	cfg := &c.srv.cfg
	buf := make([]byte, 0, 512)
	for {
		_ = c.ws.SetReadDeadline(time.Now().Add(cfg.ClientTimeout))
		typ, r, err := c.ws.NextReader()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				c.closeWith(ClosePolicy, "Heartbeat timeout: the client sent nothing, send [] every 2.5 s")
			}
			return
		}
		buf = buf[:0]
		lr := io.LimitReader(r, int64(cfg.MaxFrameBytes)+1)
		for {
			if len(buf) == cap(buf) {
				buf = append(buf, 0)[:len(buf)]
			}
			n, err := lr.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
			if err == io.EOF {
				break
			}
			if err != nil {
				return
			}
		}
		if len(buf) > cfg.MaxFrameBytes {
			c.closeWith(CloseTooBig, "Message too big")
			return
		}
		if typ != websocket.TextMessage {
			c.closeWith(CloseUnsupported, "Binary frames are not supported: send text requests")
			return
		}
		select {
		case <-c.closing:
			return
		default:
		}
		c.handle(buf)
		if cap(buf) > 64<<10 {
			buf = make([]byte, 0, 512)
		}
	}
}

// handle serves one client frame.
func (c *Conn) handle(frame []byte) {
	if wire.IsHeartbeat(frame) {
		return
	}
	if bytes.IndexByte(frame, '\n') < 0 {
		// Not the request protocol at all (e.g. {"action":"login"}).
		c.Close(CloseBye, "Bye")
		return
	}
	req, err := wire.ParseRequest(frame)
	if err != nil {
		var re *wire.RequestError
		text := "Bad request"
		if errors.As(err, &re) {
			text = "Bad request: " + re.Reason
		}
		// Without an integer id there is no "i" to answer with.
		msg := wire.AppendString([]byte(`{"s":400,"d":`), text)
		c.Send(wire.AppendArrayFrame(nil, append(msg, '}')))
		c.logRequest(&Call{Service: c.svc, status: 400})
		return
	}
	// Copy the body: buf is reused for the next frame, and handlers may
	// keep what they are given.
	if req.Body != nil {
		req.Body = bytes.Clone(req.Body)
	}
	call := &Call{Server: c.srv, Service: c.svc, Env: c.env, Conn: c, Request: req, Key: req.Key()}
	c.serve(call)
	c.logRequest(call)
}

// serve answers one parsed request.
func (c *Conn) serve(call *Call) {
	if call.Key == "authorize" {
		c.authorize(call)
		return
	}
	sess := c.Session()
	if sess == nil {
		call.Fail(401, textAccessDenied)
		return
	}
	call.Session = sess
	route, ok := c.srv.routes.get(c.svc, call.Key)
	if !ok {
		if needsMarketData(call.Key) && !sess.user.cfg.HasMarketData {
			call.Fail(401, textAccessDenied)
			return
		}
		call.Fail(404, "Not found: "+call.Request.Endpoint)
		return
	}
	c.srv.dispatch(call, route)
}

// logRequest logs a request at debug level: the endpoint, the id and the
// status, never the body (which holds tokens and passwords).
func (c *Conn) logRequest(call *Call) {
	log := c.srv.log
	if !log.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	log.Debug("sandbox: request", "service", c.svc, "conn", c.ID(), "endpoint", call.Request.Endpoint, "id", call.Request.ID, "status", call.status)
}

// authorize serves "authorize\n<id>\n\n<token>". Trading sockets take the
// accessToken; md and replay sockets take it or the mdAccessToken.
func (c *Conn) authorize(call *Call) {
	token := authorizeToken(call.Request.Body)
	if token == "" {
		call.Fail(401, textInvalidToken)
		return
	}
	sess, text := c.srv.auth.session(token, c.svc)
	if sess == nil {
		call.Fail(401, text)
		return
	}
	c.mu.Lock()
	prev := c.session
	if prev == nil {
		c.session = sess
	}
	c.mu.Unlock()
	if prev != nil && prev != sess {
		call.Fail(400, "Already authorized: authorize once per connection")
		return
	}
	if prev == nil && !c.srv.auth.attach(sess, c) {
		c.mu.Lock()
		c.session = nil
		c.mu.Unlock()
		call.Fail(401, textEvicted)
		return
	}
	call.Reply(200, nil)
}

// authorizeToken returns the token of an authorize body: the raw token
// (the documented form) or the token as a JSON string, which Tradovate's
// own JS tutorial (JSON.stringify(token)) and a public Go client send and
// Tradovate accepts (reference §3.4). A quote that does not decode is no
// token.
func authorizeToken(body []byte) string {
	b := bytes.TrimSpace(body)
	if len(b) == 0 || b[0] != '"' {
		return string(b)
	}
	var tok string
	if json.Unmarshal(b, &tok) != nil {
		return ""
	}
	return strings.TrimSpace(tok)
}
