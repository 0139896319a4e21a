package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/keeltrade/keel/backtest/data"
)

func init() {
	commands["convert"] = command{summary: "convert tick CSV files to keel's binary tick format (one file per contract)", run: runConvert}
}

func runConvert(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("convert", stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: runner convert [-out DIR] [-skip-bad-rows] FILE.csv[.gz]...")
		fs.PrintDefaults()
	}
	out := fs.String("out", ".", "folder for the .ktick files")
	skip := fs.Bool("skip-bad-rows", false, "count and skip malformed rows instead of stopping at the first")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() == 0 {
		return usagef("no CSV files given")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	reg := data.NewRegistry(time.Time{})
	for _, src := range fs.Args() {
		conv, err := data.Convert(src, *out, reg.Resolve, data.CSVOptions{SkipBadRows: *skip})
		if err != nil {
			return err
		}
		for _, f := range conv.Files {
			fmt.Fprintf(stdout, "%s\n", f)
		}
		fmt.Fprintf(stdout, "%s: %d ticks", src, conv.Ticks)
		if conv.Skipped > 0 {
			fmt.Fprintf(stdout, ", %d malformed rows skipped", conv.Skipped)
		}
		fmt.Fprintln(stdout)
		for _, r := range conv.SkippedSamples {
			fmt.Fprintf(stdout, "  %s\n", r.Error())
		}
	}
	return nil
}
