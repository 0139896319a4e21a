package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/keeltrade/keel/venue/cme"

	"github.com/keeltrade/keel/venue/tradovate"
	"github.com/keeltrade/keel/venue/tradovate/sandbox"
)

func init() {
	commands["sim"] = command{summary: "run the local Tradovate sandbox on loopback (REST, trading, md and replay websockets)", run: runSim}
}

// simInfo is what `runner sim -json` prints on its first line.
type simInfo struct {
	REST        map[string]string `json:"rest"`
	WebSocket   map[string]string `json:"websocket"`
	Admin       string            `json:"admin"`
	Credentials simCredentials    `json:"credentials"`
	LiveRules   bool              `json:"live_rules"`
	Data        string            `json:"data"`
	Speed       float64           `json:"speed"`
}

type simCredentials struct {
	Name       string `json:"name"`
	Password   string `json:"password"`
	AppID      string `json:"appId"`
	AppVersion string `json:"appVersion"`
	CID        int64  `json:"cid"`
	Sec        string `json:"sec"`
	DeviceID   string `json:"deviceId"`
}

func runSim(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sim", stderr)
	host := fs.String("host", "127.0.0.1", "loopback address to listen on")
	port := fs.Int("port", 0, "port (0 picks a free one)")
	live := fs.Bool("live", false, "enforce live-mode rules on the live environment (approved device ids, API-key permissions, current terms, rate limits)")
	asJSON := fs.Bool("json", false, "print one JSON object with every URL and the credentials on the first line")
	asEnv := fs.Bool("env", false, "print the export TRADOVATE_…=… lines that point a client at this sandbox (the demo environment, or live with -live), then serve")
	verbose := fs.Bool("v", false, "log each connection (service, open, close) and each request (endpoint, id, status) to stderr; never tokens or passwords")
	var files multiFlag
	fs.Var(&files, "data", "market data to play: tick CSV, bar CSV or keel binary file (repeatable; merged by time)")
	synth := fs.String("synthetic", "", "generate seeded synthetic data for this contract instead (default: the ES front month, when no -data)")
	seed := fs.Int64("seed", 1, "seed of the synthetic data, and of the markets made up for contracts the data does not cover")
	speed := fs.Float64("speed", 1, "playback speed as a multiple of real time (0: as fast as possible)")
	skipGaps := fs.Duration("skip-gaps", 0, "jump over quiet spells in the data longer than this (e.g. 30m)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if len(files) > 0 && *synth != "" {
		return usagef("give -data files or -synthetic, not both")
	}
	if *speed < 0 || *skipGaps < 0 {
		return usagef("-speed and -skip-gaps must not be negative")
	}
	if ip := net.ParseIP(*host); *host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return usagef("-host %q: the sandbox only listens on loopback (127.0.0.1, ::1 or localhost)", *host)
	}
	if *port < 0 || *port > 65535 {
		return usagef("-port %d: want 0–65535", *port)
	}
	cfg := sandbox.DefaultConfig()
	cfg.Addr = net.JoinHostPort(*host, strconv.Itoa(*port))
	if !*live {
		lenient := sandbox.DemoRules()
		cfg.Live = &lenient
	}
	if *verbose {
		// Requests are logged at debug level; the sandbox never logs
		// tokens, passwords or secrets.
		cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	// A client may subscribe to any listed contract, not only the data's:
	// those get a seeded synthetic market instead of silence.
	cfg.Market.Synthesize = &sandbox.SyntheticMarket{Seed: *seed}
	fc := sandbox.FeedConfig{Files: files, Speed: *speed, SkipGaps: *skipGaps}
	if len(files) == 0 {
		sym := *synth
		if sym == "" {
			front, err := cme.FrontMonth("ES", time.Now())
			if err != nil {
				return err
			}
			sym = front.String()
		}
		fc.Synthetic = sandbox.SyntheticConfig{Symbol: sym, Seed: *seed}
	}
	feed, err := sandbox.NewFeed(fc)
	if err != nil {
		return err
	}
	cfg.MarketData = feed
	cfg.Clock = feed.Clock()
	srv, err := sandbox.New(cfg)
	if err != nil {
		return err
	}
	if err := srv.Start(); err != nil {
		return err
	}
	defer srv.Close()
	info := simInfoOf(srv, *live)
	info.Data = strings.Join(files, ",")
	if fc.Synthetic.Symbol != "" {
		info.Data = fmt.Sprintf("synthetic %s (seed %d)", fc.Synthetic.Symbol, fc.Synthetic.Seed)
	}
	info.Speed = *speed
	switch {
	case *asJSON && *asEnv:
		return usagef("-json and -env: choose one")
	case *asEnv:
		printSimEnv(stdout, info, *live)
	case *asJSON:
		if err := json.NewEncoder(stdout).Encode(info); err != nil {
			return err
		}
	default:
		printSimInfo(stdout, info)
	}
	select {
	case <-ctx.Done():
	case err := <-srv.MarketDataErr():
		// The data is broken (a bad row): stop rather than serve a
		// market that silently ended.
		_ = srv.Close()
		return fmt.Errorf("market data stopped: %w (fix or drop the file and start again)", err)
	}
	fmt.Fprintln(stderr, "runner sim: stopping")
	return srv.Close()
}

