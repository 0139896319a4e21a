package report

import (
	"fmt"
	"time"
	_ "time/tzdata" // trade dates must work on hosts without a zoneinfo database

	"github.com/shopspring/decimal"
)

// Defaults used for zero Config fields.
var (
	DefaultStartingCapital = decimal.NewFromInt(100_000)
	DefaultSampleInterval  = time.Minute
)

// Config configures a Recorder. The zero Config is valid and means the
// defaults.
type Config struct {
	// StartingCapital is the account equity before the first fill, in the
	// currency of all fees and point values. Zero means
	// DefaultStartingCapital (100000); it must not be negative.
	StartingCapital decimal.Decimal
	// TradeDate maps an instant to the trade date it belongs to; only the
	// year, month and day of the result (in its own location) are used.
	// Nil means CMETradeDate.
	TradeDate func(t time.Time) time.Time
	// SampleInterval is the most data time between two equity samples when
	// no fill happens. Zero means DefaultSampleInterval (one minute); it must
	// not be negative.
	SampleInterval time.Duration
}

// withDefaults validates c and fills its zero fields.
func (c Config) withDefaults() (Config, error) {
	if c.StartingCapital.IsNegative() {
		return c, fmt.Errorf("report config: StartingCapital is %s: it must be positive, or zero for the default %s",
			c.StartingCapital, DefaultStartingCapital)
	}
	if c.StartingCapital.IsZero() {
		c.StartingCapital = DefaultStartingCapital
	}
	if c.SampleInterval < 0 {
		return c, fmt.Errorf("report config: SampleInterval is %s: it must be positive, or zero for the default %s",
			c.SampleInterval, DefaultSampleInterval)
	}
	if c.SampleInterval == 0 {
		c.SampleInterval = DefaultSampleInterval
	}
	if c.TradeDate == nil {
		c.TradeDate = CMETradeDate
	}
	return c, nil
}

var chicago = mustLoadLocation("America/Chicago")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("report: " + err.Error()) // unreachable: time/tzdata is embedded
	}
	return loc
}

// CMETradeDate returns the CME trade date of t as midnight UTC of that date:
// the calendar date of t in America/Chicago, plus one day from 17:00 CT on
// (the session opening at 17:00 on day D trades for D+1), with Saturday and
// Sunday rolled forward to Monday. Holidays are not skipped.
func CMETradeDate(t time.Time) time.Time {
	ct := t.In(chicago)
	y, m, d := ct.Date()
	if ct.Hour() >= 17 {
		d++
	}
	date := time.Date(y, m, d, 0, 0, 0, 0, time.UTC) // normalizes d past month end
	switch date.Weekday() {
	case time.Saturday:
		date = date.AddDate(0, 0, 2)
	case time.Sunday:
		date = date.AddDate(0, 0, 1)
	}
	return date
}
