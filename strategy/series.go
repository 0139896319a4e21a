package strategy

import (
	"errors"
	"fmt"

	"github.com/keeltrade/keel/venue"
)

// Series is the completed bars of one bar series, kept up to the longest
// history the strategies that use it asked for (WarmUp, default 256). Read
// it on the engine goroutine; Len, Ago and Last do not allocate.
type Series struct {
	bars []venue.Bar
	next int // where the next bar goes
	n    int // bars held
	seen int64
}

// NewSeries returns a series keeping up to capacity bars (at least 1).
func NewSeries(capacity int) *Series { return &Series{bars: make([]venue.Bar, max(capacity, 1))} }

// Len is how many bars the series holds.
func (s *Series) Len() int { return s.n }

// Cap is how many it keeps.
func (s *Series) Cap() int { return len(s.bars) }

// Seen is how many bars completed since the start, held or not.
func (s *Series) Seen() int64 { return s.seen }

// Ago returns the bar i bars back: Ago(0) is the last completed bar. It
// panics when i is out of [0, Len()), as a slice index would.
func (s *Series) Ago(i int) venue.Bar {
	if i < 0 || i >= s.n {
		panic(fmt.Sprintf("strategy: Series.Ago(%d) with %d bars", i, s.n))
	}
	j := s.next - 1 - i
	if j < 0 {
		j += len(s.bars)
	}
	return s.bars[j]
}

// Last returns the last completed bar, if any.
func (s *Series) Last() (venue.Bar, bool) {
	if s.n == 0 {
		return venue.Bar{}, false
	}
	return s.Ago(0), true
}

// Push adds a completed bar (the engine calls it).
func (s *Series) Push(b venue.Bar) {
	s.bars[s.next] = b
	s.next = (s.next + 1) % len(s.bars)
	s.n = min(s.n+1, len(s.bars))
	s.seen++
}

// Grow makes the series keep at least n bars (the engine calls it in Init).
func (s *Series) Grow(n int) {
	if n <= len(s.bars) {
		return
	}
	held := make([]venue.Bar, 0, n)
	for i := s.n - 1; i >= 0; i-- {
		held = append(held, s.Ago(i))
	}
	s.bars = append(held, make([]venue.Bar, n-len(held))...)
	s.next = len(held) % n
}

// ErrWarmingUp is wrapped by the error Submit returns while the strategy's
// declared warm-up (WarmUp, WarmUpFor) is not complete.
var ErrWarmingUp = errors.New("strategy is warming up")
