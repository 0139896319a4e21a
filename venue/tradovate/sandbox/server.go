package sandbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keeltrade/keel/venue"
)

// MarketDataSource produces market data for the server: Run feeds ticks
// until ctx ends (or the data does) and returns. The md helper plugs data
// files and replay in here.
type MarketDataSource interface {
	Run(ctx context.Context, feed func(venue.Tick)) error
}

// Server is a local Tradovate: REST and websockets for the demo, live,
// market-data and replay services on one loopback listener, backed by
// venue/sim. Create it with New (or Start in tests), serve with Start or
// ListenAndServe, stop with Close.
type Server struct {
	cfg   Config
	log   *slog.Logger
	clock Clock

	routes routeTable
	mwMu   sync.RWMutex
	mw     []Middleware

	lib    *library
	envs   map[Service]*Env
	auth   *authState
	faults *faultSet // fault injection and scenarios (fault_set.go)

	md      *market      // the feed's market data (md.go)
	replays *replayHub   // market replay sessions (replay.go)
	synth   *synthesizer // made-up markets, or nil (md_synthesize.go)

	tickMu   sync.RWMutex
	tickSubs map[int]func(venue.Tick)
	tickNext int

	mu       sync.Mutex // guards ln, http, conns, closed, started
	ln       net.Listener
	http     *http.Server
	base     string
	conns    map[*Conn]struct{}
	closed   bool
	started  bool
	serveErr chan error
	mdErr    chan error // the market data source's failure (MarketDataErr)

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // serve loop, sockets, market data
	client *http.Client
}

// New validates cfg (zero fields take DefaultConfig's values) and builds a
// server. It does not listen yet: call Start or ListenAndServe.
func New(cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		cfg:      cfg,
		log:      cfg.Logger,
		clock:    cfg.Clock,
		lib:      newLibrary(),
		tickSubs: map[int]func(venue.Tick){},
		conns:    map[*Conn]struct{}{},
		ctx:      ctx,
		cancel:   cancel,
		serveErr: make(chan error, 1),
		mdErr:    make(chan error, 1),
	}
	s.auth = newAuthState(s)
	s.faults = newFaultSet(s)
	s.envs = map[Service]*Env{}
	for _, svc := range []Service{Demo, Live, Replay} {
		e, err := newEnv(s, svc)
		if err != nil {
			cancel()
			return nil, err
		}
		s.envs[svc] = e
	}
	s.registerBuiltins()
	return s, nil
}

// Start is the test constructor: it starts a server with DefaultConfig
// changed by opts, fails t if that does not work, and closes the server
// when the test ends.
//
// A server started with Start accepts orders at all hours (IgnoreSessions),
// so a test on the wall clock passes on a weekend or a holiday as it does
// on a Wednesday. A test of the CME session checks asks for them with
// WithSessions, preferably on a ManualClock.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	cfg := DefaultConfig()
	cfg.IgnoreSessions = true
	for _, o := range opts {
		o(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	if err := s.Start(); err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// Listen binds the listener, after which every URL is known. Start and
// ListenAndServe call it.
func (s *Server) Listen() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("sandbox: listen: server is closed")
	}
	if s.ln != nil {
		return nil
	}
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("sandbox: listen on %s: %w", s.cfg.Addr, err)
	}
	s.ln = ln
	s.base = "http://" + ln.Addr().String()
	s.http = &http.Server{
		Handler:           s.logHTTP(s.serveHTTP),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	s.client = &http.Client{Transport: &http.Transport{Proxy: nil, DisableCompression: true}, Timeout: 30 * time.Second}
	return nil
}

// Start listens and serves in the background until Close.
func (s *Server) Start() error {
	if err := s.Listen(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return errors.New("sandbox: start: already serving")
	}
	s.started = true
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		err := s.http.Serve(s.ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.serveErr <- err
	}()
	if src := s.cfg.MarketData; src != nil {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if err := src.Run(s.ctx, s.Feed); err != nil && !errors.Is(err, context.Canceled) {
				s.log.Error("sandbox: market data source stopped", "err", err)
				s.mdErr <- err
			}
		}()
	}
	s.log.Info("sandbox: serving", "url", s.base)
	return nil
}

// MarketDataErr returns a channel that receives the error
// Config.MarketData stopped with (a bad row in a data file: "sandbox:
// feed: es.csv:42: …"), if it stops with one; the server serves on
// without new data. runner sim exits with it.
func (s *Server) MarketDataErr() <-chan error { return s.mdErr }

// ListenAndServe listens, serves, and blocks until Close; it returns nil
// after Close and the serve error otherwise.
func (s *Server) ListenAndServe() error {
	if err := s.Start(); err != nil {
		return err
	}
	return <-s.serveErr
}

