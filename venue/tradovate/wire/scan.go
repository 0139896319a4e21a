package wire

import (
	"errors"
	"fmt"
)

// The scanner below finds the boundaries of JSON values without decoding
// them, so a frame's messages and a message's top-level fields can be
// sliced out of the frame's bytes without allocating. It checks structure
// (balanced brackets, terminated strings, separators) but not every detail
// of the grammar; values handed on are decoded by encoding/json or by
// venue.ParsePriceBytes, which do.

// ErrSyntax is wrapped by every error about malformed JSON in a frame or message.
var ErrSyntax = errors.New("wire: malformed JSON")

// maxDepth bounds nesting so hostile input cannot make the scanner recurse deeply.
const maxDepth = 256

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

func syntaxErr(b []byte, i int, what string) error {
	return fmt.Errorf("%w: %s at offset %d", ErrSyntax, what, i)
}

// skipValue returns the index just past the JSON value starting at b[i]
// (which must not be whitespace).
func skipValue(b []byte, i int) (int, error) {
	return skipValueDepth(b, i, 0)
}

func skipValueDepth(b []byte, i, depth int) (int, error) {
	if i >= len(b) {
		return i, syntaxErr(b, i, "unexpected end of input")
	}
	switch c := b[i]; c {
	case '"':
		return skipString(b, i)
	case '{', '[':
		if depth >= maxDepth {
			return i, syntaxErr(b, i, "nesting too deep")
		}
		return skipContainer(b, i, depth+1)
	default:
		start := i
		for i < len(b) {
			c := b[i]
			if c == ',' || c == ']' || c == '}' || c == ':' || isSpace(c) {
				break
			}
			if c == '"' || c == '{' || c == '[' {
				return i, syntaxErr(b, i, "unexpected character in literal")
			}
			i++
		}
		if i == start {
			return i, syntaxErr(b, i, "expected a value")
		}
		return i, nil
	}
}

// skipString returns the index just past the string starting at b[i] == '"'.
func skipString(b []byte, i int) (int, error) {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, nil
		}
	}
	return len(b), syntaxErr(b, i, "unterminated string")
}

func skipContainer(b []byte, i, depth int) (int, error) {
	open := b[i]
	closer := byte(']')
	if open == '{' {
		closer = '}'
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == closer {
		return i + 1, nil
	}
	for {
		var err error
		if open == '{' {
			if i >= len(b) || b[i] != '"' {
				return i, syntaxErr(b, i, "expected an object key")
			}
			if i, err = skipString(b, i); err != nil {
				return i, err
			}
			i = skipSpace(b, i)
			if i >= len(b) || b[i] != ':' {
				return i, syntaxErr(b, i, "expected ':'")
			}
			i = skipSpace(b, i+1)
		}
		if i, err = skipValueDepth(b, i, depth); err != nil {
			return i, err
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return i, syntaxErr(b, i, "unexpected end of input")
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case closer:
			return i + 1, nil
		default:
			return i, syntaxErr(b, i, "expected ',' or a closing bracket")
		}
	}
}

// EachElement calls fn with the raw bytes of every element of the JSON array
// arr, in order, without allocating. The slices alias arr. It stops at the
// first error fn returns and returns it.
func EachElement(arr []byte, fn func(elem []byte) error) error {
	i := skipSpace(arr, 0)
	if i >= len(arr) || arr[i] != '[' {
		return syntaxErr(arr, i, "expected '['")
	}
	i = skipSpace(arr, i+1)
	if i < len(arr) && arr[i] == ']' {
		return trailing(arr, i+1)
	}
	for {
		end, err := skipValue(arr, i)
		if err != nil {
			return err
		}
		if err := fn(arr[i:end]); err != nil {
			return err
		}
		i = skipSpace(arr, end)
		if i >= len(arr) {
			return syntaxErr(arr, i, "unterminated array")
		}
		switch arr[i] {
		case ',':
			i = skipSpace(arr, i+1)
		case ']':
			return trailing(arr, i+1)
		default:
			return syntaxErr(arr, i, "expected ',' or ']'")
		}
	}
}

func trailing(b []byte, i int) error {
	if i = skipSpace(b, i); i != len(b) {
		return syntaxErr(b, i, "unexpected data after the value")
	}
	return nil
}

// EachField calls fn with the raw key (without quotes, escapes left as
// they are) and raw value of every top-level field of the JSON object obj,
// without allocating. The slices alias obj.
func EachField(obj []byte, fn func(key, value []byte) error) error {
	i := skipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return syntaxErr(obj, i, "expected '{'")
	}
	i = skipSpace(obj, i+1)
	if i < len(obj) && obj[i] == '}' {
		return trailing(obj, i+1)
	}
	for {
		if i >= len(obj) || obj[i] != '"' {
			return syntaxErr(obj, i, "expected an object key")
		}
		kend, err := skipString(obj, i)
		if err != nil {
			return err
		}
		key := obj[i+1 : kend-1]
		i = skipSpace(obj, kend)
		if i >= len(obj) || obj[i] != ':' {
			return syntaxErr(obj, i, "expected ':'")
		}
		i = skipSpace(obj, i+1)
		vend, err := skipValue(obj, i)
		if err != nil {
			return err
		}
		if err := fn(key, obj[i:vend]); err != nil {
			return err
		}
		i = skipSpace(obj, vend)
		if i >= len(obj) {
			return syntaxErr(obj, i, "unterminated object")
		}
		switch obj[i] {
		case ',':
			i = skipSpace(obj, i+1)
		case '}':
			return trailing(obj, i+1)
		default:
			return syntaxErr(obj, i, "expected ',' or '}'")
		}
	}
}

// appendString appends s as a JSON string literal. It escapes what JSON
// requires and nothing else (unlike encoding/json, it leaves <, > and & alone).
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// AppendString appends s as a JSON string literal (for building frames by hand).
func AppendString(b []byte, s string) []byte { return appendString(b, s) }

// unquoteSimple returns the contents of a JSON string literal that has no
// escapes, and false otherwise (callers then fall back to encoding/json).
func unquoteSimple(v []byte) ([]byte, bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return nil, false
	}
	in := v[1 : len(v)-1]
	for _, c := range in {
		if c == '\\' || c < 0x20 {
			return nil, false
		}
	}
	return in, true
}

// parseInt parses a JSON integer (optionally written with a zero fraction
// or exponent-free) into an int64 without allocating.
func parseInt(v []byte) (int64, bool) {
	if len(v) == 0 {
		return 0, false
	}
	neg := false
	i := 0
	if v[0] == '-' {
		neg = true
		i = 1
	}
	if i >= len(v) {
		return 0, false
	}
	var n int64
	for ; i < len(v); i++ {
		c := v[i]
		if c == '.' {
			for _, d := range v[i+1:] {
				if d != '0' {
					return 0, false
				}
			}
			break
		}
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > (1<<63-1-int64(c-'0'))/10 {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}
