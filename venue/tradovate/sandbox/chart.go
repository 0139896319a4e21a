package sandbox

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// Charts (md/getChart, md/cancelChart). A chart answers with its two ids,
// then streams the history the market holds — packets under historicalId,
// oldest first, at most chartPacketSize elements each, then
// {"id":historicalId,"eoh":true} — and after that a packet under
// realtimeId whenever trades arrive: the bars they changed (the bar in
// progress again and again, bars it completed once) or the new ticks.

const (
	chartPacketSize = 500       // bars or ticks per packet
	chartEventBytes = 128 << 10 // a history event is closed once this large
	maxMinuteBar    = 1440      // elementSize limit of MinuteBar charts
)

type chartKind uint8

const (
	chartTicks chartKind = iota + 1
	chartMinutes
	chartDays
)

// chartSub is one getChart subscription.
type chartSub struct {
	sub          *mdSub
	cm           *contractMD
	kind         chartKind
	minutes      int64 // bar length of a minute chart
	histID, rtID int64

	// Realtime state, guarded by sub.mu.
	cur    barData
	hasCur bool
	done   []barData  // bars completed since the last write
	ticks  []histTick // trades since the last write
	dirty  bool
}

// chartKindOf validates a chart description.
func chartKindOf(d wire.ChartDescription) (chartKind, int64, string) {
	if u := d.ElementSizeUnit; u != "" && !strings.EqualFold(u, wire.ChartUnitUnderlying) {
		return 0, 0, fmt.Sprintf("elementSizeUnit %q is not supported by the sandbox: use UnderlyingUnits", u)
	}
	size := d.ElementSize
	if size == 0 {
		size = 1
	}
	switch lower(d.UnderlyingType) {
	case "tick":
		if size != 1 {
			return 0, 0, fmt.Sprintf("elementSize %d: Tick charts take elementSize 1", size)
		}
		return chartTicks, 1, ""
	case "minutebar":
		if size < 1 || size > maxMinuteBar {
			return 0, 0, fmt.Sprintf("elementSize %d: MinuteBar charts take 1 to %d minutes", size, maxMinuteBar)
		}
		return chartMinutes, size, ""
	case "dailybar":
		if size != 1 {
			return 0, 0, fmt.Sprintf("elementSize %d: the sandbox serves DailyBar charts with elementSize 1", size)
		}
		return chartDays, 1, ""
	}
	return 0, 0, fmt.Sprintf("underlyingType %q is not supported by the sandbox: use Tick, MinuteBar or DailyBar", d.UnderlyingType)
}

// getChart serves md/getChart.
func (s *Server) getChart(c *Call, m *market) {
	var req wire.GetChart
	if !c.Decode(&req, false) {
		return
	}
	kind, size, bad := chartKindOf(req.ChartDescription)
	if bad != "" {
		c.Fail(400, "Bad request: "+bad)
		return
	}
	if req.TimeRange.IsZero() {
		c.Fail(400, "Bad request: timeRange needs closestTimestamp, asFarAsTimestamp or asMuchAsElements")
		return
	}
	cm := m.resolveSymbol(c, req.Symbol, true)
	if cm == nil {
		return
	}
	sub := m.subFor(c.Conn)
	ch := &chartSub{sub: sub, cm: cm, kind: kind, minutes: size, histID: m.newChartID(), rtID: m.newChartID()}

	sub.sendMu.Lock()
	defer sub.sendMu.Unlock()
	defer m.synthesize(cm.id) // once the chart is registered and m.mu let go
	c.Reply(200, wire.GetChartResponse{HistoricalID: ch.histID, RealtimeID: ch.rtID})
	m.mu.Lock()
	defer m.mu.Unlock()
	if sub.gone {
		return
	}
	events := ch.history(req.TimeRange)
	sub.mu.Lock()
	ch.startRealtime()
	sub.mu.Unlock()
	cm.charts = append(cm.charts, ch)
	sub.charts[ch.histID], sub.charts[ch.rtID] = ch, ch
	for _, ev := range events {
		sub.enqueue(mdItem{kind: itemRaw, raw: ev})
	}
}

