package risk

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/cme"
)

func hoursConfig(mh MarketHours) Config {
	cfg := offConfig()
	mh.Enabled = true
	cfg.Account.MarketHours = mh
	return cfg
}

func TestMarketHoursFakeCalendar(t *testing.T) {
	closeAt := t0.Add(3 * time.Minute)
	open := cme.Status{Open: true, SessionClose: closeAt, CloseReason: "maintenance break", NextOpen: closeAt.Add(time.Hour), TradeDate: ctTime(2026, 11, 24, 0, 0)}
	thanksgiving := cme.Status{Reason: "holiday: Thanksgiving", NextOpen: ctTime(2026, 11, 26, 17, 0), TradeDate: ctTime(2026, 11, 27, 0, 0)}
	unknown := fmt.Errorf("cme: status: %w", cme.ErrCalendarUnknown)

	tests := []struct {
		name   string
		mh     MarketHours
		st     cme.Status
		err    error
		side   venue.Side // default Buy, against a long 1 position
		denied *Denied
	}{
		{name: "open", st: open},
		{
			name: "closed for a holiday", st: thanksgiving,
			denied: &Denied{Rule: "market-hours", Limit: "session open", Observed: "closed (holiday: Thanksgiving)",
				Text: "market closed for MESZ6 (holiday: Thanksgiving); next open 2026-11-26 17:00 CT"},
		},
		{
			name: "closed refuses reducing orders too", st: thanksgiving, side: venue.Sell,
			denied: &Denied{Rule: "market-hours", Limit: "session open", Observed: "closed (holiday: Thanksgiving)",
				Text: "market closed for MESZ6 (holiday: Thanksgiving); next open 2026-11-26 17:00 CT"},
		},
		{
			name: "no new entries before close", st: open, mh: MarketHours{NoEntriesBeforeClose: 10 * time.Minute},
			denied: &Denied{Rule: "market-hours", Limit: "no new entries 10m0s before close", Observed: "3m0s before close",
				Text: "no new entries for account in the last 10m0s before the 2026-11-24 10:03 CT close (maintenance break); only orders that reduce a position pass"},
		},
		{name: "reducing order inside the no-entries window", st: open, mh: MarketHours{NoEntriesBeforeClose: 10 * time.Minute}, side: venue.Sell},
		{name: "outside the no-entries window", st: open, mh: MarketHours{NoEntriesBeforeClose: 2 * time.Minute}},
		{
			name: "flatten window blocks entries too", st: open, mh: MarketHours{FlattenBeforeClose: 5 * time.Minute},
			denied: &Denied{Rule: "market-hours", Limit: "no new entries 5m0s before close", Observed: "3m0s before close",
				Text: "no new entries for account in the last 5m0s before the 2026-11-24 10:03 CT close (maintenance break); only orders that reduce a position pass"},
		},
		{
			name: "unknown calendar refused by default", err: unknown,
			denied: &Denied{Rule: "market-hours", Limit: "unknown_calendar: refuse", Observed: "no calendar data",
				Text: "the trading calendar has no data for MESZ6 at 2026-11-24 10:00 CT: update venue/cme/calendar/globex.yaml (or set market_hours.unknown_calendar: allow for account)"},
		},
		{name: "unknown calendar allowed", err: unknown, mh: MarketHours{UnknownCalendar: Allow}},
		{
			name: "other calendar errors refuse", err: errors.New("cme: schedule: unknown product \"XX\""), mh: MarketHours{UnknownCalendar: Allow},
			denied: &Denied{Rule: "market-hours", Limit: "session open", Observed: "no session for MESZ6",
				Text: "cannot tell whether MESZ6 is open (cme: schedule: unknown product \"XX\"); set the instrument's Root to a CME product"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Open a long 1 position while the market is open, then switch
			// the calendar's answer.
			cal := alwaysOpen()
			h := newHarness(t, hoursConfig(tt.mh), WithCalendar(cal))
			h.position("s", mes, venue.Buy, 1, "5000")
			cal.st, cal.err = tt.st, tt.err
			for _, c := range h.g.contracts {
				c.sess.valid = false // the fake changed its mind; real calendars never do
			}
			side := tt.side
			if side == venue.SideNone {
				side = venue.Buy
			}
			_, d := h.market("s", mes, side, 1)
			assert.Equal(t, tt.denied, d)
		})
	}
}

