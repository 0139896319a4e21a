package data

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/cme"
)

// Registry is the instrument set of a backtest: it resolves any CME contract
// symbol the data or a strategy names ("ESZ13", "ESH4", "MESZ6") from the
// product table on first use, assigning contract ids 1, 2, … in order of
// first use, so the same inputs always get the same ids. It implements
// venue.Instruments and Resolver, and is safe for concurrent use.
type Registry struct {
	mu       sync.RWMutex
	ref      time.Time
	bySymbol map[string]venue.Instrument
	byID     []venue.Instrument
}

// NewRegistry returns an empty registry. ref anchors one-digit contract
// years ("ESH4"); it only affects the contract year, never tick sizes or
// point values.
func NewRegistry(ref time.Time) *Registry {
	if ref.IsZero() {
		ref = time.Now()
	}
	return &Registry{ref: ref, bySymbol: map[string]venue.Instrument{}}
}

// Resolve returns the instrument for symbol, registering it if new. Unknown
// products and malformed symbols are errors naming the symbol.
func (r *Registry) Resolve(symbol string) (venue.Instrument, error) {
	if in, ok := r.lookup(symbol); ok {
		return in, nil
	}
	sym, err := cme.ParseSymbol(symbol, r.ref)
	if err != nil {
		return venue.Instrument{}, fmt.Errorf("contract %q is not in keel's CME product table: %w", symbol, err)
	}
	if strings.HasPrefix(symbol, "@") || strings.EqualFold(symbol, sym.Root) {
		return venue.Instrument{}, fmt.Errorf("contract %q: a backtest needs a specific contract month (e.g. %s), not a continuous root", symbol, sym)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if in, ok := r.bySymbol[symbol]; ok {
		return in, nil
	}
	in, err := cme.Instrument(sym, venue.ContractID(len(r.byID)+1))
	if err != nil {
		return venue.Instrument{}, err
	}
	in.Symbol = symbol // as the data and the strategy spell it
	r.bySymbol[symbol] = in
	r.byID = append(r.byID, in)
	return in, nil
}

func (r *Registry) lookup(symbol string) (venue.Instrument, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	in, ok := r.bySymbol[symbol]
	return in, ok
}

// BySymbol implements venue.Instruments, resolving new symbols on demand.
func (r *Registry) BySymbol(symbol string) (venue.Instrument, bool) {
	in, err := r.Resolve(symbol)
	return in, err == nil
}

// ByID implements venue.Instruments.
func (r *Registry) ByID(id venue.ContractID) (venue.Instrument, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if id < 1 || int(id) > len(r.byID) {
		return venue.Instrument{}, false
	}
	return r.byID[id-1], true
}

// All returns every registered instrument in id order.
func (r *Registry) All() []venue.Instrument {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return append([]venue.Instrument(nil), r.byID...)
}