// cancelChart serves md/cancelChart; subscriptionId may be either id.
// Cancelling an unknown chart succeeds.
func (s *Server) cancelChart(c *Call, m *market) {
	var req wire.CancelChart
	if !c.Decode(&req, false) {
		return
	}
	sub := m.existingSub(c.Conn)
	if sub == nil {
		c.Reply(200, nil)
		return
	}
	sub.sendMu.Lock()
	defer sub.sendMu.Unlock()
	m.mu.Lock()
	if ch := sub.charts[req.SubscriptionID]; ch != nil {
		delete(sub.charts, ch.histID)
		delete(sub.charts, ch.rtID)
		ch.cm.charts = without(ch.cm.charts, ch)
	}
	m.mu.Unlock()
	sub.flushLocked()
	c.Reply(200, nil)
}

func (m *market) newChartID() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.chartSeq++
	return m.chartSeq
}

// history encodes the chart's history within tr as chart events, the last
// ending with the eoh packet. Called with market.mu held.
func (ch *chartSub) history(tr wire.TimeRange) [][]byte {
	var packets [][]byte
	d := &ch.cm.d
	switch ch.kind {
	case chartTicks:
		var ticks []histTick
		for i := range d.ticks.len() {
			t := d.ticks.at(i)
			if inRange(t.time, tr) && (tr.ClosestTickID == 0 || t.id <= tr.ClosestTickID) {
				ticks = append(ticks, *t)
			}
		}
		ticks = lastN(ticks, tr.AsMuchAsElements)
		packets = appendTickPackets(packets, ch.histID, ch.cm.tick, ticks)
	case chartMinutes:
		var bars []barData
		for _, b := range ch.minuteBars() {
			if inRange(b.start, tr) {
				bars = append(bars, b)
			}
		}
		packets = appendBarPackets(packets, ch.histID, lastN(bars, tr.AsMuchAsElements))
	case chartDays:
		var bars []barData
		for i := range d.days.len() {
			if b := d.days.at(i); inRange(b.start, tr) {
				bars = append(bars, *b)
			}
		}
		packets = appendBarPackets(packets, ch.histID, lastN(bars, tr.AsMuchAsElements))
	}
	eoh := strconv.AppendInt([]byte(`{"id":`), ch.histID, 10)
	packets = append(packets, append(eoh, `,"eoh":true}`...))

	var events [][]byte
	ev := []byte(nil)
	for _, p := range packets {
		if ev != nil && len(ev)+len(p) > chartEventBytes {
			events = append(events, append(ev, `]}}`...))
			ev = nil
		}
		if ev == nil {
			ev = []byte(`{"e":"chart","d":{"charts":[`)
		} else {
			ev = append(ev, ',')
		}
		ev = append(ev, p...)
	}
	return append(events, append(ev, `]}}`...))
}

// minuteBars aggregates the one-minute history into the chart's bars,
// aligned to multiples of its length since the Unix epoch. Called with
// market.mu held.
func (ch *chartSub) minuteBars() []barData {
	ms := &ch.cm.d.minutes
	var out []barData
	span := ch.minutes * int64(time.Minute)
	for i := range ms.len() {
		b := ms.at(i)
		start := b.start - floorMod(b.start, span)
		if n := len(out); n > 0 && out[n-1].start == start {
			out[n-1].merge(b)
			continue
		}
		nb := *b
		nb.start = start
		out = append(out, nb)
	}
	return out
}

// startRealtime seeds the bar in progress from the history, so trades
// update it rather than start a new one. Called with market.mu and sub.mu held.
func (ch *chartSub) startRealtime() {
	switch ch.kind {
	case chartMinutes:
		if bars := ch.minuteBars(); len(bars) > 0 {
			ch.cur, ch.hasCur = bars[len(bars)-1], true
		}
	case chartDays:
		if b := ch.cm.d.days.last(); b != nil {
			ch.cur, ch.hasCur = *b, true
		}
	}
}