func TestMarketHoursCachesCalendar(t *testing.T) {
	cal := alwaysOpen()
	cal.st.SessionClose = t0.Add(time.Hour)
	h := newHarness(t, hoursConfig(MarketHours{}), WithCalendar(cal))
	for i := 0; i < 100; i++ {
		h.advance(time.Second)
		id := h.mustMarket("s", mes, venue.Buy, 1)
		h.cancel(id)
	}
	before := cal.calls
	assert.LessOrEqual(t, before, 3, "one look per span, not per intent")
	h.at(t0.Add(time.Hour)) // the session closed: the cache expires
	cal.st = cme.Status{Reason: "maintenance break", NextOpen: t0.Add(2 * time.Hour)}
	_, d := h.market("s", mes, venue.Buy, 1)
	require.NotNil(t, d)
	assert.Greater(t, cal.calls, before)
}

// TestMarketHoursRealCalendar runs the rule against venue/cme's embedded
// calendar on real 2026 dates.
func TestMarketHoursRealCalendar(t *testing.T) {
	tests := []struct {
		name     string
		at       time.Time
		symbol   venue.Instrument
		observed string // "" = allowed
		text     string
	}{
		{name: "normal Tuesday morning", at: ctTime(2026, 11, 24, 10, 0), symbol: mes},
		{name: "last second before the daily break", at: ctTime(2026, 11, 24, 15, 59).Add(59 * time.Second), symbol: mes},
		{name: "daily break starts at 16:00 CT", at: ctTime(2026, 11, 24, 16, 0), symbol: mes,
			observed: "closed (maintenance break)", text: "market closed for MESZ6 (maintenance break); next open 2026-11-24 17:00 CT"},
		{name: "reopens at 17:00 CT", at: ctTime(2026, 11, 24, 17, 0), symbol: mes},
		{name: "Thanksgiving morning before the halt", at: ctTime(2026, 11, 26, 10, 0), symbol: es},
		{name: "Thanksgiving afternoon", at: ctTime(2026, 11, 26, 13, 0), symbol: es,
			observed: "closed (holiday: Thanksgiving)", text: "market closed for ESZ6 (holiday: Thanksgiving); next open 2026-11-26 17:00 CT"},
		{name: "after the day-after-Thanksgiving early close", at: ctTime(2026, 11, 27, 12, 30), symbol: mes,
			observed: "closed (early close: day after Thanksgiving)", text: "market closed for MESZ6 (early close: day after Thanksgiving); next open 2026-11-29 17:00 CT"},
		{name: "Sunday before the open", at: ctTime(2026, 11, 22, 16, 0), symbol: mes,
			observed: "closed (weekend)", text: "market closed for MESZ6 (weekend); next open 2026-11-22 17:00 CT"},
		{name: "Sunday open", at: ctTime(2026, 11, 22, 17, 0), symbol: mes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, hoursConfig(MarketHours{}), WithCalendar(cme.DefaultCalendar()))
			h.at(tt.at)
			_, d := h.market("s", tt.symbol, venue.Buy, 1)
			if tt.observed == "" {
				assert.Nil(t, d)
				return
			}
			assert.Equal(t, &Denied{Rule: "market-hours", Limit: "session open", Observed: tt.observed, Text: tt.text}, d)
		})
	}
}

