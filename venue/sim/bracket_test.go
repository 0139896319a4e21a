package sim

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
)

func TestBrackets(t *testing.T) {
	entry := func(qty int64, legs ...venue.Leg) venue.OrderIntent {
		return lit(buy(qty), limit("4800"), brackets(legs...))
	}
	runScenarios(t, []scenario{
		{
			name: "OSO lifecycle: entry fills, both exits accepted, target fills, stop cancelled",
			steps: []step{
				tk(trade(1, "4800.25", 1)), sub("A", entry(2, tp("4802"), sl("4798"))),
				tk(trade(2, "4800.25", 1)), // entry arrives
				tk(trade(3, "4799.75", 1)), // through the entry
				tk(trade(4, "4801.75", 1)), // legs arrive
				tk(trade(5, "4802.25", 1)), // through the target
				tk(trade(6, "4797", 1)),    // nothing left
			},
			want: []string{
				"1 Accepted A#1",
				"3 Filled A#1 f1 Buy 2@4800 fee=1.58 final",
				"3 Position c1 net=2 avg=4800 real=0",
				"3 Accepted A/tp#2", "3 Accepted A/sl#3",
				"5 Filled A/tp#2 f2 Sell 2@4802 fee=1.58 final",
				"5 Position c1 net=0 avg=0 real=20",
				"5 Cancelled A/sl#3",
			},
		},
		{
			name: "stop leg fills, target cancelled, with slippage",
			cfg:  slippage(1),
			steps: []step{
				sub("A", lit(sell(1), brackets(sl("4802"), tp("4797")))),
				tk(trade(1, "4800", 1)), tk(trade(2, "4801", 1)), tk(trade(3, "4802", 1)),
			},
			want: []string{
				"0 Accepted A#1",
				"1 Filled A#1 f1 Sell 1@4799.75 fee=0.79 final",
				"1 Position c1 net=-1 avg=4799.75 real=0",
				"1 Accepted A/sl#2", "1 Accepted A/tp#3",
				"3 Filled A/sl#2 f2 Buy 1@4802.25 fee=0.79 final",
				"3 Position c1 net=0 avg=0 real=-12.5",
				"3 Cancelled A/tp#3",
			},
		},
		{
			name: "partial entry fills: exits sized to the filled quantity and grown",
			steps: []step{
				tk(quote(1, "4800.25", 5, "4800.5", 5)), sub("A", entry(3, tp("4802"), sl("4798"))),
				tk(quote(2, "4800.25", 5, "4800.5", 5)), // arrives
				tk(quote(3, "4799.5", 5, "4799.75", 1)), // one through
				tk(quote(4, "4799.5", 5, "4799.75", 5)), // two more
				tk(quote(5, "4797.75", 5, "4798", 5)),   // bid reaches the stop (quote data)
				tk(quote(6, "4797.5", 5, "4797.75", 5)),
			},
			want: []string{
				"1 Accepted A#1",
				"3 Filled A#1 f1 Buy 1@4800 fee=0.79",
				"3 Position c1 net=1 avg=4800 real=0",
				"3 Accepted A/tp#2", "3 Accepted A/sl#3",
				"4 Filled A#1 f2 Buy 2@4800 fee=1.58 final",
				"4 Position c1 net=3 avg=4800 real=0",
				"4 Modified A/tp#2 qty=3", "4 Modified A/sl#3 qty=3",
				"5 Filled A/sl#3 f3 Sell 3@4797.75 fee=2.37 final",
				"5 Position c1 net=0 avg=0 real=-33.75",
				"5 Cancelled A/tp#2",
			},
		},
		{
			name: "a partial exit fill reduces the other exit",
			steps: []step{
				sub("A", entry(3, tp("4802"), sl("4798"))),
				tk(quote(1, "4799.5", 5, "4799.75", 5)),         // entry fills 3 at the ask
				tk(quote(2, "4801.75", 5, "4802", 5)),           // legs arrive
				tk(quote(3, "4802.25", 1, "4802.5", 5)),         // target: bid through, 1 displayed
				tk(trade(4, "4802", 9)),                         // at the target: no fill
				tk(both(5, "4798", 1, "4797.75", 5, "4798", 5)), // stop: 2 left
			},
			want: []string{
				"0 Accepted A#1",
				"1 Filled A#1 f1 Buy 3@4799.75 fee=2.37 final",
				"1 Position c1 net=3 avg=4799.75 real=0",
				"1 Accepted A/tp#2", "1 Accepted A/sl#3",
				"3 Filled A/tp#2 f2 Sell 1@4802 fee=0.79",
				"3 Position c1 net=2 avg=4799.75 real=11.25",
				"3 Modified A/sl#3 qty=2",
				"5 Filled A/sl#3 f3 Sell 2@4797.75 fee=1.58 final",
				"5 Position c1 net=0 avg=0 real=-8.75",
				"5 Cancelled A/tp#2",
			},
		},
		{
			name: "exits close what filled while the entry still works: the entry's rest is cancelled",
			steps: []step{
				tk(quote(1, "4800.25", 5, "4800.5", 5)), sub("A", entry(3, sl("4799"))),
				tk(quote(2, "4800.25", 5, "4800.5", 5)),
				tk(quote(3, "4799.5", 5, "4799.75", 1)), // one fills
				tk(quote(4, "4798.75", 5, "4801", 5)),   // stop on the bid
			},
			want: []string{
				"1 Accepted A#1",
				"3 Filled A#1 f1 Buy 1@4800 fee=0.79",
				"3 Position c1 net=1 avg=4800 real=0",
				"3 Accepted A/sl#2",
				"4 Filled A/sl#2 f2 Sell 1@4798.75 fee=0.79 final",
				"4 Position c1 net=0 avg=0 real=-6.25",
				"4 Cancelled A#1",
			},
		},
		{
			name: "leg quantities capped by Leg.Qty: scale out",
			steps: []step{
				sub("A", lit(buy(2), brackets(venue.Leg{Type: venue.Limit, Limit: px("4802"), Qty: 1}, sl("4798")))),
				tk(trade(1, "4800", 1)), tk(trade(2, "4800", 1)), tk(trade(3, "4802.25", 1)), tk(trade(4, "4798", 1)),
			},
			want: []string{
				"0 Accepted A#1",
				"1 Filled A#1 f1 Buy 2@4800 fee=1.58 final",
				"1 Position c1 net=2 avg=4800 real=0",
				"1 Accepted A/tp#2", "1 Accepted A/sl#3",
				"3 Filled A/tp#2 f2 Sell 1@4802 fee=0.79 final",
				"3 Position c1 net=1 avg=4800 real=10",
				"3 Modified A/sl#3 qty=1",
				"4 Filled A/sl#3 f3 Sell 1@4798 fee=0.79 final",
				"4 Position c1 net=0 avg=0 real=0",
			},
		},
		{
			name: "two targets are numbered; cancelling the entry before a fill never places them",
			steps: []step{
				sub("A", lit(buy(1), limit("4790"), brackets(tp("4802"), tp("4804")))),
				tk(trade(1, "4800", 1)),
				cancel("A/1"), cancel("A"), tk(trade(2, "4789", 1)), cancel("A/2"),
			},
			want: []string{
				"0 Accepted A#1",
				"1 CancelRejected A/1#2 UnknownReason",
				"1 Cancelled A#1",
				"2 CancelRejected A/2#3 UnknownReason",
			},
		},
		{
			name: "exit size cannot be modified; prices can",
			steps: []step{
				sub("A", lit(buy(1), brackets(tp("4802"), sl("4798")))),
				tk(trade(1, "4800", 1)),
				modify("A/tp", venue.Modify{Qty: 2}),
				modify("A/sl", venue.Modify{Stop: px("4799")}),
				tk(trade(2, "4800", 1)), tk(trade(3, "4799", 1)),
			},
			want: []string{
				"0 Accepted A#1",
				"1 Filled A#1 f1 Buy 1@4800 fee=0.79 final",
				"1 Position c1 net=1 avg=4800 real=0",
				"1 Accepted A/tp#2", "1 Accepted A/sl#3",
				"1 ModifyRejected A/tp#2 Unsupported",
				"1 Modified A/sl#3 stop=4799",
				"3 Filled A/sl#3 f2 Sell 1@4799 fee=0.79 final",
				"3 Position c1 net=0 avg=0 real=-5",
				"3 Cancelled A/tp#2",
			},
		},
		{
			// A Day entry's exits protect the position past its session.
			name: "exits are GTC by default",
			steps: []step{
				sub("A", lit(buy(1), brackets(tp("4802"), sl("4798")))),
				tk(trade(1, "4800", 1)), expireDay(),
			},
			want: []string{
				"0 Accepted A#1",
				"1 Filled A#1 f1 Buy 1@4800 fee=0.79 final",
				"1 Position c1 net=1 avg=4800 real=0",
				"1 Accepted A/tp#2", "1 Accepted A/sl#3",
			},
		},
		{
			name: "Day exits expire with the session",
			steps: []step{
				sub("A", lit(buy(1), brackets(dayLeg(tp("4802")), dayLeg(sl("4798"))))),
				tk(trade(1, "4800", 1)), expireDay(),
			},
			want: []string{
				"0 Accepted A#1",
				"1 Filled A#1 f1 Buy 1@4800 fee=0.79 final",
				"1 Position c1 net=1 avg=4800 real=0",
				"1 Accepted A/tp#2", "1 Accepted A/sl#3",
				"1 Expired A/tp#2", "1 Expired A/sl#3",
			},
		},
	})
}

