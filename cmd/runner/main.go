// Command runner is keel's command line: with no arguments it runs the
// offline demo; subcommands run backtests, the sandbox and the other tools.
// Everything is in package cli, so a trader's own binary can be the same
// command with their strategies registered.
package main

import (
	"os"

	"github.com/keeltrade/keel/cmd/runner/cli"
)

func main() { os.Exit(cli.Main()) }
