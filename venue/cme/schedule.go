package cme

import (
	"fmt"
	"math"
	"time"
)

// Schedule is the Globex session timeline of one product group over the
// calendar's range: a partition of time into open and closed spans, each open
// span tagged with its CME trade date and each closed span with the reason.
// Queries do not allocate (except to build an error) and are safe for
// concurrent use.
type Schedule struct {
	group  Group
	cal    *Calendar
	from   int64  // Unix seconds: start of the known range, 00:00 CT of the first date
	until  int64  // Unix seconds: end of the known range (exclusive)
	spans  []span // sorted by start; spans[0].start == from
	bucket []int32
}

// span is [start, next span's start).
type span struct {
	start    int64 // Unix seconds
	tradeDay day   // open: the session's trade date; closed: the next session's (noDay if unknown)
	open     bool
	reason   string // closed spans: why, e.g. "maintenance break"
}

const noDay = day(math.MinInt32)

// Status is the state of a group's Globex session at one instant. Times are in CT.
type Status struct {
	Open bool
	// Reason says why the market is closed: "maintenance break", "weekend",
	// "daily break" and "daily close" (grains), "holiday: Thanksgiving",
	// "early close: Christmas Eve", "late open: day after Thanksgiving".
	// Empty when open.
	Reason string
	// SessionClose is, when open, the instant trading next stops (the daily
	// break, a halt, an early close or the weekly close); zero when closed.
	SessionClose time.Time
	// CloseReason is, when open, the Reason the market will give after SessionClose.
	CloseReason string
	// NextOpen is, when closed, the instant trading resumes. When open it is
	// the reopening after SessionClose, or zero if that lies beyond the calendar.
	NextOpen time.Time
	// TradeDate is the CME trade date (00:00 CT of that date) of the session
	// in progress or, when closed, of the next session to open.
	TradeDate time.Time
}

// Group returns the product group the schedule belongs to.
func (s *Schedule) Group() Group { return s.group }

// find returns the index of the span containing t.
func (s *Schedule) find(t time.Time) (int, bool) {
	sec := t.Unix()
	if sec < s.from || sec >= s.until {
		return 0, false
	}
	i := int(s.bucket[(sec-s.from)/secondsPerDay])
	for i+1 < len(s.spans) && s.spans[i+1].start <= sec {
		i++
	}
	return i, true
}

// IsOpen reports whether the group's Globex session is open at t: within a
// session and not in a break, halt, holiday or weekend. Sessions are
// half-open: open at 17:00:00 CT, closed at 16:00:00 CT. Outside the
// calendar's range it returns false and an error wrapping ErrCalendarUnknown.
// It does not allocate.
func (s *Schedule) IsOpen(t time.Time) (bool, error) {
	i, ok := s.find(t)
	if !ok {
		return false, s.cal.errUnknown
	}
	return s.spans[i].open, nil
}

// Status describes the session at t: open or closed and why, when it closes
// or next opens, and the trade date. It returns an error wrapping
// ErrCalendarUnknown when t is outside the calendar's range, or when the
// market is closed at t and the next open lies beyond it. It does not
// allocate on success.
func (s *Schedule) Status(t time.Time) (Status, error) {
	i, ok := s.find(t)
	if !ok {
		return Status{}, s.unknown("status", t)
	}
	sp := &s.spans[i]
	if sp.tradeDay == noDay {
		return Status{}, s.unknown("next open after", t)
	}
	st := Status{Open: sp.open, TradeDate: sp.tradeDay.midnight()}
	n := len(s.spans)
	if sp.open {
		j := i + 1
		for j < n && s.spans[j].open {
			j++
		}
		if j == n {
			return Status{}, s.unknown("session close after", t)
		}
		st.SessionClose = time.Unix(s.spans[j].start, 0).In(chicago)
		st.CloseReason = s.spans[j].reason
		i = j
	} else {
		st.Reason = sp.reason
	}
	for k := i + 1; k < n; k++ {
		if s.spans[k].open {
			st.NextOpen = time.Unix(s.spans[k].start, 0).In(chicago)
			break
		}
	}
	return st, nil
}

// TradeDate returns the CME trade date of t as 00:00 CT of that date: the
// session opening 17:00 CT on D trades for D+1 (Sunday's for Monday), and
// a session on an exchange holiday (17:00 Thursday to the 12:00 halt on
// Juneteenth, Friday 2026-06-19) trades for the next business day (Monday). While the market is
// closed, it is the trade date of the next session.
func (s *Schedule) TradeDate(t time.Time) (time.Time, error) {
	i, ok := s.find(t)
	if !ok || s.spans[i].tradeDay == noDay {
		return time.Time{}, s.unknown("trade date", t)
	}
	return s.spans[i].tradeDay.midnight(), nil
}

func (s *Schedule) unknown(what string, t time.Time) error {
	return fmt.Errorf("cme: %s %s %s: %w", s.group, what, t.In(chicago).Format(time.RFC3339), s.cal.errUnknown)
}

// session is one open interval while building a schedule.
type session struct {
	start, end int64
	tradeDay   day
	after      string // template closure after it; "" if cut short by an exception
}

