package wire

// Scanner reads one JSON value in a single pass without allocating, for
// hot-path decoders that descend into the fields they need and skip the
// rest. EachField and EachElement find the end of every value before
// handing it on, so nesting them reads inner bytes once per level; a
// Scanner reads each byte once. It checks structure as they do (balanced
// brackets, terminated strings, separators, keys) and leaves literals to
// the caller.
//
// Use it as a pull parser: NextField and NextElement step through an
// object or array (their first call reads the opening bracket), and every
// value they stop at must be read with Value, Skip or Null, or descended
// into with NextField or NextElement, before stepping on. End checks that
// nothing follows the top-level value. The first error sticks: later
// calls return false or nil, and Err and End report it.
type Scanner struct {
	b       []byte
	i       int
	depth   int
	atValue bool // positioned where a value must start
	err     error
}

// space is skipSpace with the common case, no whitespace, inlined.
func (s *Scanner) space(i int) int {
	if i < len(s.b) && s.b[i] > ' ' {
		return i
	}
	return skipSpace(s.b, i)
}

// Reset makes s read b from the start.
func (s *Scanner) Reset(b []byte) { *s = Scanner{b: b, atValue: true} }

// Err returns the first error, wrapping ErrSyntax, or nil.
func (s *Scanner) Err() error { return s.err }

func (s *Scanner) fail(what string) {
	if s.err == nil {
		s.err = syntaxErr(s.b, s.i, what)
	}
	s.i, s.atValue = len(s.b), false
}

// Peek returns the first byte of the value s is at ('{', '[', '"', 'n',
// a digit…), or 0 when it is not at a value or after an error.
func (s *Scanner) Peek() byte {
	if s.err != nil || !s.atValue {
		return 0
	}
	s.i = s.space(s.i)
	if s.i >= len(s.b) {
		return 0
	}
	return s.b[s.i]
}

// NextField steps to the next field of the object s is reading and
// returns its key, raw (without the quotes, escapes as written; it aliases
// the input). s is then at the field's value. ok is false after the
// closing '}' and on error.
func (s *Scanner) NextField() (key []byte, ok bool) {
	if s.err != nil {
		return nil, false
	}
	s.i = s.space(s.i)
	if s.i >= len(s.b) {
		s.fail("unexpected end of input")
		return nil, false
	}
	if s.atValue {
		if s.b[s.i] != '{' {
			s.fail("expected '{'")
			return nil, false
		}
		if s.depth >= maxDepth {
			s.fail("nesting too deep")
			return nil, false
		}
		s.depth++
		s.i = s.space(s.i + 1)
		if s.i < len(s.b) && s.b[s.i] == '}' {
			s.i++
			s.depth--
			s.atValue = false
			return nil, false
		}
	} else {
		switch {
		case s.b[s.i] == '}':
			s.i++
			s.depth--
			return nil, false
		case s.b[s.i] != ',':
			s.fail("expected ',' or '}'")
			return nil, false
		}
		s.i = s.space(s.i + 1)
	}
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		s.fail("expected an object key")
		return nil, false
	}
	end, err := skipString(s.b, s.i)
	if err != nil {
		s.err, s.i, s.atValue = err, len(s.b), false
		return nil, false
	}
	key = s.b[s.i+1 : end-1]
	s.i = s.space(end)
	if s.i >= len(s.b) || s.b[s.i] != ':' {
		s.fail("expected ':'")
		return nil, false
	}
	s.i++
	s.atValue = true
	return key, true
}

// NextElement steps to the next element of the array s is reading; s is
// then at the element. It is false after the closing ']' and on error.
func (s *Scanner) NextElement() bool {
	if s.err != nil {
		return false
	}
	s.i = s.space(s.i)
	if s.i >= len(s.b) {
		s.fail("unexpected end of input")
		return false
	}
	if s.atValue {
		if s.b[s.i] != '[' {
			s.fail("expected '['")
			return false
		}
		if s.depth >= maxDepth {
			s.fail("nesting too deep")
			return false
		}
		s.depth++
		s.i = s.space(s.i + 1)
		if s.i < len(s.b) && s.b[s.i] == ']' {
			s.i++
			s.depth--
			s.atValue = false
			return false
		}
		return true
	}
	switch s.b[s.i] {
	case ']':
		s.i++
		s.depth--
		return false
	case ',':
		s.i++
		s.atValue = true
		return true
	}
	s.fail("expected ',' or ']'")
	return false
}

// Value reads the value s is at and returns its raw text (a string with
// its quotes), aliasing the input; nil on error.
func (s *Scanner) Value() []byte {
	if s.err != nil {
		return nil
	}
	if !s.atValue {
		s.fail("expected a value")
		return nil
	}
	start := s.space(s.i)
	end, err := skipValueDepth(s.b, start, s.depth)
	if err != nil {
		s.err, s.i, s.atValue = err, len(s.b), false
		return nil
	}
	s.i, s.atValue = end, false
	return s.b[start:end]
}

// Skip reads the value s is at and discards it.
func (s *Scanner) Skip() { s.Value() }

// Null reads the value s is at if it is the literal null and reports
// whether it was; any other value is left to be read.
func (s *Scanner) Null() bool {
	if s.Peek() != 'n' {
		return false
	}
	i := s.i
	if len(s.b)-i < 4 || string(s.b[i:i+4]) != "null" {
		return false
	}
	if j := i + 4; j < len(s.b) {
		if c := s.b[j]; c != ',' && c != ']' && c != '}' && c != ':' && !isSpace(c) {
			return false
		}
	}
	s.i, s.atValue = i+4, false
	return true
}

// End checks that the top-level value has been read and only whitespace
// follows it, and returns the first error.
func (s *Scanner) End() error {
	if s.err != nil {
		return s.err
	}
	if s.atValue || s.depth != 0 {
		s.fail("value not read to its end")
		return s.err
	}
	if s.i = s.space(s.i); s.i != len(s.b) {
		s.fail("unexpected data after the value")
	}
	return s.err
}
