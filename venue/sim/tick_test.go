package sim

import (
	"testing"
	"time"

	"github.com/keeltrade/keel/venue"
)

func slippage(n int64) func(*Config)        { return func(c *Config) { c.SlippageTicks = n } }
func latency(d time.Duration) func(*Config) { return func(c *Config) { c.Latency = d } }
func queueModel(q QueueModel) func(*Config) { return func(c *Config) { c.QueueModel = q } }

func TestMarketOrders(t *testing.T) {
	runScenarios(t, []scenario{
		{
			name:  "buy fills at the ask of the next event, quote data",
			steps: []step{tk(quote(1, "4800", 5, "4800.25", 3)), sub("A", buy(2)), tk(quote(2, "4800", 5, "4800.5", 10))},
			want: []string{
				"1 Accepted A#1",
				"2 Filled A#1 f1 Buy 2@4800.5 fee=1.58 final",
				"2 Position c1 net=2 avg=4800.5 real=0",
			},
		},
		{
			name:  "sell fills at the bid",
			steps: []step{tk(quote(1, "4800", 5, "4800.25", 3)), sub("A", sell(1)), tk(trade(2, "4800.25", 1))},
			want: []string{
				"1 Accepted A#1",
				"2 Filled A#1 f1 Sell 1@4800 fee=0.79 final",
				"2 Position c1 net=-1 avg=4800 real=0",
			},
		},
		{
			name:  "trade-only data fills at the next trade",
			steps: []step{tk(trade(1, "4800", 1)), sub("A", sell(3)), tk(trade(2, "4799.75", 1))},
			want: []string{
				"1 Accepted A#1",
				"2 Filled A#1 f1 Sell 3@4799.75 fee=2.37 final",
				"2 Position c1 net=-3 avg=4799.75 real=0",
			},
		},
		{
			name:  "no market data yet: waits",
			steps: []step{sub("A", buy(1)), tk(quote(5, "4800", 1, "", 0)), tk(trade(6, "4800.5", 1))},
			want: []string{
				"0 Accepted A#1",
				"6 Filled A#1 f1 Buy 1@4800.5 fee=0.79 final",
				"6 Position c1 net=1 avg=4800.5 real=0",
			},
		},
		{
			name: "partial fills bounded by displayed size, rest keeps working",
			steps: []step{
				tk(quote(1, "4800", 5, "4800.25", 1)), sub("A", buy(3)),
				tk(quote(2, "4800", 5, "4800.25", 1)),
				tk(trade(3, "4800.25", 1)), // same quote, already taken: nothing
				tk(quote(4, "4800", 5, "4800.5", 5)),
			},
			want: []string{
				"1 Accepted A#1",
				"2 Filled A#1 f1 Buy 1@4800.25 fee=0.79",
				"2 Position c1 net=1 avg=4800.25 real=0",
				"4 Filled A#1 f2 Buy 2@4800.5 fee=1.58 final",
				"4 Position c1 net=3 avg=4800.4166666666666667 real=0",
			},
		},
		{
			name: "two orders share the displayed size in time priority",
			steps: []step{
				tk(quote(1, "4800", 5, "4800.25", 3)), sub("A", buy(2)), sub("B", buy(2)),
				tk(quote(2, "4800", 5, "4800.25", 3)),
			},
			want: []string{
				"1 Accepted A#1", "1 Accepted B#2",
				"2 Filled A#1 f1 Buy 2@4800.25 fee=1.58 final",
				"2 Position c1 net=2 avg=4800.25 real=0",
				"2 Filled B#2 f2 Buy 1@4800.25 fee=0.79",
				"2 Position c1 net=3 avg=4800.25 real=0",
			},
		},
		{
			name:  "IOC fills what is displayed and expires the rest",
			steps: []step{tk(quote(1, "4800", 5, "4800.25", 1)), sub("A", lit(buy(3), tif(venue.IOC))), tk(quote(2, "4800", 5, "4800.25", 1)), tk(quote(3, "4800", 5, "4800.25", 9))},
			want: []string{
				"1 Accepted A#1",
				"2 Filled A#1 f1 Buy 1@4800.25 fee=0.79",
				"2 Position c1 net=1 avg=4800.25 real=0",
				"2 Expired A#1",
			},
		},
		{
			name:  "FOK without enough displayed size expires unfilled",
			steps: []step{sub("A", lit(buy(3), tif(venue.FOK))), tk(quote(2, "4800", 5, "4800.25", 2))},
			want:  []string{"0 Accepted A#1", "2 Expired A#1"},
		},
		{
			name:  "FOK with enough size fills all",
			steps: []step{sub("A", lit(sell(3), tif(venue.FOK))), tk(quote(2, "4800", 3, "4800.25", 2))},
			want: []string{
				"0 Accepted A#1",
				"2 Filled A#1 f1 Sell 3@4800 fee=2.37 final",
				"2 Position c1 net=-3 avg=4800 real=0",
			},
		},
		{
			name:  "IOC with no price to execute against expires",
			steps: []step{sub("A", lit(buy(1), tif(venue.IOC))), tk(quote(2, "4800", 3, "", 0))},
			want:  []string{"0 Accepted A#1", "2 Expired A#1"},
		},
		{
			name:  "slippage moves market fills against the order",
			cfg:   slippage(2),
			steps: []step{sub("A", buy(1)), sub("B", sell(1)), tk(quote(2, "4800", 3, "4800.25", 2))},
			want: []string{
				"0 Accepted A#1", "0 Accepted B#2",
				"2 Filled A#1 f1 Buy 1@4800.75 fee=0.79 final",
				"2 Position c1 net=1 avg=4800.75 real=0",
				"2 Filled B#2 f2 Sell 1@4799.5 fee=0.79 final",
				"2 Position c1 net=0 avg=0 real=-6.25",
			},
		},
		{
			name: "latency: the order works only from events at submit+latency",
			cfg:  latency(10),
			steps: []step{
				tk(quote(1, "4800", 5, "4800.25", 3)), sub("A", buy(1)),
				tk(quote(10, "4800", 5, "4800.5", 3)),
				tk(quote(11, "4800", 5, "4800.75", 3)),
			},
			want: []string{
				"1 Accepted A#1",
				"11 Filled A#1 f1 Buy 1@4800.75 fee=0.79 final",
				"11 Position c1 net=1 avg=4800.75 real=0",
			},
		},
		{
			name: "fees by symbol win over root; unknown products use the default",
			cfg: func(c *Config) {
				c.Fees["ESZ6"] = FeeSchedule{Broker: dec("1.1")}
				c.DefaultFee = FeeSchedule{Exchange: dec("9")}
			},
			steps: []step{sub("A", lit(buy(3), func(i *venue.OrderIntent) { i.Symbol = "ESZ6" })), tk(venue.Tick{Time: 2, Contract: 2, Price: px("4800"), Flags: venue.HasTrade})},
			want: []string{
				"0 Accepted A#1",
				"2 Filled A#1 f1 Buy 3@4800 fee=3.3 final",
				"2 Position c2 net=3 avg=4800 real=0",
			},
		},
	})
}

