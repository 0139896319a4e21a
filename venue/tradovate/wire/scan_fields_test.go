package wire_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// scanAll walks any value with a Scanner, descending into every container,
// and renders what it saw: keys, scalars, nulls, brackets.
func scanAll(s *wire.Scanner, b *strings.Builder) {
	switch s.Peek() {
	case '{':
		b.WriteByte('{')
		for k, ok := s.NextField(); ok; k, ok = s.NextField() {
			b.WriteString(string(k) + ":")
			scanAll(s, b)
			b.WriteByte(';')
		}
		b.WriteByte('}')
	case '[':
		b.WriteByte('[')
		for s.NextElement() {
			scanAll(s, b)
			b.WriteByte(';')
		}
		b.WriteByte(']')
	default:
		if s.Null() {
			b.WriteString("NULL")
			return
		}
		b.Write(s.Value())
	}
}

func scan(in string) (string, error) {
	var s wire.Scanner
	s.Reset([]byte(in))
	var b strings.Builder
	scanAll(&s, &b)
	return b.String(), s.End()
}

func TestScanner(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"e":"md","d":{"quotes":[{"a":1},{}]}}`, `{e:"md";d:{quotes:[{a:1;};{};];};}`},
		{` [ 1 , "x\"y" , null , nullx , [ ] , { } ] `, `[1;"x\"y";NULL;nullx;[];{};]`},
		{`{"k\u0041":{"n":null}}`, `{k\u0041:{n:NULL;};}`},
		{`"s"`, `"s"`},
		{`null`, `NULL`},
		{`-1.5e3`, `-1.5e3`},
	} {
		got, err := scan(c.in)
		require.NoError(t, err, c.in)
		assert.Equal(t, c.want, got, c.in)
	}
	for _, bad := range []string{
		``, `{`, `[`, `{"a"}`, `{"a":}`, `{"a":1,}`, `[1,]`, `[1 2]`, `{"a":1 "b":2}`, `{"a":1]`, `[1}`, `[{"a":}}]`,
		`{a:1}`, `{"a:1}`, `"x`, `[1] 2`, `{"a":1}}`, strings.Repeat("[", 300) + strings.Repeat("]", 300),
	} {
		_, err := scan(bad)
		assert.ErrorIs(t, err, wire.ErrSyntax, bad)
	}
}

// Reading only part of a value, or reading out of turn, is an error, not
// silent success.
func TestScannerMisuse(t *testing.T) {
	var s wire.Scanner
	s.Reset([]byte(`{"a":1}`))
	_, ok := s.NextField()
	require.True(t, ok)
	assert.Error(t, s.End(), "the value of a was not read")

	s.Reset([]byte(`[1]`))
	s.Skip()
	assert.Nil(t, s.Value(), "no value left")
	assert.Error(t, s.End())
	assert.False(t, s.NextElement(), "errors stick")
	assert.Zero(t, s.Peek())

	s.Reset([]byte(`{"a":[1,2],"b":{"c":3},"d":4}`))
	var keys []string
	for k, ok := s.NextField(); ok; k, ok = s.NextField() {
		keys = append(keys, string(k))
		s.Skip()
	}
	require.NoError(t, s.End())
	assert.Equal(t, []string{"a", "b", "d"}, keys)
}

// The Scanner accepts what EachField and EachElement accept.
func TestScannerAgreesWithEach(t *testing.T) {
	for _, in := range []string{f3Response[1:], f3Props[1:], `{"a":[{"b":[[],{}]}]}`, `[{"x":nullx}]`, `{"a":tru}`} {
		_, err := scan(in)
		var each func(v []byte) error
		each = func(v []byte) error {
			switch v[0] {
			case '{':
				return wire.EachField(v, func(_, fv []byte) error { return each(fv) })
			case '[':
				return wire.EachElement(v, each)
			}
			return nil
		}
		assert.Equal(t, each([]byte(in)) == nil, err == nil, in)
		if json.Valid([]byte(in)) {
			assert.NoError(t, err, in)
		}
	}
}

func TestScannerZeroAlloc(t *testing.T) {
	in := []byte(f3Props[1:])
	var s wire.Scanner
	allocs := testing.AllocsPerRun(100, func() {
		s.Reset(in)
		for s.NextElement() {
			for _, ok := s.NextField(); ok; _, ok = s.NextField() {
				s.Skip()
			}
		}
		if err := s.End(); err != nil {
			panic(err)
		}
	})
	assert.Zero(t, allocs)
}

// FuzzScanner: no input panics a full walk, and a walk succeeds exactly
// when EachField/EachElement accept the same input, and always for valid JSON.
func FuzzScanner(f *testing.F) {
	for _, s := range []string{f3Response[1:], f3Props[1:], `[1,[2,{"a":null}]]`, `{"a":}`, `[{"a":}}]`, `"\"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var s wire.Scanner
		s.Reset(in)
		var b strings.Builder
		scanAll(&s, &b)
		err := s.End()
		if err != nil && !errors.Is(err, wire.ErrSyntax) {
			t.Fatalf("error %v does not wrap ErrSyntax", err)
		}
		if json.Valid(in) && err != nil {
			t.Fatalf("valid JSON %q: %v", in, err)
		}
	})
}
