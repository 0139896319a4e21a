package cme

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Report is the state of one contract's Globex session at one instant, as
// `runner calendar --symbol ESZ6 [--at RFC3339]` shows it. It marshals to
// JSON with the tags below; Text renders it for people.
type Report struct {
	Symbol  string     `json:"symbol"`  // contract, e.g. "ESZ6" (a bare root resolves to the front month)
	Root    string     `json:"root"`    // e.g. "ES"
	Product string     `json:"product"` // e.g. "E-mini S&P 500"
	Group   string     `json:"group"`   // e.g. "equity index"
	At      ReportTime `json:"at"`
	Open    bool       `json:"open"`
	// Reason says why the market is closed (see Status.Reason); empty when open.
	Reason string `json:"reason,omitempty"`
	// SessionClose is when trading next stops, if open.
	SessionClose *ReportTime `json:"session_close,omitempty"`
	// CloseReason is why it stops at SessionClose.
	CloseReason string `json:"close_reason,omitempty"`
	// NextOpen is when trading next starts (after SessionClose, if open).
	NextOpen *ReportTime `json:"next_open,omitempty"`
	// TradeDate is the CME trade date at At, YYYY-MM-DD.
	TradeDate string `json:"trade_date"`
	// LastTradingDay and RollDate of the contract, YYYY-MM-DD.
	LastTradingDay string `json:"last_trading_day"`
	RollDate       string `json:"roll_date"`
	// Expired says At's date (CT) is after the contract's last trading day.
	Expired bool `json:"expired,omitempty"`
	// FrontMonth is the product's front-month contract at At.
	FrontMonth string `json:"front_month"`
	// Projected says the answer relies on calendar dates projected from CME's
	// usual pattern rather than checked against CME's published hours.
	Projected bool `json:"projected,omitempty"`
}

// ReportTime is one instant in exchange time and in UTC.
type ReportTime struct {
	CT  time.Time `json:"ct"`
	UTC time.Time `json:"utc"`
}

func reportTime(t time.Time) ReportTime { return ReportTime{CT: t.In(chicago), UTC: t.UTC()} }

// Describe reports the Globex session of symbol at the instant at, using
// DefaultCalendar. See Calendar.Describe.
func Describe(symbol string, at time.Time) (Report, error) {
	return DefaultCalendar().Describe(symbol, at)
}

// Describe reports the Globex session of symbol (anything ParseSymbol
// accepts, resolved against at) at the instant at: open or closed and why,
// the current session's close or the next open, the trade date and the
// contract's last trading day, roll date and the front month. A zero at is
// an error; outside the calendar the error wraps ErrCalendarUnknown.
func (c *Calendar) Describe(symbol string, at time.Time) (Report, error) {
	if at.IsZero() {
		return Report{}, errors.New("cme: describe: zero time; give an instant such as 2026-12-18T10:00:00-06:00")
	}
	sym, err := ParseSymbol(symbol, at)
	if err != nil {
		return Report{}, err
	}
	p, _ := Lookup(sym.Root)
	st, err := c.schedules[p.Group].Status(at)
	if err != nil {
		return Report{}, fmt.Errorf("describe %s: %w", sym, err)
	}
	ltd, err := c.LastTradingDay(sym)
	if err != nil {
		return Report{}, err
	}
	roll, err := c.RollDate(sym)
	if err != nil {
		return Report{}, err
	}
	front, err := c.FrontMonth(sym.Root, at)
	if err != nil {
		return Report{}, err
	}
	r := Report{
		Symbol:         sym.String(),
		Root:           sym.Root,
		Product:        p.Name,
		Group:          p.Group.String(),
		At:             reportTime(at),
		Open:           st.Open,
		Reason:         st.Reason,
		CloseReason:    st.CloseReason,
		TradeDate:      st.TradeDate.Format(time.DateOnly),
		LastTradingDay: ltd.Format(time.DateOnly),
		RollDate:       roll.Format(time.DateOnly),
		Expired:        ctDay(at) > ctDay(ltd),
		FrontMonth:     front.String(),
		Projected:      c.Projected(at),
	}
	if !st.SessionClose.IsZero() {
		rt := reportTime(st.SessionClose)
		r.SessionClose = &rt
		r.Projected = r.Projected || c.Projected(st.SessionClose)
	}
	if !st.NextOpen.IsZero() {
		rt := reportTime(st.NextOpen)
		r.NextOpen = &rt
		r.Projected = r.Projected || c.Projected(st.NextOpen)
	}
	return r, nil
}

// Text renders the report for a terminal, one fact per line, times in CT
// with UTC alongside.
func (r Report) Text() string {
	var b strings.Builder
	line := func(label, format string, args ...any) {
		fmt.Fprintf(&b, "%-17s "+format+"\n", append([]any{label}, args...)...)
	}
	when := func(t ReportTime) string {
		return t.CT.Format("Mon 2006-01-02 15:04:05 MST") + " (" + t.UTC.Format("2006-01-02 15:04:05 UTC") + ")"
	}
	fmt.Fprintf(&b, "%s — %s, %s\n", r.Symbol, r.Product, r.Group)
	line("at", "%s", when(r.At))
	if r.Open {
		line("status", "OPEN")
	} else {
		line("status", "CLOSED (%s)", r.Reason)
	}
	if r.SessionClose != nil {
		line("closes", "%s — %s", when(*r.SessionClose), r.CloseReason)
	}
	if r.NextOpen != nil {
		label := "opens"
		if r.Open {
			label = "reopens"
		}
		line(label, "%s", when(*r.NextOpen))
	}
	line("trade date", "%s", r.TradeDate)
	if r.Expired {
		line("last trading day", "%s (expired)", r.LastTradingDay)
	} else {
		line("last trading day", "%s", r.LastTradingDay)
	}
	line("roll date", "%s", r.RollDate)
	if r.FrontMonth != r.Symbol {
		line("front month", "%s", r.FrontMonth)
	}
	if r.Projected {
		b.WriteString("note: these hours are projected from CME's usual holiday pattern; check cmegroup.com/trading-hours\n")
	}
	return b.String()
}