func TestLimitOrders(t *testing.T) {
	runScenarios(t, []scenario{
		{
			name:  "marketable on arrival: fills at the touch, better than the limit",
			steps: []step{sub("A", lit(buy(2), limit("4801"))), tk(quote(1, "4800", 5, "4800.25", 5))},
			want: []string{
				"0 Accepted A#1",
				"1 Filled A#1 f1 Buy 2@4800.25 fee=1.58 final",
				"1 Position c1 net=2 avg=4800.25 real=0",
			},
		},
		{
			name:  "marketable on arrival, trade-only data: fills at the trade",
			steps: []step{sub("A", lit(buy(2), limit("4801"))), tk(trade(1, "4800.5", 1))},
			want: []string{
				"0 Accepted A#1",
				"1 Filled A#1 f1 Buy 2@4800.5 fee=1.58 final",
				"1 Position c1 net=2 avg=4800.5 real=0",
			},
		},
		{
			name: "marketable part fills, the rest rests at the limit",
			steps: []step{
				sub("A", lit(sell(3), limit("4800"))), tk(quote(1, "4800.25", 1, "4800.5", 5)),
				tk(trade(2, "4800", 4)),    // a trade at the limit: TradeThrough does not fill
				tk(trade(3, "4800.25", 4)), // through: all the rest, at the limit
			},
			want: []string{
				"0 Accepted A#1",
				"1 Filled A#1 f1 Sell 1@4800.25 fee=0.79",
				"1 Position c1 net=-1 avg=4800.25 real=0",
				"3 Filled A#1 f2 Sell 2@4800 fee=1.58 final",
				"3 Position c1 net=-3 avg=4800.0833333333333333 real=0",
			},
		},
		{
			name: "resting buy, trade data: at the price no fill, through fills all",
			steps: []step{
				tk(trade(1, "4800", 1)), sub("A", lit(buy(2), limit("4799"))),
				tk(trade(2, "4799.25", 1), trade(3, "4799", 50), trade(4, "4798.75", 1)),
			},
			want: []string{
				"1 Accepted A#1",
				"4 Filled A#1 f1 Buy 2@4799 fee=1.58 final",
				"4 Position c1 net=2 avg=4799 real=0",
			},
		},
		{
			name: "resting buy, quote data: an ask through the limit fills up to its size",
			steps: []step{
				tk(quote(1, "4799.75", 3, "4800", 3)), sub("A", lit(buy(2), limit("4799"))),
				tk(quote(2, "4799", 3, "4799.25", 3)),    // arrives, not marketable
				tk(quote(2, "4798.75", 3, "4799", 3)),    // ask at the limit: no fill under TradeThrough
				tk(quote(3, "4798.5", 3, "4798.75", 1)),  // through, one displayed
				tk(quote(4, "4798.25", 3, "4798.5", 10)), // the rest
			},
			want: []string{
				"1 Accepted A#1",
				"3 Filled A#1 f1 Buy 1@4799 fee=0.79",
				"3 Position c1 net=1 avg=4799 real=0",
				"4 Filled A#1 f2 Buy 1@4799 fee=0.79 final",
				"4 Position c1 net=2 avg=4799 real=0",
			},
		},
		{
			name: "TouchWithQueue: trades at the price consume the queue ahead first",
			cfg:  queueModel(TouchWithQueue),
			steps: []step{
				tk(quote(1, "4799", 3, "4799.25", 4)), sub("A", lit(buy(2), limit("4799"))),
				tk(quote(2, "4799", 3, "4799.25", 4)),           // arrives: 3 ahead
				tk(both(3, "4799", 2, "4799", 1, "4799.25", 4)), // 2 traded: 1 ahead
				tk(trade(4, "4799", 2)),                         // 1 more ahead, then 1 for us
				tk(trade(5, "4799", 5)),                         // the last one
			},
			want: []string{
				"1 Accepted A#1",
				"4 Filled A#1 f1 Buy 1@4799 fee=0.79",
				"4 Position c1 net=1 avg=4799 real=0",
				"5 Filled A#1 f2 Buy 1@4799 fee=0.79 final",
				"5 Position c1 net=2 avg=4799 real=0",
			},
		},
		{
			name: "TouchWithQueue: the queue never exceeds what is displayed",
			cfg:  queueModel(TouchWithQueue),
			steps: []step{
				tk(quote(1, "4799", 10, "4799.25", 4)), sub("A", lit(buy(1), limit("4799"))),
				tk(quote(2, "4799", 10, "4799.25", 4)), // 10 ahead
				tk(quote(3, "4799", 2, "4799.25", 4)),  // cancels: at most 2 ahead
				tk(trade(4, "4799", 3)),
			},
			want: []string{
				"1 Accepted A#1",
				"4 Filled A#1 f1 Buy 1@4799 fee=0.79 final",
				"4 Position c1 net=1 avg=4799 real=0",
			},
		},
		{
			name: "TouchWithQueue: an ask at the limit fills",
			cfg:  queueModel(TouchWithQueue),
			steps: []step{
				sub("A", lit(buy(1), limit("4799"))), tk(quote(1, "4799", 10, "4799.25", 4)),
				tk(quote(2, "4798.75", 10, "4799", 4)),
			},
			want: []string{
				"0 Accepted A#1",
				"2 Filled A#1 f1 Buy 1@4799 fee=0.79 final",
				"2 Position c1 net=1 avg=4799 real=0",
			},
		},
		{
			name:  "IOC limit not marketable expires",
			steps: []step{sub("A", lit(buy(1), limit("4799"), tif(venue.IOC))), tk(quote(1, "4799", 10, "4799.25", 4)), tk(quote(2, "4798", 1, "4798.25", 1))},
			want:  []string{"0 Accepted A#1", "1 Expired A#1"},
		},
		{
			name:  "FOK limit: only the displayed size at or better than the limit counts",
			steps: []step{sub("A", lit(buy(5), limit("4799.5"), tif(venue.FOK))), tk(quote(1, "4799", 10, "4799.25", 4))},
			want:  []string{"0 Accepted A#1", "1 Expired A#1"},
		},
		{
			name: "Day orders expire at ExpireDay, GTC orders stay",
			steps: []step{
				sub("A", lit(buy(1), limit("4790"))), sub("B", lit(buy(1), limit("4790"), tif(venue.GTC))),
				tk(quote(1, "4799", 10, "4799.25", 4)), expireDay(),
				tk(trade(2, "4789", 1)),
			},
			want: []string{
				"0 Accepted A#1", "0 Accepted B#2",
				"1 Expired A#1",
				"2 Filled B#2 f1 Buy 1@4790 fee=0.79 final",
				"2 Position c1 net=1 avg=4790 real=0",
			},
		},
	})
}

