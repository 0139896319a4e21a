package risk

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"
)

// Policy says what a rule does when it lacks the information to judge.
type Policy string

// Policies.
const (
	Refuse Policy = "refuse"
	Allow  Policy = "allow"
)

// TrailingMode says when the trailing drawdown's high-water mark moves.
type TrailingMode string

// Trailing modes.
const (
	// Intraday raises the high-water mark whenever equity, including
	// unrealized PnL, makes a new high.
	Intraday TrailingMode = "intraday"
	// EndOfDay raises it only at the trade-date change, to the equity at
	// that moment; breaches are still detected intraday.
	EndOfDay TrailingMode = "eod"
)

// Rule names, as they appear in Denied.Rule and in kill_switch.trip_on.
const (
	RuleKillSwitch       = "kill-switch"
	RuleMarketHours      = "market-hours"
	RuleMaxOrderQty      = "max-order-qty"
	RuleMaxPosition      = "max-position"
	RuleMaxTotalPosition = "max-total-position"
	RuleMaxOpenOrders    = "max-open-orders"
	RuleDailyLoss        = "daily-loss"
	RuleTrailingDrawdown = "trailing-drawdown"
	RuleOrderRate        = "order-rate"
	RuleDuplicate        = "duplicate"
	RulePriceBand        = "price-band"
	// RuleInstrument refuses intents for an instrument the gate cannot
	// account for exactly (a tick value that is not a whole number of
	// micro-units, a non-positive tick size).
	RuleInstrument = "instrument"
)

var ruleNames = [numRules]string{
	RuleKillSwitch, RuleMarketHours, RuleMaxOrderQty, RuleMaxPosition, RuleMaxTotalPosition,
	RuleMaxOpenOrders, RuleDailyLoss, RuleTrailingDrawdown, RuleOrderRate, RuleDuplicate,
	RulePriceBand, RuleInstrument,
}

// Config is the risk gate's configuration. Start from DefaultConfig (or
// ParseConfig, which applies it) rather than the zero Config, which has
// every rule off.
//
// In every limit 0 means "no limit"; negative values are invalid, and so,
// in ParseConfig, is a count limit that is not a whole number (yaml.v3
// alone would read 0.5 as 0).
type Config struct {
	// Account limits apply to the totals of all strategies together (and to
	// fills the gate cannot attribute to a strategy).
	Account Limits `yaml:"account"`
	// Defaults are the limits of every strategy without its own section.
	Defaults Limits `yaml:"defaults"`
	// Strategies holds per-strategy limits by strategy instance name; they
	// apply to that strategy's own orders and positions. Each entry is
	// complete: ParseConfig starts every section from Defaults and applies
	// the keys the section sets.
	Strategies map[string]Limits `yaml:"strategies"`
	// KillSwitch configures the latched kill switch.
	KillSwitch KillSwitch `yaml:"kill_switch"`
	// SessionRoot is the CME product root whose trade date keys the daily
	// loss limit (default "ES": the day rolls at the 17:00 CT open).
	SessionRoot string `yaml:"session_root"`

	// strategyLines is the YAML line of each strategies section, kept by
	// ParseConfig so that CheckStrategies can point at a misspelled one.
	strategyLines map[string]int
}

