// Package cme knows the CME Group futures keel trades: the product table
// (tick size, tick and point value, listed months), Tradovate contract symbols
// such as "MESZ6", last trading days, roll dates and the front month, and the
// CME Globex trading calendar — weekly sessions per product group, daily
// maintenance breaks, holidays and early closes.
//
// All exchange times are America/Chicago (CT); the package embeds the time
// zone database so it works on systems without one.
//
// The calendar is data, not code: calendar/globex.yaml is embedded and loaded
// once by DefaultCalendar. It covers a fixed range of dates. Outside that range
// every session query fails with an error wrapping ErrCalendarUnknown, so the
// caller (the risk gate, the scheduler) decides what unknown means instead of
// this package guessing. Update the file each December from
// https://www.cmegroup.com/trading-hours.html.
//
// Session queries on a *Schedule are allocation-free and take tens of
// nanoseconds, so the risk gate can ask on every order intent:
//
//	es, _ := cme.DefaultCalendar().ScheduleFor("ES")
//	open, err := es.IsOpen(time.Now())
package cme
