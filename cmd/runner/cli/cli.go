// Package cli is keel's command line, importable: cmd/runner is its main,
// and a trader's own binary is five lines that import their strategies
// (each registers itself with strategy.Register in an init) and call Main:
//
//	package main
//
//	import (
//		"os"
//
//		"github.com/keeltrade/keel/cmd/runner/cli"
//		_ "example.com/mytrading/strategies/meanrev" // registers "meanrev"
//	)
//
//	func main() { os.Exit(cli.Main()) }
//
// With no arguments it runs the offline demo; subcommands run backtests
// and the other tools. keel's example strategies are registered too
// (strategies.go).
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{}

// Main runs the command line on os.Args with SIGINT and SIGTERM cancelling
// it, and returns the exit code: 0 success, 1 failure, 2 usage.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
}

// Run is Main with its arguments and streams given.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return run(ctx, args, stdout, stderr)
}

// run dispatches and returns the exit code: 0 success, 1 failure, 2 usage.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	name := "demo"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		name, args = args[0], args[1:]
	}
	if name == "help" || (len(args) > 0 && (args[0] == "-h" || args[0] == "--help") && name == "demo") {
		usage(stdout)
		return 0
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "runner: unknown command %q\n", name)
		usage(stderr)
		return 2
	}
	if err := cmd.run(ctx, args, stdout, stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "runner %s: %v\n", name, err)
			return 2
		}
		fmt.Fprintf(stderr, "runner %s: %v\n", name, err)
		return 1
	}
	return 0
}

// usageError marks bad command-line input (exit code 2).
type usageError struct{ error }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: runner [command] [flags]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nWith no command, runner runs the offline demo. 'runner COMMAND -h' shows a command's flags.")
}

// newFlags returns a FlagSet that reports errors instead of exiting.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("runner "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseFlags parses args, turning flag errors into usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}