// onTrade adds a trade to the realtime state. Called with market.mu held.
func (ch *chartSub) onTrade(cm *contractMD, t *histTick) {
	s := ch.sub
	s.mu.Lock()
	switch ch.kind {
	case chartTicks:
		ch.ticks = append(ch.ticks, *t)
	default:
		start := tdStart(t.td)
		if ch.kind == chartMinutes {
			start = t.time - floorMod(t.time, ch.minutes*int64(time.Minute))
		}
		if ch.hasCur && ch.cur.start != start {
			ch.done = append(ch.done, ch.cur)
			ch.hasCur = false
		}
		if !ch.hasCur {
			ch.cur, ch.hasCur = barData{start: start, td: t.td}, true
		}
		ch.cur.add(t.price, int64(t.size), t.dir, t.atBid)
	}
	if !ch.dirty {
		ch.dirty = true
		s.dirty = append(s.dirty, ch)
	}
	overflow := len(ch.ticks)+len(ch.done) > maxPendingEvents
	s.mu.Unlock()
	if overflow {
		s.conn.Close(ClosePolicy, "Slow consumer")
		return
	}
	s.signal()
}

// appendRealtime appends a chart event with what changed since the last
// write, or returns b unchanged (nil) when nothing did. Called with sub.mu held.
func (ch *chartSub) appendRealtime(b []byte) []byte {
	ch.dirty = false
	var packets [][]byte
	if ch.kind == chartTicks {
		packets = appendTickPackets(nil, ch.rtID, ch.cm.tick, ch.ticks)
		clear(ch.ticks)
		ch.ticks = ch.ticks[:0]
	} else {
		bars := ch.done
		if ch.hasCur {
			bars = append(bars, ch.cur)
		}
		packets = appendBarPackets(nil, ch.rtID, bars)
		ch.done = ch.done[:0]
	}
	if len(packets) == 0 {
		return b
	}
	b = append(b, `{"e":"chart","d":{"charts":[`...)
	for i, p := range packets {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, p...)
	}
	return append(b, `]}}`...)
}

func inRange(t int64, tr wire.TimeRange) bool {
	if !tr.ClosestTimestamp.IsZero() && t > tr.ClosestTimestamp.UnixNano() {
		return false
	}
	return tr.AsFarAsTimestamp.IsZero() || t >= tr.AsFarAsTimestamp.UnixNano()
}

func lastN[T any](v []T, n int64) []T {
	if n > 0 && int64(len(v)) > n {
		return v[int64(len(v))-n:]
	}
	return v
}

// appendBarPackets encodes bars as packets of one trade date and at most
// chartPacketSize bars each: {"id","td","bars":[…]} (fixture F-10).
func appendBarPackets(packets [][]byte, id int64, bars []barData) [][]byte {
	for len(bars) > 0 {
		n := 1
		for n < len(bars) && n < chartPacketSize && bars[n].td == bars[0].td {
			n++
		}
		p := strconv.AppendInt([]byte(`{"id":`), id, 10)
		p = append(p, `,"td":`...)
		p = strconv.AppendInt(p, int64(bars[0].td), 10)
		p = append(p, `,"bars":[`...)
		for i := range n {
			if i > 0 {
				p = append(p, ',')
			}
			p = appendBar(p, &bars[i])
		}
		packets = append(packets, append(p, `]}`...))
		bars = bars[n:]
	}
	return packets
}

