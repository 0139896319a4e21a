package engine

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/engine/ring"
	"github.com/keeltrade/keel/strategy"
	"github.com/keeltrade/keel/venue"
)

func TestHalt(t *testing.T) {
	bracketed := mkt(venue.Buy, 1)
	bracketed.Brackets = []venue.Leg{{Type: venue.Limit, Limit: venue.MustParsePrice("5010")}, {Type: venue.Stop, Stop: venue.MustParsePrice("4990")}}
	for _, tc := range []struct {
		policy   FailurePolicy
		net      int64
		working  int
		settledW int
	}{{FlattenOnFailure, 0, 0, 0}, {KeepExits, 1, 2, 0}} {
		t.Run(string(tc.policy), func(t *testing.T) {
			rg := newRig(t, `account: {market_hours: {enabled: false}}`)
			var afterHalt error
			rg.add("a", map[int]func(strategy.Context){
				1: submit(bracketed),
				2: submit(lmt(venue.Buy, 1, "4900")),
				4: func(ctx strategy.Context) { _, afterHalt = ctx.Submit(mkt(venue.Buy, 1)) },
			})
			require.NoError(t, rg.e.Start())
			rg.tick("5000")
			rg.tick("5000")
			rg.tick("5000")
			require.Len(t, rg.x.WorkingOrders(), 3)
			require.NoError(t, rg.e.Halt(tc.policy, "test stop"))
			rg.tick("5000")
			rg.tick("5000")
			assert.ErrorIs(t, afterHalt, ErrHalted)
			assert.Equal(t, tc.net, rg.x.Position(mesID).Net)
			assert.Len(t, rg.x.WorkingOrders(), tc.working)
			w, open := rg.e.Settled()
			assert.Equal(t, tc.settledW, w)
			assert.Zero(t, open)
		})
	}
	rg := newRig(t, `account: {market_hours: {enabled: false}}`)
	assert.Error(t, rg.e.Halt(FlattenOnFailure, ""), "not started")
	require.NoError(t, rg.e.Start())
	assert.Error(t, rg.e.Halt("sometimes", ""))
}

func TestFeedCall(t *testing.T) {
	e, err := New(Config{Instruments: instruments(t), Venue: &asyncVenue{}, Clock: WallClock{}, Logger: quietLog(), Session: "L"})
	require.NoError(t, err)
	f, err := NewFeed(16, 16, ring.Park(0))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx, f) }()
	var started bool
	require.NoError(t, f.Call(context.Background(), func() { started = e.started }))
	assert.True(t, started, "fn ran on the loop, after Start")
	cancel()
	<-done
	assert.ErrorIs(t, f.Call(context.Background(), func() {}), ErrLoopEnded)
	short, stop := context.WithTimeout(context.Background(), time.Millisecond)
	defer stop()
	g, _ := NewFeed(16, 16, ring.Park(0)) // never run
	assert.ErrorIs(t, g.Call(short, func() {}), context.DeadlineExceeded)
}

// An earlier session's order the venue reports is adopted into its
// strategy's books (its fill rebuilds the position); one no journal knows
// is still unknown; a strategy this session does not run goes to the house.
func TestAdoptEarlierOrders(t *testing.T) {
	earlier := map[string]venue.Order{
		"a-20261203.1-1": {ClientID: "a-20261203.1-1", Strategy: "a", Contract: mesID, Intent: venue.OrderIntent{Symbol: "MESM6", Side: venue.Buy, Qty: 2, Type: venue.Market}},
		"z-20261203.1-1": {ClientID: "z-20261203.1-1", Strategy: "z", Contract: mesID, Intent: venue.OrderIntent{Symbol: "MESM6", Side: venue.Sell, Qty: 1, Type: venue.Limit, Limit: venue.MustParsePrice("5100")}},
	}
	e, err := New(Config{Instruments: instruments(t), Venue: &asyncVenue{}, Logger: quietLog(), Session: "T",
		Adopt: func(id string) (venue.Order, bool) { o, ok := earlier[id]; return o, ok }})
	require.NoError(t, err)
	require.NoError(t, e.Add("a", &recorder{}, nil))
	require.NoError(t, e.Start())
	e.OnEvent(venue.Event{Kind: venue.EventFilled, ClientID: "a-20261203.1-1", Fill: venue.Fill{ID: 1, Contract: mesID, Side: venue.Buy, Qty: 2, Price: venue.MustParsePrice("5000")}})
	e.OnEvent(venue.Event{Kind: venue.EventAccepted, ClientID: "z-20261203.1-1", VenueID: 7})
	e.OnEvent(venue.Event{Kind: venue.EventAccepted, ClientID: "q-20261203.1-9", VenueID: 8})
	assert.Equal(t, int64(2), e.byName["a"].Position("MESM6").Net)
	assert.Equal(t, int64(2), e.Stats().Adopted)
	assert.Equal(t, int64(1), e.Stats().UnknownEvents)
	assert.Len(t, e.house.OpenOrders(""), 1, "z's working limit is in the house book")
	w, _ := e.Settled()
	assert.Zero(t, w, "and does not hold up a stop: it is left as it is")
}
