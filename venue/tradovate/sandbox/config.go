package sandbox

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/shopspring/decimal"

	"github.com/keeltrade/keel/venue/sim"
)

// Config configures a Server. DefaultConfig returns one with every field
// set; New fills zero fields with the same defaults.
type Config struct {
	// Addr is the loopback address to listen on; default "127.0.0.1:0"
	// (a free port). Non-loopback hosts are refused.
	Addr string
	// Users are the accounts the server knows; default one user,
	// DefaultUser().
	Users []UserConfig

	// Demo, Live and Replay are the rules each environment enforces; nil
	// means DemoRules() for demo and replay and LiveRules() for live.
	Demo, Live, Replay *Rules

	// TokenLifetime is how long an access token works; default 90 minutes.
	TokenLifetime time.Duration
	// MaxSessions is how many sessions (successful logins) a user may hold;
	// the next login evicts the oldest. Default 2; negative means no cap.
	MaxSessions int
	// Penalty configures time penalties on auth/accesstokenrequest.
	Penalty PenaltyConfig

	// HeartbeatInterval is how long a socket may stay silent before the
	// server sends "h"; default 2.5 s.
	HeartbeatInterval time.Duration
	// ClientTimeout drops a socket whose client sent nothing (not even a
	// "[]" heartbeat) for this long; default 15 s.
	ClientTimeout time.Duration
	// AuthorizeTimeout drops a socket that has not authorized this long
	// after opening; default 10 s.
	AuthorizeTimeout time.Duration
	// WriteTimeout bounds each frame write; default 5 s.
	WriteTimeout time.Duration
	// MaxFrameBytes is the largest client frame or REST body accepted;
	// larger ones close the socket with c[1009,...] (413 over REST).
	// Default 1 MiB.
	MaxFrameBytes int
	// SendQueue is how many frames may wait for a slow client before it is
	// dropped; default 4096.
	SendQueue int

	// InitialBalance is each account's starting cash; default 50000.
	InitialBalance decimal.Decimal
	// Fees are charged per contract per side on every fill.
	Fees sim.FeeSchedule
	// IgnoreSessions accepts orders while the CME session is closed. By
	// default an order outside its contract's Globex session is rejected
	// with rejectReason SessionClosed (times outside the calendar's range
	// count as open).
	IgnoreSessions bool
	// DeferMatching leaves a new order for the next fed tick. By default
	// the server shows the matching engine the latest quote (or trade)
	// again right after an order arrives, so a market order fills at once
	// the way it would against a standing book.
	DeferMatching bool

	// Clock is the server's time for tokens, sessions, timestamps and the
	// CME calendar; default the wall clock. Each environment can be given
	// its own (Env.SetClock), e.g. replay time.
	Clock Clock
	// MarketData, when set, is run for the server's lifetime and feeds
	// ticks with Server.Feed.
	MarketData MarketDataSource
	// Market configures market data history, DOM depth and market replay
	// (see MarketConfig); zero fields take DefaultMarketConfig's values.
	Market MarketConfig
	// Logger receives structured logs; default discards. Tokens, passwords
	// and secrets are never logged.
	Logger *slog.Logger
}

// Rules are the checks an environment enforces. Live is strict, demo and
// replay lenient, as on Tradovate.
type Rules struct {
	// RequireApprovedDevice makes order endpoints answer 401 "Access is
	// denied" for a session whose deviceId is not approved (see
	// Server.ApproveDevice); logging in and reading still work.
	RequireApprovedDevice bool
	// EnforcePermissions applies each user's API-key permission domains
	// (UserConfig.Permissions); a denied domain answers 401.
	EnforcePermissions bool
	// EnforceTerms blocks order entry for users with OutdatedTaC or
	// OutdatedLiquidationPolicy until they accept them.
	EnforceTerms bool
	// RateLimit answers 429 beyond these request counts per user.
	RateLimit RateLimit
}

// RateLimit caps authenticated requests per user; zero fields are unlimited.
type RateLimit struct {
	PerSecond, PerMinute, PerHour int
}