func TestOCO(t *testing.T) {
	runScenarios(t, []scenario{
		{
			name: "breakout pair: the buy stop fills, the sell stop is cancelled",
			steps: []step{
				tk(trade(1, "4800", 1)),
				sub("A", lit(buy(1), stop("4801"), oco(venue.Leg{Side: venue.Sell, Type: venue.Stop, Stop: px("4799")}))),
				tk(trade(2, "4800.5", 1), trade(3, "4801", 1), trade(4, "4799", 1)),
			},
			want: []string{
				"1 Accepted A#1", "1 Accepted A/oco#2",
				"3 Filled A#1 f1 Buy 1@4801 fee=0.79 final",
				"3 Position c1 net=1 avg=4801 real=0",
				"3 Cancelled A/oco#2",
			},
		},
		{
			name: "a partial fill reduces the partner; cancelling one leaves the other",
			steps: []step{
				tk(quote(1, "4800", 5, "4800.25", 5)),
				sub("A", lit(buy(3), limit("4799"), oco(venue.Leg{Side: venue.Sell, Type: venue.Limit, Limit: px("4801")}))),
				tk(quote(2, "4800", 5, "4800.25", 5)),
				tk(quote(3, "4798.5", 5, "4798.75", 1)),
				cancel("A"),
				tk(quote(4, "4801.25", 5, "4801.5", 5)),
			},
			want: []string{
				"1 Accepted A#1", "1 Accepted A/oco#2",
				"3 Filled A#1 f1 Buy 1@4799 fee=0.79",
				"3 Position c1 net=1 avg=4799 real=0",
				"3 Modified A/oco#2 qty=2",
				"3 Cancelled A#1",
				"4 Filled A/oco#2 f2 Sell 2@4801 fee=1.58 final",
				"4 Position c1 net=-1 avg=4801 real=10",
			},
		},
	})
}