func TestStopOrders(t *testing.T) {
	runScenarios(t, []scenario{
		{
			name: "buy stop, trade data: triggers on a trade at the stop, fills at the trade plus slippage",
			cfg:  slippage(1),
			steps: []step{
				tk(trade(1, "4800", 1)), sub("A", lit(buy(1), stop("4801"))),
				tk(trade(2, "4800.75", 1), trade(3, "4801", 1)),
			},
			want: []string{
				"1 Accepted A#1",
				"3 Filled A#1 f1 Buy 1@4801.25 fee=0.79 final",
				"3 Position c1 net=1 avg=4801.25 real=0",
			},
		},
		{
			name: "sell stop, trade and quote data: a quote does not trigger, the trade does, fill at the bid",
			steps: []step{
				tk(both(1, "4800", 1, "4800", 5, "4800.25", 5)), sub("A", lit(sell(2), stop("4799"))),
				tk(quote(2, "4798.75", 5, "4799", 5)), // quotes through the stop: trades decide
				tk(both(3, "4799", 1, "4798.5", 1, "4798.75", 5)),
				tk(quote(4, "4798.25", 5, "4798.5", 5)),
			},
			want: []string{
				"1 Accepted A#1",
				"3 Filled A#1 f1 Sell 1@4798.5 fee=0.79",
				"3 Position c1 net=-1 avg=4798.5 real=0",
				"4 Filled A#1 f2 Sell 1@4798.25 fee=0.79 final",
				"4 Position c1 net=-2 avg=4798.375 real=0",
			},
		},
		{
			name: "sell stop, quote-only data: triggers when the bid reaches the stop",
			steps: []step{
				tk(quote(1, "4800", 5, "4800.25", 5)), sub("A", lit(sell(1), stop("4799"))),
				tk(quote(2, "4799.25", 5, "4799.5", 5), quote(3, "4799", 5, "4799.25", 5)),
			},
			want: []string{
				"1 Accepted A#1",
				"3 Filled A#1 f1 Sell 1@4799 fee=0.79 final",
				"3 Position c1 net=-1 avg=4799 real=0",
			},
		},
		{
			name: "a stop already through the market triggers on arrival",
			steps: []step{
				tk(trade(1, "4800", 1)), sub("A", lit(buy(1), stop("4799"))), tk(trade(2, "4800", 1)),
			},
			want: []string{
				"1 Accepted A#1",
				"2 Filled A#1 f1 Buy 1@4800 fee=0.79 final",
				"2 Position c1 net=1 avg=4800 real=0",
			},
		},
		{
			name: "stop-limit: triggers, limit not marketable, rests and fills through",
			steps: []step{
				tk(both(1, "4800", 1, "4800", 5, "4800.25", 5)), sub("A", lit(buy(1), stopLimit("4801", "4801.25"))),
				tk(both(2, "4801", 1, "4801.25", 5, "4801.5", 5)), // triggered; ask above the limit
				tk(trade(3, "4801.25", 1)),                        // at the limit: no fill
				tk(trade(4, "4801", 1)),                           // through
			},
			want: []string{
				"1 Accepted A#1",
				"4 Filled A#1 f1 Buy 1@4801.25 fee=0.79 final",
				"4 Position c1 net=1 avg=4801.25 real=0",
			},
		},
		{
			name: "stop-limit: marketable at the trigger fills at the touch, no slippage",
			cfg:  slippage(3),
			steps: []step{
				tk(both(1, "4800", 1, "4800", 5, "4800.25", 5)), sub("A", lit(buy(1), stopLimit("4801", "4801.5"))),
				tk(both(2, "4801", 1, "4801", 5, "4801.25", 5)),
			},
			want: []string{
				"1 Accepted A#1",
				"2 Filled A#1 f1 Buy 1@4801.25 fee=0.79 final",
				"2 Position c1 net=1 avg=4801.25 real=0",
			},
		},
		{
			name: "stop-limit, trade-only data: the triggering trade is the price to take",
			steps: []step{
				tk(trade(1, "4800", 1)), sub("A", lit(buy(1), stopLimit("4801", "4801"))),
				tk(trade(2, "4800.75", 1), trade(3, "4801", 1)),
			},
			want: []string{
				"1 Accepted A#1",
				"3 Filled A#1 f1 Buy 1@4801 fee=0.79 final",
				"3 Position c1 net=1 avg=4801 real=0",
			},
		},
		{
			name: "stop-limit, quote-only data: the bid triggers it, it takes the bid up to its size",
			steps: []step{
				tk(quote(1, "4800", 5, "4800.25", 5)), sub("A", lit(sell(3), stopLimit("4799", "4798.75"))),
				tk(quote(2, "4799.25", 5, "4799.5", 5), quote(3, "4799", 2, "4799.25", 5)),
				tk(quote(4, "4798.5", 5, "4798.75", 5)), // touch beyond the limit: rests at 4798.75
				tk(quote(5, "4798.75", 5, "4799", 5)),   // bid at the limit: TradeThrough waits
				tk(quote(6, "4799", 5, "4799.25", 5)),   // bid through the limit
			},
			want: []string{
				"1 Accepted A#1",
				"3 Filled A#1 f1 Sell 2@4799 fee=1.58",
				"3 Position c1 net=-2 avg=4799 real=0",
				"6 Filled A#1 f2 Sell 1@4798.75 fee=0.79 final",
				"6 Position c1 net=-3 avg=4798.9166666666666667 real=0",
			},
		},
		{
			name: "MIT buy triggers when the market touches its price, then fills as market",
			steps: []step{
				tk(trade(1, "4800", 1)), sub("A", lit(buy(1), mit("4799"))),
				tk(trade(2, "4799.25", 1), trade(3, "4799", 1)),
			},
			want: []string{
				"1 Accepted A#1",
				"3 Filled A#1 f1 Buy 1@4799 fee=0.79 final",
				"3 Position c1 net=1 avg=4799 real=0",
			},
		},
		{
			name: "MIT sell, quote-only data: the bid touching fills at the bid",
			steps: []step{
				tk(quote(1, "4800", 5, "4800.25", 5)), sub("A", lit(sell(1), mit("4801"))),
				tk(quote(2, "4800.75", 5, "4801", 5), quote(3, "4801", 5, "4801.25", 5)),
			},
			want: []string{
				"1 Accepted A#1",
				"3 Filled A#1 f1 Sell 1@4801 fee=0.79 final",
				"3 Position c1 net=-1 avg=4801 real=0",
			},
		},
		{
			name:  "IOC stop not triggered on arrival expires",
			steps: []step{tk(trade(1, "4800", 1)), sub("A", lit(buy(1), stop("4801"), tif(venue.IOC))), tk(trade(2, "4800", 1))},
			want:  []string{"1 Accepted A#1", "2 Expired A#1"},
		},
	})
}

