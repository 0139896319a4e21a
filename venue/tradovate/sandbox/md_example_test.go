package sandbox_test

import (
	"fmt"
	"time"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/tradovate/sandbox"
)

// A synthetic feed is a seeded walk on the contract's tick grid; as
// Config.MarketData it plays into the server at Speed, and with its Clock
// as Config.Clock the server lives at the data's time.
func ExampleNewFeed() {
	feed, err := sandbox.NewFeed(sandbox.FeedConfig{
		Synthetic: sandbox.SyntheticConfig{Symbol: "ESM6", Seed: 1, Start: time.Date(2026, 3, 4, 16, 0, 0, 0, time.UTC), Count: 6},
		Speed:     60, // a minute of data per second
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	src, _ := feed.Open()
	defer src.Close()
	var t venue.Tick
	for src.Next(&t) == nil {
		line := fmt.Sprintf("%s %s/%s", t.At().Format("15:04:05.000"), t.Bid, t.Ask)
		if t.IsTrade() {
			line += fmt.Sprintf(" trade %d @ %s", t.Size, t.Price)
		}
		fmt.Println(line)
	}
	s, err := sandbox.New(sandbox.Config{MarketData: feed, Clock: feed.Clock()})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	fmt.Println(s.Clock().Now())
	// Output:
	// 16:00:00.000 5000/5000.25
	// 16:00:00.357 5000/5000.25
	// 16:00:00.570 5000/5000.25
	// 16:00:00.772 5000.25/5000.5
	// 16:00:00.917 5000/5000.25
	// 16:00:01.195 5000/5000.25 trade 6 @ 5000.25
	// 2026-03-04 16:00:00 +0000 UTC
}
