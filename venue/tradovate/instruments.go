package tradovate

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"

	"github.com/keeltrade/keel/venue"
)

// LiveInstruments is the instrument set of a live or replay session: it
// resolves a symbol with the adapter the first time a strategy names it
// and subscribes to its quotes on the market-data socket. It implements
// venue.Instruments and is safe for concurrent use. Lookups that failed are
// kept in Err.
type LiveInstruments struct {
	ctx context.Context
	a   *Adapter
	md  QuoteSubscriber
	log *slog.Logger

	mu   sync.Mutex
	byS  map[string]venue.Instrument
	byID map[venue.ContractID]venue.Instrument
	err  error
}

// QuoteSubscriber subscribes to contracts' quotes (a *MarketData).
type QuoteSubscriber interface {
	SubscribeQuotes(ctx context.Context, names ...string) error
}

// NewLiveInstruments returns an empty set resolving through a and
// subscribing through md; ctx bounds its requests.
func NewLiveInstruments(ctx context.Context, a *Adapter, md QuoteSubscriber, log *slog.Logger) *LiveInstruments {
	if log == nil {
		log = slog.Default()
	}
	return &LiveInstruments{ctx: ctx, a: a, md: md, log: log, byS: map[string]venue.Instrument{}, byID: map[venue.ContractID]venue.Instrument{}}
}

// BySymbol implements venue.Instruments.
func (r *LiveInstruments) BySymbol(symbol string) (venue.Instrument, bool) {
	r.mu.Lock()
	in, ok := r.byS[symbol]
	r.mu.Unlock()
	if ok {
		return in, true
	}
	in, err := r.a.Contract(r.ctx, symbol)
	if err == nil {
		err = r.md.SubscribeQuotes(r.ctx, in.Symbol)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.log.Error("contract not resolved", "symbol", symbol, "err", err)
		r.err = errors.Join(r.err, err)
		return venue.Instrument{}, false
	}
	r.byS[symbol], r.byS[in.Symbol], r.byID[in.ID] = in, in, in
	return in, true
}

// ByID implements venue.Instruments.
func (r *LiveInstruments) ByID(id venue.ContractID) (venue.Instrument, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	in, ok := r.byID[id]
	return in, ok
}

// All returns the resolved instruments in contract-id order.
func (r *LiveInstruments) All() []venue.Instrument {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]venue.Instrument, 0, len(r.byID))
	for _, in := range r.byID {
		out = append(out, in)
	}
	slices.SortFunc(out, func(a, b venue.Instrument) int { return int(a.ID - b.ID) })
	return out
}

// Err returns the failed lookups, joined.
func (r *LiveInstruments) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}
