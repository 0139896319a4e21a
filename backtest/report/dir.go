package report

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Files WriteDir writes.
const (
	SummaryFile = "summary.json"
	TradesFile  = "trades.csv"
	EquityFile  = "equity.csv"
	HTMLFile    = "report.html"
)

// WriteDir creates dir if needed and writes summary.json, trades.csv,
// equity.csv and report.html into it, replacing files of those names.
func (s Summary) WriteDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	for _, f := range []struct {
		name  string
		write func(io.Writer) error
	}{
		{SummaryFile, s.WriteJSON},
		{TradesFile, s.WriteTradesCSV},
		{EquityFile, s.WriteEquityCSV},
		{HTMLFile, s.WriteHTML},
	} {
		if err := writeFile(filepath.Join(dir, f.name), f.write); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	bw := bufio.NewWriterSize(f, 64<<10)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	return nil
}
