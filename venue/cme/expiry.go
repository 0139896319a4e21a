package cme

import (
	"fmt"
	"time"
)

// ltdRule computes a product's last trading day.
type ltdRule uint8

const (
	// 3rd Friday of the contract month; the business day before if that is a holiday.
	ltdEquity ltdRule = iota + 1
	// 3 business days before the 25th of the month before the contract month
	// (4 if the 25th is not a business day).
	ltdCL
	// one business day before CL's last trading day.
	ltdMCL
	// 3 business days before the first day of the contract month.
	ltdNG
	// 3rd-to-last business day of the contract month.
	ltdThirdLastBusinessDay
	// 7th business day before the last business day of the contract month.
	ltdSeventhBeforeLastBusinessDay
	// last business day of the contract month.
	ltdLastBusinessDay
	// 2nd business day before the 3rd Wednesday of the contract month.
	ltdFX
	// business day before the 15th of the contract month.
	ltdGrains
)

// rollRule computes when keel moves from a contract to the next.
type rollRule uint8

const (
	// CME's equity-index convention: 8 calendar days before the last trading day.
	rollEquity rollRule = iota + 1
	// rollBeforeLTDDays business days before the last trading day
	// (energy and FX; approximation, the reference gives no rule).
	rollBeforeLTD
	// rollBeforeNoticeDays business days before the first notice day, taken as
	// the last business day of the month before the contract month (physically
	// delivered metals, Treasuries, grains; approximation).
	rollBeforeNotice
)

const (
	rollBeforeLTDDays    = 5
	rollBeforeNoticeDays = 2
)

// isBusinessDay reports whether d is a CME business day (a trade date): a
// weekday that is not an exchange holiday. Inside the calendar's range the
// data file's holidays decide; outside it, ruleHolidays.
func (c *Calendar) isBusinessDay(d day) bool {
	if d.weekend() {
		return false
	}
	if d >= c.first && d <= c.last {
		e := c.days[d]
		return e == nil || !e.holiday
	}
	return !isRuleHoliday(d)
}

// businessDaysBefore steps back n business days from d, not counting d.
func (c *Calendar) businessDaysBefore(d day, n int) day {
	for n > 0 {
		d--
		if c.isBusinessDay(d) {
			n--
		}
	}
	return d
}

// nextBusinessDay returns the first business day after d.
func (c *Calendar) nextBusinessDay(d day) day {
	for d++; !c.isBusinessDay(d); d++ {
	}
	return d
}

// lastBusinessDay returns the last business day of the month.
func (c *Calendar) lastBusinessDay(y int, m time.Month) day {
	d := dayOf(y, m+1, 1) - 1
	for !c.isBusinessDay(d) {
		d--
	}
	return d
}

func (c *Calendar) lastTradingDay(p *Product, y int, m time.Month) day {
	switch p.ltd {
	case ltdEquity:
		d := nthWeekday(y, m, time.Friday, 3)
		for !c.isBusinessDay(d) {
			d--
		}
		return d
	case ltdCL, ltdMCL:
		d25 := dayOf(y, m-1, 25)
		n := 3
		if !c.isBusinessDay(d25) {
			n = 4
		}
		d := c.businessDaysBefore(d25, n)
		if p.ltd == ltdMCL {
			d = c.businessDaysBefore(d, 1)
		}
		return d
	case ltdNG:
		return c.businessDaysBefore(dayOf(y, m, 1), 3)
	case ltdThirdLastBusinessDay:
		return c.businessDaysBefore(c.lastBusinessDay(y, m), 2)
	case ltdSeventhBeforeLastBusinessDay:
		return c.businessDaysBefore(c.lastBusinessDay(y, m), 7)
	case ltdLastBusinessDay:
		return c.lastBusinessDay(y, m)
	case ltdFX:
		return c.businessDaysBefore(nthWeekday(y, m, time.Wednesday, 3), 2)
	case ltdGrains:
		return c.businessDaysBefore(dayOf(y, m, 15), 1)
	}
	panic("cme: product " + p.Root + " has no last-trading-day rule")
}

func (c *Calendar) rollDate(p *Product, y int, m time.Month) day {
	switch p.roll {
	case rollEquity:
		return c.lastTradingDay(p, y, m) - 8
	case rollBeforeLTD:
		return c.businessDaysBefore(c.lastTradingDay(p, y, m), rollBeforeLTDDays)
	case rollBeforeNotice:
		return c.businessDaysBefore(c.lastBusinessDay(y, m-1), rollBeforeNoticeDays)
	}
	panic("cme: product " + p.Root + " has no roll rule")
}

