package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/keeltrade/keel/backtest/data"
)

func init() {
	commands["demo"] = command{summary: "backtest the smacross example on the bundled real ES sample, offline (the default)", run: runDemo}
}

// demoFee is what the demo assumes a round turn of one ES contract costs per
// side (exchange + clearing + broker), in USD. Set your own with -fee.
const demoFee = "2.07"

// runDemo is keel's first hour in one command: a real strategy on real ES
// data through the same engine, simulator and report as any backtest, with
// no network and no credentials.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", stderr)
	f := &backtestFlags{defaultFee: demoFee, defaultOut: "keel-report", defaultStra: "smacross"}
	f.register(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usagef("the demo takes no files; use 'runner backtest' for your own data")
	}
	dir, err := os.MkdirTemp("", "keel-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	sample, err := data.WriteDemoData(dir)
	if err != nil {
		return err
	}
	if !hasParam(f.params, "symbol") {
		f.params = append(f.params, "symbol="+data.DemoSymbol)
	}
	cfg, err := f.config([]string{sample}, stderr)
	if err != nil {
		return err
	}
	intro := stdout
	if f.asJSON {
		intro = stderr // stdout carries the JSON alone
	}
	fmt.Fprintf(intro, "keel demo: %s on real E-mini S&P 500 data (%s one-minute bars, Oct–Dec 2013, QuantConnect Lean sample),\n", cfg.Strategy, data.DemoSymbol)
	fmt.Fprintf(intro, "simulated fills, fees %s USD per contract per side (assumed). 'runner backtest -h' runs your own data.\n\n", f.fee)
	return executeBacktest(ctx, f, cfg, data.DemoSymbol+" sample", stdout, stderr)
}

func hasParam(params []string, name string) bool {
	for _, p := range params {
		for kv := range strings.SplitSeq(p, ",") {
			if strings.HasPrefix(strings.TrimSpace(kv), name+"=") {
				return true
			}
		}
	}
	return false
}
