package tradovate

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Env is the Tradovate environment a session runs against.
type Env string

// Environments. There is no default: every session names one.
const (
	Demo   Env = "demo"   // simulated accounts on demo.tradovateapi.com
	Live   Env = "live"   // real money on live.tradovateapi.com
	Replay Env = "replay" // market replay on replay.tradovateapi.com
)

// Settings keys: the environment variables, and the same keys in a YAML
// file given by -config. Scripts depend on these names.
const (
	KeyEnv        = "TRADOVATE_ENV"
	KeyName       = "TRADOVATE_NAME"
	KeyPassword   = "TRADOVATE_PASSWORD"
	KeyAppID      = "TRADOVATE_APP_ID"
	KeyAppVersion = "TRADOVATE_APP_VERSION"
	KeyCID        = "TRADOVATE_CID"
	KeySec        = "TRADOVATE_SEC"
	KeyDeviceID   = "TRADOVATE_DEVICE_ID"
	KeyURL        = "TRADOVATE_URL"        // REST base, e.g. https://demo.tradovateapi.com/v1
	KeyWSURL      = "TRADOVATE_WS_URL"     // trading websocket
	KeyMDURL      = "TRADOVATE_MD_URL"     // market-data websocket
	KeyReplayURL  = "TRADOVATE_REPLAY_URL" // market-replay websocket
)

// Keys lists every settings key, in the order they are documented.
var Keys = []string{KeyEnv, KeyName, KeyPassword, KeyAppID, KeyAppVersion, KeyCID, KeySec, KeyDeviceID, KeyURL, KeyWSURL, KeyMDURL, KeyReplayURL}

// Config is a connection's settings. Load it with LoadConfig (a YAML file
// and the environment) or fill it in code; Validate (which LoadConfig
// calls) checks it and fills the URLs the environment implies.
type Config struct {
	Env        Env
	Name       string // Tradovate user name
	Password   Secret // password, or the API-dedicated password
	AppID      string // free-form application name; default "keel"
	AppVersion string // default "1.0"
	CID        int64  // the API key's client id (sent as a JSON number)
	Sec        Secret // the API key's secret
	// DeviceID overrides the id kept in DeviceFile.
	DeviceID string
	// DeviceFile keeps the machine's device id; default DefaultDeviceFile().
	DeviceFile string

	URL       string // REST base (…/v1)
	WSURL     string // trading websocket (demo or live)
	MDURL     string // market-data websocket
	ReplayURL string // market-replay websocket

	// lines is where each key was set in the YAML file, for messages.
	lines map[string]int
}

// Documented hosts (reference §1.1).
const (
	demoREST   = "https://demo.tradovateapi.com/v1"
	liveREST   = "https://live.tradovateapi.com/v1"
	demoWS     = "wss://demo.tradovateapi.com/v1/websocket"
	liveWS     = "wss://live.tradovateapi.com/v1/websocket"
	mdWS       = "wss://md.tradovateapi.com/v1/websocket"
	replayWS   = "wss://replay.tradovateapi.com/v1/websocket"
	defaultApp = "keel"
	defaultVer = "1.0"
)

// ConfigError is a setting that is missing or wrong.
type ConfigError struct {
	Key    string // the settings key, e.g. TRADOVATE_CID
	Line   int    // the YAML line, when it came from a file
	Reason string
}

func (e *ConfigError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("tradovate config: %s (line %d): %s", e.Key, e.Line, e.Reason)
	}
	return fmt.Sprintf("tradovate config: %s: %s", e.Key, e.Reason)
}

// LoadConfig reads the settings: the YAML file at path, if path is not
// empty (a mapping of the settings keys; unknown keys are errors), then the
// environment through getenv (os.Getenv when nil), whose non-empty values
// win. The result is validated.
func LoadConfig(path string, getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	vals := map[string]string{}
	lines := map[string]int{}
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return Config{}, fmt.Errorf("tradovate config: %w", err)
		}
		if err := parseSettings(data, vals, lines); err != nil {
			return Config{}, fmt.Errorf("%s: %w", path, err)
		}
	}
	for _, k := range Keys {
		if v := getenv(k); v != "" {
			vals[k] = v
			delete(lines, k)
		}
	}
	cfg := Config{
		Env: Env(strings.ToLower(vals[KeyEnv])), Name: vals[KeyName], Password: Secret(vals[KeyPassword]),
		AppID: vals[KeyAppID], AppVersion: vals[KeyAppVersion], Sec: Secret(vals[KeySec]), DeviceID: vals[KeyDeviceID],
		URL: vals[KeyURL], WSURL: vals[KeyWSURL], MDURL: vals[KeyMDURL], ReplayURL: vals[KeyReplayURL], lines: lines,
	}
	var errs []error
	if v := vals[KeyCID]; v != "" {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || n < 0 {
			errs = append(errs, &ConfigError{Key: KeyCID, Line: lines[KeyCID], Reason: fmt.Sprintf("%q is not the API key's numeric client id", v)})
		}
		cfg.CID = n
	}
	if err := cfg.Validate(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return Config{}, errors.Join(errs...)
	}
	return cfg, nil
}