func (c *Calendar) product(sym Symbol) (*Product, error) {
	i, ok := byRoot[sym.Root]
	if !ok {
		return nil, fmt.Errorf("cme: %s: %w %q", sym, ErrUnknownProduct, sym.Root)
	}
	p := &products[i]
	if !p.Months.Has(sym.Month) {
		return nil, fmt.Errorf("cme: %s: %s lists no %s contract (months %s)", sym, p.Root, sym.Month, p.Months)
	}
	return p, nil
}

// LastTradingDay returns the date (00:00 CT) of the contract's last trading
// day, by the product's rule (reference/cme-hours-specs.md §2.2), counting
// business days with this calendar's holidays (ruleHolidays beyond its range):
//
//   - equity index: 3rd Friday of the contract month, or the business day
//     before it if that is a holiday (ESM6 → Thu 2026-06-18, Juneteenth);
//     trading stops 08:30 CT;
//   - CL: 3 business days before the 25th of the month before the contract
//     month, 4 if the 25th is not a business day; MCL one business day before CL;
//   - NG: 3 business days before the first day of the contract month;
//   - GC, MGC, SI: 3rd-to-last business day of the contract month;
//   - ZN, ZB: 7th business day before the last business day of the month;
//     ZF, ZT: the last business day of the month (trading stops 12:01 CT);
//   - 6E, 6J: 2nd business day before the 3rd Wednesday (09:16 CT);
//   - ZC, ZS, ZW: the business day before the 15th of the contract month.
//
// Bank-only holidays (Columbus Day, Veterans Day) count as business days.
// Never trade a contract into expiry on this date alone: cross-check it
// against the broker's contract maturity.
func (c *Calendar) LastTradingDay(sym Symbol) (time.Time, error) {
	p, err := c.product(sym)
	if err != nil {
		return time.Time{}, err
	}
	return c.lastTradingDay(p, sym.Year, sym.Month).midnight(), nil
}

// RollDate returns the date (00:00 CT) from which keel treats the next
// contract as the front month:
//
//   - equity index: CME's convention, 8 calendar days before the last trading
//     day (normally the Thursday of the week before expiry; ESM6 → 2026-06-10
//     because Juneteenth moves its last trading day to Thursday);
//   - energy (CL, MCL, NG) and FX (6E, 6J): 5 business days before the last
//     trading day — an approximation, the reference gives no roll rule;
//   - metals, Treasuries and grains, which are physically delivered with a
//     first notice day before the last trading day: 2 business days before
//     the last business day of the month before the contract month (which is
//     taken as the first notice day) — an approximation, so that keel is out
//     before delivery notices can be assigned.
func (c *Calendar) RollDate(sym Symbol) (time.Time, error) {
	p, err := c.product(sym)
	if err != nil {
		return time.Time{}, err
	}
	return c.rollDate(p, sym.Year, sym.Month).midnight(), nil
}

// FrontMonth returns the contract keel trades for root at t: the first
// contract in the product's RollMonths whose roll date (see RollDate) is after
// t's date in CT. On the roll date itself the next contract is the front.
func (c *Calendar) FrontMonth(root string, t time.Time) (Symbol, error) {
	i, ok := byRoot[root]
	if !ok {
		return Symbol{}, fmt.Errorf("cme: front month: %w %q", ErrUnknownProduct, root)
	}
	if t.IsZero() {
		return Symbol{}, fmt.Errorf("cme: front month of %s: zero time", root)
	}
	p := &products[i]
	today := ctDay(t)
	y, m, _ := today.date()
	// Start a month back: CL's contract for next month may already have rolled,
	// but no contract rolls more than a year before its month.
	y, m = addMonths(y, m, -1)
	for range 36 {
		if p.RollMonths.Has(m) && c.rollDate(p, y, m) > today {
			return Symbol{Root: root, Month: m, Year: y}, nil
		}
		y, m = addMonths(y, m, 1)
	}
	return Symbol{}, fmt.Errorf("cme: front month of %s at %s: no contract rolls within three years", root, t)
}

func addMonths(y int, m time.Month, n int) (int, time.Month) {
	i := y*12 + int(m-1) + n
	return i / 12, time.Month(i%12 + 1)
}

// LastTradingDay is DefaultCalendar().LastTradingDay.
func LastTradingDay(sym Symbol) (time.Time, error) { return DefaultCalendar().LastTradingDay(sym) }

// RollDate is DefaultCalendar().RollDate.
func RollDate(sym Symbol) (time.Time, error) { return DefaultCalendar().RollDate(sym) }

// FrontMonth is DefaultCalendar().FrontMonth.
func FrontMonth(root string, t time.Time) (Symbol, error) {
	return DefaultCalendar().FrontMonth(root, t)
}
