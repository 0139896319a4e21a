package data

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestRegistrySpellingsAreOneInstrument(t *testing.T) {
	r := NewRegistry(time.Date(2013, 12, 1, 0, 0, 0, 0, time.UTC))
	a, err := r.Resolve("ESZ13")
	require.NoError(t, err)
	b, err := r.Resolve("ESZ3")
	require.NoError(t, err)
	require.Equal(t, a.ID, b.ID, "ESZ3 and ESZ13 are one contract")
	require.False(t, a.Continuous())
	got, ok := r.BySymbol("ESZ3")
	require.True(t, ok)
	require.Equal(t, a.ID, got.ID)
}

func TestRegistryContinuousAndFrontMonth(t *testing.T) {
	r := NewRegistry(time.Date(2013, 12, 1, 0, 0, 0, 0, time.UTC))
	es, err := r.Resolve("ES")
	require.NoError(t, err)
	require.True(t, es.Continuous())
	require.Equal(t, "ES", es.Symbol)
	at, err := r.Resolve("@ES")
	require.NoError(t, err)
	require.Equal(t, es.ID, at.ID, "@ES is ES")
	require.Equal(t, "0.25", es.TickSize.String())

	_, err = r.Resolve("ZZ")
	require.Error(t, err)

	ct, err := time.LoadLocation("America/Chicago")
	require.NoError(t, err)
	before := time.Date(2013, 12, 11, 12, 0, 0, 0, ct).UnixNano()
	front, until, err := r.FrontMonth("ES", before)
	require.NoError(t, err)
	z13, err := r.Resolve("ESZ13")
	require.NoError(t, err)
	require.Equal(t, z13.ID, front.ID, "ESZ13 is the front before its roll date")
	require.Equal(t, time.Date(2013, 12, 12, 0, 0, 0, 0, ct).UnixNano(), until, "ES rolls on 2013-12-12 (CT midnight)")

	next, until2, err := r.FrontMonth("ES", until)
	require.NoError(t, err)
	h14, err := r.Resolve("ESH14")
	require.NoError(t, err)
	require.Equal(t, h14.ID, next.ID, "ESH14 from the roll date on")
	require.Greater(t, until2, until)
	require.False(t, next.Continuous())

	_, _, err = r.FrontMonth("ZZ", before)
	require.Error(t, err)
}
