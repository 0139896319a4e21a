package report

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
)

var (
	mes = venue.Instrument{ID: 1, Symbol: "MESH4", Root: "MES", TickSize: venue.MustParsePrice("0.25"), PointValue: decimal.NewFromInt(5), Currency: "USD"}
	es  = venue.Instrument{ID: 2, Symbol: "ESH4", Root: "ES", TickSize: venue.MustParsePrice("0.25"), PointValue: decimal.NewFromInt(50), Currency: "USD"}
)

// ct returns the Unix ns of a Chicago wall-clock time in 2024.
func ct(month time.Month, day, hour, minute int) int64 {
	return time.Date(2024, month, day, hour, minute, 0, 0, chicago).UnixNano()
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func px(s string) venue.Price { return venue.MustParsePrice(s) }

// event is one call into the Recorder: a fill when inst is set, else a price.
type event struct {
	inst  *venue.Instrument
	fill  venue.Fill
	c     venue.ContractID
	t     int64
	price venue.Price
}

var fillSeq int64

func fillEv(inst venue.Instrument, side venue.Side, qty int64, price, fee string, t int64) event {
	fillSeq++
	return event{inst: &inst, fill: venue.Fill{
		ID: fillSeq, Contract: inst.ID, Side: side, Qty: qty, Price: px(price), Time: t, Fee: dec(fee),
	}}
}

func priceEv(inst venue.Instrument, t int64, price string) event {
	return event{c: inst.ID, t: t, price: px(price)}
}

func record(t *testing.T, cfg Config, evs []event) *Recorder {
	t.Helper()
	r, err := NewRecorder(cfg)
	require.NoError(t, err)
	for _, e := range evs {
		if e.inst != nil {
			require.NoError(t, r.OnFill(e.fill, *e.inst))
			continue
		}
		r.OnPrice(e.c, e.t, e.price)
	}
	return r
}

func assertDec(t *testing.T, want string, got decimal.Decimal, msgAndArgs ...any) {
	t.Helper()
	assert.True(t, dec(want).Equal(got), append([]any{"want %s, got %s", want, got.String()}, msgAndArgs...)...)
}