func simInfoOf(srv *sandbox.Server, live bool) simInfo {
	info := simInfo{REST: map[string]string{}, WebSocket: map[string]string{}, Admin: srv.AdminURL(), LiveRules: live}
	for _, svc := range []sandbox.Service{sandbox.Demo, sandbox.Live, sandbox.MD, sandbox.Replay} {
		info.REST[string(svc)] = srv.RESTURL(svc)
		info.WebSocket[string(svc)] = srv.WebSocketURL(svc)
	}
	c := srv.Credentials()
	info.Credentials = simCredentials{Name: c.Name, Password: c.Password, AppID: c.AppID, AppVersion: c.AppVersion, CID: c.CID, Sec: c.Sec, DeviceID: c.DeviceID}
	return info
}

// printSimEnv prints shell exports of the TRADOVATE_* settings for this
// sandbox: the demo environment, or live with its live-mode rules.
func printSimEnv(w io.Writer, info simInfo, live bool) {
	env := "demo"
	if live {
		env = "live"
	}
	c := info.Credentials
	for _, kv := range [][2]string{
		{tradovate.KeyEnv, env}, {tradovate.KeyName, c.Name}, {tradovate.KeyPassword, c.Password},
		{tradovate.KeyAppID, c.AppID}, {tradovate.KeyAppVersion, c.AppVersion}, {tradovate.KeyCID, strconv.FormatInt(c.CID, 10)},
		{tradovate.KeySec, c.Sec}, {tradovate.KeyDeviceID, c.DeviceID},
		{tradovate.KeyURL, info.REST[env]}, {tradovate.KeyWSURL, info.WebSocket[env]},
		{tradovate.KeyMDURL, info.WebSocket["md"]}, {tradovate.KeyReplayURL, info.WebSocket["replay"]},
	} {
		fmt.Fprintf(w, "export %s=%s\n", kv[0], shellQuote(kv[1]))
	}
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func printSimInfo(w io.Writer, info simInfo) {
	fmt.Fprintln(w, "keel sandbox: a local Tradovate server (Ctrl-C stops it)")
	for _, svc := range []string{"demo", "live", "md", "replay"} {
		fmt.Fprintf(w, "  %-7s REST %s\n          WS   %s\n", svc, info.REST[svc], info.WebSocket[svc])
	}
	fmt.Fprintf(w, "  admin   %s\n", info.Admin)
	rules := "lenient everywhere (-live enforces live-mode rules on the live environment)"
	if info.LiveRules {
		rules = "live environment enforces approved devices, permissions, terms and rate limits"
	}
	fmt.Fprintf(w, "  rules   %s\n", rules)
	fmt.Fprintf(w, "  data    %s at %gx; other contracts get a seeded synthetic market when subscribed\n", info.Data, info.Speed)
	c := info.Credentials
	fmt.Fprintln(w, "sandbox credentials (valid only against this local server):")
	fmt.Fprintf(w, "  name=%s password=%s appId=%s appVersion=%s cid=%d sec=%s deviceId=%s\n", c.Name, c.Password, c.AppID, c.AppVersion, c.CID, c.Sec, c.DeviceID)
}