func appendBar(b []byte, bar *barData) []byte {
	b = append(b, `{"timestamp":`...)
	b = appendTime(b, bar.start)
	b = appendPriceField(b, `,"open":`, bar.open)
	b = appendPriceField(b, `,"high":`, bar.high)
	b = appendPriceField(b, `,"low":`, bar.low)
	b = appendPriceField(b, `,"close":`, bar.close)
	for _, f := range [...]struct {
		key string
		v   int64
	}{
		{`,"upVolume":`, bar.upVol}, {`,"downVolume":`, bar.downVol}, {`,"upTicks":`, bar.upTicks},
		{`,"downTicks":`, bar.downTicks}, {`,"bidVolume":`, bar.bidVol}, {`,"offerVolume":`, bar.offerVol},
	} {
		b = append(b, f.key...)
		b = strconv.AppendInt(b, f.v, 10)
	}
	return append(b, '}')
}

// appendTickPackets encodes trades as tick packets of one trade date and
// at most chartPacketSize ticks each ([SPEC] Using Tick Charts; fixture
// F-11): bp and bt are the first tick's price (in ticks of ts) and time
// (Unix ms); each tick is relative to them. ts is the contract's tick size
// unless a price lies off that grid, in which case it is the largest step
// that puts every price of the packet on a grid, so decoding stays exact.
func appendTickPackets(packets [][]byte, id int64, tick venue.Price, ticks []histTick) [][]byte {
	for len(ticks) > 0 {
		n := 1
		for n < len(ticks) && n < chartPacketSize && ticks[n].td == ticks[0].td {
			n++
		}
		group := ticks[:n]
		ts := packetStep(tick, group)
		bp := int64(group[0].price / ts)
		bt := floorDiv(group[0].time, int64(time.Millisecond))
		p := strconv.AppendInt([]byte(`{"id":`), id, 10)
		p = append(p, `,"s":"db","td":`...)
		p = strconv.AppendInt(p, int64(group[0].td), 10)
		p = append(p, `,"bp":`...)
		p = strconv.AppendInt(p, bp, 10)
		p = append(p, `,"bt":`...)
		p = strconv.AppendInt(p, bt, 10)
		p = appendPriceField(p, `,"ts":`, ts)
		p = append(p, `,"tks":[`...)
		for i := range group {
			t := &group[i]
			if i > 0 {
				p = append(p, ',')
			}
			p = append(p, `{"t":`...)
			p = strconv.AppendInt(p, floorDiv(t.time, int64(time.Millisecond))-bt, 10)
			p = append(p, `,"p":`...)
			p = strconv.AppendInt(p, int64(t.price/ts)-bp, 10)
			p = append(p, `,"s":`...)
			p = strconv.AppendInt(p, int64(t.size), 10)
			if t.hasBid {
				p = append(p, `,"b":`...)
				p = strconv.AppendInt(p, int64(t.bid/ts)-bp, 10)
			}
			if t.hasAsk {
				p = append(p, `,"a":`...)
				p = strconv.AppendInt(p, int64(t.ask/ts)-bp, 10)
			}
			if t.hasBid {
				p = append(p, `,"bs":`...)
				p = strconv.AppendInt(p, int64(t.bidSize), 10)
			}
			if t.hasAsk {
				p = append(p, `,"as":`...)
				p = strconv.AppendInt(p, int64(t.askSize), 10)
			}
			p = append(p, `,"id":`...)
			p = strconv.AppendInt(p, t.id, 10)
			p = append(p, '}')
		}
		packets = append(packets, append(p, `]}`...))
		ticks = ticks[n:]
	}
	return packets
}

// packetStep returns tick, or the greatest common divisor of tick and the
// packet's prices when one of them is off tick's grid.
func packetStep(tick venue.Price, ticks []histTick) venue.Price {
	g := int64(tick)
	if g <= 0 {
		g = 1
	}
	for i := range ticks {
		t := &ticks[i]
		g = gcdStep(g, t.price)
		if t.hasBid {
			g = gcdStep(g, t.bid)
		}
		if t.hasAsk {
			g = gcdStep(g, t.ask)
		}
	}
	return venue.Price(g)
}

func gcdStep(g int64, p venue.Price) int64 {
	v := int64(p)
	if v < 0 {
		v = -v
	}
	if v%g == 0 {
		return g
	}
	for v != 0 {
		g, v = v, g%v
	}
	return g
}
