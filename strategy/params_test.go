package strategy

import (
	"testing"
	"time"

	"github.com/keeltrade/keel/venue"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseParams(t *testing.T) {
	p, err := ParseParams("fast=5, slow=20", "bar=5m", "name=x=y")
	require.NoError(t, err)
	assert.Equal(t, []string{"bar", "fast", "name", "slow"}, p.Names())
	assert.Equal(t, 5, p.Int("fast", 1))
	assert.Equal(t, 20, p.Int("slow", 1))
	assert.Equal(t, 5*time.Minute, p.Duration("bar", time.Minute))
	assert.Equal(t, "x=y", p.String("name", ""))
	assert.Equal(t, 7, p.Int("absent", 7))
	assert.NoError(t, p.Err())

	for _, bad := range []string{"fast", "=5", "a=1,a=2"} {
		_, err := ParseParams(bad)
		assert.Error(t, err, bad)
	}
}

func TestParamsTypedErrors(t *testing.T) {
	p := NewParams(map[string]string{
		"i": "x", "f": "NaN", "b": "maybe", "d": "5", "p": "1.2.3", "ok": "4800.25", "typo": "1", "big": "1e999",
	})
	assert.Equal(t, 3, p.Int("i", 3))
	assert.Equal(t, 1.5, p.Float("f", 1.5))
	assert.Equal(t, 1.5, p.Float("big", 1.5))
	assert.True(t, p.Bool("b", true))
	assert.Equal(t, time.Second, p.Duration("d", time.Second))
	assert.Equal(t, venue.Price(1), p.Price("p", 1))
	assert.Equal(t, venue.MustParsePrice("4800.25"), p.Price("ok", 0))
	p.Check("i", false, "must be positive")
	err := p.Err()
	require.Error(t, err)
	for _, want := range []string{`i="x": want an integer`, `f="NaN"`, `big="1e999"`, `b="maybe"`, `d="5": want a duration`, `p="1.2.3"`, `unknown parameter "typo"`, `i="x": must be positive`} {
		assert.Contains(t, err.Error(), want)
	}
}

type nop struct{}

func (nop) Init(Context) error { return nil }

func TestRegistry(t *testing.T) {
	Register("test-nop", "does nothing", func(p *Params) (Strategy, error) {
		p.Int("n", 1)
		return nop{}, nil
	})
	assert.Contains(t, Names(), "test-nop")
	r, ok := Lookup("test-nop")
	require.True(t, ok)
	assert.Equal(t, "does nothing", r.Summary)

	s, err := New("test-nop", nil)
	require.NoError(t, err)
	assert.IsType(t, nop{}, s)

	_, err = New("test-nop", NewParams(map[string]string{"m": "1"}))
	assert.ErrorContains(t, err, `unknown parameter "m"`)
	_, err = New("no-such", nil)
	assert.ErrorContains(t, err, `unknown strategy "no-such"`)
	assert.ErrorContains(t, err, "test-nop")

	assert.Panics(t, func() { Register("test-nop", "", func(*Params) (Strategy, error) { return nop{}, nil }) })
	assert.Panics(t, func() { Register("", "", func(*Params) (Strategy, error) { return nop{}, nil }) })
	assert.Panics(t, func() { Register("x", "", nil) })
}

func TestParamsFromYAML(t *testing.T) {
	p, err := ParamsFromYAML([]byte("fast: 5\nslow: 20\nbar: 5m\nsymbol: ESZ6\n"))
	require.NoError(t, err)
	assert.Equal(t, 5, p.Int("fast", 0))
	assert.Equal(t, 5*time.Minute, p.Duration("bar", 0))
	assert.Equal(t, "ESZ6", p.String("symbol", ""))
	p, err = ParamsFromYAML(nil)
	require.NoError(t, err)
	assert.Empty(t, p.Names())
	for in, want := range map[string]string{
		"fast: [1, 2]\n":     `line 1: parameter "fast" must be a single value`,
		"- 1\n- 2\n":         "line 1: want a mapping",
		"a: 1\na: 2\n":       "",
		"fast: {x: 1}\n":     "must be a single value",
		"fast: 5\n  slow: 3": "strategy parameters",
	} {
		_, err := ParamsFromYAML([]byte(in))
		require.Error(t, err, in)
		assert.Contains(t, err.Error(), want, in)
	}
}
