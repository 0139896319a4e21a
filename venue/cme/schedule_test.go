package cme

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sessionCase is one question to a schedule. For an open market, edge is the
// expected SessionClose; for a closed one, the expected NextOpen.
type sessionCase struct {
	name      string
	root      string
	at        time.Time
	open      bool
	reason    string // Status.Reason when closed, Status.CloseReason when open
	edge      time.Time
	tradeDate string
}

func open(name, root string, at time.Time, closes time.Time, closeReason, tradeDate string) sessionCase {
	return sessionCase{name, root, at, true, closeReason, closes, tradeDate}
}

func closed(name, root string, at time.Time, reason string, opens time.Time, tradeDate string) sessionCase {
	return sessionCase{name, root, at, false, reason, opens, tradeDate}
}

func runSessionCases(t *testing.T, cases []sessionCase) {
	t.Helper()
	c := DefaultCalendar()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			isOpen, err := c.IsOpen(tt.root, tt.at)
			require.NoError(t, err)
			assert.Equal(t, tt.open, isOpen, "IsOpen")

			st, err := c.Status(tt.root, tt.at)
			require.NoError(t, err)
			assert.Equal(t, tt.open, st.Open, "Status.Open")
			if tt.open {
				assert.Empty(t, st.Reason)
				assert.Equal(t, tt.reason, st.CloseReason, "CloseReason")
				assert.True(t, tt.edge.Equal(st.SessionClose), "SessionClose = %s, want %s", st.SessionClose, tt.edge)
			} else {
				assert.Equal(t, tt.reason, st.Reason, "Reason")
				assert.True(t, st.SessionClose.IsZero())
				assert.True(t, tt.edge.Equal(st.NextOpen), "NextOpen = %s, want %s", st.NextOpen, tt.edge)
			}
			assert.Equal(t, tt.tradeDate, st.TradeDate.Format(time.DateOnly), "TradeDate")
			assert.Equal(t, chicago, st.TradeDate.Location())

			td, err := c.TradeDate(tt.root, tt.at)
			require.NoError(t, err)
			assert.True(t, td.Equal(st.TradeDate))
		})
	}
}

func TestWeeklySessions(t *testing.T) {
	runSessionCases(t, []sessionCase{
		// A plain week: Sunday 2026-01-04 to Friday 2026-01-09.
		closed("saturday", "ES", ct(2026, 1, 3, 12, 0, 0), "weekend", ct(2026, 1, 4, 17, 0, 0), "2026-01-05"),
		closed("sunday before open", "ES", ct(2026, 1, 4, 16, 59, 59), "weekend", ct(2026, 1, 4, 17, 0, 0), "2026-01-05"),
		open("sunday open", "ES", ct(2026, 1, 4, 17, 0, 0), ct(2026, 1, 5, 16, 0, 0), "maintenance break", "2026-01-05"),
		open("monday overnight", "ES", ct(2026, 1, 5, 3, 0, 0), ct(2026, 1, 5, 16, 0, 0), "maintenance break", "2026-01-05"),
		open("before break", "ES", ct(2026, 1, 6, 15, 59, 59), ct(2026, 1, 6, 16, 0, 0), "maintenance break", "2026-01-06"),
		closed("break starts", "ES", ct(2026, 1, 6, 16, 0, 0), "maintenance break", ct(2026, 1, 6, 17, 0, 0), "2026-01-07"),
		closed("break ends", "ES", ct(2026, 1, 6, 16, 59, 59), "maintenance break", ct(2026, 1, 6, 17, 0, 0), "2026-01-07"),
		open("reopen for next trade date", "ES", ct(2026, 1, 6, 17, 0, 0), ct(2026, 1, 7, 16, 0, 0), "maintenance break", "2026-01-07"),
		open("friday before close", "ES", ct(2026, 1, 9, 15, 59, 59), ct(2026, 1, 9, 16, 0, 0), "weekend", "2026-01-09"),
		closed("friday close", "ES", ct(2026, 1, 9, 16, 0, 0), "weekend", ct(2026, 1, 11, 17, 0, 0), "2026-01-12"),
		closed("friday evening", "ES", ct(2026, 1, 9, 17, 30, 0), "weekend", ct(2026, 1, 11, 17, 0, 0), "2026-01-12"),
		// The same week for every other 17:00–16:00 group.
		open("CL sunday open", "CL", ct(2026, 1, 4, 17, 0, 0), ct(2026, 1, 5, 16, 0, 0), "maintenance break", "2026-01-05"),
		closed("GC break", "GC", ct(2026, 1, 7, 16, 30, 0), "maintenance break", ct(2026, 1, 7, 17, 0, 0), "2026-01-08"),
		closed("ZN friday", "ZN", ct(2026, 1, 9, 16, 0, 0), "weekend", ct(2026, 1, 11, 17, 0, 0), "2026-01-12"),
		open("6J wednesday", "6J", ct(2026, 1, 7, 9, 0, 0), ct(2026, 1, 7, 16, 0, 0), "maintenance break", "2026-01-07"),
		// Grains: 19:00–07:45 and 08:30–13:20.
		closed("ZC sunday before open", "ZC", ct(2026, 1, 4, 18, 59, 59), "weekend", ct(2026, 1, 4, 19, 0, 0), "2026-01-05"),
		open("ZC sunday open", "ZC", ct(2026, 1, 4, 19, 0, 0), ct(2026, 1, 5, 7, 45, 0), "daily break", "2026-01-05"),
		open("ZC overnight end", "ZC", ct(2026, 1, 6, 7, 44, 59), ct(2026, 1, 6, 7, 45, 0), "daily break", "2026-01-06"),
		closed("ZC daily break", "ZC", ct(2026, 1, 6, 7, 45, 0), "daily break", ct(2026, 1, 6, 8, 30, 0), "2026-01-06"),
		closed("ZC break end", "ZC", ct(2026, 1, 6, 8, 29, 59), "daily break", ct(2026, 1, 6, 8, 30, 0), "2026-01-06"),
		open("ZC day segment", "ZC", ct(2026, 1, 6, 8, 30, 0), ct(2026, 1, 6, 13, 20, 0), "daily close", "2026-01-06"),
		closed("ZC daily close", "ZC", ct(2026, 1, 6, 13, 20, 0), "daily close", ct(2026, 1, 6, 19, 0, 0), "2026-01-07"),
		closed("ZS at the equity reopen", "ZS", ct(2026, 1, 6, 17, 0, 0), "daily close", ct(2026, 1, 6, 19, 0, 0), "2026-01-07"),
		open("ZW evening", "ZW", ct(2026, 1, 6, 19, 0, 0), ct(2026, 1, 7, 7, 45, 0), "daily break", "2026-01-07"),
		closed("ZC friday close", "ZC", ct(2026, 1, 9, 13, 20, 0), "weekend", ct(2026, 1, 11, 19, 0, 0), "2026-01-12"),
	})
}