// Limits is one scope's rule set: the account's or one strategy's.
type Limits struct {
	MarketHours MarketHours `yaml:"market_hours"`
	// MaxOrderQty caps one order's quantity (and its OCO partner's).
	MaxOrderQty int64 `yaml:"max_order_qty"`
	// MaxPosition caps the worst-case net position per contract, long or
	// short: net + remaining working same-side orders + this intent.
	MaxPosition int64 `yaml:"max_position"`
	// MaxTotalPosition caps the sum over contracts of each contract's
	// worst-case exposure (the larger of its long and short worst cases).
	MaxTotalPosition int64 `yaml:"max_total_position"`
	// MaxOpenOrders caps working orders (bracket legs and OCO partners ride
	// with their parent and are not counted).
	MaxOpenOrders int64 `yaml:"max_open_orders"`
	// DailyLoss is the loss, in account currency, of realized + unrealized
	// PnL minus fees since the start of the CME trade date at which new
	// risk is blocked until the next trade date.
	DailyLoss decimal.Decimal `yaml:"daily_loss"`
	// TrailingDrawdown is the drop of equity (realized + unrealized − fees)
	// below its high-water mark at which new risk is blocked until Reset.
	TrailingDrawdown decimal.Decimal `yaml:"trailing_drawdown"`
	// TrailingMode is Intraday (default) or EndOfDay.
	TrailingMode TrailingMode `yaml:"trailing_mode"`
	// FlattenOnBreach makes a daily-loss or trailing-drawdown breach also
	// cancel the scope's working orders and flatten its positions.
	FlattenOnBreach bool `yaml:"flatten_on_breach"`
	// OrderRate limits orders sent (token bucket over the engine clock).
	OrderRate Rate `yaml:"order_rate"`
	// DuplicateWindow refuses an intent identical (strategy, contract,
	// side, quantity, type, prices) to one allowed less than this long ago.
	DuplicateWindow time.Duration `yaml:"duplicate_window"`
	// PriceBand bounds limit and stop prices around the last trade.
	PriceBand PriceBand `yaml:"price_band"`
}

// MarketHours configures the market-hours rule.
type MarketHours struct {
	// Enabled refuses every intent while the contract's Globex session is
	// closed and turns on the two windows below.
	Enabled bool `yaml:"enabled"`
	// UnknownCalendar is the policy when the calendar has no data for the
	// time: Refuse (default) or Allow.
	UnknownCalendar Policy `yaml:"unknown_calendar"`
	// NoEntriesBeforeClose refuses risk-increasing intents this long before
	// the session closes (the daily break, an early close, the weekend).
	NoEntriesBeforeClose time.Duration `yaml:"no_entries_before_close"`
	// FlattenBeforeClose cancels working orders and flattens positions this
	// long before the session closes; it also blocks new entries in that
	// window.
	FlattenBeforeClose time.Duration `yaml:"flatten_before_close"`
}

// Rate is a token bucket: Max orders per Per, with bursts of up to Burst.
type Rate struct {
	Max   int64         `yaml:"max"`
	Per   time.Duration `yaml:"per"`
	Burst int64         `yaml:"burst"` // 0 means 1: no bursting
}

// PriceBand configures the price-band rule.
type PriceBand struct {
	// Ticks is how far from the last trade a limit or stop price may be.
	Ticks int64 `yaml:"ticks"`
	// NoLastTrade is the policy before any trade is seen: Allow (default) or Refuse.
	NoLastTrade Policy `yaml:"no_last_trade"`
}

// KillSwitch configures the latched kill switch.
type KillSwitch struct {
	// StateFile persists a tripped switch (JSON, mode 0600, written
	// atomically) so it stays tripped across restarts until Reset. Empty
	// keeps the latch in memory only.
	StateFile string `yaml:"state_file"`
	// File trips the switch when a file exists at this path (checked at
	// most once per second of engine time).
	File string `yaml:"file"`
	// TripOn lists rule names whose breach or denial trips the switch,
	// e.g. [daily-loss, trailing-drawdown].
	TripOn []string `yaml:"trip_on"`
}

// DefaultOrderRate is the default account order rate: 30 orders a minute
// with bursts of 10. Tradovate allows authenticated users 5,000 requests an
// hour and per minute, and third parties observe ~80 requests per rolling
// minute; 30/min (at most 40 in any minute, 1,800 an hour) stays under half
// of every published figure, leaving room for the cancels, modifies and
// syncs that share the same budget.
var DefaultOrderRate = Rate{Max: 30, Per: time.Minute, Burst: 10}

// DefaultConfig returns the defaults ParseConfig starts from: market hours
// on for the account (unknown calendar refused), the default order rate and
// a one-second duplicate window for the account, no other limits.
func DefaultConfig() Config {
	return Config{
		SessionRoot: "ES",
		Account: Limits{
			MarketHours:     MarketHours{Enabled: true, UnknownCalendar: Refuse},
			TrailingMode:    Intraday,
			OrderRate:       DefaultOrderRate,
			DuplicateWindow: time.Second,
			PriceBand:       PriceBand{NoLastTrade: Allow},
		},
		Defaults: Limits{
			MarketHours:  MarketHours{UnknownCalendar: Refuse},
			TrailingMode: Intraday,
			PriceBand:    PriceBand{NoLastTrade: Allow},
		},
	}
}

