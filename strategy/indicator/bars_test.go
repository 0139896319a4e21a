package indicator

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/cme"
)

func bar(end time.Time, h, l, c string, v int64) venue.Bar {
	return venue.Bar{Start: end.Add(-time.Minute).UnixNano(), End: end.UnixNano(), Open: venue.MustParsePrice(c), High: venue.MustParsePrice(h), Low: venue.MustParsePrice(l), Close: venue.MustParsePrice(c), Volume: v}
}

func TestATRUpdateBar(t *testing.T) {
	a, err := NewATR(2)
	require.NoError(t, err)
	at := time.Date(2026, 11, 24, 10, 0, 0, 0, cme.Chicago())
	a.UpdateBar(bar(at, "5002", "4998", "5000", 1))
	a.UpdateBar(bar(at.Add(time.Minute), "5003", "4999", "5001", 1))
	require.True(t, a.Ready())
	assert.InDelta(t, 4.0, a.Value(), 1e-12)
}

func TestSessionVWAPResetsAtTheTradeDate(t *testing.T) {
	v := NewSessionVWAP("ES")
	ct := cme.Chicago()
	v.UpdateBar(bar(time.Date(2026, 11, 24, 15, 58, 0, 0, ct), "5003", "4997", "5000", 10)) // typical 5000
	v.UpdateBar(bar(time.Date(2026, 11, 24, 16, 0, 0, 0, ct), "5012", "5006", "5009", 30))  // typical 5009, same day
	assert.InDelta(t, (5000*10+5009*30)/40.0, v.Value(), 1e-9)
	assert.Equal(t, 24, v.TradeDate().Day())
	// 17:01 CT opens the next trade date: the VWAP starts again.
	v.UpdateBar(bar(time.Date(2026, 11, 24, 17, 1, 0, 0, ct), "4903", "4897", "4900", 5))
	assert.InDelta(t, 4900.0, v.Value(), 1e-9)
	assert.Equal(t, 25, v.TradeDate().Day())
	// Beyond the calendar (2013): the day still rolls at 17:00 CT.
	old := NewSessionVWAP("ES")
	old.UpdateBar(bar(time.Date(2013, 10, 7, 16, 0, 0, 0, ct), "1703", "1697", "1700", 1))
	old.UpdateBar(bar(time.Date(2013, 10, 7, 17, 1, 0, 0, ct), "1713", "1707", "1710", 1))
	assert.InDelta(t, 1710.0, old.Value(), 1e-9)
	b := bar(time.Date(2026, 11, 24, 15, 0, 0, 0, ct), "5003", "4997", "5000", 10)
	assert.Zero(t, testing.AllocsPerRun(100, func() { v.UpdateBar(b) }))
}