// Globex hours are fixed in Chicago, so the UTC open moves with DST.
func TestDaylightSavingWeekends(t *testing.T) {
	utc := func(y int, m time.Month, d, h, mi, s int) time.Time { return time.Date(y, m, d, h, mi, s, 0, time.UTC) }
	runSessionCases(t, []sessionCase{
		// 2025-03-09: CST → CDT. Friday closes 22:00 UTC, Sunday opens 22:00 UTC.
		closed("2025 spring fri close", "ES", utc(2025, 3, 7, 22, 0, 0), "weekend", utc(2025, 3, 9, 22, 0, 0), "2025-03-10"),
		closed("2025 spring sun 16:59:59 CDT", "ES", utc(2025, 3, 9, 21, 59, 59), "weekend", utc(2025, 3, 9, 22, 0, 0), "2025-03-10"),
		open("2025 spring sun open", "ES", utc(2025, 3, 9, 22, 0, 0), utc(2025, 3, 10, 21, 0, 0), "maintenance break", "2025-03-10"),
		// 2025-11-02: CDT → CST. Friday closes 21:00 UTC, Sunday opens 23:00 UTC.
		closed("2025 fall fri close", "ES", utc(2025, 10, 31, 21, 0, 0), "weekend", utc(2025, 11, 2, 23, 0, 0), "2025-11-03"),
		closed("2025 fall sun 16:59:59 CST", "ES", utc(2025, 11, 2, 22, 59, 59), "weekend", utc(2025, 11, 2, 23, 0, 0), "2025-11-03"),
		open("2025 fall sun open", "ES", utc(2025, 11, 2, 23, 0, 0), utc(2025, 11, 3, 22, 0, 0), "maintenance break", "2025-11-03"),
		// 2026-03-08 and 2026-11-01.
		open("2026 spring fri before close", "ES", utc(2026, 3, 6, 21, 59, 59), utc(2026, 3, 6, 22, 0, 0), "weekend", "2026-03-06"),
		closed("2026 spring sat", "ES", utc(2026, 3, 7, 12, 0, 0), "weekend", utc(2026, 3, 8, 22, 0, 0), "2026-03-09"),
		closed("2026 spring sun 16:59:59 CDT", "ES", utc(2026, 3, 8, 21, 59, 59), "weekend", utc(2026, 3, 8, 22, 0, 0), "2026-03-09"),
		open("2026 spring sun open", "ES", utc(2026, 3, 8, 22, 0, 0), utc(2026, 3, 9, 21, 0, 0), "maintenance break", "2026-03-09"),
		closed("2026 spring mon break", "ES", utc(2026, 3, 9, 21, 0, 0), "maintenance break", utc(2026, 3, 9, 22, 0, 0), "2026-03-10"),
		closed("2026 fall sun 16:59:59 CST", "ES", utc(2026, 11, 1, 22, 59, 59), "weekend", utc(2026, 11, 1, 23, 0, 0), "2026-11-02"),
		open("2026 fall sun open", "ES", utc(2026, 11, 1, 23, 0, 0), utc(2026, 11, 2, 22, 0, 0), "maintenance break", "2026-11-02"),
		closed("2026 fall sun 17:00 CDT is closed", "ES", utc(2026, 11, 1, 22, 0, 0), "weekend", utc(2026, 11, 1, 23, 0, 0), "2026-11-02"),
		open("2026 fall ZC sun open", "ZC", utc(2026, 11, 2, 1, 0, 0), utc(2026, 11, 2, 13, 45, 0), "daily break", "2026-11-02"),
	})
}