// For returns the limits of a strategy: its own section or Defaults.
func (c *Config) For(strategy string) Limits {
	if l, ok := c.Strategies[strategy]; ok {
		return l
	}
	return c.Defaults
}

// CheckStrategies returns a *FieldError for every strategies section whose
// name is not in running, the instance names of the strategies that will
// run, or nil. Call it where the configuration meets the strategies: a
// section that names none of them is a typo, and the strategy it meant
// would silently run under Defaults instead of its own limits.
func (c *Config) CheckStrategies(running []string) error {
	if len(c.Strategies) == 0 {
		return nil
	}
	list := "none"
	if len(running) > 0 {
		list = strings.Join(slices.Sorted(slices.Values(running)), ", ")
	}
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(c.Strategies)) {
		if slices.Contains(running, name) {
			continue
		}
		reason := "no strategy of that name runs (running: " + list + "); fix the name or remove the section"
		if line := c.strategyLines[name]; line > 0 {
			reason = fmt.Sprintf("line %d: %s", line, reason)
		}
		errs = append(errs, &FieldError{Field: "strategies." + name, Value: strconv.Quote(name), Reason: reason})
	}
	return errors.Join(errs...)
}

// FieldError is a configuration error in one field.
type FieldError struct {
	Field  string // dotted YAML path, e.g. "strategies.trend.max_position"
	Value  string
	Reason string
}

// Error returns "risk config: <field>: <value>: <reason>".
func (e *FieldError) Error() string {
	return fmt.Sprintf("risk config: %s: %s: %s", e.Field, e.Value, e.Reason)
}

// LoadConfig reads and parses a YAML file; see ParseConfig.
func LoadConfig(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("risk config: %w", err)
	}
	cfg, err := ParseConfig(data)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// rawConfig is Config with strategy sections kept as YAML so that each can
// be applied on top of the defaults.
type rawConfig struct {
	Account     Limits               `yaml:"account"`
	Defaults    Limits               `yaml:"defaults"`
	Strategies  map[string]yaml.Node `yaml:"strategies"`
	KillSwitch  KillSwitch           `yaml:"kill_switch"`
	SessionRoot string               `yaml:"session_root"`
}

