package venue

import (
	"fmt"
	"sort"

	"github.com/shopspring/decimal"
)

// Instrument is what keel needs to know to trade one contract: its id and
// symbol, its tick grid and what a point is worth.
type Instrument struct {
	ID         ContractID
	Symbol     string          // venue symbol, e.g. "MESZ6"
	Root       string          // product root, e.g. "MES"
	TickSize   Price           // minimum price increment
	PointValue decimal.Decimal // money per 1.0 of price per contract, e.g. 5 for MES
	Currency   string          // e.g. "USD"
}

// TickValue returns the money value of one tick for one contract.
func (in Instrument) TickValue() decimal.Decimal {
	return in.TickSize.Decimal().Mul(in.PointValue)
}

// Continuous reports whether the instrument is a product's continuous
// contract (its Symbol is its Root, e.g. "ES"): a series that follows the
// front month, traded through whichever contract is the front at the time
// (see FrontMonths).
func (in Instrument) Continuous() bool { return in.Root != "" && in.Symbol == in.Root }

// FrontMonths is implemented by instrument sets that offer continuous
// contracts: FrontMonth returns the contract root maps to at t (Unix ns) and
// the time it stops being the front (the roll).
type FrontMonths interface {
	FrontMonth(root string, t int64) (in Instrument, until int64, err error)
}

// Validate checks that the instrument is usable.
func (in Instrument) Validate() error {
	switch {
	case in.Symbol == "":
		return fmt.Errorf("instrument %d: empty symbol", in.ID)
	case in.TickSize <= 0:
		return fmt.Errorf("instrument %s: tick size %s is not positive", in.Symbol, in.TickSize)
	case !in.PointValue.IsPositive():
		return fmt.Errorf("instrument %s: point value %s is not positive", in.Symbol, in.PointValue)
	}
	return nil
}

// Instruments resolves symbols and contract ids. Implementations must be safe
// for concurrent reads.
type Instruments interface {
	BySymbol(symbol string) (Instrument, bool)
	ByID(id ContractID) (Instrument, bool)
}

// InstrumentSet is a fixed, in-memory Instruments built once and read-only after.
type InstrumentSet struct {
	bySymbol map[string]Instrument
	byID     map[ContractID]Instrument
}

// NewInstrumentSet validates the instruments and indexes them. Duplicate
// symbols or ids are errors.
func NewInstrumentSet(ins ...Instrument) (*InstrumentSet, error) {
	s := &InstrumentSet{
		bySymbol: make(map[string]Instrument, len(ins)),
		byID:     make(map[ContractID]Instrument, len(ins)),
	}
	for _, in := range ins {
		if err := in.Validate(); err != nil {
			return nil, err
		}
		if _, dup := s.bySymbol[in.Symbol]; dup {
			return nil, fmt.Errorf("instrument %s: duplicate symbol", in.Symbol)
		}
		if _, dup := s.byID[in.ID]; dup {
			return nil, fmt.Errorf("instrument %s: duplicate contract id %d", in.Symbol, in.ID)
		}
		s.bySymbol[in.Symbol] = in
		s.byID[in.ID] = in
	}
	return s, nil
}

// BySymbol implements Instruments.
func (s *InstrumentSet) BySymbol(symbol string) (Instrument, bool) {
	in, ok := s.bySymbol[symbol]
	return in, ok
}

// ByID implements Instruments.
func (s *InstrumentSet) ByID(id ContractID) (Instrument, bool) {
	in, ok := s.byID[id]
	return in, ok
}

// All returns the instruments sorted by id.
func (s *InstrumentSet) All() []Instrument {
	out := make([]Instrument, 0, len(s.byID))
	for _, in := range s.byID {
		out = append(out, in)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
