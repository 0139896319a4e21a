package venue

import "fmt"

// Side is the side of an order, a fill or a trade's aggressor.
// The zero Side is SideNone: unknown or not applicable.
type Side uint8

// Sides.
const (
	SideNone Side = iota
	Buy
	Sell
)

// String returns "Buy", "Sell" or "None".
func (s Side) String() string {
	switch s {
	case Buy:
		return "Buy"
	case Sell:
		return "Sell"
	default:
		return "None"
	}
}

// Sign returns +1 for Buy, -1 for Sell and 0 otherwise.
func (s Side) Sign() int64 {
	switch s {
	case Buy:
		return 1
	case Sell:
		return -1
	default:
		return 0
	}
}

// Opposite returns Sell for Buy, Buy for Sell, and SideNone otherwise.
func (s Side) Opposite() Side {
	switch s {
	case Buy:
		return Sell
	case Sell:
		return Buy
	default:
		return SideNone
	}
}

// Valid reports whether s is Buy or Sell.
func (s Side) Valid() bool { return s == Buy || s == Sell }

// ParseSide accepts Buy/Sell in any case and the one-letter forms B/S
// (aggressor columns in data files). An empty string is SideNone.
func ParseSide(s string) (Side, error) {
	switch s {
	case "":
		return SideNone, nil
	case "B", "b", "Buy", "buy", "BUY":
		return Buy, nil
	case "S", "s", "Sell", "sell", "SELL":
		return Sell, nil
	}
	return SideNone, fmt.Errorf("parse side %q: want Buy, Sell, B or S", s)
}

// MarshalText implements encoding.TextMarshaler.
func (s Side) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; "None" is accepted as SideNone.
func (s *Side) UnmarshalText(b []byte) error {
	if string(b) == "None" {
		*s = SideNone
		return nil
	}
	v, err := ParseSide(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}
