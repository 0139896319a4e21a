package data

import (
	"testing"
)

// BenchmarkMergeBinary merges four 250k-tick binary files whose times
// interleave: one op is one merged tick.
func BenchmarkMergeBinary(b *testing.B) {
	dir := b.TempDir()
	var paths []string
	for i, sym := range []string{"ESH4", "ESM4", "NQH4", "NQM4"} {
		in, err := testResolver(sym)
		if err != nil {
			b.Fatal(err)
		}
		paths = append(paths, writeBenchBinary(b, dir, in, benchTicks/4, int64(1000+i)))
	}
	benchSource(b, func() (TickSource, error) {
		var srcs []TickSource
		for _, path := range paths {
			r, err := OpenBinary(path)
			if err != nil {
				return nil, err
			}
			srcs = append(srcs, r)
		}
		return Merge(srcs...), nil
	})
}
