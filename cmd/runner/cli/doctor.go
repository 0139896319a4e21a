package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/keeltrade/keel/venue/cme"
	"github.com/keeltrade/keel/venue/tradovate"
)

func init() {
	commands["doctor"] = command{summary: "check a Tradovate setup step by step and say how to fix what fails (-test-order places and cancels an order)", run: runDoctor}
}

// runDoctor runs tradovate.Diagnose with the TRADOVATE_* settings and
// prints the report. Exit codes: 0 no check failed, 1 one did, 2 bad flags
// or settings.
func runDoctor(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("doctor", stderr)
	config := fs.String("config", "", "YAML file of TRADOVATE_* settings (the environment wins over it)")
	testOrder := fs.Bool("test-order", false, "place a 1-lot MES buy limit far below the market, wait for Accepted, cancel it, wait for Cancelled: proves order permissions end to end")
	yesLive := fs.Bool("yes-live", false, "allow -test-order on live (a real order, cancelled at once)")
	asJSON := fs.Bool("json", false, "print the report as one JSON object, and nothing else")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: runner doctor [-test-order [-yes-live]] [-json] [-config FILE]")
		fmt.Fprintln(stderr, "\nChecks, in order: URLs, credentials (never printed), device id, token, user status, accounts,")
		fmt.Fprintln(stderr, "a quote, market hours, rate limits, token expiry, clock skew and, with -test-order, an order.")
		fmt.Fprintln(stderr, "It logs in once: one of the two sessions Tradovate allows a user.")
		fmt.Fprintln(stderr, "\nflags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *yesLive && !*testOrder {
		return usagef("-yes-live confirms -test-order on live; give both, or neither")
	}
	sources := tradovate.SettingsSources(*config, os.Getenv)
	cfg, err := tradovate.LoadConfig(*config, os.Getenv)
	if err != nil {
		rep := tradovate.ConfigReport(err, sources)
		if perr := printDoctor(stdout, rep, *asJSON); perr != nil {
			return perr
		}
		return usagef("the settings are wrong (see the report)")
	}
	rep := tradovate.Diagnose(ctx, cfg, tradovate.DiagnoseOptions{
		TestOrder: *testOrder, YesLive: *yesLive, KeySources: sources,
		// The report says what the logs would: keep stderr for errors.
		Adapter: tradovate.Options{Logger: slog.New(slog.DiscardHandler)},
	})
	if err := printDoctor(stdout, rep, *asJSON); err != nil {
		return err
	}
	if failed := rep.Failures(); len(failed) > 0 {
		return fmt.Errorf("%d of %d checks failed: %s", len(failed), len(rep.Checks), strings.Join(failed, ", "))
	}
	return nil
}

func printDoctor(w io.Writer, rep tradovate.Report, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(w).Encode(rep)
	}
	_, err := io.WriteString(w, doctorText(rep))
	return err
}

// doctorText renders the report as a table: one row per check, the detail
// and, for every check that did not pass, the fix below it.
func doctorText(rep tradovate.Report) string {
	var b strings.Builder
	env := string(rep.Env)
	if env == "" {
		env = "(no environment)"
	}
	fmt.Fprintf(&b, "runner doctor: Tradovate %s, %s", env, rep.At.In(cme.Chicago()).Format("Mon 2006-01-02 15:04:05 MST"))
	if rep.DeviceID != "" {
		fmt.Fprintf(&b, ", device id %s", rep.DeviceID)
	}
	b.WriteString("\n\n")
	indent := strings.Repeat(" ", 26) // under the detail column
	fmt.Fprintf(&b, "%-3s %-6s %-14s %s\n", "#", "STATUS", "CHECK", "DETAIL")
	counts := map[tradovate.CheckStatus]int{}
	for i, c := range rep.Checks {
		counts[c.Status]++
		lines := strings.Split(c.Detail, "\n")
		fmt.Fprintf(&b, "%-3d %-6s %-14s %s\n", i+1, c.Status, c.Name, lines[0])
		for _, l := range lines[1:] {
			b.WriteString(indent + l + "\n")
		}
		if c.Status != tradovate.StatusPass && c.Fix != "" {
			for j, l := range strings.Split(c.Fix, "\n") {
				if j == 0 {
					b.WriteString(indent + "fix: " + l + "\n")
				} else {
					b.WriteString(indent + "     " + l + "\n")
				}
			}
		}
	}
	verdict := "OK"
	if counts[tradovate.StatusFail] > 0 {
		verdict = "FAILED"
	}
	fmt.Fprintf(&b, "\n%s: %d passed, %d warned, %d failed, %d skipped\n", verdict,
		counts[tradovate.StatusPass], counts[tradovate.StatusWarn], counts[tradovate.StatusFail], counts[tradovate.StatusSkip])
	return b.String()
}
