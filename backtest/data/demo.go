package data

import (
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
)

// demoData is real ES data: one-minute trade bars of the December 2013
// E-mini S&P 500 contract (ESZ13), 16,673 bars over 17 sessions between
// 2013-10-06 and 2013-12-20, derived from QuantConnect Lean's sample data
// (Apache-2.0; see NOTICE).
//
//go:embed testdata/demo/ESZ13_minute_trades.csv.gz
var demoData []byte

// DemoSymbol is the contract in the demo data.
const DemoSymbol = "ESZ13"

// WriteDemoData writes the embedded demo sample into dir and returns its
// path, so the offline demo needs no files besides the binary.
func WriteDemoData(dir string) (string, error) {
	path := filepath.Join(dir, "ESZ13_minute_trades.csv.gz")
	if err := os.WriteFile(path, demoData, 0o644); err != nil {
		return "", fmt.Errorf("backtest: write demo data: %w", err)
	}
	return path, nil
}
