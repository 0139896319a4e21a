package cme

import "time"

// ruleHolidays returns the CME exchange holidays of year y by the standing
// US pattern: New Year's Day, Martin Luther King Jr. Day, Presidents Day, Good
// Friday, Memorial Day, Juneteenth (from 2022), Independence Day, Labor Day,
// Thanksgiving and Christmas, with Saturday holidays observed on the Friday
// before and Sunday holidays on the Monday after — except New Year's Day on a
// Saturday, which CME (like the NYSE) does not observe on the Friday before.
//
// The calendar data file is authoritative for the years it covers (and a test
// checks that it agrees with these rules there); the rules only serve business
// day arithmetic (last trading days) for years beyond it.
func ruleHolidays(y int) []holidayRule {
	observed := func(d day) day {
		switch d.weekday() {
		case time.Saturday:
			return d - 1
		case time.Sunday:
			return d + 1
		}
		return d
	}
	hs := make([]holidayRule, 0, 10)
	if ny := dayOf(y, time.January, 1); ny.weekday() != time.Saturday {
		hs = append(hs, holidayRule{observed(ny), "New Year's Day"})
	}
	hs = append(hs,
		holidayRule{nthWeekday(y, time.January, time.Monday, 3), "Martin Luther King Jr. Day"},
		holidayRule{nthWeekday(y, time.February, time.Monday, 3), "Presidents Day"},
		holidayRule{easter(y) - 2, "Good Friday"},
		holidayRule{nthWeekday(y, time.May, time.Monday, -1), "Memorial Day"},
	)
	if y >= 2022 {
		hs = append(hs, holidayRule{observed(dayOf(y, time.June, 19)), "Juneteenth"})
	}
	hs = append(hs,
		holidayRule{observed(dayOf(y, time.July, 4)), "Independence Day"},
		holidayRule{nthWeekday(y, time.September, time.Monday, 1), "Labor Day"},
		holidayRule{nthWeekday(y, time.November, time.Thursday, 4), "Thanksgiving"},
		holidayRule{observed(dayOf(y, time.December, 25)), "Christmas"},
	)
	return hs
}

type holidayRule struct {
	day  day
	name string
}

// isRuleHoliday reports whether d is a holiday by ruleHolidays.
func isRuleHoliday(d day) bool {
	y, _, _ := d.date()
	for _, h := range ruleHolidays(y) {
		if h.day == d {
			return true
		}
	}
	return false
}

// easter returns Easter Sunday of year y (Gregorian; anonymous algorithm).
func easter(y int) day {
	a := y % 19
	b, c := y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	dd := (h+l-7*m+114)%31 + 1
	return dayOf(y, time.Month(month), dd)
}
