package risk

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseConfigExample(t *testing.T) {
	cfg, err := LoadConfig(filepath.Join("testdata", "risk.yaml"))
	require.NoError(t, err)

	assert.Equal(t, "ES", cfg.SessionRoot)
	assert.Equal(t, KillSwitch{StateFile: "/var/lib/keel/killswitch.json", File: "/var/lib/keel/KILL", TripOn: []string{"daily-loss", "trailing-drawdown"}}, cfg.KillSwitch)

	a := cfg.Account
	assert.Equal(t, MarketHours{Enabled: true, UnknownCalendar: Refuse, NoEntriesBeforeClose: 10 * time.Minute, FlattenBeforeClose: 5 * time.Minute}, a.MarketHours)
	assert.Equal(t, int64(10), a.MaxOrderQty)
	assert.Equal(t, int64(10), a.MaxPosition)
	assert.Equal(t, int64(20), a.MaxTotalPosition)
	assert.Equal(t, int64(20), a.MaxOpenOrders)
	assert.True(t, a.DailyLoss.Equal(decimal.NewFromInt(1000)))
	assert.True(t, a.TrailingDrawdown.Equal(decimal.NewFromInt(2500)))
	assert.Equal(t, Intraday, a.TrailingMode)
	assert.True(t, a.FlattenOnBreach)
	assert.Equal(t, Rate{Max: 30, Per: time.Minute, Burst: 10}, a.OrderRate)
	assert.Equal(t, time.Second, a.DuplicateWindow)
	assert.Equal(t, PriceBand{Ticks: 40, NoLastTrade: Allow}, a.PriceBand)

	// Defaults keep the built-in defaults for keys the section omits.
	d := cfg.Defaults
	assert.Equal(t, int64(4), d.MaxPosition)
	assert.True(t, d.DailyLoss.Equal(decimal.NewFromInt(400)))
	assert.Equal(t, MarketHours{UnknownCalendar: Refuse}, d.MarketHours)
	assert.Equal(t, Rate{}, d.OrderRate)

	// A strategy section starts from defaults and overrides what it sets.
	tr := cfg.Strategies["trend"]
	assert.Equal(t, int64(2), tr.MaxPosition)
	assert.True(t, tr.DailyLoss.Equal(decimal.NewFromInt(400)), "inherited from defaults")
	assert.Equal(t, Rate{Max: 10, Per: time.Minute, Burst: 3}, tr.OrderRate)
	assert.Equal(t, tr, cfg.For("trend"))
	assert.Equal(t, d, cfg.For("other"))
}

func TestParseConfigEmptyIsDefault(t *testing.T) {
	for _, doc := range []string{"", "# nothing\n", "{}"} {
		cfg, err := ParseConfig([]byte(doc))
		require.NoError(t, err, "%q", doc)
		assert.Equal(t, DefaultConfig(), cfg, "%q", doc)
	}
	def := DefaultConfig()
	assert.Equal(t, DefaultOrderRate, def.Account.OrderRate)
	assert.True(t, def.Account.MarketHours.Enabled)
	assert.Equal(t, time.Second, def.Account.DuplicateWindow)
}

func TestParseConfigStrategyOverrides(t *testing.T) {
	cfg, err := ParseConfig([]byte(`
defaults:
  max_position: 4
  market_hours: {enabled: true, flatten_before_close: 5m}
strategies:
  a:
    max_position: 0       # explicitly no limit
    market_hours: {no_entries_before_close: 10m}
  b: {}
  c:
`))
	require.NoError(t, err)
	a := cfg.Strategies["a"]
	assert.Equal(t, int64(0), a.MaxPosition)
	assert.Equal(t, MarketHours{Enabled: true, UnknownCalendar: Refuse, NoEntriesBeforeClose: 10 * time.Minute, FlattenBeforeClose: 5 * time.Minute}, a.MarketHours)
	assert.Equal(t, cfg.Defaults, cfg.Strategies["b"])
	assert.Equal(t, cfg.Defaults, cfg.Strategies["c"])
}

func TestParseConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // substrings of the error
	}{
		{"negative position", "account: {max_position: -1}", []string{"account.max_position: -1: must not be negative"}},
		{"negative strategy limit", "strategies: {trend: {max_order_qty: -5}}", []string{"strategies.trend.max_order_qty: -5"}},
		{"negative defaults", "defaults: {max_open_orders: -2}", []string{"defaults.max_open_orders: -2"}},
		{"negative money", "account: {daily_loss: -100}", []string{"account.daily_loss: -100: must not be negative"}},
		{"all errors reported", "account: {max_position: -1, max_total_position: -3}", []string{"account.max_position: -1", "account.max_total_position: -3"}},
		{"unknown rule", "account: {max_positon: 3}", []string{"field max_positon not found"}},
		{"unknown strategy rule", "strategies: {trend: {dayly_loss: 3}}", []string{"field dayly_loss not found"}},
		{"unknown section", "acount: {max_position: 3}", []string{"field acount not found"}},
		{"unknown trip_on rule", "kill_switch: {trip_on: [max-foo]}", []string{`kill_switch.trip_on[0]: "max-foo": unknown rule`}},
		{"duration without unit", "account: {duplicate_window: 5}", []string{"line 1", "time.Duration"}},
		{"bad duration", "account: {market_hours: {flatten_before_close: 5x}}", []string{"5x", "time.Duration"}},
		{"negative duration", "account: {duplicate_window: -1s}", []string{"account.duplicate_window: -1s: must not be negative"}},
		{"rate without period", "account: {order_rate: {max: 5, per: 0s}}", []string{"account.order_rate.per: 0s: must be positive"}},
		{"bad money", "account: {daily_loss: lots}", []string{`account.daily_loss: "lots": line 1: not a decimal amount`}},
		{"sub-micro money", "account: {trailing_drawdown: 1.0000001}", []string{"account.trailing_drawdown: 1.0000001", "micro-units"}},
		{"bad policy", "account: {market_hours: {unknown_calendar: maybe}}", []string{`account.market_hours.unknown_calendar: "maybe": want refuse or allow`}},
		{"bad band policy", "account: {price_band: {no_last_trade: yes}}", []string{`account.price_band.no_last_trade: "yes"`}},
		{"bad trailing mode", "account: {trailing_mode: weekly}", []string{`account.trailing_mode: "weekly": want intraday or eod`}},
		{"empty session root", `session_root: ""`, []string{"session_root"}},
		{"malformed yaml", "account: [", []string{"risk config: yaml"}},
		{"wrong type", "account: {max_position: lots}", []string{"cannot unmarshal"}},
		{"kill file equals state file", "kill_switch: {state_file: /tmp/k, file: /tmp/k}", []string{"kill_switch.file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tt.yaml))
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestValidateFieldErrors(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Account.MaxPosition = -1
	cfg.Strategies = map[string]Limits{"s": {MaxOrderQty: -2}}
	err := cfg.Validate()
	require.Error(t, err)
	var fe *FieldError
	require.True(t, errors.As(err, &fe))
	assert.Equal(t, &FieldError{Field: "account.max_position", Value: "-1", Reason: "must not be negative (0 means no limit)"}, fe)
	assert.Contains(t, err.Error(), "strategies.s.max_order_qty: -2")

	_, err = New(cfg)
	assert.Error(t, err, "New validates")
}

func TestLoadConfigMissing(t *testing.T) {
	_, err := LoadConfig(filepath.Join(t.TempDir(), "nope.yaml"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// TestDocExampleMatchesTestdata keeps the YAML in the package doc and
// testdata/risk.yaml in step.
func TestDocExampleMatchesTestdata(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	var doc []string
	in := false
	for _, line := range strings.Split(string(src), "\n") {
		switch {
		case strings.HasPrefix(line, "//\t"):
			in = true
			doc = append(doc, strings.TrimPrefix(line, "//\t"))
		case in:
			in = false
		}
	}
	require.NotEmpty(t, doc)
	fromDoc, err := ParseConfig([]byte(strings.Join(doc, "\n")))
	require.NoError(t, err)
	fromFile, err := LoadConfig(filepath.Join("testdata", "risk.yaml"))
	require.NoError(t, err)
	assert.Equal(t, fromFile, fromDoc)
}