// Close stops the server: every socket gets c[1001,"Server shutting
// down"], in-flight REST calls finish, the market data source is
// stopped, and Close returns once no goroutine of the server is left.
// It is idempotent.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	conns := make([]*Conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	hs, started := s.http, s.started
	s.mu.Unlock()

	s.cancel()
	for _, c := range conns {
		c.Close(1001, "Server shutting down")
	}
	var err error
	if hs != nil {
		if started {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			err = hs.Shutdown(ctx)
			cancel()
			if err != nil {
				_ = hs.Close()
			}
		} else {
			_ = s.ln.Close()
		}
	}
	s.wg.Wait()
	for _, e := range s.envs {
		e.close()
	}
	if s.client != nil {
		s.client.CloseIdleConnections()
	}
	return err
}

// addConn registers a socket; false once the server is closing.
func (s *Server) addConn(c *Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	return true
}

func (s *Server) removeConn(c *Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	s.wg.Done()
}

// Conns returns the open sockets.
func (s *Server) Conns() []*Conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Conn, 0, len(s.conns))
	for c := range s.conns {
		out = append(out, c)
	}
	return out
}

// Client returns an HTTP client for the server whose idle connections are
// closed with the server.
func (s *Server) Client() *http.Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.client
}

// Env returns the trading environment of svc (Demo, Live or Replay), or nil.
func (s *Server) Env(svc Service) *Env { return s.envs[svc] }

// Config returns the server's configuration, defaults filled in.
func (s *Server) Config() Config { return s.cfg }

// Clock returns the server clock.
func (s *Server) Clock() Clock { return s.clock }

// URL returns the server's root URL, "http://127.0.0.1:port".
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.base
}

// RESTURL returns the REST base of svc, e.g. "http://127.0.0.1:port/demo/v1"
// (Tradovate's https://demo.tradovateapi.com/v1).
func (s *Server) RESTURL(svc Service) string { return s.URL() + "/" + string(svc) + "/v1" }

// WebSocketURL returns svc's websocket URL, built by Tradovate's rule:
// the REST base with http→ws and "/websocket" appended.
func (s *Server) WebSocketURL(svc Service) string {
	return "ws" + strings.TrimPrefix(s.RESTURL(svc), "http") + "/websocket"
}

// AdminURL returns the base of the admin endpoints (device approval,
// feeding ticks), "http://127.0.0.1:port/admin".
func (s *Server) AdminURL() string { return s.URL() + "/admin" }

// Credentials returns the ready-made credentials of the first configured
// user, whose device is approved.
func (s *Server) Credentials() Credentials {
	u := s.cfg.Users[0]
	return Credentials{
		Name: u.Name, Password: u.Password, AppID: u.AppID, AppVersion: "1.0",
		CID: u.CID, Sec: u.Sec, DeviceID: u.DeviceID,
	}
}

// Feed shows a tick to the demo and live environments: their matching
// engines fill and trigger orders on it, and tick subscribers (OnTick) see
// it afterwards. The tick's Contract is a sandbox contract id (ContractID).
// Safe for concurrent use.
func (s *Server) Feed(t venue.Tick) {
	s.envs[Demo].Feed(t)
	s.envs[Live].Feed(t)
	s.notifyTick(t)
}

// OnTick registers fn to be called with every tick given to Feed, after
// matching; it must not block. The returned function unregisters it.
func (s *Server) OnTick(fn func(venue.Tick)) (cancel func()) {
	s.tickMu.Lock()
	id := s.tickNext
	s.tickNext++
	s.tickSubs[id] = fn
	s.tickMu.Unlock()
	return func() {
		s.tickMu.Lock()
		delete(s.tickSubs, id)
		s.tickMu.Unlock()
	}
}

func (s *Server) notifyTick(t venue.Tick) {
	s.tickMu.RLock()
	defer s.tickMu.RUnlock()
	for _, fn := range s.tickSubs {
		fn(t)
	}
}

// ContractID returns the sandbox contract id of a Tradovate contract name
// ("ESM6"), resolved at the server clock's time.
func (s *Server) ContractID(symbol string) (venue.ContractID, error) {
	c, ok := s.lib.contractByName(symbol, s.clock.Now())
	if !ok {
		return 0, fmt.Errorf("sandbox: unknown contract %q: want a listed CME contract like ESM6", symbol)
	}
	return venue.ContractID(c.ID), nil
}

// Instrument returns the instrument of a contract name, with its sandbox id.
func (s *Server) Instrument(symbol string) (venue.Instrument, error) {
	id, err := s.ContractID(symbol)
	if err != nil {
		return venue.Instrument{}, err
	}
	in, ok := s.lib.ByID(id)
	if !ok {
		return venue.Instrument{}, fmt.Errorf("sandbox: contract %q has no instrument", symbol)
	}
	return in, nil
}