// ParseConfig parses a YAML risk configuration (the schema is in the
// package doc), applies it over DefaultConfig, and validates it. Unknown
// keys, malformed values and invalid limits are errors naming the field; a
// limit that is not a whole number (0.5, 2x) or an amount that is not a
// decimal is a *FieldError with its line.
func ParseConfig(data []byte) (Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return Config{}, fmt.Errorf("risk config: %w", err)
	}
	lines, err := scanNodes(&root)
	if err != nil {
		return Config{}, err
	}
	// Strict pass: unknown keys and type errors, with line numbers.
	var strict Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&strict); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, fmt.Errorf("risk config: %w", err)
	}
	// Overlay pass: keys present replace defaults, absent keys keep them.
	def := DefaultConfig()
	raw := rawConfig{Account: def.Account, Defaults: def.Defaults, KillSwitch: def.KillSwitch, SessionRoot: def.SessionRoot}
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return Config{}, fmt.Errorf("risk config: %w", err)
	}
	cfg := Config{Account: raw.Account, Defaults: raw.Defaults, KillSwitch: raw.KillSwitch, SessionRoot: raw.SessionRoot, strategyLines: lines}
	if len(raw.Strategies) > 0 {
		cfg.Strategies = make(map[string]Limits, len(raw.Strategies))
		for name, node := range raw.Strategies {
			l := cfg.Defaults
			if err := node.Decode(&l); err != nil {
				return Config{}, fmt.Errorf("risk config: strategies.%s: %w", name, err)
			}
			cfg.Strategies[name] = l
		}
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// scalarKind is how a value the YAML decoder reads too loosely must look.
type scalarKind int

const (
	wholeNumber   scalarKind = iota + 1 // yaml.v3 truncates 0.5 into an int64 as 0, "no limit"
	decimalAmount                       // shopspring's decoder reports a bad amount without its key
)

// limitScalars are the keys of a Limits section, dotted below it, whose
// values ParseConfig checks on the YAML tree before decoding.
var limitScalars = map[string]scalarKind{
	"max_order_qty":      wholeNumber,
	"max_position":       wholeNumber,
	"max_total_position": wholeNumber,
	"max_open_orders":    wholeNumber,
	"order_rate.max":     wholeNumber,
	"order_rate.burst":   wholeNumber,
	"price_band.ticks":   wholeNumber,
	"daily_loss":         decimalAmount,
	"trailing_drawdown":  decimalAmount,
}

// scanNodes walks the account, defaults and strategies sections of a parsed
// document. It returns every limitScalars value that does not read as its
// kind, each a *FieldError with its line, joined, and the line of each
// strategies section.
func scanNodes(root *yaml.Node) (strategyLines map[string]int, err error) {
	var errs []error
	eachPair(root, func(k, v *yaml.Node) {
		switch k.Value {
		case "account", "defaults":
			checkLimitNodes(v, k.Value, "", &errs)
		case "strategies":
			eachPair(v, func(name, sec *yaml.Node) {
				if strategyLines == nil {
					strategyLines = map[string]int{}
				}
				strategyLines[name.Value] = name.Line
				checkLimitNodes(sec, "strategies."+name.Value, "", &errs)
			})
		}
	})
	return strategyLines, errors.Join(errs...)
}

// checkLimitNodes checks the scalars of one Limits section (scope is its
// dotted path) and, one level down, of its nested rules (rel is the nested
// key, "" at the top).
func checkLimitNodes(n *yaml.Node, scope, rel string, errs *[]error) {
	eachPair(n, func(k, v *yaml.Node) {
		key := k.Value
		if rel != "" {
			key = rel + "." + key
		}
		kind, ok := limitScalars[key]
		switch {
		case ok && v.Kind == yaml.ScalarNode && v.ShortTag() != "!!null":
			if reason := kind.check(v); reason != "" {
				*errs = append(*errs, &FieldError{Field: scope + "." + key, Value: strconv.Quote(v.Value), Reason: fmt.Sprintf("line %d: %s", v.Line, reason)})
			}
		case !ok && rel == "":
			checkLimitNodes(v, scope, key, errs)
		}
	})
}

// check returns why v does not read as k, or "".
func (k scalarKind) check(v *yaml.Node) string {
	switch k {
	case wholeNumber:
		var n int64
		digits := strings.TrimLeft(v.Value, "+-")
		switch {
		case v.ShortTag() == "!!int" && v.Decode(&n) == nil:
			return ""
		case v.ShortTag() != "!!str" && digits != "" && strings.Trim(digits, "0123456789_") == "":
			return "out of range for a whole number"
		}
		return "not a whole number: limits count contracts, orders or ticks, e.g. 2 (0 means no limit)"
	case decimalAmount:
		if _, err := decimal.NewFromString(v.Value); err != nil {
			return "not a decimal amount"
		}
	}
	return ""
}

// eachPair calls fn with every key and value of a mapping node (through a
// document node and aliases, and with the keys of merged mappings, <<), and
// does nothing for other nodes. Each mapping is visited once, so a
// self-referencing alias cannot loop.
func eachPair(n *yaml.Node, fn func(k, v *yaml.Node)) {
	seen := map[*yaml.Node]bool{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		for n != nil && (n.Kind == yaml.DocumentNode || n.Kind == yaml.AliasNode) {
			if n.Kind == yaml.AliasNode {
				n = n.Alias
			} else if len(n.Content) == 1 {
				n = n.Content[0]
			} else {
				return
			}
		}
		if n == nil || n.Kind != yaml.MappingNode || seen[n] {
			return
		}
		seen[n] = true
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if v.Kind == yaml.AliasNode && v.Alias != nil {
				v = v.Alias // an anchored node is never itself an alias
			}
			if k.ShortTag() == "!!merge" {
				if v.Kind == yaml.SequenceNode {
					for _, m := range v.Content {
						walk(m)
					}
				} else {
					walk(v)
				}
				continue
			}
			fn(k, v)
		}
	}
	walk(n)
}