func TestCancelModify(t *testing.T) {
	runScenarios(t, []scenario{
		{
			name: "cancel a working order; cancel it again; cancel and modify unknown ids",
			steps: []step{
				sub("A", lit(buy(1), limit("4790"))), cancel("A"), cancel("A"),
				cancel("nope"), modify("nope", venue.Modify{Qty: 2}),
			},
			want: []string{
				"0 Accepted A#1", "0 Cancelled A#1",
				"0 CancelRejected A#1 TooLate",
				"0 CancelRejected nope UnknownReason",
				"0 ModifyRejected nope UnknownReason",
			},
		},
		{
			name: "modify a limit through the market: it fills at the touch",
			steps: []step{
				tk(quote(1, "4800", 5, "4800.25", 5)), sub("A", lit(buy(2), limit("4799"))),
				tk(quote(2, "4800", 5, "4800.25", 5)),
				modify("A", venue.Modify{Limit: px("4800.5")}),
				tk(quote(3, "4800", 5, "4800.25", 5)),
			},
			want: []string{
				"1 Accepted A#1",
				"2 Modified A#1 limit=4800.5",
				"3 Filled A#1 f1 Buy 2@4800.25 fee=1.58 final",
				"3 Position c1 net=2 avg=4800.25 real=0",
			},
		},
		{
			name: "modify rejects: off grid, wrong price kind, qty not above filled, filled order",
			steps: []step{
				tk(quote(1, "4800", 1, "4800.25", 1)), sub("A", lit(buy(3), limit("4801"))), tk(quote(2, "4800", 1, "4800.25", 1)),
				modify("A", venue.Modify{Limit: px("4800.1")}),
				modify("A", venue.Modify{Stop: px("4800")}),
				modify("A", venue.Modify{Qty: 1}),
				modify("A", venue.Modify{Qty: 2}),
				tk(quote(3, "4800", 1, "4800.25", 5)), // still crossing: takes the touch
				modify("A", venue.Modify{Qty: 5}),
			},
			want: []string{
				"1 Accepted A#1",
				"2 Filled A#1 f1 Buy 1@4800.25 fee=0.79",
				"2 Position c1 net=1 avg=4800.25 real=0",
				"2 ModifyRejected A#1 InvalidPrice",
				"2 ModifyRejected A#1 InvalidPrice",
				"2 ModifyRejected A#1 UnknownReason",
				"2 Modified A#1 qty=2",
				"3 Filled A#1 f2 Buy 1@4800.25 fee=0.79 final",
				"3 Position c1 net=2 avg=4800.25 real=0",
				"3 ModifyRejected A#1 TooLate",
			},
		},
		{
			name: "with latency a fill can win the race against a cancel",
			cfg:  latency(5),
			steps: []step{
				tk(trade(1, "4800", 1)), sub("A", lit(buy(1), limit("4799"))),
				tk(trade(6, "4800", 1)), // A reaches the book
				cancel("A"),             // reaches the book at 11
				cancel("A"),
				tk(trade(8, "4798.75", 1), trade(11, "4799", 1)),
			},
			want: []string{
				"1 Accepted A#1",
				"6 CancelRejected A#1 AnotherCommandPending",
				"8 Filled A#1 f1 Buy 1@4799 fee=0.79 final",
				"8 Position c1 net=1 avg=4799 real=0",
				"11 CancelRejected A#1 TooLate",
			},
		},
		{
			name: "with latency a cancel takes effect when it reaches the book",
			cfg:  latency(5),
			steps: []step{
				tk(trade(1, "4800", 1)), sub("A", lit(buy(1), limit("4799"))), cancel("A"),
				tk(trade(5, "4800", 1), trade(6, "4800", 1), trade(7, "4798", 1)),
			},
			want: []string{"1 Accepted A#1", "6 Cancelled A#1"},
		},
	})
}