func TestLinkedIDs(t *testing.T) {
	tests := []struct {
		legs []venue.Leg
		want []string
	}{
		{[]venue.Leg{tp("1"), sl("1")}, []string{"P/tp", "P/sl"}},
		{[]venue.Leg{sl("1"), tp("1")}, []string{"P/sl", "P/tp"}},
		{[]venue.Leg{{Type: venue.MIT}, {Type: venue.StopLimit}}, []string{"P/tp", "P/sl"}},
		{[]venue.Leg{tp("1"), tp("2")}, []string{"P/1", "P/2"}},
		{[]venue.Leg{{Type: venue.Market}}, []string{"P/1"}},
		{[]venue.Leg{sl("1")}, []string{"P/sl"}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, bracketIDs("P", tt.legs))
	}

	h := newHarness(t, nil)
	h.run(sub("A/tp", buy(1)))
	err := h.x.Submit(venue.Order{ClientID: "A", Intent: lit(buy(1), brackets(tp("4810")), func(i *venue.OrderIntent) { i.Symbol = "MESZ6" })})
	require.ErrorContains(t, err, "A/tp")
	require.ErrorContains(t, h.x.Submit(venue.Order{ClientID: "A/tp", Intent: buy(1)}), "duplicate")

	// The legs say who their parent is.
	h.run(sub("B", lit(buy(1), brackets(tp("4810")))), tk(trade(1, "4800", 1)))
	leg, ok := h.x.Order("B/tp")
	require.True(t, ok)
	assert.Equal(t, "B", leg.ParentID)
	assert.Equal(t, venue.Working, leg.Status)
	assert.Equal(t, venue.Sell, leg.Intent.Side)
}

func dayLeg(l venue.Leg) venue.Leg {
	l.TIF = venue.TIFOf(venue.Day)
	return l
}

// A GTD order expires at its Expire, at the first market event from then;
// its OCO partner with it; exits of a GTD entry are GTC.
func TestGTDExpires(t *testing.T) {
	h := newHarness(t, nil)
	at := trade(1, "4800", 1).Time
	gtd := func(i *venue.OrderIntent) { i.TIF, i.Expire = venue.GTD, at+int64(10*time.Second) }
	for _, s := range []step{
		sub("A", lit(buy(1), limit("4790"), gtd)),
		sub("B", lit(buy(1), limit("4790"), gtd, oco(venue.Leg{Side: venue.Sell, Type: venue.Limit, Limit: px("4810")}))),
		sub("C", lit(buy(1), gtd, brackets(sl("4780")))),
	} {
		s(h)
	}
	tk := trade(1, "4800", 1)
	h.x.OnTick(&tk) // C fills; its exit is placed
	late := trade(1, "4800", 1)
	late.Time = at + int64(10*time.Second)
	h.x.OnTick(&late)
	for _, id := range []string{"A", "B", "B/oco"} {
		o, ok := h.x.Order(id)
		require.True(t, ok, id)
		assert.Equal(t, venue.Expired, o.Status, id)
	}
	o, ok := h.x.Order("C/sl")
	require.True(t, ok)
	assert.Equal(t, venue.Working, o.Status, "the exit protects the position past the entry's date")
	assert.Equal(t, venue.GTC, o.Intent.TIF)
}
