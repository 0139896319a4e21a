package cme

import (
	"testing"
	"time"
)

// FuzzParseSymbol checks that ParseSymbol never panics, that whatever it
// accepts is a listed contract of a known product, and that formatting and
// parsing again is stable: the four-digit form gives back the same symbol,
// and the Tradovate form gives back a symbol with the same Tradovate name.
func FuzzParseSymbol(f *testing.F) {
	for _, s := range []string{
		"ESZ6", "MESZ6", "mesz6", "ESZ26", "ESZ13", "ESZ2026", "ES", "@ES", "@nq", "6EH7", "M2KU5", "ZSF7",
		"", "MESZ", "ES2024", "ESA6", "ESF6", "@", "@ESZ6", "Z6", "ESZ123", "ESZ0000", "XXZ6", "ES Z6", "\xff",
	} {
		f.Add(s, int64(1781280000)) // 2026-06-12
	}
	f.Fuzz(func(t *testing.T, s string, refUnix int64) {
		// Keep the reference inside years CME futures can name.
		ref := time.Unix(1735689600+refUnix%(40*365*24*3600), 0) // 2025 ± 40 years
		sym, err := ParseSymbol(s, ref)
		if err != nil {
			if sym != (Symbol{}) {
				t.Fatalf("ParseSymbol(%q) returned %v with error %v", s, sym, err)
			}
			return
		}
		p, ok := Lookup(sym.Root)
		if !ok || !p.Months.Has(sym.Month) {
			t.Fatalf("ParseSymbol(%q) = %+v: not a listed contract", s, sym)
		}
		long, err := ParseSymbol(sym.Format(4), ref)
		if err != nil || long != sym {
			t.Fatalf("ParseSymbol(%q) = %+v, but %q parses to %+v, %v", s, sym, sym.Format(4), long, err)
		}
		short, err := ParseSymbol(sym.String(), ref)
		if err != nil || short.String() != sym.String() || short.Root != sym.Root || short.Month != sym.Month {
			t.Fatalf("ParseSymbol(%q) = %+v, but %q parses to %+v, %v", s, sym, sym.String(), short, err)
		}
		again, err := ParseSymbol(short.String(), ref)
		if err != nil || again != short {
			t.Fatalf("%q is not a fixed point: %+v then %+v, %v", sym.String(), short, again, err)
		}
	})
}
