package strategy

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/keeltrade/keel/venue"
)

// Params are a strategy's named parameters, as text, from flags
// ("fast=5") or YAML. The typed getters return the default when a name is
// absent and record an error when its value does not parse; Err reports every
// such error plus names that were given but never read (a typo such as
// "fsat=5" is an error, never silently ignored).
//
// Params are not safe for concurrent use.
type Params struct {
	values map[string]string
	read   map[string]bool
	errs   []error
}

// NewParams returns Params holding a copy of values.
func NewParams(values map[string]string) *Params {
	return &Params{values: maps.Clone(values), read: map[string]bool{}}
}

// ParseParams parses "name=value" pairs; a pair may also hold several
// comma-separated assignments ("fast=5,slow=20"). Empty names and repeated
// names are errors.
func ParseParams(pairs ...string) (*Params, error) {
	values := map[string]string{}
	for _, arg := range pairs {
		for kv := range strings.SplitSeq(arg, ",") {
			kv = strings.TrimSpace(kv)
			if kv == "" {
				continue
			}
			name, value, ok := strings.Cut(kv, "=")
			name = strings.TrimSpace(name)
			if !ok || name == "" {
				return nil, fmt.Errorf("parameter %q: want name=value", kv)
			}
			if _, dup := values[name]; dup {
				return nil, fmt.Errorf("parameter %q given twice", name)
			}
			values[name] = strings.TrimSpace(value)
		}
	}
	return NewParams(values), nil
}

// Set assigns a value, replacing any earlier one.
func (p *Params) Set(name, value string) {
	if p.values == nil {
		p.values = map[string]string{}
		p.read = map[string]bool{}
	}
	p.values[name] = value
}

// Names returns the given parameter names, sorted.
func (p *Params) Names() []string { return slices.Sorted(maps.Keys(p.values)) }

// Values returns a copy of the raw values.
func (p *Params) Values() map[string]string { return maps.Clone(p.values) }

func (p *Params) lookup(name string) (string, bool) {
	if p == nil {
		return "", false
	}
	if p.read == nil {
		p.read = map[string]bool{}
	}
	p.read[name] = true
	v, ok := p.values[name]
	return v, ok
}

func (p *Params) fail(name, value, want string, err error) {
	p.errs = append(p.errs, fmt.Errorf("parameter %s=%q: want %s: %w", name, value, want, err))
}

// String returns the named value or def.
func (p *Params) String(name, def string) string {
	if v, ok := p.lookup(name); ok {
		return v
	}
	return def
}

// Int returns the named integer or def.
func (p *Params) Int(name string, def int) int {
	v, ok := p.lookup(name)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		p.fail(name, v, "an integer", err)
		return def
	}
	return n
}

// Float returns the named number or def. Use it for ratios and multipliers,
// never for prices or money (see Price).
func (p *Params) Float(name string, def float64) float64 {
	v, ok := p.lookup(name)
	if !ok {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err == nil && (f != f || f > 1e308 || f < -1e308) {
		err = errors.New("not a finite number")
	}
	if err != nil {
		p.fail(name, v, "a number", err)
		return def
	}
	return f
}

// Bool returns the named boolean (true/false/1/0) or def.
func (p *Params) Bool(name string, def bool) bool {
	v, ok := p.lookup(name)
	if !ok {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.fail(name, v, "true or false", err)
		return def
	}
	return b
}

// Duration returns the named duration ("5m", "90s") or def.
func (p *Params) Duration(name string, def time.Duration) time.Duration {
	v, ok := p.lookup(name)
	if !ok {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		p.fail(name, v, "a duration such as 5m", err)
		return def
	}
	return d
}

// Price returns the named exact price or def.
func (p *Params) Price(name string, def venue.Price) venue.Price {
	v, ok := p.lookup(name)
	if !ok {
		return def
	}
	pr, err := venue.ParsePrice(v)
	if err != nil {
		p.fail(name, v, "a decimal price", err)
		return def
	}
	return pr
}

// Check records an error for name unless ok; strategies use it for range
// checks: p.Check("fast", fast > 0, "must be positive").
func (p *Params) Check(name string, ok bool, reason string) {
	if !ok {
		v := p.values[name]
		p.errs = append(p.errs, fmt.Errorf("parameter %s=%q: %s", name, v, reason))
	}
}

// Err returns every parse and check error so far, and an error for each
// given name that was never read.
func (p *Params) Err() error {
	if p == nil {
		return nil
	}
	errs := slices.Clone(p.errs)
	for _, name := range p.Names() {
		if !p.read[name] {
			errs = append(errs, fmt.Errorf("unknown parameter %q", name))
		}
	}
	return errors.Join(errs...)
}
