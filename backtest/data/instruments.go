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
// first use, so the same inputs always get the same ids. Two spellings of
// one contract ("ESZ3" and "ESZ13") are one instrument.
//
// A bare root ("ES", or "@ES") is the product's continuous contract: an
// instrument whose Symbol is its Root, mapped per date to the front month
// by FrontMonth (keel's CME roll calendar). It implements venue.Instruments,
// venue.FrontMonths and Resolver, and is safe for concurrent use.
type Registry struct {
	mu       sync.RWMutex
	ref      time.Time
	cal      *cme.Calendar
	bySymbol map[string]venue.Instrument
	byCME    map[cme.Symbol]venue.Instrument
	byID     []venue.Instrument
}

// NewRegistry returns an empty registry. ref anchors one-digit contract
// years ("ESH4"); it only affects the contract year, never tick sizes or
// point values.
func NewRegistry(ref time.Time) *Registry {
	if ref.IsZero() {
		ref = time.Now()
	}
	return &Registry{ref: ref, cal: cme.DefaultCalendar(), bySymbol: map[string]venue.Instrument{}, byCME: map[cme.Symbol]venue.Instrument{}}
}

// SetCalendar sets the calendar FrontMonth rolls by (default
// cme.DefaultCalendar()).
func (r *Registry) SetCalendar(c *cme.Calendar) {
	if c != nil {
		r.mu.Lock()
		r.cal = c
		r.mu.Unlock()
	}
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
		return r.continuous(symbol, sym.Root)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.add(symbol, sym)
}

// add registers symbol as sym, or as another spelling of sym. r.mu is held.
func (r *Registry) add(symbol string, sym cme.Symbol) (venue.Instrument, error) {
	if in, ok := r.bySymbol[symbol]; ok {
		return in, nil
	}
	if in, ok := r.byCME[sym]; ok {
		r.bySymbol[symbol] = in
		return in, nil
	}
	in, err := cme.Instrument(sym, venue.ContractID(len(r.byID)+1))
	if err != nil {
		return venue.Instrument{}, err
	}
	in.Symbol = symbol // as the data and the strategy spell it
	r.bySymbol[symbol] = in
	r.byCME[sym] = in
	r.byID = append(r.byID, in)
	return in, nil
}

// continuous registers root's continuous contract under symbol.
func (r *Registry) continuous(symbol, root string) (venue.Instrument, error) {
	p, ok := cme.Lookup(root)
	if !ok {
		return venue.Instrument{}, fmt.Errorf("contract %q: %w", symbol, cme.ErrUnknownProduct)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if in, ok := r.bySymbol[symbol]; ok {
		return in, nil
	}
	if in, ok := r.bySymbol[p.Root]; ok {
		r.bySymbol[symbol] = in
		return in, nil
	}
	var month time.Month
	for m := time.January; m <= time.December; m++ {
		if p.Months.Has(m) {
			month = m
			break
		}
	}
	// Any listed month gives the product's tick size and point value.
	in, err := cme.Instrument(cme.Symbol{Root: p.Root, Month: month, Year: r.ref.Year()}, venue.ContractID(len(r.byID)+1))
	if err != nil {
		return venue.Instrument{}, err
	}
	in.Symbol = p.Root // Symbol == Root: venue.Instrument.Continuous
	r.bySymbol[symbol] = in
	r.bySymbol[p.Root] = in
	r.byID = append(r.byID, in)
	return in, nil
}

// FrontMonth implements venue.FrontMonths: the contract root's continuous
// contract maps to at t (Unix ns), by keel's CME roll dates, and the time
// the next contract takes over (the roll date's midnight, CT).
func (r *Registry) FrontMonth(root string, t int64) (venue.Instrument, int64, error) {
	r.mu.RLock()
	cal := r.cal
	r.mu.RUnlock()
	sym, err := cal.FrontMonth(root, time.Unix(0, t))
	if err != nil {
		return venue.Instrument{}, 0, err
	}
	roll, err := cal.RollDate(sym)
	if err != nil {
		return venue.Instrument{}, 0, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	in, err := r.add(sym.String(), sym)
	if err != nil {
		return venue.Instrument{}, 0, err
	}
	return in, roll.UnixNano(), nil
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
