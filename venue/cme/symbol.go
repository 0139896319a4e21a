package cme

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// ErrMalformedSymbol is wrapped by ParseSymbol errors for text that is not a
// contract symbol (no month code, bad month code, no year…).
var ErrMalformedSymbol = errors.New("malformed symbol")

// ErrUnknownProduct is wrapped by errors for a root that is not in the product table.
var ErrUnknownProduct = errors.New("unknown product")

// SymbolError says why a symbol was refused. It wraps ErrMalformedSymbol or
// ErrUnknownProduct.
type SymbolError struct {
	Symbol string // the input, as given
	Reason string
	Err    error
}

func (e *SymbolError) Error() string {
	return fmt.Sprintf("cme: symbol %q: %s", e.Symbol, e.Reason)
}

func (e *SymbolError) Unwrap() error { return e.Err }

// Symbol names one futures contract: a product root and a contract month.
type Symbol struct {
	Root  string     // product root, e.g. "MES"
	Month time.Month // contract month
	Year  int        // contract year, four digits
}

// String returns the Tradovate contract name: root, month code and the last
// digit of the year, e.g. "MESZ6".
func (s Symbol) String() string { return s.Format(1) }

// Format returns the contract name with a yearDigits-digit year: 1 is the
// Tradovate form ("ESZ6", what String returns), 2 the form keel's data files
// use ("ESZ26"), 4 the unambiguous form ("ESZ2026"). Other values mean 1.
func (s Symbol) Format(yearDigits int) string {
	b := make([]byte, 0, len(s.Root)+5)
	b = append(b, s.Root...)
	if c := MonthCode(s.Month); c != 0 {
		b = append(b, c)
	} else {
		b = append(b, '?')
	}
	y := s.Year
	if y < 0 {
		y = -y
	}
	switch yearDigits {
	case 4:
		b = append(b, byte('0'+y/1000%10), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10))
	case 2:
		b = append(b, byte('0'+y/10%10), byte('0'+y%10))
	default:
		b = append(b, byte('0'+y%10))
	}
	return string(b)
}

// Product returns the symbol's product.
func (s Symbol) Product() (Product, bool) { return Lookup(s.Root) }

