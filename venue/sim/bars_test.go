package sim

import (
	"testing"

	"github.com/keeltrade/keel/venue"
)

func TestBars(t *testing.T) {
	b0 := bar(0, "4800", "4800.5", "4799.5", "4800")
	runScenarios(t, []scenario{
		{
			name:  "market decided on a close fills at the next open plus slippage",
			cfg:   slippage(1),
			steps: []step{br(b0), sub("A", buy(1)), sub("B", sell(1)), br(bar(1, "4801", "4802", "4799", "4801"))},
			want: []string{
				"1 Accepted A#1", "1 Accepted B#2",
				"1 Filled A#1 f1 Buy 1@4801.25 fee=0.79 final",
				"1 Position c1 net=1 avg=4801.25 real=0",
				"1 Filled B#2 f2 Sell 1@4800.75 fee=0.79 final",
				"1 Position c1 net=0 avg=0 real=-2.5",
			},
		},
		{
			name: "limit buy: a low at the limit does not fill, a low through it fills at the limit",
			steps: []step{
				br(b0), sub("A", lit(buy(2), limit("4799"))),
				br(bar(1, "4800", "4801", "4799", "4800"), bar(2, "4800", "4801", "4798.75", "4800")),
			},
			want: []string{
				"1 Accepted A#1",
				"3 Filled A#1 f1 Buy 2@4799 fee=1.58 final",
				"3 Position c1 net=2 avg=4799 real=0",
			},
		},
		{
			name:  "limit buy, TouchWithQueue: a low at the limit fills",
			cfg:   queueModel(TouchWithQueue),
			steps: []step{br(b0), sub("A", lit(buy(1), limit("4799"))), br(bar(1, "4800", "4801", "4799", "4800"))},
			want: []string{
				"1 Accepted A#1",
				"2 Filled A#1 f1 Buy 1@4799 fee=0.79 final",
				"2 Position c1 net=1 avg=4799 real=0",
			},
		},
		{
			name: "resting limit sell: a bar opening through it fills at the open",
			steps: []step{
				br(b0), sub("A", lit(sell(1), limit("4801"))),
				br(bar(1, "4800", "4801", "4799", "4800"), bar(2, "4802", "4803", "4801.5", "4802")),
			},
			want: []string{
				"1 Accepted A#1",
				"2 Filled A#1 f1 Sell 1@4802 fee=0.79 final",
				"2 Position c1 net=-1 avg=4802 real=0",
			},
		},
		{
			name: "stop buy: a high at the stop fills at the stop plus slippage; a gap fills at the open",
			cfg:  slippage(1),
			steps: []step{
				br(b0), sub("A", lit(buy(1), stop("4801"))), sub("B", lit(buy(1), stop("4803"))),
				br(bar(1, "4800", "4801", "4799", "4800.5"), bar(2, "4804", "4805", "4803.5", "4804")),
			},
			want: []string{
				"1 Accepted A#1", "1 Accepted B#2",
				"2 Filled A#1 f1 Buy 1@4801.25 fee=0.79 final",
				"2 Position c1 net=1 avg=4801.25 real=0",
				"2 Filled B#2 f2 Buy 1@4804.25 fee=0.79 final",
				"2 Position c1 net=2 avg=4802.75 real=0",
			},
		},
		{
			name: "stop-limit gapping over its limit triggers and rests as a limit",
			steps: []step{
				br(b0), sub("A", lit(buy(1), stopLimit("4801", "4801.25"))),
				br(bar(1, "4802", "4803", "4801.5", "4802"), bar(2, "4802", "4802.5", "4801", "4802")),
			},
			want: []string{
				"1 Accepted A#1",
				"3 Filled A#1 f1 Buy 1@4801.25 fee=0.79 final",
				"3 Position c1 net=1 avg=4801.25 real=0",
			},
		},
		{
			name:  "MIT sell: touched inside the bar fills at its price less slippage",
			cfg:   slippage(2),
			steps: []step{br(b0), sub("A", lit(sell(1), mit("4801.5"))), br(bar(1, "4800", "4802", "4799", "4800"))},
			want: []string{
				"1 Accepted A#1",
				"2 Filled A#1 f1 Sell 1@4801 fee=0.79 final",
				"2 Position c1 net=-1 avg=4801 real=0",
			},
		},
		{
			name: "IOC on bars: executes at the open or expires",
			steps: []step{
				br(b0), sub("A", lit(buy(1), limit("4799"), tif(venue.IOC))), sub("B", lit(buy(1), tif(venue.FOK))),
				br(bar(1, "4800", "4801", "4798", "4800")),
			},
			want: []string{
				"1 Accepted A#1", "1 Accepted B#2",
				"1 Expired A#1",
				"1 Filled B#2 f1 Buy 1@4800 fee=0.79 final",
				"1 Position c1 net=1 avg=4800 real=0",
			},
		},
		{
			name: "latency past the open waits for the next bar",
			cfg:  latency(1),
			steps: []step{
				br(b0), sub("A", buy(1)),
				br(bar(1, "4801", "4802", "4799", "4801"), bar(2, "4805", "4806", "4804", "4805")),
			},
			want: []string{
				"1 Accepted A#1",
				"2 Filled A#1 f1 Buy 1@4805 fee=0.79 final",
				"2 Position c1 net=1 avg=4805 real=0",
			},
		},
		{
			name: "bracket: a bar touching both target and stop fills the stop",
			steps: []step{
				br(b0), sub("A", lit(buy(1), limit("4799"), brackets(tp("4802"), sl("4797")))),
				br(bar(1, "4800", "4800.5", "4798.5", "4800")), // entry fills inside the bar
				br(bar(2, "4800", "4803", "4796", "4800")),     // both exits in range
			},
			want: []string{
				"1 Accepted A#1",
				"2 Filled A#1 f1 Buy 1@4799 fee=0.79 final",
				"2 Position c1 net=1 avg=4799 real=0",
				"2 Accepted A/tp#2", "2 Accepted A/sl#3",
				"3 Filled A/sl#3 f2 Sell 1@4797 fee=0.79 final",
				"3 Position c1 net=0 avg=0 real=-10",
				"3 Cancelled A/tp#2",
			},
		},
		{
			name: "bracket: a target reached at the open comes first",
			steps: []step{
				br(b0), sub("A", lit(buy(1), limit("4799"), brackets(tp("4802"), sl("4797")))),
				br(bar(1, "4800", "4800.5", "4798.5", "4800")),
				br(bar(2, "4802.5", "4803", "4796", "4800")),
			},
			want: []string{
				"1 Accepted A#1",
				"2 Filled A#1 f1 Buy 1@4799 fee=0.79 final",
				"2 Position c1 net=1 avg=4799 real=0",
				"2 Accepted A/tp#2", "2 Accepted A/sl#3",
				"2 Filled A/tp#2 f2 Sell 1@4802.5 fee=0.79 final",
				"2 Position c1 net=0 avg=0 real=17.5",
				"2 Cancelled A/sl#3",
			},
		},
		{
			name: "bracket: market entry at the open, exits see the rest of the bar, stop first",
			steps: []step{
				br(b0), sub("A", lit(buy(1), brackets(tp("4802"), sl("4798")))),
				br(bar(1, "4800", "4803", "4797", "4800")),
			},
			want: []string{
				"1 Accepted A#1",
				"1 Filled A#1 f1 Buy 1@4800 fee=0.79 final",
				"1 Position c1 net=1 avg=4800 real=0",
				"1 Accepted A/tp#2", "1 Accepted A/sl#3",
				"2 Filled A/sl#3 f2 Sell 1@4798 fee=0.79 final",
				"2 Position c1 net=0 avg=0 real=-10",
				"2 Cancelled A/tp#2",
			},
		},
		{
			name: "bracket: entry inside the bar, its stop in the rest of the range fills, the target waits",
			steps: []step{
				br(b0), sub("A", lit(buy(1), limit("4799"), brackets(tp("4803"), sl("4797.5")))),
				br(bar(1, "4800", "4804", "4797", "4800")),
			},
			want: []string{
				"1 Accepted A#1",
				"2 Filled A#1 f1 Buy 1@4799 fee=0.79 final",
				"2 Position c1 net=1 avg=4799 real=0",
				"2 Accepted A/tp#2", "2 Accepted A/sl#3",
				"2 Filled A/sl#3 f2 Sell 1@4797.5 fee=0.79 final",
				"2 Position c1 net=0 avg=0 real=-7.5",
				"2 Cancelled A/tp#2",
			},
		},
		{
			name: "bracket: entry inside the bar, the target is not filled on that bar",
			steps: []step{
				br(b0), sub("A", lit(buy(1), limit("4799"), brackets(tp("4803"), sl("4797.5")))),
				br(bar(1, "4800", "4804", "4798.5", "4800")),
				br(bar(2, "4803.5", "4804", "4803", "4803.5")),
			},
			want: []string{
				"1 Accepted A#1",
				"2 Filled A#1 f1 Buy 1@4799 fee=0.79 final",
				"2 Position c1 net=1 avg=4799 real=0",
				"2 Accepted A/tp#2", "2 Accepted A/sl#3",
				"2 Filled A/tp#2 f2 Sell 1@4803.5 fee=0.79 final",
				"2 Position c1 net=0 avg=0 real=22.5",
				"2 Cancelled A/sl#3",
			},
		},
		{
			name: "OCO pair on one bar: the price nearer the open is assumed reached first",
			steps: []step{
				br(b0), sub("A", lit(buy(1), stop("4801.5"), oco(venue.Leg{Side: venue.Sell, Type: venue.Stop, Stop: px("4799")}))),
				br(bar(1, "4800", "4802", "4798", "4800")),
			},
			want: []string{
				"1 Accepted A#1", "1 Accepted A/oco#2",
				"2 Filled A/oco#2 f1 Sell 1@4799 fee=0.79 final",
				"2 Position c1 net=-1 avg=4799 real=0",
				"2 Cancelled A#1",
			},
		},
		{
			name: "malformed bars are ignored",
			steps: []step{
				br(b0), sub("A", buy(1)),
				br(bar(1, "4810", "4802", "4798", "4800")), // open above the high
				br(bar(2, "4800", "4801", "4799", "4800")),
			},
			want: []string{
				"1 Accepted A#1",
				"2 Filled A#1 f1 Buy 1@4800 fee=0.79 final",
				"2 Position c1 net=1 avg=4800 real=0",
			},
		},
	})
}