func TestEquityHolidays2025(t *testing.T) {
	runSessionCases(t, []sessionCase{
		closed("new year's day", "ES", ct(2025, 1, 1, 10, 0, 0), "holiday: New Year's Day", ct(2025, 1, 1, 17, 0, 0), "2025-01-02"),
		open("new year's evening", "ES", ct(2025, 1, 1, 17, 0, 0), ct(2025, 1, 2, 16, 0, 0), "maintenance break", "2025-01-02"),
		open("day of mourning before halt", "ES", ct(2025, 1, 9, 8, 29, 59), ct(2025, 1, 9, 8, 30, 0), "early close: National Day of Mourning (President Carter)", "2025-01-09"),
		closed("day of mourning halt", "ES", ct(2025, 1, 9, 8, 30, 0), "early close: National Day of Mourning (President Carter)", ct(2025, 1, 9, 17, 0, 0), "2025-01-10"),
		open("MLK morning trades for tuesday", "MES", ct(2025, 1, 20, 11, 59, 59), ct(2025, 1, 20, 12, 0, 0), "holiday: Martin Luther King Jr. Day", "2025-01-21"),
		closed("MLK halt", "MES", ct(2025, 1, 20, 12, 0, 0), "holiday: Martin Luther King Jr. Day", ct(2025, 1, 20, 17, 0, 0), "2025-01-21"),
		open("MLK reopen", "MES", ct(2025, 1, 20, 17, 0, 0), ct(2025, 1, 21, 16, 0, 0), "maintenance break", "2025-01-21"),
		closed("presidents day halt", "NQ", ct(2025, 2, 17, 12, 0, 0), "holiday: Presidents Day", ct(2025, 2, 17, 17, 0, 0), "2025-02-18"),
		closed("thursday before good friday", "ES", ct(2025, 4, 17, 16, 0, 0), "holiday: Good Friday", ct(2025, 4, 20, 17, 0, 0), "2025-04-21"),
		closed("good friday", "ES", ct(2025, 4, 18, 10, 0, 0), "holiday: Good Friday", ct(2025, 4, 20, 17, 0, 0), "2025-04-21"),
		closed("memorial day halt", "YM", ct(2025, 5, 26, 12, 0, 0), "holiday: Memorial Day", ct(2025, 5, 26, 17, 0, 0), "2025-05-27"),
		closed("juneteenth halt", "RTY", ct(2025, 6, 19, 12, 0, 0), "holiday: Juneteenth", ct(2025, 6, 19, 17, 0, 0), "2025-06-20"),
		open("juneteenth reopen", "RTY", ct(2025, 6, 19, 17, 0, 0), ct(2025, 6, 20, 16, 0, 0), "weekend", "2025-06-20"),
		open("july 3 before early close", "ES", ct(2025, 7, 3, 12, 14, 59), ct(2025, 7, 3, 12, 15, 0), "early close: day before Independence Day", "2025-07-03"),
		closed("july 3 early close", "ES", ct(2025, 7, 3, 12, 15, 0), "early close: day before Independence Day", ct(2025, 7, 3, 17, 0, 0), "2025-07-07"),
		open("july 4 morning", "ES", ct(2025, 7, 4, 11, 59, 59), ct(2025, 7, 4, 12, 0, 0), "holiday: Independence Day", "2025-07-07"),
		closed("july 4 halt", "ES", ct(2025, 7, 4, 12, 0, 0), "holiday: Independence Day", ct(2025, 7, 6, 17, 0, 0), "2025-07-07"),
		closed("labor day halt", "M2K", ct(2025, 9, 1, 12, 0, 0), "holiday: Labor Day", ct(2025, 9, 1, 17, 0, 0), "2025-09-02"),
		closed("thanksgiving halt", "ES", ct(2025, 11, 27, 12, 0, 0), "holiday: Thanksgiving", ct(2025, 11, 27, 17, 0, 0), "2025-11-28"),
		open("black friday", "ES", ct(2025, 11, 28, 12, 14, 59), ct(2025, 11, 28, 12, 15, 0), "early close: day after Thanksgiving", "2025-11-28"),
		closed("black friday close", "ES", ct(2025, 11, 28, 12, 15, 0), "early close: day after Thanksgiving", ct(2025, 11, 30, 17, 0, 0), "2025-12-01"),
		closed("black friday saturday", "ES", ct(2025, 11, 29, 12, 0, 0), "weekend", ct(2025, 11, 30, 17, 0, 0), "2025-12-01"),
		closed("christmas eve close", "ES", ct(2025, 12, 24, 12, 15, 0), "early close: Christmas Eve", ct(2025, 12, 25, 17, 0, 0), "2025-12-26"),
		closed("christmas eve evening", "ES", ct(2025, 12, 24, 17, 0, 0), "early close: Christmas Eve", ct(2025, 12, 25, 17, 0, 0), "2025-12-26"),
		closed("christmas", "ES", ct(2025, 12, 25, 10, 0, 0), "holiday: Christmas", ct(2025, 12, 25, 17, 0, 0), "2025-12-26"),
		open("christmas evening", "ES", ct(2025, 12, 25, 17, 0, 0), ct(2025, 12, 26, 16, 0, 0), "weekend", "2025-12-26"),
		closed("new year's eve: no evening session", "ES", ct(2025, 12, 31, 17, 0, 0), "holiday: New Year's Day", ct(2026, 1, 1, 17, 0, 0), "2026-01-02"),
	})
}

