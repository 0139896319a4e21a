package cme

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"
)

// ErrCalendarUnknown is wrapped by every session query about a time the
// calendar does not cover. Callers choose the policy (keel's risk gate
// defaults to closed); the fix is a new calendar data file.
var ErrCalendarUnknown = errors.New("cme: trading calendar unknown for this time")

//go:embed calendar/globex.yaml
var globexYAML []byte

// DefaultCalendar returns the calendar embedded in keel
// (venue/cme/calendar/globex.yaml), parsed once. It panics if the embedded
// data is invalid, which the package tests rule out.
func DefaultCalendar() *Calendar { return defaultCalendar() }

var defaultCalendar = sync.OnceValue(func() *Calendar {
	c, err := ParseCalendar(globexYAML)
	if err != nil {
		panic(fmt.Sprintf("cme: embedded calendar/globex.yaml: %v", err))
	}
	return c
})

// Calendar is the CME Globex trading calendar for a range of dates: a weekly
// session template per product group plus dated holidays, early closes and
// halts. It is immutable and safe for concurrent use.
type Calendar struct {
	first, last day // covered dates, inclusive
	verified    day // entries after this date are projected
	days        map[day]*dayEntry
	schedules   [numGroups]*Schedule
	errUnknown  error
}

// dayEntry is one dated exception from the data file.
type dayEntry struct {
	day       day
	name      string
	holiday   bool // not a trade date
	projected bool
	rules     [numGroups]dayRule
}

// dayRule is what one group does on an exception date.
type dayRule struct {
	closed bool
	open   int // late open, minutes after midnight CT; -1 if none
	close  int // halt or early close, minutes after midnight CT; -1 if none
}

var normalRule = dayRule{open: -1, close: -1}

// template is a group's weekly session shape.
type template struct {
	weekdays [7]bool
	segments []templateSegment
}

type templateSegment struct {
	open, close int // minutes after midnight CT
	openBefore  bool
	after       string // the closure that normally follows, e.g. "maintenance break"
}

// The data file's shape; see calendar/globex.yaml for the meaning of each field.
type calendarFile struct {
	Version         int                       `yaml:"version"`
	Timezone        string                    `yaml:"timezone"`
	Covers          struct{ From, To string } `yaml:"covers"`
	VerifiedThrough string                    `yaml:"verified_through"`
	Groups          map[string]groupFile      `yaml:"groups"`
	Days            []dayFile                 `yaml:"days"`
}

type groupFile struct {
	Weekdays []string      `yaml:"weekdays"`
	Segments []segmentFile `yaml:"segments"`
}

type segmentFile struct {
	Open          string `yaml:"open"`
	OpenDayBefore bool   `yaml:"open_day_before"`
	Close         string `yaml:"close"`
	After         string `yaml:"after"`
}

type dayFile struct {
	Date      string `yaml:"date"`
	Name      string `yaml:"name"`
	Holiday   bool   `yaml:"holiday"`
	Projected bool   `yaml:"projected"`
	All       string `yaml:"all"`
	Equity    string `yaml:"equity"`
	Energy    string `yaml:"energy"`
	Metals    string `yaml:"metals"`
	Rates     string `yaml:"rates"`
	FX        string `yaml:"fx"`
	Grains    string `yaml:"grains"`
}

func (f *dayFile) rule(g Group) string {
	switch g {
	case EquityIndex:
		return f.Equity
	case Energy:
		return f.Energy
	case Metals:
		return f.Metals
	case InterestRates:
		return f.Rates
	case FX:
		return f.FX
	case Grains:
		return f.Grains
	}
	return ""
}