// PenaltyConfig configures time penalties ("p-ticket") on
// auth/accesstokenrequest.
type PenaltyConfig struct {
	// FailedLogins is how many failed logins in a row lock a user out with
	// a captcha penalty; default 3; negative disables.
	FailedLogins int
	// Lockout is how long that lock lasts; default one hour.
	Lockout time.Duration
	// Burst is how many token requests per BurstWindow (for one user name)
	// pass before the next gets a penalty ticket without captcha; default
	// 10; negative disables.
	Burst       int
	BurstWindow time.Duration // default one minute
	// Wait is the p-time of a burst penalty: a retry carrying the ticket is
	// honoured once it has passed; default 5 s.
	Wait time.Duration
}

// DemoRules are the lenient rules of the demo (simulation) environment.
func DemoRules() Rules { return Rules{} }

// LiveRules are the rules of the live environment: approved devices, API
// key permissions and current terms required, and Tradovate's
// authenticated user-level limits.
func LiveRules() Rules {
	return Rules{
		RequireApprovedDevice: true,
		EnforcePermissions:    true,
		EnforceTerms:          true,
		RateLimit:             RateLimit{PerSecond: 5000, PerMinute: 5000, PerHour: 5000},
	}
}

// DefaultConfig returns the configuration New uses for zero fields.
func DefaultConfig() Config {
	return Config{
		Addr:              "127.0.0.1:0",
		Users:             []UserConfig{DefaultUser()},
		Demo:              ptr(DemoRules()),
		Live:              ptr(LiveRules()),
		Replay:            ptr(DemoRules()),
		TokenLifetime:     90 * time.Minute,
		MaxSessions:       2,
		Penalty:           PenaltyConfig{FailedLogins: 3, Lockout: time.Hour, Burst: 10, BurstWindow: time.Minute, Wait: 5 * time.Second},
		HeartbeatInterval: 2500 * time.Millisecond,
		ClientTimeout:     15 * time.Second,
		AuthorizeTimeout:  10 * time.Second,
		WriteTimeout:      5 * time.Second,
		MaxFrameBytes:     1 << 20,
		SendQueue:         4096,
		InitialBalance:    decimal.NewFromInt(50000),
		Clock:             WallClock(),
		Market:            DefaultMarketConfig(),
	}
}

func ptr[T any](v T) *T { return &v }

// withDefaults fills zero fields with DefaultConfig's.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Addr == "" {
		c.Addr = d.Addr
	}
	if len(c.Users) == 0 {
		c.Users = d.Users
	}
	if c.Demo == nil {
		c.Demo = d.Demo
	}
	if c.Live == nil {
		c.Live = d.Live
	}
	if c.Replay == nil {
		c.Replay = d.Replay
	}
	if c.TokenLifetime == 0 {
		c.TokenLifetime = d.TokenLifetime
	}
	if c.MaxSessions == 0 {
		c.MaxSessions = d.MaxSessions
	}
	p := &c.Penalty
	if p.FailedLogins == 0 {
		p.FailedLogins = d.Penalty.FailedLogins
	}
	if p.Lockout == 0 {
		p.Lockout = d.Penalty.Lockout
	}
	if p.Burst == 0 {
		p.Burst = d.Penalty.Burst
	}
	if p.BurstWindow == 0 {
		p.BurstWindow = d.Penalty.BurstWindow
	}
	if p.Wait == 0 {
		p.Wait = d.Penalty.Wait
	}
	if c.HeartbeatInterval == 0 {
		c.HeartbeatInterval = d.HeartbeatInterval
	}
	if c.ClientTimeout == 0 {
		c.ClientTimeout = d.ClientTimeout
	}
	if c.AuthorizeTimeout == 0 {
		c.AuthorizeTimeout = d.AuthorizeTimeout
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = d.WriteTimeout
	}
	if c.MaxFrameBytes == 0 {
		c.MaxFrameBytes = d.MaxFrameBytes
	}
	if c.SendQueue == 0 {
		c.SendQueue = d.SendQueue
	}
	if c.InitialBalance.IsZero() {
		c.InitialBalance = d.InitialBalance
	}
	if c.Clock == nil {
		c.Clock = d.Clock
	}
	c.Market = c.Market.withDefaults()
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	for i := range c.Users {
		c.Users[i] = c.Users[i].withDefaults(i)
	}
	return c
}

