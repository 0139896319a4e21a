package engine

import (
	"github.com/keeltrade/keel/strategy"
	"github.com/keeltrade/keel/venue"
)

// defaultHistory is how many completed bars a series keeps when no
// strategy asked for more (WarmUp).
const defaultHistory = 256

const maxTime = int64(^uint64(0) >> 1)

// series aggregates one bar series of one contract and fans it out to the
// strategies that asked for it.
type series struct {
	spec venue.BarSpec
	bar  venue.Bar
	open bool
	subs []*runner
	// closedEnd is the end of the last time bar closed; trades before it
	// are late.
	closedEnd int64
	hist      *strategy.Series // completed bars, for History and warm-up
}

// end returns when the open time bar closes, or maxTime.
func (s *series) end() int64 {
	if !s.open || s.spec.Kind != venue.TimeBars {
		return maxTime
	}
	return s.bar.End
}

// addTrade folds one trade into the series. It reports whether a tick-count
// bar completed (the bar is then in s.bar and s.open is false).
func (s *series) addTrade(t *venue.Tick) bool {
	if !s.open {
		s.bar = venue.Bar{Contract: t.Contract, Spec: s.spec, Open: t.Price, High: t.Price, Low: t.Price}
		s.open = true
		switch s.spec.Kind {
		case venue.TimeBars:
			d := int64(s.spec.Duration)
			start := t.Time - t.Time%d
			if t.Time%d < 0 {
				start -= d
			}
			s.bar.Start, s.bar.End = start, start+d
		default:
			s.bar.Start = t.Time
		}
	}
	b := &s.bar
	if t.Price > b.High {
		b.High = t.Price
	}
	if t.Price < b.Low {
		b.Low = t.Price
	}
	b.Close = t.Price
	b.Volume += int64(t.Size)
	b.Trades++
	if s.spec.Kind == venue.TickBars {
		b.End = t.Time
		if b.Trades >= int64(s.spec.Count) {
			s.open = false
			return true
		}
	}
	return false
}

// addBar folds a data bar into a time-bar series whose duration is a
// multiple of the data's bar length; the bucket is chosen by the bar's start.
func (s *series) addBar(b *venue.Bar) {
	if !s.open {
		d := int64(s.spec.Duration)
		start := b.Start - b.Start%d
		if b.Start%d < 0 {
			start -= d
		}
		s.bar = venue.Bar{Contract: b.Contract, Spec: s.spec, Start: start, End: start + d, Open: b.Open, High: b.High, Low: b.Low}
		s.open = true
	}
	if b.High > s.bar.High {
		s.bar.High = b.High
	}
	if b.Low < s.bar.Low {
		s.bar.Low = b.Low
	}
	s.bar.Close = b.Close
	s.bar.Volume += b.Volume
	s.bar.Trades += b.Trades
}