// ParseCalendar reads a calendar in the format of calendar/globex.yaml and
// validates it: every group's template, every exception date (a weekday
// inside `covers`, listed once, with a rule for every group) and the
// resulting sessions (which must not overlap).
func ParseCalendar(data []byte) (*Calendar, error) {
	var f calendarFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	if f.Version != 1 {
		return nil, fmt.Errorf("calendar: version %d: want 1", f.Version)
	}
	if f.Timezone != "America/Chicago" {
		return nil, fmt.Errorf("calendar: timezone %q: want America/Chicago", f.Timezone)
	}
	c := &Calendar{days: make(map[day]*dayEntry, len(f.Days))}
	var err error
	if c.first, err = parseDay(f.Covers.From); err != nil {
		return nil, fmt.Errorf("calendar: covers.from: %w", err)
	}
	if c.last, err = parseDay(f.Covers.To); err != nil {
		return nil, fmt.Errorf("calendar: covers.to: %w", err)
	}
	if c.last < c.first {
		return nil, fmt.Errorf("calendar: covers: to %s is before from %s", c.last, c.first)
	}
	if c.verified, err = parseDay(f.VerifiedThrough); err != nil {
		return nil, fmt.Errorf("calendar: verified_through: %w", err)
	}
	c.errUnknown = fmt.Errorf("%w: the calendar covers %s to %s; update venue/cme/calendar/globex.yaml from cmegroup.com/trading-hours",
		ErrCalendarUnknown, c.first, c.last)

	var templates [numGroups]template
	for key := range f.Groups {
		if groupByKey(key) == 0 {
			return nil, fmt.Errorf("calendar: groups.%s: unknown group; want one of equity, energy, metals, rates, fx, grains", key)
		}
	}
	for _, g := range Groups() {
		gf, ok := f.Groups[g.Key()]
		if !ok {
			return nil, fmt.Errorf("calendar: groups.%s: missing", g.Key())
		}
		if templates[g], err = parseTemplate(gf); err != nil {
			return nil, fmt.Errorf("calendar: groups.%s: %w", g.Key(), err)
		}
	}

	for i := range f.Days {
		df := &f.Days[i]
		e, err := c.parseDayEntry(df)
		if err != nil {
			return nil, fmt.Errorf("calendar: days[%d] (%s): %w", i, df.Date, err)
		}
		c.days[e.day] = e
	}

	for _, g := range Groups() {
		s, err := c.buildSchedule(g, &templates[g])
		if err != nil {
			return nil, fmt.Errorf("calendar: %s sessions: %w", g.Key(), err)
		}
		c.schedules[g] = s
	}
	return c, nil
}

func (c *Calendar) parseDayEntry(df *dayFile) (*dayEntry, error) {
	d, err := parseDay(df.Date)
	if err != nil {
		return nil, err
	}
	if d < c.first || d > c.last {
		return nil, fmt.Errorf("date is outside covers (%s to %s)", c.first, c.last)
	}
	if d.weekend() {
		return nil, fmt.Errorf("date is a %s; list the weekday the holiday is observed on", d.weekday())
	}
	if _, dup := c.days[d]; dup {
		return nil, errors.New("date is listed twice")
	}
	if strings.TrimSpace(df.Name) == "" {
		return nil, errors.New("name is empty")
	}
	if want := d > c.verified; df.Projected != want {
		return nil, fmt.Errorf("projected is %t but verified_through is %s", df.Projected, c.verified)
	}
	e := &dayEntry{day: d, name: df.Name, holiday: df.Holiday, projected: df.Projected}
	var all *dayRule
	if df.All != "" {
		r, err := parseRule(df.All)
		if err != nil {
			return nil, fmt.Errorf("all: %w", err)
		}
		all = &r
	}
	for _, g := range Groups() {
		text := df.rule(g)
		switch {
		case text != "":
			r, err := parseRule(text)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", g.Key(), err)
			}
			e.rules[g] = r
		case all != nil:
			e.rules[g] = *all
		default:
			return nil, fmt.Errorf("%s: no rule (give it one, or set all)", g.Key())
		}
	}
	return e, nil
}

func groupByKey(key string) Group {
	for _, g := range Groups() {
		if g.Key() == key {
			return g
		}
	}
	return 0
}

func parseDay(s string) (day, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return dayOf(t.Date()), nil
}

// parseClock parses "HH:MM" (00:00 to 23:59) into minutes after midnight.
func parseClock(s string) (int, error) {
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("time %q: want HH:MM", s)
	}
	var v [4]int
	for i, k := range [4]int{0, 1, 3, 4} {
		c := s[k]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("time %q: want HH:MM", s)
		}
		v[i] = int(c - '0')
	}
	h, m := v[0]*10+v[1], v[2]*10+v[3]
	if h > 23 || m > 59 {
		return 0, fmt.Errorf("time %q: out of range", s)
	}
	return h*60 + m, nil
}

// parseRule parses a group rule: normal, closed, close HH:MM, open HH:MM,
// or open HH:MM close HH:MM.
func parseRule(s string) (dayRule, error) {
	bad := fmt.Errorf("rule %q: want normal, closed, close HH:MM, open HH:MM or open HH:MM close HH:MM", s)
	r := normalRule
	f := strings.Fields(s)
	switch {
	case len(f) == 1 && f[0] == "normal":
		return r, nil
	case len(f) == 1 && f[0] == "closed":
		r.closed = true
		return r, nil
	}
	if len(f) != 2 && len(f) != 4 {
		return r, bad
	}
	for i := 0; i < len(f); i += 2 {
		m, err := parseClock(f[i+1])
		if err != nil {
			return r, fmt.Errorf("rule %q: %w", s, err)
		}
		switch {
		case f[i] == "open" && r.open < 0 && r.close < 0:
			r.open = m
		case f[i] == "close" && r.close < 0:
			r.close = m
		default:
			return r, bad
		}
	}
	if r.open >= 0 && r.close >= 0 && r.open >= r.close {
		return r, fmt.Errorf("rule %q: open must be before close", s)
	}
	return r, nil
}

