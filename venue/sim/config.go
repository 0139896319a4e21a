package sim

import (
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/keeltrade/keel/venue"
)

// QueueModel says when a resting limit order is filled by the market
// trading at (rather than through) its price.
type QueueModel uint8

// Queue models.
const (
	// TradeThrough, the default, fills a resting limit only when the market
	// trades strictly through its price (a trade below a buy limit, above a
	// sell limit) or the opposite quote crosses it. A trade at the limit
	// price never fills it: it assumes you are always last in the queue.
	TradeThrough QueueModel = iota
	// TouchWithQueue estimates the displayed size ahead of the order when it
	// reaches the book and fills it once trades at its price have consumed
	// that size. It needs trade sizes and quote sizes; without them it
	// behaves like TradeThrough.
	TouchWithQueue
)

// String returns "TradeThrough" or "TouchWithQueue".
func (q QueueModel) String() string {
	switch q {
	case TradeThrough:
		return "TradeThrough"
	case TouchWithQueue:
		return "TouchWithQueue"
	}
	return fmt.Sprintf("QueueModel(%d)", uint8(q))
}

// Config configures an Exchange. The zero value of every field but
// Instruments is a usable default.
type Config struct {
	// Instruments resolves the contracts orders and market data refer to.
	// Required.
	Instruments venue.Instruments
	// Latency is how much market time passes between Submit (or Cancel,
	// Modify) and the moment the request reaches the book. Default 0: the
	// request works from the next market event.
	Latency time.Duration
	// SlippageTicks moves every market, stop-market and MIT fill this many
	// ticks against the order. Limit fills are never slipped.
	SlippageTicks int64
	// Fees maps a symbol ("MESZ6") or product root ("MES") to its fees; the
	// symbol wins over the root. Contracts in neither use DefaultFee.
	Fees       map[string]FeeSchedule
	DefaultFee FeeSchedule
	// QueueModel decides when resting limits fill; default TradeThrough.
	QueueModel QueueModel
	// SessionCheck, when set, is asked about every new order with the
	// contract and the submit time; an error rejects the order with Reason
	// "SessionClosed" and the error's text.
	SessionCheck func(c venue.ContractID, tUnixNs int64) error
	// Now, when set, is the submit time of orders and requests (Unix ns).
	// By default it is market time: the latest tick or bar seen.
	Now func() int64
}

func (c *Config) validate() error {
	var errs []error
	if c.Instruments == nil {
		errs = append(errs, errors.New("sim: Config.Instruments is nil: give the exchange the instruments it trades"))
	}
	if c.Latency < 0 {
		errs = append(errs, fmt.Errorf("sim: Config.Latency is %s: it must not be negative", c.Latency))
	}
	if c.SlippageTicks < 0 {
		errs = append(errs, fmt.Errorf("sim: Config.SlippageTicks is %d: it must not be negative", c.SlippageTicks))
	}
	if c.QueueModel > TouchWithQueue {
		errs = append(errs, fmt.Errorf("sim: Config.QueueModel is %s: want TradeThrough or TouchWithQueue", c.QueueModel))
	}
	keys := make([]string, 0, len(c.Fees))
	for k := range c.Fees {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "" {
			errs = append(errs, errors.New("sim: Config.Fees has an empty key: key fees by symbol or product root"))
			continue
		}
		if err := c.Fees[k].validate(fmt.Sprintf("Fees[%q]", k)); err != nil {
			errs = append(errs, err)
		}
	}
	if err := c.DefaultFee.validate("DefaultFee"); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
