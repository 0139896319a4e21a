package cme

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseEmbeddedCalendar(t *testing.T) {
	c, err := ParseCalendar(globexYAML)
	require.NoError(t, err)
	for _, g := range Groups() {
		require.NotNil(t, c.Schedule(g))
	}
	for d, e := range c.days {
		y, _, _ := d.date()
		assert.Equal(t, y == 2027 && d.String() != "2027-01-01", e.projected, "%s projected", d)
	}
}

// Each case edits the real data file and expects ParseCalendar to name the problem.
func TestParseCalendarErrors(t *testing.T) {
	src := string(globexYAML)
	tests := []struct {
		name, old, new, want string
	}{
		{"version", "version: 1", "version: 2", "version 2: want 1"},
		{"timezone", "timezone: America/Chicago", "timezone: America/New_York", `timezone "America/New_York"`},
		{"unknown field", "verified_through:", "verified_thru: 2026-01-01\nverified_through:", "field verified_thru not found"},
		{"bad covers", "covers: {from: 2025-01-01", "covers: {from: 2025-13-01", "covers.from"},
		{"covers reversed", "to: 2027-12-31}", "to: 2024-12-31}", "before from"},
		{"unknown group", "  fx: *standard", "  fx: *standard\n  crypto: *standard", "groups.crypto: unknown group"},
		{"missing group", "  fx: *standard       # 6E 6J\n", "", "groups.fx: missing"},
		{"bad weekday", "weekdays: [Mon, Tue, Wed, Thu, Fri]\n    segments:\n      - {open: \"19:00\"", "weekdays: [Mon, Tue, Wed, Thu, Fry]\n    segments:\n      - {open: \"19:00\"", `weekdays: "Fry"`},
		{"bad clock", `close: "07:45"`, `close: "7:45"`, `time "7:45": want HH:MM`},
		{"clock range", `close: "07:45"`, `close: "24:45"`, "out of range"},
		{"segment without after", "after: daily close}", "after: \"\"}", "segments[1].after: empty"},
		{"segment backwards", `{open: "08:30", close: "13:20"`, `{open: "13:30", close: "13:20"`, "not before its close"},
		{"overlap", `close: "16:00", after: maintenance break`, `close: "17:30", after: maintenance break`, "overlaps the one before it"},
		{"weekend date", "date: 2026-07-03\n", "date: 2026-07-04\n", "is a Saturday; list the weekday"},
		{"duplicate date", "date: 2025-01-20\n", "date: 2025-01-01\n", "listed twice"},
		{"outside covers", "date: 2025-01-01\n", "date: 2024-12-31\n", "outside covers"},
		{"bad date", "date: 2025-02-17\n", "date: 17/02/2025\n", `date "17/02/2025": want YYYY-MM-DD`},
		{"no name", "name: Presidents Day\n    holiday: true\n    equity: close 12:00\n    rates: close 12:00\n    energy: close 13:30\n    metals: close 13:30\n    fx: normal\n    grains: closed\n\n  - date: 2025-04-18", "name: \" \"\n    holiday: true\n    equity: close 12:00\n    rates: close 12:00\n    energy: close 13:30\n    metals: close 13:30\n    fx: normal\n    grains: closed\n\n  - date: 2025-04-18", "name is empty"},
		{"missing group rule", "    name: Christmas Eve\n    equity: close 12:15\n", "    name: Christmas Eve\n", "equity: no rule"},
		{"bad rule", "    grains: close 12:05\n", "    grains: shut 12:05\n", `grains: rule "shut 12:05"`},
		{"bad all", "    all: close 12:00\n    grains: closed\n", "    all: close\n    grains: closed\n", `all: rule "close"`},
		{"open after close", "grains: open 08:30 close 12:05", "grains: open 12:30 close 12:05", "open must be before close"},
		{"close twice", "grains: open 08:30 close 12:05", "grains: close 08:30 close 12:05", "want normal, closed"},
		{"projected mismatch", "    name: Martin Luther King Jr. Day\n    projected: true\n", "    name: Martin Luther King Jr. Day\n", "projected is false but verified_through is 2027-01-01"},
		{"not yaml", "days:", "days: [", "calendar: yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Contains(t, src, tt.old, "test edits text that exists")
			_, err := ParseCalendar([]byte(strings.Replace(src, tt.old, tt.new, 1)))
			require.Error(t, err)
			assert.ErrorContains(t, err, tt.want)
		})
	}
}

func TestParseRule(t *testing.T) {
	tests := []struct {
		in   string
		want dayRule
	}{
		{"normal", normalRule},
		{"closed", dayRule{closed: true, open: -1, close: -1}},
		{"close 12:00", dayRule{open: -1, close: 720}},
		{"open 08:30", dayRule{open: 510, close: -1}},
		{"open 08:30  close 12:05", dayRule{open: 510, close: 725}},
	}
	for _, tt := range tests {
		got, err := parseRule(tt.in)
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
	for _, in := range []string{"", "closed 12:00", "close 12:00 open 08:00", "open", "close 12:00 close 13:00", "normal normal"} {
		_, err := parseRule(in)
		assert.Error(t, err, in)
	}
}