var weekdayNames = map[string]time.Weekday{
	"Sun": time.Sunday, "Mon": time.Monday, "Tue": time.Tuesday, "Wed": time.Wednesday,
	"Thu": time.Thursday, "Fri": time.Friday, "Sat": time.Saturday,
}

func parseTemplate(gf groupFile) (template, error) {
	var t template
	if len(gf.Weekdays) == 0 {
		return t, errors.New("weekdays: empty")
	}
	for _, name := range gf.Weekdays {
		wd, ok := weekdayNames[name]
		if !ok {
			return t, fmt.Errorf("weekdays: %q: want Sun, Mon, Tue, Wed, Thu, Fri or Sat", name)
		}
		t.weekdays[wd] = true
	}
	if len(gf.Segments) == 0 {
		return t, errors.New("segments: empty")
	}
	for i, sf := range gf.Segments {
		open, err := parseClock(sf.Open)
		if err != nil {
			return t, fmt.Errorf("segments[%d].open: %w", i, err)
		}
		closeMin, err := parseClock(sf.Close)
		if err != nil {
			return t, fmt.Errorf("segments[%d].close: %w", i, err)
		}
		if !sf.OpenDayBefore && open >= closeMin {
			return t, fmt.Errorf("segments[%d]: opens at %s, not before its close %s (set open_day_before?)", i, sf.Open, sf.Close)
		}
		if sf.OpenDayBefore && i > 0 {
			return t, fmt.Errorf("segments[%d]: only the first segment may open the day before", i)
		}
		if sf.After == "" {
			return t, fmt.Errorf("segments[%d].after: empty; name the closure that follows", i)
		}
		t.segments = append(t.segments, templateSegment{open: open, close: closeMin, openBefore: sf.OpenDayBefore, after: sf.After})
	}
	return t, nil
}

// Range returns the first and last dates the calendar covers, as 00:00 CT.
func (c *Calendar) Range() (first, last time.Time) { return c.first.midnight(), c.last.midnight() }

// Projected reports whether t's date (in CT) lies after the dates checked
// against CME's published schedule, so its hours are projected from CME's
// usual holiday pattern.
func (c *Calendar) Projected(t time.Time) bool { return ctDay(t) > c.verified }

// Holiday reports whether date (its CT calendar date) is an exchange holiday
// in the calendar — not a trade date — and its name. Early-close days such as
// Christmas Eve are not holidays.
func (c *Calendar) Holiday(date time.Time) (name string, ok bool) {
	if e := c.days[ctDay(date)]; e != nil && e.holiday {
		return e.name, true
	}
	return "", false
}

// Schedule returns the session schedule of a product group, or nil for an
// invalid group.
func (c *Calendar) Schedule(g Group) *Schedule {
	if !g.valid() {
		return nil
	}
	return c.schedules[g]
}

// ScheduleFor returns the session schedule of a product root ("ES", "ZC"…).
// Look it up once and keep it: its queries are the fast path.
func (c *Calendar) ScheduleFor(root string) (*Schedule, error) {
	g, ok := GroupOf(root)
	if !ok {
		return nil, fmt.Errorf("cme: schedule: %w %q", ErrUnknownProduct, root)
	}
	return c.schedules[g], nil
}

// IsOpen reports whether root's Globex session is open at t. See Schedule.IsOpen.
func (c *Calendar) IsOpen(root string, t time.Time) (bool, error) {
	i, ok := byRoot[root]
	if !ok {
		return false, fmt.Errorf("cme: is open: %w %q", ErrUnknownProduct, root)
	}
	return c.schedules[products[i].Group].IsOpen(t)
}

// Status describes root's Globex session at t. See Schedule.Status.
func (c *Calendar) Status(root string, t time.Time) (Status, error) {
	s, err := c.ScheduleFor(root)
	if err != nil {
		return Status{}, err
	}
	return s.Status(t)
}

// TradeDate returns root's CME trade date at t. See Schedule.TradeDate.
func (c *Calendar) TradeDate(root string, t time.Time) (time.Time, error) {
	s, err := c.ScheduleFor(root)
	if err != nil {
		return time.Time{}, err
	}
	return s.TradeDate(t)
}