// Validate checks every field and returns all problems joined, each a
// *FieldError naming the field.
func (c *Config) Validate() error {
	var errs []error
	c.Account.validate("account", &errs)
	c.Defaults.validate("defaults", &errs)
	names := make([]string, 0, len(c.Strategies))
	for name := range c.Strategies {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if name == "" {
			errs = append(errs, &FieldError{Field: "strategies", Value: `""`, Reason: "strategy name is empty"})
			continue
		}
		l := c.Strategies[name]
		l.validate("strategies."+name, &errs)
	}
	for i, r := range c.KillSwitch.TripOn {
		if !slices.Contains(ruleNames[:], r) || r == RuleKillSwitch {
			errs = append(errs, &FieldError{Field: fmt.Sprintf("kill_switch.trip_on[%d]", i), Value: strconv.Quote(r), Reason: "unknown rule; want one of " + fmt.Sprint(ruleNames[1:])})
		}
	}
	if c.KillSwitch.StateFile != "" && c.KillSwitch.StateFile == c.KillSwitch.File {
		errs = append(errs, &FieldError{Field: "kill_switch.file", Value: strconv.Quote(c.KillSwitch.File), Reason: "must differ from kill_switch.state_file"})
	}
	if c.SessionRoot == "" {
		errs = append(errs, &FieldError{Field: "session_root", Value: `""`, Reason: "a CME product root is required, e.g. ES"})
	}
	return errors.Join(errs...)
}

func (l *Limits) validate(p string, errs *[]error) {
	bad := func(field, value, reason string) {
		*errs = append(*errs, &FieldError{Field: p + "." + field, Value: value, Reason: reason})
	}
	nonNeg := func(field string, v int64) {
		if v < 0 {
			bad(field, strconv.FormatInt(v, 10), "must not be negative (0 means no limit)")
		}
	}
	dur := func(field string, d time.Duration) {
		if d < 0 {
			bad(field, d.String(), "must not be negative (0 means off)")
		}
	}
	money := func(field string, d decimal.Decimal) {
		if d.IsNegative() {
			bad(field, d.String(), "must not be negative (0 means no limit)")
		} else if _, ok := micros(d); !ok {
			bad(field, d.String(), "must be a whole number of micro-units (at most 6 decimals) below 9e9")
		}
	}
	policy := func(field string, v Policy) {
		if v != "" && v != Refuse && v != Allow {
			bad(field, strconv.Quote(string(v)), "want refuse or allow")
		}
	}
	policy("market_hours.unknown_calendar", l.MarketHours.UnknownCalendar)
	dur("market_hours.no_entries_before_close", l.MarketHours.NoEntriesBeforeClose)
	dur("market_hours.flatten_before_close", l.MarketHours.FlattenBeforeClose)
	nonNeg("max_order_qty", l.MaxOrderQty)
	nonNeg("max_position", l.MaxPosition)
	nonNeg("max_total_position", l.MaxTotalPosition)
	nonNeg("max_open_orders", l.MaxOpenOrders)
	money("daily_loss", l.DailyLoss)
	money("trailing_drawdown", l.TrailingDrawdown)
	if m := l.TrailingMode; m != "" && m != Intraday && m != EndOfDay {
		bad("trailing_mode", strconv.Quote(string(m)), "want intraday or eod")
	}
	nonNeg("order_rate.max", l.OrderRate.Max)
	nonNeg("order_rate.burst", l.OrderRate.Burst)
	dur("order_rate.per", l.OrderRate.Per)
	if l.OrderRate.Max > 0 && l.OrderRate.Per <= 0 {
		bad("order_rate.per", l.OrderRate.Per.String(), "must be positive when order_rate.max is set, e.g. 1m")
	}
	dur("duplicate_window", l.DuplicateWindow)
	nonNeg("price_band.ticks", l.PriceBand.Ticks)
	policy("price_band.no_last_trade", l.PriceBand.NoLastTrade)
}