func TestEquityHolidays2026(t *testing.T) {
	runSessionCases(t, []sessionCase{
		closed("new year's day", "ES", ct(2026, 1, 1, 12, 0, 0), "holiday: New Year's Day", ct(2026, 1, 1, 17, 0, 0), "2026-01-02"),
		closed("MLK halt", "ES", ct(2026, 1, 19, 12, 0, 0), "holiday: Martin Luther King Jr. Day", ct(2026, 1, 19, 17, 0, 0), "2026-01-20"),
		closed("presidents day halt", "ES", ct(2026, 2, 16, 12, 0, 0), "holiday: Presidents Day", ct(2026, 2, 16, 17, 0, 0), "2026-02-17"),
		// Good Friday with the jobs report: Thursday 17:00 to 08:15 Friday, booked to Monday.
		open("good friday eve session", "ES", ct(2026, 4, 2, 17, 0, 0), ct(2026, 4, 3, 8, 15, 0), "holiday: Good Friday", "2026-04-06"),
		open("good friday jobs report", "ES", ct(2026, 4, 3, 7, 30, 0), ct(2026, 4, 3, 8, 15, 0), "holiday: Good Friday", "2026-04-06"),
		closed("good friday halt", "ES", ct(2026, 4, 3, 8, 15, 0), "holiday: Good Friday", ct(2026, 4, 5, 17, 0, 0), "2026-04-06"),
		closed("memorial day halt", "ES", ct(2026, 5, 25, 12, 0, 0), "holiday: Memorial Day", ct(2026, 5, 25, 17, 0, 0), "2026-05-26"),
		open("juneteenth morning", "ES", ct(2026, 6, 19, 11, 59, 59), ct(2026, 6, 19, 12, 0, 0), "holiday: Juneteenth", "2026-06-22"),
		closed("juneteenth halt", "ES", ct(2026, 6, 19, 12, 0, 0), "holiday: Juneteenth", ct(2026, 6, 21, 17, 0, 0), "2026-06-22"),
		closed("independence day halt", "ES", ct(2026, 7, 3, 12, 0, 0), "holiday: Independence Day (observed)", ct(2026, 7, 5, 17, 0, 0), "2026-07-06"),
		closed("labor day halt", "ES", ct(2026, 9, 7, 12, 0, 0), "holiday: Labor Day", ct(2026, 9, 7, 17, 0, 0), "2026-09-08"),
		open("thanksgiving morning", "ES", ct(2026, 11, 26, 10, 0, 0), ct(2026, 11, 26, 12, 0, 0), "holiday: Thanksgiving", "2026-11-27"),
		closed("thanksgiving halt", "ES", ct(2026, 11, 26, 12, 0, 0), "holiday: Thanksgiving", ct(2026, 11, 26, 17, 0, 0), "2026-11-27"),
		closed("black friday close", "ES", ct(2026, 11, 27, 12, 15, 0), "early close: day after Thanksgiving", ct(2026, 11, 29, 17, 0, 0), "2026-11-30"),
		closed("christmas eve close", "ES", ct(2026, 12, 24, 12, 15, 0), "early close: Christmas Eve", ct(2026, 12, 27, 17, 0, 0), "2026-12-28"),
		closed("christmas", "ES", ct(2026, 12, 25, 12, 0, 0), "holiday: Christmas", ct(2026, 12, 27, 17, 0, 0), "2026-12-28"),
		closed("new year's eve", "ES", ct(2026, 12, 31, 16, 0, 0), "holiday: New Year's Day", ct(2027, 1, 3, 17, 0, 0), "2027-01-04"),
		closed("new year's day 2027", "ES", ct(2027, 1, 1, 12, 0, 0), "holiday: New Year's Day", ct(2027, 1, 3, 17, 0, 0), "2027-01-04"),
		// Projected 2027.
		closed("good friday 2027", "ES", ct(2027, 3, 26, 9, 0, 0), "holiday: Good Friday", ct(2027, 3, 28, 17, 0, 0), "2027-03-29"),
		closed("juneteenth 2027", "ES", ct(2027, 6, 18, 12, 0, 0), "holiday: Juneteenth (observed)", ct(2027, 6, 20, 17, 0, 0), "2027-06-21"),
		closed("independence day 2027", "ES", ct(2027, 7, 5, 12, 0, 0), "holiday: Independence Day (observed)", ct(2027, 7, 5, 17, 0, 0), "2027-07-06"),
		closed("christmas 2027", "ES", ct(2027, 12, 23, 16, 0, 0), "holiday: Christmas (observed)", ct(2027, 12, 26, 17, 0, 0), "2027-12-27"),
	})
}

