package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/keeltrade/keel/venue/cme"
)

func init() {
	commands["calendar"] = command{summary: "is a contract's Globex market open; when it closes or next opens; its trade date", run: runCalendar}
}

func runCalendar(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("calendar", stderr)
	symbol := fs.String("symbol", "", "contract, e.g. ESZ6 (a bare root such as ES means the front month)")
	at := fs.String("at", "", "instant to ask about, RFC 3339 with a zone (e.g. 2026-11-27T09:30:00-06:00); default now")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *symbol == "" {
		return usagef("-symbol is required, e.g. -symbol ESZ6")
	}
	when := time.Now()
	if *at != "" {
		t, err := parseInstant(*at)
		if err != nil {
			return usageError{err}
		}
		when = t
	}
	rep, err := cme.Describe(*symbol, when)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		return enc.Encode(rep)
	}
	_, err = io.WriteString(stdout, rep.Text())
	return err
}

// parseInstant parses an RFC 3339 time and insists on a zone: a bare
// "2026-11-27T09:30:00" is ambiguous between CT, UTC and local time.
func parseInstant(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err == nil {
		return t, nil
	}
	if _, lerr := time.Parse("2006-01-02T15:04:05.999999999", s); lerr == nil {
		return time.Time{}, fmt.Errorf("time %q has no zone: add Z for UTC or an offset such as -06:00 for CT", s)
	}
	return time.Time{}, fmt.Errorf("time %q: want RFC 3339, e.g. 2026-11-27T09:30:00-06:00", s)
}