// validate reports every invalid field by name.
func (c *Config) validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("sandbox: "+format, args...)) }
	host, _, err := net.SplitHostPort(c.Addr)
	switch {
	case err != nil:
		bad("Config.Addr %q: %v", c.Addr, err)
	case host != "localhost" && !isLoopback(host):
		bad("Config.Addr %q: the sandbox only listens on loopback (127.0.0.1, ::1, localhost)", c.Addr)
	}
	positive := []struct {
		name string
		d    time.Duration
	}{
		{"TokenLifetime", c.TokenLifetime}, {"HeartbeatInterval", c.HeartbeatInterval},
		{"ClientTimeout", c.ClientTimeout}, {"AuthorizeTimeout", c.AuthorizeTimeout},
		{"WriteTimeout", c.WriteTimeout}, {"Penalty.Lockout", c.Penalty.Lockout},
		{"Penalty.BurstWindow", c.Penalty.BurstWindow}, {"Penalty.Wait", c.Penalty.Wait},
	}
	for _, p := range positive {
		if p.d < 0 {
			bad("Config.%s is %s: it must be positive", p.name, p.d)
		}
	}
	if c.MaxFrameBytes < 64 {
		bad("Config.MaxFrameBytes is %d: it must be at least 64", c.MaxFrameBytes)
	}
	if c.SendQueue < 1 {
		bad("Config.SendQueue is %d: it must be at least 1", c.SendQueue)
	}
	if c.InitialBalance.IsNegative() {
		bad("Config.InitialBalance is %s: it must not be negative", c.InitialBalance)
	}
	for _, r := range []struct {
		name string
		r    *Rules
	}{{"Demo", c.Demo}, {"Live", c.Live}, {"Replay", c.Replay}} {
		rl := r.r.RateLimit
		if rl.PerSecond < 0 || rl.PerMinute < 0 || rl.PerHour < 0 {
			bad("Config.%s.RateLimit has a negative limit: use 0 for unlimited", r.name)
		}
	}
	if err := c.Market.validate(); err != nil {
		errs = append(errs, err)
	}
	names := map[string]bool{}
	ids := map[int64]bool{}
	for i, u := range c.Users {
		if err := u.validate(fmt.Sprintf("Config.Users[%d]", i)); err != nil {
			errs = append(errs, err)
		}
		if names[lower(u.Name)] {
			bad("Config.Users[%d].Name %q: duplicate user name", i, u.Name)
		}
		if ids[u.UserID] {
			bad("Config.Users[%d].UserID %d: duplicate user id", i, u.UserID)
		}
		names[lower(u.Name)], ids[u.UserID] = true, true
	}
	return errors.Join(errs...)
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Option changes the Config of a server started with Start.
type Option func(*Config)

// WithConfig applies fn to the configuration.
func WithConfig(fn func(*Config)) Option { return Option(fn) }

// WithClock sets the server clock.
func WithClock(c Clock) Option { return func(cfg *Config) { cfg.Clock = c } }

// WithSessions makes a server started with Start reject orders outside
// their contract's Globex session, as New's servers do (see
// Config.IgnoreSessions).
func WithSessions() Option { return func(cfg *Config) { cfg.IgnoreSessions = false } }

// WithHeartbeat sets the idle heartbeat interval.
func WithHeartbeat(d time.Duration) Option { return func(cfg *Config) { cfg.HeartbeatInterval = d } }

// WithClientTimeout sets how long a silent client is kept.
func WithClientTimeout(d time.Duration) Option { return func(cfg *Config) { cfg.ClientTimeout = d } }

// WithUsers replaces the users.
func WithUsers(users ...UserConfig) Option { return func(cfg *Config) { cfg.Users = users } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(cfg *Config) { cfg.Logger = l } }