// ParseSymbol parses a contract symbol. It accepts
//
//   - Tradovate names: root + month code + one-digit year ("MESZ6", "6EH7");
//   - two-digit years as keel's data files write them ("ESZ26", "ESZ13");
//   - four-digit years ("ESZ2026");
//   - a bare root or Tradovate's @-prefixed continuous name ("ES", "@ES"),
//     which mean the front month at ref (see FrontMonth).
//
// Letters may be in either case. ref anchors the year and must not be zero:
//
//   - a one-digit year resolves to the earliest year ending in that digit
//     whose contract month is at most 12 months before ref's month (in CT),
//     so an expired contract still names its own year for a year after its
//     month, and otherwise a digit names the next decade's year at most ~9
//     years ahead (ESZ6 seen in 2026 is Dec 2026, ESH6 seen in Dec 2026 is
//     Mar 2026, ESZ9 seen in 2026 is Dec 2029, ESZ5 seen in 2027 is Dec 2035);
//   - a two-digit year yy is 20yy unless that is more than 20 years after
//     ref's year, in which case it is 19yy;
//   - years before 1970 are refused.
//
// The month must be one the product lists (ESF6 is an error: ES lists H M U Z).
// Errors are *SymbolError naming the input and wrapping ErrMalformedSymbol or
// ErrUnknownProduct.
func ParseSymbol(s string, ref time.Time) (Symbol, error) {
	bad := func(err error, format string, args ...any) (Symbol, error) {
		return Symbol{}, &SymbolError{Symbol: s, Reason: fmt.Sprintf(format, args...), Err: err}
	}
	if s == "" {
		return bad(ErrMalformedSymbol, "empty symbol; want a contract like ESZ6 or a root like ES")
	}
	if ref.IsZero() {
		return bad(ErrMalformedSymbol, "no reference time to resolve the year against")
	}
	if len(s) > 16 {
		return bad(ErrMalformedSymbol, "too long for a contract symbol")
	}
	var buf [16]byte
	u := buf[:len(s)]
	for i := range len(s) {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '@' && i == 0:
		default:
			return bad(ErrMalformedSymbol, "unexpected character %q; want letters and digits like ESZ6", c)
		}
		u[i] = c
	}
	continuous := u[0] == '@'
	if continuous {
		u = u[1:]
	}
	j := len(u)
	for j > 0 && u[j-1] >= '0' && u[j-1] <= '9' {
		j--
	}
	digits := len(u) - j

	if digits == 0 { // a bare root: the front month
		root := string(u)
		if root == "" {
			return bad(ErrMalformedSymbol, "no product root; want e.g. @ES")
		}
		if _, ok := byRoot[root]; ok {
			sym, err := FrontMonth(root, ref)
			if err != nil {
				return bad(ErrUnknownProduct, "%v", err)
			}
			return sym, nil
		}
		if n := len(root); n > 1 {
			if _, isMonth := MonthFromCode(root[n-1]); isMonth {
				if _, ok := byRoot[root[:n-1]]; ok {
					return bad(ErrMalformedSymbol, "missing year after month code %q; want e.g. %s6", root[n-1], root)
				}
			}
		}
		return bad(ErrUnknownProduct, "unknown product root %q", root)
	}
	if continuous {
		return bad(ErrMalformedSymbol, "a continuous @ symbol takes no contract month; want e.g. @ES")
	}
	if j == 0 {
		return bad(ErrMalformedSymbol, "no product root before the year")
	}
	month, ok := MonthFromCode(u[j-1])
	if !ok {
		if _, known := byRoot[string(u[:j])]; known {
			return bad(ErrMalformedSymbol, "missing month code after root %s; want e.g. %sZ6", u[:j], u[:j])
		}
		if _, known := byRoot[string(u[:j-1])]; known {
			return bad(ErrMalformedSymbol, "invalid month code %q; want one of F G H J K M N Q U V X Z", u[j-1])
		}
		return bad(ErrUnknownProduct, "unknown product root in %q", s)
	}
	root := string(u[:j-1])
	p, known := Lookup(root)
	if !known {
		if root == "" {
			return bad(ErrMalformedSymbol, "no product root before the month code")
		}
		return bad(ErrUnknownProduct, "unknown product root %q", root)
	}
	if digits != 1 && digits != 2 && digits != 4 {
		return bad(ErrMalformedSymbol, "year has %d digits; want 1 (ESZ6), 2 (ESZ26) or 4 (ESZ2026)", digits)
	}
	n, _ := strconv.Atoi(string(u[j:])) // only ASCII digits, at most 4
	ref = ref.In(chicago)
	var year int
	switch digits {
	case 1:
		year = resolveDecade(n, month, ref)
	case 2:
		year = 2000 + n
		if year > ref.Year()+20 {
			year -= 100
		}
	case 4:
		year = n
	}
	if year < 1970 {
		return bad(ErrMalformedSymbol, "year %d is before CME Globex", year)
	}
	if !p.Months.Has(month) {
		return bad(ErrMalformedSymbol, "%s lists no %s contract; its months are %s", root, month, p.Months)
	}
	return Symbol{Root: root, Month: month, Year: year}, nil
}

// resolveDecade turns a one-digit year into the earliest year ending in digit
// whose contract month is no more than 12 months before ref's month.
func resolveDecade(digit int, m time.Month, ref time.Time) int {
	floor := ref.Year()*12 + int(ref.Month()-1) - 12
	y := ref.Year() - 1
	for y%10 != digit || y*12+int(m-1) < floor {
		y++
	}
	return y
}
