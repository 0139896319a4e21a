package data

import (
	"bufio"
	"fmt"
	"os"
)

// OpenTicks opens a tick file of either kind, told apart by content, not
// name: a keel binary tick file (see OpenBinary) or a tick CSV, plain or
// gzip (see OpenTickCSV; opt applies only to CSV).
func OpenTicks(path string, opt CSVOptions) (TickSource, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("backtest: %w", err)
	}
	magic, _ := bufio.NewReaderSize(f, 16).Peek(len(binaryMagic))
	f.Close()
	if string(magic) == binaryMagic {
		return OpenBinary(path)
	}
	return OpenTickCSV(path, opt)
}
