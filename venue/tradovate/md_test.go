package tradovate

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/tradovate/sandbox"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

func TestContractResolution(t *testing.T) {
	r := newAdapterRig(t, Demo)
	in, err := r.a.Contract(context.Background(), r.sym)
	require.NoError(t, err)
	assert.Equal(t, r.cid, in.ID, "the venue's contract id")
	assert.Equal(t, r.sym, in.Symbol)
	assert.Equal(t, venue.MustParsePrice("0.25"), in.TickSize)
	assert.Equal(t, "5", in.PointValue.String())
	front, err := r.a.Contract(context.Background(), "MES")
	require.NoError(t, err)
	assert.Equal(t, r.sym, front.Symbol, "a root resolves to the front month")
	_, err = r.a.Contract(context.Background(), "MESF6")
	assert.Error(t, err, "not a month MES lists")
	_, err = r.a.Contract(context.Background(), "XYZZ6")
	assert.Error(t, err, "not a product")
	set, err := r.a.Instruments(context.Background(), r.sym)
	require.NoError(t, err)
	got, ok := set.ByID(r.cid)
	require.True(t, ok)
	assert.Equal(t, r.sym, got.Symbol)
}

func TestQuotesStreamAndResubscribe(t *testing.T) {
	r := newAdapterRig(t, Demo)
	var mu sync.Mutex
	var ticks []venue.Tick
	md, err := r.a.OpenMarketData(context.Background(), MarketDataOptions{Publish: func(ts []venue.Tick) {
		mu.Lock()
		ticks = append(ticks, ts...)
		mu.Unlock()
	}})
	require.NoError(t, err)
	defer md.Close()
	require.NoError(t, md.SubscribeQuotes(context.Background(), r.sym))
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(ticks) }
	feed := func() {
		r.trade()
		r.px += venue.MustParsePrice("0.25")
	}
	require.Eventually(t, func() bool { feed(); return count() > 0 }, 5*time.Second, 20*time.Millisecond)
	mu.Lock()
	tk := ticks[len(ticks)-1]
	mu.Unlock()
	assert.Equal(t, r.cid, tk.Contract)
	assert.NotZero(t, tk.Flags&venue.HasQuote)

	_, err = r.s.Inject(sandbox.Fault{Kind: sandbox.FaultDrop, Target: sandbox.Target{Service: sandbox.MD}})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return md.Conn().Stats().Connects >= 2 }, 5*time.Second, 10*time.Millisecond)
	n := count()
	require.Eventually(t, func() bool { feed(); return count() > n }, 5*time.Second, 20*time.Millisecond, "re-subscribed after the drop")
}

func TestHistoryPagesBack(t *testing.T) {
	r := newAdapterRig(t, Demo)
	base := time.Now().Add(-3 * time.Hour).Truncate(time.Minute)
	for i := range 120 {
		px := r.px + venue.Price(i%7)*venue.MustParsePrice("0.25")
		r.s.Feed(venue.Tick{Time: base.Add(time.Duration(i) * time.Minute).UnixNano(), Contract: r.cid, Price: px, Size: 1, Flags: venue.HasTrade})
	}
	md, err := r.a.OpenMarketData(context.Background(), MarketDataOptions{})
	require.NoError(t, err)
	defer md.Close()
	h, err := md.History(context.Background(), HistoryRequest{Symbol: r.sym, Type: wire.ChartTypeMinuteBar, Size: 1, From: base, Max: 25})
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(h.Bars), 100, "paged back in requests of 25")
	for i := 1; i < len(h.Bars); i++ {
		require.True(t, h.Bars[i-1].Timestamp.Before(h.Bars[i].Timestamp.Time), "sorted, no repeats")
	}
}