func TestMarketHoursRealCalendarUnknown(t *testing.T) {
	at := ctTime(2030, 1, 2, 10, 0)
	h := newHarness(t, hoursConfig(MarketHours{}), WithCalendar(cme.DefaultCalendar())).at(at)
	_, d := h.market("s", mes, venue.Buy, 1)
	assert.Equal(t, &Denied{Rule: "market-hours", Limit: "unknown_calendar: refuse", Observed: "no calendar data",
		Text: "the trading calendar has no data for MESZ6 at 2030-01-02 10:00 CT: update venue/cme/calendar/globex.yaml (or set market_hours.unknown_calendar: allow for account)"}, d)

	h = newHarness(t, hoursConfig(MarketHours{UnknownCalendar: Allow}), WithCalendar(cme.DefaultCalendar())).at(at)
	_, d = h.market("s", mes, venue.Buy, 1)
	assert.Nil(t, d)
}

func TestMarketHoursRootFromSymbol(t *testing.T) {
	noRoot := mes
	noRoot.Root = ""
	h := newHarness(t, hoursConfig(MarketHours{}), WithCalendar(cme.DefaultCalendar())).at(ctTime(2026, 11, 26, 13, 0))
	_, d := h.market("s", noRoot, venue.Buy, 1)
	require.NotNil(t, d)
	assert.Equal(t, "closed (holiday: Thanksgiving)", d.Observed)
}

func TestFlattenBeforeClose(t *testing.T) {
	cfg := hoursConfig(MarketHours{FlattenBeforeClose: 5 * time.Minute})
	cfg.Strategies = map[string]Limits{"b": {MarketHours: MarketHours{Enabled: true, FlattenBeforeClose: 10 * time.Minute}}}
	h := newHarness(t, cfg, WithCalendar(cme.DefaultCalendar())).at(ctTime(2026, 11, 24, 15, 40))
	h.position("a", mes, venue.Buy, 1, "5000")
	h.position("b", es, venue.Sell, 2, "5000")
	require.Nil(t, h.g.Actions())

	// 15:50: strategy b's 10-minute window opens for ES.
	h.at(ctTime(2026, 11, 24, 15, 50))
	h.trade(es, "5001")
	bReason := "strategy b: ESZ6 closes at 2026-11-24 16:00 CT (maintenance break); flatten 10m0s before the close"
	assert.Equal(t, []Action{
		{Kind: CancelAll, Strategy: "b", Contract: es.ID, Reason: bReason},
		{Kind: Flatten, Strategy: "b", Contract: es.ID, Reason: bReason},
	}, h.g.Actions())

	// 15:55: the account's 5-minute window opens for both contracts.
	h.at(ctTime(2026, 11, 24, 15, 55))
	h.trade(mes, "5001")
	acts := h.g.Actions()
	require.Len(t, acts, 4)
	assert.Equal(t, Action{Kind: CancelAll, Contract: mes.ID, Reason: "account: MESZ6 closes at 2026-11-24 16:00 CT (maintenance break); flatten 5m0s before the close"}, acts[0])
	assert.Equal(t, Flatten, acts[1].Kind)
	assert.Equal(t, es.ID, acts[3].Contract)

	// Once per session close: nothing more until the next one.
	h.advance(time.Minute)
	h.trade(mes, "5002")
	assert.Nil(t, h.g.Actions())

	// New entries are refused in the window; the flatten itself passes.
	_, d := h.market("a", mes, venue.Buy, 1)
	require.NotNil(t, d)
	assert.Equal(t, "no new entries 5m0s before close", d.Limit)
	_, d = h.market("a", mes, venue.Sell, 1)
	assert.Nil(t, d)
}

func TestFlattenBeforeCloseAfterLateFill(t *testing.T) {
	cfg := hoursConfig(MarketHours{FlattenBeforeClose: 5 * time.Minute})
	h := newHarness(t, cfg, WithCalendar(cme.DefaultCalendar())).at(ctTime(2026, 11, 24, 15, 50))
	id := h.mustMarket("a", mes, venue.Buy, 1) // still working when the window opens
	h.at(ctTime(2026, 11, 24, 15, 56))
	h.trade(mes, "5000")
	assert.Len(t, h.g.Actions(), 2, "working orders are cancelled")
	h.fill(id, mes, venue.Buy, 1, "5000", true)
	acts := h.g.Actions()
	require.Len(t, acts, 2, "a fill inside the window is flattened again")
	assert.Equal(t, Flatten, acts[1].Kind)
}