func TestOtherGroupsHolidays(t *testing.T) {
	runSessionCases(t, []sessionCase{
		// Energy and metals: 13:30 halts, closed Good Friday 2026, 12:45 early closes.
		open("CL MLK after equity halt", "CL", ct(2026, 1, 19, 13, 29, 59), ct(2026, 1, 19, 13, 30, 0), "holiday: Martin Luther King Jr. Day", "2026-01-20"),
		closed("CL MLK halt", "CL", ct(2026, 1, 19, 13, 30, 0), "holiday: Martin Luther King Jr. Day", ct(2026, 1, 19, 17, 0, 0), "2026-01-20"),
		closed("CL thursday before good friday", "CL", ct(2026, 4, 2, 17, 0, 0), "holiday: Good Friday", ct(2026, 4, 5, 17, 0, 0), "2026-04-06"),
		closed("NG good friday", "NG", ct(2026, 4, 3, 8, 0, 0), "holiday: Good Friday", ct(2026, 4, 5, 17, 0, 0), "2026-04-06"),
		closed("MCL black friday", "MCL", ct(2025, 11, 28, 12, 45, 0), "early close: day after Thanksgiving", ct(2025, 11, 30, 17, 0, 0), "2025-12-01"),
		closed("CL juneteenth friday", "CL", ct(2026, 6, 19, 12, 0, 0), "holiday: Juneteenth", ct(2026, 6, 21, 17, 0, 0), "2026-06-22"),
		open("GC day of mourning trades normally", "GC", ct(2025, 1, 9, 10, 0, 0), ct(2025, 1, 9, 16, 0, 0), "maintenance break", "2025-01-09"),
		closed("GC thanksgiving", "GC", ct(2025, 11, 27, 13, 30, 0), "holiday: Thanksgiving", ct(2025, 11, 27, 17, 0, 0), "2025-11-28"),
		closed("SI christmas eve", "SI", ct(2025, 12, 24, 12, 45, 0), "early close: Christmas Eve", ct(2025, 12, 25, 17, 0, 0), "2025-12-26"),
		open("MGC juneteenth 2025", "MGC", ct(2025, 6, 19, 13, 0, 0), ct(2025, 6, 19, 13, 30, 0), "holiday: Juneteenth", "2025-06-20"),
		// Rates: equity times, but 10:15 on Good Friday 2026 and 12:15 on 2025-01-09.
		open("ZN good friday", "ZN", ct(2026, 4, 3, 10, 14, 59), ct(2026, 4, 3, 10, 15, 0), "holiday: Good Friday", "2026-04-06"),
		closed("ZN good friday halt", "ZN", ct(2026, 4, 3, 10, 15, 0), "holiday: Good Friday", ct(2026, 4, 5, 17, 0, 0), "2026-04-06"),
		closed("ZB day of mourning", "ZB", ct(2025, 1, 9, 12, 15, 0), "early close: National Day of Mourning (President Carter)", ct(2025, 1, 9, 17, 0, 0), "2025-01-10"),
		closed("ZT black friday", "ZT", ct(2026, 11, 27, 12, 15, 0), "early close: day after Thanksgiving", ct(2026, 11, 29, 17, 0, 0), "2026-11-30"),
		// FX: trades through Monday holidays (booked to the next trade date), 10:15 on Good Friday 2026.
		open("6E MLK trades through", "6E", ct(2026, 1, 19, 12, 0, 0), ct(2026, 1, 19, 16, 0, 0), "maintenance break", "2026-01-20"),
		open("6E juneteenth 2025 trades through", "6E", ct(2025, 6, 19, 15, 0, 0), ct(2025, 6, 19, 16, 0, 0), "maintenance break", "2025-06-20"),
		closed("6J good friday halt", "6J", ct(2026, 4, 3, 10, 15, 0), "holiday: Good Friday", ct(2026, 4, 5, 17, 0, 0), "2026-04-06"),
		closed("6E juneteenth 2026", "6E", ct(2026, 6, 19, 12, 0, 0), "holiday: Juneteenth", ct(2026, 6, 21, 17, 0, 0), "2026-06-22"),
		open("6E thanksgiving", "6E", ct(2026, 11, 26, 15, 0, 0), ct(2026, 11, 26, 16, 0, 0), "maintenance break", "2026-11-27"),
		closed("6E black friday", "6E", ct(2026, 11, 27, 13, 45, 0), "early close: day after Thanksgiving", ct(2026, 11, 29, 17, 0, 0), "2026-11-30"),
		// Grains: closed on holidays with no Sunday-night session, short Black Friday.
		closed("ZC no sunday session before MLK", "ZC", ct(2026, 1, 18, 19, 0, 0), "weekend", ct(2026, 1, 19, 19, 0, 0), "2026-01-20"),
		closed("ZC MLK", "ZC", ct(2026, 1, 19, 10, 0, 0), "holiday: Martin Luther King Jr. Day", ct(2026, 1, 19, 19, 0, 0), "2026-01-20"),
		open("ZC after MLK", "ZC", ct(2026, 1, 19, 19, 0, 0), ct(2026, 1, 20, 7, 45, 0), "daily break", "2026-01-20"),
		closed("ZS wednesday before thanksgiving", "ZS", ct(2025, 11, 26, 13, 20, 0), "holiday: Thanksgiving", ct(2025, 11, 28, 8, 30, 0), "2025-11-28"),
		closed("ZS thanksgiving", "ZS", ct(2025, 11, 27, 12, 0, 0), "holiday: Thanksgiving", ct(2025, 11, 28, 8, 30, 0), "2025-11-28"),
		closed("ZS black friday morning", "ZS", ct(2025, 11, 28, 7, 0, 0), "late open: day after Thanksgiving", ct(2025, 11, 28, 8, 30, 0), "2025-11-28"),
		open("ZS black friday", "ZS", ct(2025, 11, 28, 8, 30, 0), ct(2025, 11, 28, 12, 5, 0), "early close: day after Thanksgiving", "2025-11-28"),
		closed("ZW black friday close", "ZW", ct(2025, 11, 28, 12, 5, 0), "early close: day after Thanksgiving", ct(2025, 11, 30, 19, 0, 0), "2025-12-01"),
		closed("ZC july 3 no evening", "ZC", ct(2025, 7, 3, 19, 0, 0), "holiday: Independence Day", ct(2025, 7, 6, 19, 0, 0), "2025-07-07"),
		closed("ZC juneteenth 2026", "ZC", ct(2026, 6, 19, 9, 0, 0), "holiday: Juneteenth", ct(2026, 6, 21, 19, 0, 0), "2026-06-22"),
		closed("ZC good friday 2026", "ZC", ct(2026, 4, 3, 9, 0, 0), "holiday: Good Friday", ct(2026, 4, 5, 19, 0, 0), "2026-04-06"),
		closed("ZC christmas eve", "ZC", ct(2026, 12, 24, 12, 5, 0), "early close: Christmas Eve", ct(2026, 12, 27, 19, 0, 0), "2026-12-28"),
		closed("ZC day of mourning", "ZC", ct(2025, 1, 9, 12, 15, 0), "early close: National Day of Mourning (President Carter)", ct(2025, 1, 9, 19, 0, 0), "2025-01-10"),
	})
}

