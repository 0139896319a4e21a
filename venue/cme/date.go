package cme

import (
	"time"
	_ "time/tzdata" // the calendar must work on hosts without a zoneinfo database
)

// chicago is the exchange time zone of every CME Globex schedule.
var chicago = mustLoadLocation("America/Chicago")

// Chicago returns the America/Chicago location all CME times are written in.
func Chicago() *time.Location { return chicago }

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("cme: " + err.Error()) // unreachable: time/tzdata is embedded
	}
	return loc
}

// day is a civil date (no time, no zone) counted in days since 1970-01-01.
// Dates are compared and stepped as integers; they become instants only
// through at, in Chicago time, so daylight saving is handled by tzdata.
type day int32

const secondsPerDay = 24 * 60 * 60

func dayOf(y int, m time.Month, d int) day {
	return day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / secondsPerDay)
}

// ctDay returns the date of t in Chicago.
func ctDay(t time.Time) day {
	y, m, d := t.In(chicago).Date()
	return dayOf(y, m, d)
}

func (d day) date() (int, time.Month, int) {
	return time.Unix(int64(d)*secondsPerDay, 0).UTC().Date()
}

func (d day) weekday() time.Weekday {
	return time.Weekday(((int64(d)+4)%7 + 7) % 7) // 1970-01-01 was a Thursday
}

func (d day) weekend() bool {
	wd := d.weekday()
	return wd == time.Saturday || wd == time.Sunday
}

// at returns the instant of wall-clock minute min (0..1439) on d in Chicago.
func (d day) at(min int) time.Time {
	y, m, dd := d.date()
	return time.Date(y, m, dd, min/60, min%60, 0, 0, chicago)
}

// midnight returns 00:00 CT on d.
func (d day) midnight() time.Time { return d.at(0) }

func (d day) String() string {
	y, m, dd := d.date()
	var b [10]byte
	put := func(i, v, n int) {
		for k := n - 1; k >= 0; k-- {
			b[i+k] = byte('0' + v%10)
			v /= 10
		}
	}
	put(0, y, 4)
	b[4] = '-'
	put(5, int(m), 2)
	b[7] = '-'
	put(8, dd, 2)
	return string(b[:])
}

// nthWeekday returns the n-th (1-based) weekday wd of the month; n = -1 is the last.
func nthWeekday(y int, m time.Month, wd time.Weekday, n int) day {
	if n < 0 {
		last := dayOf(y, m+1, 1) - 1
		return last - day((int(last.weekday())-int(wd)+7)%7)
	}
	first := dayOf(y, m, 1)
	return first + day((int(wd)-int(first.weekday())+7)%7) + day(7*(n-1))
}
