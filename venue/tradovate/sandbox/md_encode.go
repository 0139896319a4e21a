package sandbox

import (
	"slices"
	"strconv"
	"time"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// The md and chart events are written by hand, field by field, so the
// streaming path does no reflection and prices go out exactly as
// venue.Price writes them.

// appendTime appends a Unix-ns time as a JSON string in Tradovate's
// format, UTC with milliseconds.
func appendTime(b []byte, ns int64) []byte {
	b = append(b, '"')
	b = time.Unix(0, ns).UTC().AppendFormat(b, wire.TimeLayout)
	return append(b, '"')
}

// timeCache remembers the last millisecond written, since consecutive
// events mostly share it.
type timeCache struct {
	ms  int64
	ok  bool
	n   int
	buf [32]byte
}

// append appends ns like appendTime.
func (c *timeCache) append(b []byte, ns int64) []byte {
	ms := floorDiv(ns, int64(time.Millisecond))
	if !c.ok || ms != c.ms {
		c.ms, c.ok = ms, true
		c.n = len(appendTime(c.buf[:0], ns))
	}
	return append(b, c.buf[:c.n]...)
}

func appendPriceField(b []byte, key string, p venue.Price) []byte {
	b = append(b, key...)
	return p.AppendText(b)
}

// appendEntry appends "Name":{"price":p,"size":s}, either part optional.
func appendEntry(b []byte, name string, p venue.Price, hasPrice bool, size int64, hasSize bool) []byte {
	b = append(b, '"')
	b = append(b, name...)
	b = append(b, `":{`...)
	if hasPrice {
		b = appendPriceField(b, `"price":`, p)
	}
	if hasSize {
		if hasPrice {
			b = append(b, ',')
		}
		b = append(b, `"size":`...)
		b = strconv.AppendInt(b, size, 10)
	}
	return append(b, '}')
}

// appendQuoteEvent appends {"e":"md","d":{"quotes":[…]}} for one quote,
// entries in the order of fixture F-6. OpenInterest is never sent: no data
// source has it.
func appendQuoteEvent(b []byte, q *quoteSnap, tc *timeCache) []byte {
	b = append(b, `{"e":"md","d":{"quotes":[{"timestamp":`...)
	b = tc.append(b, q.time)
	b = append(b, `,"contractId":`...)
	b = strconv.AppendInt(b, int64(q.id), 10)
	b = append(b, `,"entries":{`...)
	n := len(b)
	sep := func() {
		if len(b) > n {
			b = append(b, ',')
		}
	}
	if q.hasBid {
		sep()
		b = appendEntry(b, "Bid", q.bid, true, int64(q.bidSize), true)
	}
	if q.hasSession {
		sep()
		b = appendEntry(b, "TotalTradeVolume", 0, false, q.volume, true)
	}
	if q.hasAsk {
		sep()
		b = appendEntry(b, "Offer", q.ask, true, int64(q.askSize), true)
	}
	if q.hasSession {
		sep()
		b = appendEntry(b, "LowPrice", q.low, true, 0, false)
	}
	if q.hasTrade {
		sep()
		b = appendEntry(b, "Trade", q.last, true, int64(q.lastSize), true)
	}
	if q.hasSession {
		sep()
		b = appendEntry(b, "OpeningPrice", q.open, true, 0, false)
		b = append(b, ',')
		b = appendEntry(b, "HighPrice", q.high, true, 0, false)
	}
	if q.hasSettle {
		sep()
		b = appendEntry(b, "SettlementPrice", q.settle, true, 0, false)
	}
	return append(b, `}}]}}`...)
}

// appendDOMEvent appends {"e":"md","d":{"doms":[…]}}: the top of book and
// levels-1 synthesized levels on each side, a tick apart.
func appendDOMEvent(b []byte, q *quoteSnap, levels int, tc *timeCache) []byte {
	b = append(b, `{"e":"md","d":{"doms":[{"contractId":`...)
	b = strconv.AppendInt(b, int64(q.id), 10)
	b = append(b, `,"timestamp":`...)
	b = tc.append(b, q.time)
	b = append(b, `,"bids":[`...)
	if q.hasBid {
		b = appendLevels(b, q.bid, q.bidSize, -q.tick, q.tick, levels)
	}
	b = append(b, `],"offers":[`...)
	if q.hasAsk {
		b = appendLevels(b, q.ask, q.askSize, q.tick, q.tick, levels)
	}
	return append(b, `]}]}}`...)
}

// appendLevels writes the top level and the synthesized ones below it.
// A synthesized level's size is a fixed function of its depth and price,
// so the same book always gives the same DOM.
func appendLevels(b []byte, top venue.Price, topSize int32, step, tick venue.Price, levels int) []byte {
	for k := range levels {
		if k > 0 {
			b = append(b, ',')
		}
		px := top + venue.Price(k)*step
		size := int64(topSize)
		if k > 0 {
			n := int64(0)
			if tick > 0 {
				n = int64(px / tick)
			}
			if n < 0 {
				n = -n
			}
			size = int64(5*(k+1)) + n%7
		}
		b = appendPriceField(b, `{"price":`, px)
		b = append(b, `,"size":`...)
		b = strconv.AppendInt(b, size, 10)
		b = append(b, '}')
	}
	return b
}

// appendHistogramHead appends the event up to the items object.
func appendHistogramHead(b []byte, cm *contractMD) []byte {
	d := &cm.d
	b = append(b, `{"e":"md","d":{"histograms":[{"contractId":`...)
	b = strconv.AppendInt(b, int64(cm.id), 10)
	b = append(b, `,"timestamp":`...)
	b = appendTime(b, d.time)
	b = append(b, `,"tradeDate":{"year":`...)
	b = strconv.AppendInt(b, int64(d.td/10000), 10)
	b = append(b, `,"month":`...)
	b = strconv.AppendInt(b, int64(d.td/100%100), 10)
	b = append(b, `,"day":`...)
	b = strconv.AppendInt(b, int64(d.td%100), 10)
	b = appendPriceField(b, `},"base":`, d.histBase)
	return append(b, `,"items":{`...)
}

func appendItem(b []byte, off, vol int64) []byte {
	b = append(b, '"')
	b = strconv.AppendInt(b, off, 10)
	b = append(b, `":`...)
	return strconv.AppendInt(b, vol, 10)
}

// appendHistogramEvent appends the trade date's whole volume profile with
// refresh:true (items by offset). Called with market.mu held.
func appendHistogramEvent(b []byte, cm *contractMD) []byte {
	b = appendHistogramHead(b, cm)
	offs := make([]int64, 0, len(cm.d.hist))
	for off := range cm.d.hist {
		offs = append(offs, off)
	}
	slices.Sort(offs)
	for i, off := range offs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendItem(b, off, cm.d.hist[off])
	}
	return append(b, `},"refresh":true}]}}`...)
}

// appendHistogramUpdate appends one changed item with refresh:false.
// Called with market.mu held.
func appendHistogramUpdate(b []byte, cm *contractMD, off, vol int64) []byte {
	b = appendHistogramHead(b, cm)
	b = appendItem(b, off, vol)
	return append(b, `},"refresh":false}]}}`...)
}