func TestRejects(t *testing.T) {
	closed := func(c *Config) {
		c.SessionCheck = func(c venue.ContractID, t int64) error {
			if t >= 100 {
				return errClosed
			}
			return nil
		}
	}
	runScenarios(t, []scenario{
		{
			name: "unknown symbol and contract",
			steps: []step{
				sub("A", lit(buy(1), func(i *venue.OrderIntent) { i.Symbol = "E6H9" })),
				func(h *harness) { _ = h.x.Submit(venue.Order{ClientID: "B", Contract: 99, Intent: buy(1)}) },
			},
			want: []string{"0 Rejected A UnknownReason", "0 Rejected B UnknownReason"},
		},
		{
			name: "prices off the grid, missing or not taken, symbol and contract disagree, bad qty and type",
			steps: []step{
				sub("A", lit(buy(1), limit("4800.1"))),
				sub("B", lit(buy(1), stop("4800.3"))),
				sub("C", lit(buy(1), func(i *venue.OrderIntent) { i.Type = venue.Limit })),
				sub("D", lit(buy(1), brackets(tp("4810.1")))),
				func(h *harness) {
					_ = h.x.Submit(venue.Order{ClientID: "E", Contract: 2, Intent: lit(buy(1), func(i *venue.OrderIntent) { i.Symbol = "MESZ6" })})
				},
				sub("F", buy(0)),
				sub("G", lit(buy(1), func(i *venue.OrderIntent) { i.Type = 42 })),
			},
			want: []string{
				"0 Rejected A InvalidPrice", "0 Rejected B InvalidPrice", "0 Rejected C InvalidPrice", "0 Rejected D InvalidPrice",
				"0 Rejected E InvalidContract", "0 Rejected F UnknownReason", "0 Rejected G Unsupported",
			},
		},
		{
			name:  "session closed",
			cfg:   closed,
			steps: []step{sub("A", buy(1)), tk(trade(100, "4800", 1)), sub("B", buy(1))},
			want: []string{
				"0 Accepted A#1",
				"100 Filled A#1 f1 Buy 1@4800 fee=0.79 final",
				"100 Position c1 net=1 avg=4800 real=0",
				"100 Rejected B SessionClosed",
			},
		},
	})
}
