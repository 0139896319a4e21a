package risk

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
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
		{"wrong type", "account: {max_position: lots}", []string{`account.max_position: "lots": line 1: not a whole number`}},
		{"list for a limit", "account: {max_position: [1]}", []string{"line 1", "cannot unmarshal"}},
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
	// The file opens with a comment the doc leaves out, so its sections sit
	// on other lines.
	assert.Equal(t, map[string]int{"trend": 29}, fromFile.strategyLines)
	fromDoc.strategyLines, fromFile.strategyLines = nil, nil
	assert.Equal(t, fromFile, fromDoc)
}

// TestParseConfigIntegerLimits pins that a limit that is not a whole number
// is an error naming the field, the value and its line. yaml.v3 alone
// truncates 0.5 to 0 ("no limit") and 1.5 to 1 without a word.
func TestParseConfigIntegerLimits(t *testing.T) {
	fields := []struct{ key, path string }{
		{"max_order_qty: %s", "max_order_qty"},
		{"max_position: %s", "max_position"},
		{"max_total_position: %s", "max_total_position"},
		{"max_open_orders: %s", "max_open_orders"},
		{"order_rate: {max: %s, per: 1m}", "order_rate.max"},
		{"order_rate:\n    max: 5\n    per: 1m\n    burst: %s", "order_rate.burst"},
		{"price_band: {ticks: %s}", "price_band.ticks"},
	}
	sections := []struct{ head, path string }{
		{"account:\n", "account"},
		{"defaults:\n", "defaults"},
		{"strategies:\n  trend:\n", "strategies.trend"},
	}
	for _, sec := range sections {
		for _, f := range fields {
			for _, v := range []string{"0.5", "1.5", "2.0", "1e3", "2x", "'3'", "true", ".inf", "99999999999999999999"} {
				indent := "  "
				if sec.path == "strategies.trend" {
					indent = "    "
				}
				body := strings.ReplaceAll(strings.Replace(f.key, "%s", v, 1), "\n  ", "\n"+indent)
				doc := "# risk\n" + sec.head + indent + body + "\n"
				line := strings.Count(doc, "\n") // the value sits on the last line
				name := sec.path + "." + f.path + "=" + v
				t.Run(name, func(t *testing.T) {
					_, err := ParseConfig([]byte(doc))
					require.Error(t, err, doc)
					var fe *FieldError
					require.True(t, errors.As(err, &fe), "%v", err)
					assert.Equal(t, sec.path+"."+f.path, fe.Field)
					assert.Equal(t, strconv.Quote(strings.Trim(v, "'")), fe.Value)
					assert.Contains(t, err.Error(), fmt.Sprintf("line %d", line), doc)
					assert.Contains(t, err.Error(), "whole number")
				})
			}
		}
	}

	t.Run("every bad limit reported", func(t *testing.T) {
		_, err := ParseConfig([]byte("account:\n  max_position: 0.5\n  max_order_qty: 1.5\nstrategies:\n  trend: {price_band: {ticks: 2x}}\n"))
		require.Error(t, err)
		assert.Contains(t, err.Error(), `account.max_position: "0.5": line 2: not a whole number`)
		assert.Contains(t, err.Error(), `account.max_order_qty: "1.5": line 3`)
		assert.Contains(t, err.Error(), `strategies.trend.price_band.ticks: "2x": line 5`)
	})

	t.Run("merged section", func(t *testing.T) {
		_, err := ParseConfig([]byte("defaults: &d\n  max_position: 0.5\nstrategies:\n  trend:\n    <<: *d\n"))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "defaults.max_position")
		assert.Contains(t, err.Error(), "strategies.trend.max_position")
	})

	for v, reason := range map[string]string{
		"'3'":                   "not a whole number",
		`""`:                    "not a whole number",
		"18446744073709551615":  "out of range",
		"-99999999999999999999": "out of range",
	} {
		_, err := ParseConfig([]byte("account: {max_position: " + v + "}"))
		assert.ErrorContains(t, err, reason, v)
	}
	for _, ok := range []string{"3", "0", "0x10", "1_000", "~", "+2"} {
		cfg, err := ParseConfig([]byte("account: {max_position: " + ok + "}"))
		assert.NoError(t, err, ok)
		assert.GreaterOrEqual(t, cfg.Account.MaxPosition, int64(0), ok)
	}
	_, err := ParseConfig([]byte("account: {max_position: -1}"))
	assert.ErrorContains(t, err, "must not be negative", "a negative whole number reaches Validate")
}

func TestCheckStrategies(t *testing.T) {
	cfg, err := ParseConfig([]byte(`# risk
defaults: {max_position: 2}
strategies:
  trend: {max_position: 1}
  trnd:
    max_position: 1
  smacross: {}
`))
	require.NoError(t, err)

	assert.NoError(t, cfg.CheckStrategies([]string{"trend", "trnd", "smacross", "other"}))

	err = cfg.CheckStrategies([]string{"smacross", "trend"})
	require.Error(t, err)
	var fe *FieldError
	require.True(t, errors.As(err, &fe), "%v", err)
	assert.Equal(t, "strategies.trnd", fe.Field)
	assert.Equal(t, `"trnd"`, fe.Value)
	assert.Equal(t, `risk config: strategies.trnd: "trnd": line 5: no strategy of that name runs (running: smacross, trend); fix the name or remove the section`, err.Error())

	err = cfg.CheckStrategies(nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "strategies.smacross")
	assert.Contains(t, err.Error(), "strategies.trend")
	assert.Contains(t, err.Error(), "strategies.trnd")
	assert.Contains(t, err.Error(), "(running: none)")

	// Built in code, a section has no line to name.
	code := DefaultConfig()
	code.Strategies = map[string]Limits{"x": {}}
	assert.EqualError(t, code.CheckStrategies([]string{"y"}), `risk config: strategies.x: "x": no strategy of that name runs (running: y); fix the name or remove the section`)

	def := DefaultConfig()
	assert.NoError(t, def.CheckStrategies(nil), "no sections, nothing to check")
}

// TestParseConfigSelfReference checks that aliases that refer to their own
// mapping end in an error, not a walk that never ends.
func TestParseConfigSelfReference(t *testing.T) {
	for _, doc := range []string{
		"account: &a {order_rate: *a}",
		"defaults: &d {<<: *d}",
		"strategies: &s {trend: *s}",
		"account: &a\n  <<: [*a, *a]\n",
	} {
		_, err := ParseConfig([]byte(doc))
		assert.Error(t, err, doc)
	}
}

func FuzzParseConfig(f *testing.F) {
	example, err := os.ReadFile(filepath.Join("testdata", "risk.yaml"))
	require.NoError(f, err)
	f.Add(string(example))
	f.Add("account: {max_position: 0.5}")
	f.Add("defaults: &d {max_position: 2}\nstrategies: {a: {<<: *d, order_rate: {max: 1.5}}}")
	f.Add("account: &a {order_rate: *a}")
	f.Fuzz(func(t *testing.T, doc string) {
		cfg, err := ParseConfig([]byte(doc))
		if err != nil {
			return
		}
		require.NoError(t, cfg.Validate(), "ParseConfig returned an invalid config")
		for name := range cfg.Strategies {
			assert.Positive(t, cfg.strategyLines[name], "strategy %q has a line", name)
		}
	})
}
