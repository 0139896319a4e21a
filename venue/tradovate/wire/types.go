package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// CID is the client app id of an API key. The spec types it as a string,
// every official sample sends a JSON number and a generated client sends
// "8": it decodes from either and encodes as a number, as the samples do.
type CID int64

// MarshalJSON writes the id as a JSON number.
func (c CID) MarshalJSON() ([]byte, error) { return strconv.AppendInt(nil, int64(c), 10), nil }

// UnmarshalJSON reads a JSON integer, a string holding one, "" or null (0).
func (c *CID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("cid: %w", err)
		}
		if s == "" {
			*c = 0
			return nil
		}
		b = []byte(s)
	}
	n, ok := parseInt(b)
	if !ok {
		return fmt.Errorf("cid %s: want the API key's numeric client id", b)
	}
	*c = CID(n)
	return nil
}

// Time is a Tradovate timestamp. It reads RFC 3339 with or without seconds
// and fraction ("2021-06-15T15:40:30.056Z", "2017-12-15T22:29Z") and a
// zone-less form taken as UTC; it writes UTC with milliseconds. The zero
// Time is omitted by `omitzero` and encoded as null otherwise.
type Time struct{ time.Time }

// TimeOf wraps t.
func TimeOf(t time.Time) Time { return Time{t} }

// TimeLayout is how Time is written.
const TimeLayout = "2006-01-02T15:04:05.000Z"

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02",
}

// ParseTime parses a timestamp in any form Time reads.
func ParseTime(s string) (time.Time, error) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("wire: timestamp %q: want RFC 3339 like 2021-06-15T15:40:30.056Z", s)
}

// MarshalJSON writes the time in UTC with milliseconds, or null.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	b := make([]byte, 0, len(TimeLayout)+2)
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, TimeLayout)
	return append(b, '"'), nil
}

// UnmarshalJSON reads a timestamp string or null.
func (t *Time) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		*t = Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("wire: timestamp %s: %w", b, err)
	}
	if s == "" {
		*t = Time{}
		return nil
	}
	v, err := ParseTime(s)
	if err != nil {
		return err
	}
	t.Time = v
	return nil
}

// Decimal is an exact decimal carried as a JSON number: money (amount,
// boughtValue, realizedPnL), averages (avgPx, netPrice) and multipliers
// (valuePerPoint). It reads numbers and numeric strings exactly and writes
// a bare number.
type Decimal struct{ decimal.Decimal }

// Dec wraps d.
func Dec(d decimal.Decimal) Decimal { return Decimal{d} }

// DecimalOf parses s; it panics on bad input (for tables and tests).
func DecimalOf(s string) Decimal { return Decimal{decimal.RequireFromString(s)} }

// MarshalJSON writes the exact decimal as a JSON number.
func (d Decimal) MarshalJSON() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalJSON reads a JSON number, a numeric string, or null (zero).
func (d *Decimal) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*d = Decimal{}
		return nil
	}
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		b = b[1 : len(b)-1]
	}
	v, err := decimal.NewFromString(string(b))
	if err != nil {
		return fmt.Errorf("wire: number %s: %w", b, err)
	}
	d.Decimal = v
	return nil
}

// TradeDate is a CME trade date, {"year":2024,"month":7,"day":1}.
type TradeDate struct {
	Year  int `json:"year"`
	Month int `json:"month"`
	Day   int `json:"day"`
}

// TradeDateOf returns the date of t in t's location.
func TradeDateOf(t time.Time) TradeDate {
	y, m, d := t.Date()
	return TradeDate{Year: y, Month: int(m), Day: d}
}

// TradeTime is a time of day, {"hour":17,"minute":0}.
type TradeTime struct {
	Hour   int `json:"hour"`
	Minute int `json:"minute"`
}

// Marshal is json.Marshal without HTML escaping, so text such as
// "E-Mini S&P 500" goes out as Tradovate writes it.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	return b[:len(b)-1], nil
}