func (c *Calendar) buildSchedule(g Group, tm *template) (*Schedule, error) {
	s := &Schedule{group: g, cal: c, from: c.first.midnight().Unix(), until: (c.last + 1).midnight().Unix()}
	// The evening session of the day after the range would open before the
	// range ends; from then on the calendar cannot say.
	if next := c.last + 1; tm.weekdays[next.weekday()] && tm.segments[0].openBefore {
		if open := c.last.at(tm.segments[0].open).Unix(); open < s.until {
			s.until = open
		}
	}

	var sessions []session
	for d := c.first; d <= c.last; d++ {
		if !tm.weekdays[d.weekday()] {
			continue
		}
		rule, e := normalRule, c.days[d]
		if e != nil {
			rule = e.rules[g]
		}
		if rule.closed {
			continue
		}
		td := d
		if e != nil && e.holiday {
			td = c.nextBusinessDay(d)
		}
		for _, ts := range tm.segments {
			od := d
			if ts.openBefore {
				od = d - 1
			}
			ss := session{start: od.at(ts.open).Unix(), end: d.at(ts.close).Unix(), tradeDay: td, after: ts.after}
			if rule.open >= 0 {
				ss.start = max(ss.start, d.at(rule.open).Unix())
			}
			if rule.close >= 0 {
				if hi := d.at(rule.close).Unix(); ss.end > hi {
					ss.end, ss.after = hi, ""
				}
			}
			ss.start = max(ss.start, s.from)
			if ss.start >= ss.end {
				continue
			}
			if k := len(sessions); k > 0 && ss.start < sessions[k-1].end {
				return nil, fmt.Errorf("session %s overlaps the one before it (ends %s)",
					time.Unix(ss.start, 0).In(chicago).Format(time.DateTime), time.Unix(sessions[k-1].end, 0).In(chicago).Format(time.DateTime))
			}
			sessions = append(sessions, ss)
		}
	}

	cursor := s.from
	var prev *session
	for i := range sessions {
		ss := &sessions[i]
		if ss.start > cursor {
			s.addGap(cursor, ss.start, prev)
		}
		s.spans = append(s.spans, span{start: ss.start, open: true, tradeDay: ss.tradeDay})
		cursor, prev = ss.end, ss
	}
	if cursor < s.until {
		s.addGap(cursor, s.until, prev)
	}

	next := noDay
	for i := len(s.spans) - 1; i >= 0; i-- {
		if s.spans[i].open {
			next = s.spans[i].tradeDay
		} else {
			s.spans[i].tradeDay = next
		}
	}

	nb := (s.until - s.from + secondsPerDay - 1) / secondsPerDay
	s.bucket = make([]int32, nb)
	i := 0
	for k := range s.bucket {
		at := s.from + int64(k)*secondsPerDay
		for i+1 < len(s.spans) && s.spans[i+1].start <= at {
			i++
		}
		s.bucket[k] = int32(i)
	}
	return s, nil
}

// addGap appends the closed spans covering [a, b), cut at midnights CT so
// each piece can name its own reason, and merged where the reasons agree.
func (s *Schedule) addGap(a, b int64, prev *session) {
	last := ""
	for pa := a; pa < b; {
		d := ctDay(time.Unix(pa, 0))
		midnight := (d + 1).midnight().Unix()
		pb := min(b, midnight)
		r := s.cal.gapReason(s.group, d, pa, pb, pa == a, prev)
		if r == "" {
			r = last
		}
		if r == "" {
			r = "closed"
		}
		if n := len(s.spans); n > 0 && !s.spans[n-1].open && s.spans[n-1].reason == r {
			// Same reason as the piece before: one span.
		} else {
			s.spans = append(s.spans, span{start: pa, reason: r})
		}
		last, pa = r, pb
	}
}

// gapReason names why group g is closed in the piece [pa, pb) of date d.
// first says the piece starts the gap, right after prev ended.
func (c *Calendar) gapReason(g Group, d day, pa, pb int64, first bool, prev *session) string {
	e := c.days[d]
	rule := normalRule
	if e != nil {
		rule = e.rules[g]
	}
	switch {
	case rule.closed:
		return e.closedReason()
	case rule.close >= 0 && pa == d.at(rule.close).Unix():
		if e.holiday {
			return "holiday: " + e.name
		}
		return "early close: " + e.name
	case d.weekend():
		return "weekend"
	}
	if pb == (d + 1).midnight().Unix() {
		if n := c.days[d+1]; n != nil {
			switch nr := n.rules[g]; {
			case nr.closed:
				return n.closedReason()
			case nr.open >= 0:
				return "late open: " + n.name
			}
		}
		if d.weekday() == time.Friday {
			return "weekend"
		}
	}
	if rule.open >= 0 && pb == d.at(rule.open).Unix() {
		return "late open: " + e.name
	}
	if first && prev != nil && prev.after != "" {
		return prev.after
	}
	return ""
}

func (e *dayEntry) closedReason() string {
	if e.holiday {
		return "holiday: " + e.name
	}
	return "closed: " + e.name
}
