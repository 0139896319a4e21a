package indicator

import (
	"time"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/cme"
)

// UpdateBar feeds one completed bar's high, low and close.
func (a *ATR) UpdateBar(b venue.Bar) {
	a.Update(b.High.Float64(), b.Low.Float64(), b.Close.Float64())
}

// SessionVWAP is the volume-weighted average of bars' typical price,
// (high + low + close) / 3, over one CME trade date: it starts again at
// each new trade date of the product root (the calendar's, so 17:00 CT for
// equity index, and holidays respected; where the calendar has no data,
// the day rolls at 17:00 CT). O(1) per bar, no allocation.
type SessionVWAP struct {
	VWAP
	root string
	day  int64 // trade date of the bars so far, Unix seconds; 0 before the first
}

// NewSessionVWAP returns a session VWAP for a CME product root ("ES").
func NewSessionVWAP(root string) *SessionVWAP { return &SessionVWAP{root: root} }

// UpdateBar feeds one completed bar (its end decides its trade date).
func (s *SessionVWAP) UpdateBar(b venue.Bar) {
	if d := tradeDay(s.root, b.End); d != s.day {
		s.VWAP.Reset()
		s.day = d
	}
	s.Update((b.High.Float64()+b.Low.Float64()+b.Close.Float64())/3, float64(b.Volume))
}

// TradeDate returns the trade date of the bars so far (zero before any).
func (s *SessionVWAP) TradeDate() time.Time {
	if s.day == 0 {
		return time.Time{}
	}
	return time.Unix(s.day, 0).In(cme.Chicago())
}

// tradeDay is root's CME trade date at ns, as Unix seconds; a bar that
// ends exactly at the roll belongs to the day it closed.
func tradeDay(root string, ns int64) int64 {
	t := time.Unix(0, ns-1)
	if td, err := cme.DefaultCalendar().TradeDate(root, t); err == nil {
		return td.Unix()
	}
	ct := t.In(cme.Chicago()).Add(7 * time.Hour) // 17:00 CT is the next day's 00:00
	y, m, d := ct.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, cme.Chicago()).Unix()
}
