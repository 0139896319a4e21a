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