func TestTradeDateRollover(t *testing.T) {
	es := DefaultCalendar().Schedule(EquityIndex)
	tests := []struct {
		at   time.Time
		want string
	}{
		{ct(2026, 1, 6, 15, 59, 59), "2026-01-06"},
		{ct(2026, 1, 6, 16, 0, 0), "2026-01-07"}, // closed: the next session's
		{ct(2026, 1, 6, 17, 0, 0), "2026-01-07"},
		{ct(2026, 1, 6, 23, 59, 59), "2026-01-07"},
		{ct(2026, 1, 7, 0, 0, 0), "2026-01-07"},
		{ct(2026, 1, 9, 17, 0, 0), "2026-01-12"}, // Friday evening: Monday
		{ct(2026, 1, 11, 17, 0, 0), "2026-01-12"},
		{ct(2026, 1, 16, 18, 0, 0), "2026-01-20"},                    // before MLK day: Tuesday
		{time.Date(2026, 1, 7, 0, 30, 0, 0, time.UTC), "2026-01-07"}, // 18:30 CT on the 6th
	}
	for _, tt := range tests {
		got, err := es.TradeDate(tt.at)
		require.NoError(t, err)
		assert.Equal(t, tt.want, got.Format(time.DateOnly), tt.at.String())
	}
}

