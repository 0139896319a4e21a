package data

import (
	"errors"
	"strconv"

	"github.com/keeltrade/keel/venue"
)

// TickSource streams ticks in time order. Next fills *t and returns io.EOF at
// the end; any other error ends the stream and is returned again by later
// calls. A source is used by one goroutine at a time.
type TickSource interface {
	Next(t *venue.Tick) error
	Close() error
}

// BarSource streams bars in time order, with the same contract as TickSource.
type BarSource interface {
	Next(b *venue.Bar) error
	Close() error
}

// Resolver maps a data file's symbol text to an instrument (the caller plugs
// in the CME product table); it returns an error for an unknown symbol.
// Sources call it once per distinct symbol and cache the answer.
type Resolver func(symbol string) (venue.Instrument, error)

// ErrEmpty is wrapped by the error for a data file with no header or no rows.
var ErrEmpty = errors.New("no data")

// errClosed is returned by Next (or Write) after Close.
var errClosed = errors.New("backtest: use after Close")

// RowError is a malformed row (or header) in a data file. Error reads
// "file:line: reason"; Line counts from 1 and the header is line 1.
type RowError struct {
	File   string
	Line   int
	Reason string
}

// Error returns "file:line: reason".
func (e *RowError) Error() string {
	return e.File + ":" + strconv.Itoa(e.Line) + ": " + e.Reason
}

// maxSkippedSamples is how many skipped-row reasons a source keeps.
const maxSkippedSamples = 10
