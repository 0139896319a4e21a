package wire

import (
	"strconv"
	"unicode/utf8"

	"github.com/keeltrade/keel/venue"
)

// AppendPlaceOrder appends p as JSON, byte for byte what encoding/json
// writes for it (same field order, same omissions), without allocating
// beyond b's growth: the order path is hot, and encoding/json allocates
// for every price. Strings are escaped as encoding/json escapes them.
func AppendPlaceOrder(b []byte, p *PlaceOrder) []byte {
	b = append(b, '{')
	first := true
	field := func(name string) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, '"', ':')
	}
	str := func(name, v string) {
		field(name)
		b = appendJSONString(b, v)
	}
	if p.AccountSpec != "" {
		str("accountSpec", p.AccountSpec)
	}
	if p.AccountID != 0 {
		field("accountId")
		b = strconv.AppendInt(b, p.AccountID, 10)
	}
	if p.ClOrdID != "" {
		str("clOrdId", p.ClOrdID)
	}
	str("action", p.Action)
	str("symbol", p.Symbol)
	field("orderQty")
	b = strconv.AppendInt(b, p.OrderQty, 10)
	str("orderType", p.OrderType)
	price := func(name string, v *venue.Price) {
		if v != nil {
			field(name)
			b = v.AppendText(b)
		}
	}
	price("price", p.Price)
	price("stopPrice", p.StopPrice)
	if p.MaxShow != 0 {
		field("maxShow")
		b = strconv.AppendInt(b, p.MaxShow, 10)
	}
	price("pegDifference", p.PegDifference)
	if p.TimeInForce != "" {
		str("timeInForce", p.TimeInForce)
	}
	if !p.ExpireTime.IsZero() {
		field("expireTime")
		b = append(b, '"')
		b = p.ExpireTime.UTC().AppendFormat(b, TimeLayout)
		b = append(b, '"')
	}
	if p.Text != "" {
		str("text", p.Text)
	}
	if !p.ActivationTime.IsZero() {
		field("activationTime")
		b = append(b, '"')
		b = p.ActivationTime.UTC().AppendFormat(b, TimeLayout)
		b = append(b, '"')
	}
	if p.CustomTag50 != "" {
		str("customTag50", p.CustomTag50)
	}
	if p.IsAutomated {
		field("isAutomated")
		b = append(b, "true"...)
	}
	if p.PTicket != "" {
		str("p-ticket", p.PTicket)
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s quoted the way encoding/json quotes it (with
// its default HTML escaping).
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