func TestCalendarUnknown(t *testing.T) {
	c := DefaultCalendar()
	es := c.Schedule(EquityIndex)
	for _, at := range []time.Time{
		ct(2024, 12, 31, 23, 59, 59),
		ct(2028, 1, 1, 0, 0, 0),
		ct(2028, 1, 3, 10, 0, 0),
		ct(2031, 6, 1, 10, 0, 0),
		{},
	} {
		isOpen, err := es.IsOpen(at)
		assert.False(t, isOpen)
		assert.ErrorIs(t, err, ErrCalendarUnknown, at.String())
		assert.ErrorContains(t, err, "update venue/cme/calendar/globex.yaml")
		_, err = es.Status(at)
		assert.ErrorIs(t, err, ErrCalendarUnknown)
		_, err = es.TradeDate(at)
		assert.ErrorIs(t, err, ErrCalendarUnknown)
		_, err = c.IsOpen("ZC", at)
		assert.ErrorIs(t, err, ErrCalendarUnknown)
	}

	// The first instant is known.
	isOpen, err := es.IsOpen(ct(2025, 1, 1, 0, 0, 0))
	require.NoError(t, err)
	assert.False(t, isOpen)

	// The last day is known, but not what follows its close.
	st, err := es.Status(ct(2027, 12, 31, 10, 0, 0))
	require.NoError(t, err)
	assert.True(t, st.Open)
	assert.True(t, st.SessionClose.Equal(ct(2027, 12, 31, 16, 0, 0)))
	assert.Equal(t, "weekend", st.CloseReason)
	assert.True(t, st.NextOpen.IsZero(), "the reopening lies beyond the calendar")
	isOpen, err = es.IsOpen(ct(2027, 12, 31, 17, 0, 0))
	require.NoError(t, err)
	assert.False(t, isOpen)
	_, err = es.Status(ct(2027, 12, 31, 17, 0, 0))
	assert.ErrorIs(t, err, ErrCalendarUnknown)
	assert.ErrorContains(t, err, "next open after")

	_, err = c.IsOpen("XX", ct(2026, 1, 5, 10, 0, 0))
	assert.ErrorIs(t, err, ErrUnknownProduct)
	_, err = c.Status("XX", ct(2026, 1, 5, 10, 0, 0))
	assert.ErrorIs(t, err, ErrUnknownProduct)
	_, err = c.TradeDate("XX", ct(2026, 1, 5, 10, 0, 0))
	assert.ErrorIs(t, err, ErrUnknownProduct)
	assert.Nil(t, c.Schedule(0))
}

// Walk every schedule minute by minute through 2026 and check its
// invariants against an independent reading of the template.
func TestScheduleInvariants(t *testing.T) {
	c := DefaultCalendar()
	for _, g := range Groups() {
		s := c.Schedule(g)
		assert.Equal(t, g, s.Group())
		for i := 1; i < len(s.spans); i++ {
			require.Less(t, s.spans[i-1].start, s.spans[i].start)
			if !s.spans[i].open && !s.spans[i-1].open {
				require.NotEqual(t, s.spans[i-1].reason, s.spans[i].reason, "adjacent closed spans merge")
			}
			if !s.spans[i].open {
				require.NotEmpty(t, s.spans[i].reason)
			}
		}
		for at := ct(2026, 1, 2, 0, 0, 0); at.Before(ct(2027, 1, 1, 0, 0, 0)); at = at.Add(7 * time.Minute) {
			st, err := s.Status(at)
			require.NoError(t, err)
			if st.Open {
				require.True(t, st.SessionClose.After(at))
				require.True(t, st.NextOpen.After(st.SessionClose))
				require.False(t, at.Weekday() == time.Saturday, "%s open on a Saturday %s", g, at)
			} else {
				require.True(t, st.NextOpen.After(at))
			}
			td := st.TradeDate
			require.True(t, DefaultCalendar().isBusinessDay(ctDay(td)), "%s trade date %s", g, td)
			require.False(t, td.Before(ctDay(at).midnight()), "trade date before the date")
		}
	}
}

