package strategy

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
)

// Factory builds a strategy from its parameters. It reads every parameter
// it understands through the typed getters; New reports values that do not
// parse and names it never read.
type Factory func(p *Params) (Strategy, error)

// Registration describes a registered strategy.
type Registration struct {
	Name    string
	Summary string
	Factory Factory
}

var (
	regMu    sync.RWMutex
	registry = map[string]Registration{}
)

// Register makes a strategy available by name. It panics on an empty or
// duplicate name or a nil factory: registration happens in init, and a
// clash there is a programming error.
func Register(name, summary string, f Factory) {
	if name == "" || strings.ContainsAny(name, " \t\n/") {
		panic(fmt.Sprintf("strategy.Register: invalid name %q", name))
	}
	if f == nil {
		panic("strategy.Register: nil factory for " + name)
	}
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := registry[name]; dup {
		panic("strategy.Register: duplicate name " + name)
	}
	registry[name] = Registration{Name: name, Summary: summary, Factory: f}
}

// Lookup returns the registration for name.
func Lookup(name string) (Registration, bool) {
	regMu.RLock()
	defer regMu.RUnlock()
	r, ok := registry[name]
	return r, ok
}

// Names returns every registered name, sorted.
func Names() []string {
	regMu.RLock()
	defer regMu.RUnlock()
	return slices.Sorted(maps.Keys(registry))
}

// New builds the named strategy. Unknown names, parameters that do not
// parse and parameters the strategy does not know are errors.
func New(name string, p *Params) (Strategy, error) {
	r, ok := Lookup(name)
	if !ok {
		return nil, fmt.Errorf("unknown strategy %q (registered: %s); a strategy registers itself with strategy.Register in its package's init, so import its package: in your own module, from the main that calls cli.Main; in this repository, with one line in cmd/runner/cli/strategies.go", name, strings.Join(Names(), ", "))
	}
	if p == nil {
		p = NewParams(nil)
	}
	s, err := r.Factory(p)
	if err != nil {
		return nil, fmt.Errorf("strategy %s: %w", name, err)
	}
	if err := p.Err(); err != nil {
		return nil, fmt.Errorf("strategy %s: %w", name, err)
	}
	if s == nil {
		return nil, fmt.Errorf("strategy %s: factory returned nil", name)
	}
	return s, nil
}