func parseSettings(data []byte, vals map[string]string, lines map[string]int) error {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return fmt.Errorf("tradovate config: %w", err)
	}
	if len(root.Content) == 0 {
		return nil
	}
	m := root.Content[0]
	if m.Kind != yaml.MappingNode {
		return fmt.Errorf("tradovate config: line %d: want a mapping of %s keys", m.Line, strings.Join(Keys, ", "))
	}
	var errs []error
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if !slices.Contains(Keys, k.Value) {
			errs = append(errs, &ConfigError{Key: k.Value, Line: k.Line, Reason: "unknown key; want one of " + strings.Join(Keys, ", ")})
			continue
		}
		if v.Kind != yaml.ScalarNode {
			errs = append(errs, &ConfigError{Key: k.Value, Line: v.Line, Reason: "want a single value"})
			continue
		}
		vals[k.Value], lines[k.Value] = v.Value, k.Line
	}
	return errors.Join(errs...)
}

// Validate checks the settings, naming the key of each problem, and fills
// defaults: the URLs of the environment, AppID and AppVersion. Deprecated
// hosts, development hosts and a demo/live mix are refused with the host
// to use.
func (c *Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, &ConfigError{Key: key, Line: c.lines[key], Reason: fmt.Sprintf(format, args...)})
	}
	switch c.Env {
	case Demo, Live, Replay:
	case "":
		bad(KeyEnv, "required: demo, live or replay (there is no default: say which account you mean)")
	default:
		bad(KeyEnv, "%q: want demo, live or replay", c.Env)
	}
	if c.Name == "" {
		bad(KeyName, "required: your Tradovate user name")
	}
	if c.Password.IsZero() {
		bad(KeyPassword, "required: your password (or the API-dedicated password)")
	}
	if c.CID <= 0 {
		bad(KeyCID, "required: the numeric client id of your API key (Trader → Application Settings → API Access)")
	}
	if c.Sec.IsZero() {
		bad(KeySec, "required: the secret of your API key")
	}
	if c.AppID == "" {
		c.AppID = defaultApp
	}
	if c.AppVersion == "" {
		c.AppVersion = defaultVer
	}
	if len(c.DeviceID) > 64 {
		bad(KeyDeviceID, "at most 64 characters")
	}
	rest, ws := demoREST, demoWS
	if c.Env == Live {
		rest, ws = liveREST, liveWS
	}
	def := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	def(&c.URL, rest)
	def(&c.WSURL, ws)
	def(&c.MDURL, mdWS)
	def(&c.ReplayURL, replayWS)
	for _, u := range []struct {
		key, val string
		ws       bool
	}{{KeyURL, c.URL, false}, {KeyWSURL, c.WSURL, true}, {KeyMDURL, c.MDURL, true}, {KeyReplayURL, c.ReplayURL, true}} {
		if reason := checkURL(c.Env, u.val, u.ws); reason != "" {
			bad(u.key, "%s: %s", u.val, reason)
		}
	}
	return errors.Join(errs...)
}

// checkURL says what is wrong with a Tradovate URL, or "".
func checkURL(env Env, raw string, ws bool) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "not a URL"
	}
	host := strings.ToLower(u.Hostname())
	if isLoopback(host) {
		return "" // the local sandbox: any service layout
	}
	switch {
	case ws && u.Scheme != "wss":
		return "a websocket URL must use wss:// (plain ws:// only to the local sandbox on 127.0.0.1)"
	case !ws && u.Scheme != "https":
		return "the REST URL must use https:// (plain http:// only to the local sandbox on 127.0.0.1)"
	}
	if cur := currentHost(host); cur != "" {
		return "deprecated host; use " + cur
	}
	if !strings.HasSuffix(host, ".tradovateapi.com") {
		return "" // a proxy of the user's own: their call
	}
	sub := strings.TrimSuffix(host, ".tradovateapi.com")
	switch {
	case env == Demo && sub == "live":
		return "a live host in a demo session; use demo.tradovateapi.com or set TRADOVATE_ENV=live"
	case env == Live && sub == "demo":
		return "a demo host in a live session; use live.tradovateapi.com or set TRADOVATE_ENV=demo"
	}
	return ""
}

// currentHost names the current host for a deprecated or development one.
func currentHost(host string) string {
	for _, svc := range []string{"demo", "live", "md", "replay"} {
		for _, old := range []string{svc + "-api.tradovate.com", svc + "-api-d.tradovate.com", svc + "-d.tradovateapi.com"} {
			if host == old {
				return svc + ".tradovateapi.com"
			}
		}
	}
	if strings.HasSuffix(host, ".tradovate.com") && strings.Contains(host, "-api") {
		return "demo.tradovateapi.com or live.tradovateapi.com"
	}
	return ""
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// TradingURL is the websocket orders and user sync go over: the replay
// socket in a replay session, else the trading socket.
func (c *Config) TradingURL() string {
	if c.Env == Replay {
		return c.ReplayURL
	}
	return c.WSURL
}

// MarketDataURL is the websocket market data comes from: the replay socket
// in a replay session (it serves both), else the md socket.
func (c *Config) MarketDataURL() string {
	if c.Env == Replay {
		return c.ReplayURL
	}
	return c.MDURL
}