func TestHolidayAndRange(t *testing.T) {
	c := DefaultCalendar()
	first, last := c.Range()
	assert.Equal(t, "2025-01-01", first.Format(time.DateOnly))
	assert.Equal(t, "2027-12-31", last.Format(time.DateOnly))
	name, ok := c.Holiday(ct(2026, 11, 26, 9, 0, 0))
	assert.True(t, ok)
	assert.Equal(t, "Thanksgiving", name)
	_, ok = c.Holiday(ct(2026, 11, 27, 9, 0, 0))
	assert.False(t, ok, "an early close is not a holiday")
	assert.False(t, c.Projected(ct(2026, 12, 31, 9, 0, 0)))
	assert.False(t, c.Projected(ct(2027, 1, 1, 9, 0, 0)))
	assert.True(t, c.Projected(ct(2027, 1, 4, 9, 0, 0)))
	assert.Same(t, c, DefaultCalendar())
}

func TestQueriesDoNotAllocate(t *testing.T) {
	es, err := DefaultCalendar().ScheduleFor("ES")
	require.NoError(t, err)
	at := ct(2026, 11, 27, 11, 0, 0)
	assert.Zero(t, testing.AllocsPerRun(1000, func() { _, _ = es.IsOpen(at) }))
	assert.Zero(t, testing.AllocsPerRun(1000, func() { _, _ = es.Status(at) }))
	assert.Zero(t, testing.AllocsPerRun(1000, func() { _, _ = es.TradeDate(at) }))
	assert.Zero(t, testing.AllocsPerRun(1000, func() { _, _ = DefaultCalendar().IsOpen("MES", at) }))
	beyond := ct(2030, 1, 1, 0, 0, 0)
	assert.Zero(t, testing.AllocsPerRun(1000, func() { _, _ = es.IsOpen(beyond) }), "unknown is not slower")
}

// benchTimes spreads queries over the calendar so the benchmark does not
// measure one cached span.
func benchTimes() []time.Time {
	var ts []time.Time
	for at := ct(2025, 1, 1, 0, 0, 0); at.Before(ct(2027, 12, 31, 0, 0, 0)); at = at.Add(17*time.Hour + 13*time.Minute) {
		ts = append(ts, at)
	}
	return ts
}

func BenchmarkIsOpen(b *testing.B) {
	es, err := DefaultCalendar().ScheduleFor("ES")
	if err != nil {
		b.Fatal(err)
	}
	ts := benchTimes()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_, _ = es.IsOpen(ts[i%len(ts)])
	}
}

// The risk gate asks from several goroutines at once; the schedule is read-only.
func TestConcurrentQueries(t *testing.T) {
	ts := benchTimes()
	var wg sync.WaitGroup
	for _, root := range []string{"ES", "CL", "GC", "ZN", "6E", "ZC"} {
		wg.Go(func() {
			for _, at := range ts {
				_, err := DefaultCalendar().Status(root, at)
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
}

func BenchmarkCalendarIsOpenByRoot(b *testing.B) {
	c := DefaultCalendar()
	ts := benchTimes()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_, _ = c.IsOpen("MES", ts[i%len(ts)])
	}
}

func BenchmarkStatus(b *testing.B) {
	zc, err := DefaultCalendar().ScheduleFor("ZC")
	if err != nil {
		b.Fatal(err)
	}
	ts := benchTimes()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_, _ = zc.Status(ts[i%len(ts)])
	}
}

func BenchmarkParseSymbol(b *testing.B) {
	ref := ct(2026, 6, 1, 0, 0, 0)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseSymbol("MESZ6", ref); err != nil {
			b.Fatal(err)
		}
	}
}

func ExampleSchedule_IsOpen() {
	es, _ := DefaultCalendar().ScheduleFor("ES")
	at := time.Date(2026, 11, 26, 12, 30, 0, 0, Chicago()) // Thanksgiving
	isOpen, err := es.IsOpen(at)
	st, _ := es.Status(at)
	fmt.Println(isOpen, err, st.Reason, st.NextOpen.Format(time.Kitchen), st.TradeDate.Format(time.DateOnly))
	// Output: false <nil> holiday: Thanksgiving 5:00PM 2026-11-27
}
