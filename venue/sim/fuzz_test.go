package sim

import (
	"fmt"
	"testing"
	"time"

	"github.com/keeltrade/keel/venue"
)

// driver turns bytes into a sequence of calls on an Exchange and checks the
// invariants on every event: no fill after an order ended, fills are
// positive, positions equal the sum of signed fills.
type driver struct {
	h      *harness
	data   []byte
	t      int64
	ids    []string
	done   map[string]bool // orders that ended (final fill, cancel, expiry, reject)
	signed map[venue.ContractID]int64
	all    []venue.Event
	err    error
}

func (d *driver) next() byte {
	if len(d.data) == 0 {
		return 0
	}
	b := d.data[0]
	d.data = d.data[1:]
	return b
}

func fuzzConfig(b byte) func(*Config) {
	return func(c *Config) {
		c.Latency = time.Duration(b&3) * 2
		c.SlippageTicks = int64(b>>2) & 1
		c.QueueModel = QueueModel(b>>3) & 1
		if b&0x40 != 0 {
			c.SessionCheck = func(_ venue.ContractID, t int64) error {
				if t%97 == 13 {
					return errClosed
				}
				return nil
			}
		}
	}
}

// price returns a MES price near 4800, on the grid unless the byte says otherwise.
func (d *driver) price() venue.Price {
	b := d.next()
	p := px("4800").AddTicks(int64(b%25)-12, mes.TickSize)
	if b == 255 {
		p += 1 // off the grid
	}
	return p
}

func (d *driver) sink(e venue.Event) {
	d.all = append(d.all, e)
	if d.err != nil {
		return
	}
	switch e.Kind {
	case venue.EventFilled:
		if d.done[e.ClientID] {
			d.err = fmt.Errorf("fill on ended order %s: %s", e.ClientID, e)
		}
		if e.Fill.Qty <= 0 {
			d.err = fmt.Errorf("non-positive fill: %s", e)
		}
		d.signed[e.Contract] += e.Fill.Side.Sign() * e.Fill.Qty
		if e.Final {
			d.done[e.ClientID] = true
		}
	case venue.EventPosition:
		if e.Position.Net != d.signed[e.Contract] {
			d.err = fmt.Errorf("position %d, fills sum to %d", e.Position.Net, d.signed[e.Contract])
		}
	case venue.EventCancelled, venue.EventExpired, venue.EventRejected:
		if d.done[e.ClientID] {
			d.err = fmt.Errorf("%s on ended order %s", e.Kind, e.ClientID)
		}
		d.done[e.ClientID] = true
	}
}

func (d *driver) run(tb testing.TB) {
	d.done = map[string]bool{}
	d.signed = map[venue.ContractID]int64{}
	d.h.x.sink = d.sink
	for n := 0; len(d.data) > 0; n++ {
		d.step(n)
		if d.err != nil {
			tb.Fatalf("step %d: %v", n, d.err)
		}
		checkInvariants(tb, d.h)
		for _, b := range d.h.x.list {
			if got := d.h.x.Position(b.inst.ID).Net; got != d.signed[b.inst.ID] {
				tb.Fatalf("step %d: contract %d position %d, fills sum to %d", n, b.inst.ID, got, d.signed[b.inst.ID])
			}
			for _, o := range b.orders {
				if o.live() && o.remaining() <= 0 {
					tb.Fatalf("step %d: working order %s has %d remaining", n, o.id, o.remaining())
				}
			}
		}
	}
}

func (d *driver) pick() string {
	if len(d.ids) == 0 || d.next()%8 == 0 {
		return "nope"
	}
	id := d.ids[int(d.next())%len(d.ids)]
	switch d.next() % 6 {
	case 0:
		return id + "/tp"
	case 1:
		return id + "/sl"
	case 2:
		return id + "/oco"
	}
	return id
}

func (d *driver) step(n int) {
	x := d.h.x
	switch op := d.next() % 12; op {
	case 0, 1, 2, 3, 4:
		d.t += int64(d.next() % 3)
		tick := venue.Tick{Time: d.t, Contract: 1, Flags: venue.TickFlags(1 + d.next()%3)}
		tick.Price, tick.Size = d.price(), int32(d.next()%4)
		tick.Bid = d.price()
		tick.Ask = tick.Bid + mes.TickSize*venue.Price(d.next()%3)
		tick.BidSize, tick.AskSize = int32(d.next()%4), int32(d.next()%4)
		x.OnTick(&tick)
	case 5, 6:
		in := venue.OrderIntent{Symbol: "MESZ6", Side: venue.Side(1 + d.next()%2), Qty: int64(d.next() % 5), Type: venue.OrderType(1 + d.next()%5), TIF: venue.TimeInForce(d.next() % 4)}
		if in.Type.NeedsLimit() {
			in.Limit = d.price()
		}
		if in.Type.NeedsStop() {
			in.Stop = d.price()
		}
		switch f := d.next(); {
		case f%5 == 0:
			in.Brackets = []venue.Leg{{Type: venue.Limit, Limit: d.price(), Qty: int64(d.next() % 3)}, {Type: venue.Stop, Stop: d.price()}}
		case f%5 == 1:
			in.Brackets = []venue.Leg{{Type: venue.OrderType(1 + d.next()%5), Limit: d.price(), Stop: d.price()}}
		case f%5 == 2:
			in.OCO = &venue.Leg{Side: venue.Side(d.next() % 3), Type: venue.OrderType(1 + d.next()%2*2), Limit: d.price(), Stop: d.price(), Qty: int64(d.next() % 3)}
			if in.OCO.Type == venue.Limit {
				in.OCO.Stop = 0
			} else {
				in.OCO.Limit = 0
			}
		case f == 255:
			in.Symbol = "E6H9"
		}
		id := fmt.Sprintf("o%d", n)
		if err := x.Submit(venue.Order{ClientID: id, Intent: in}); err == nil {
			d.ids = append(d.ids, id)
		}
	case 7:
		_ = x.Cancel(d.pick())
	case 8:
		m := venue.Modify{Qty: int64(d.next()%5) - 1}
		if d.next()%2 == 0 {
			m.Limit = d.price()
		}
		if d.next()%2 == 0 {
			m.Stop = d.price()
		}
		_ = x.Modify(d.pick(), m)
	case 9:
		o, c := d.price(), d.price()
		hi, lo := max(o, c)+mes.TickSize*venue.Price(d.next()%4), min(o, c)-mes.TickSize*venue.Price(d.next()%4)
		if d.next() == 0 {
			hi, lo = lo, hi
		}
		d.t++
		bar := venue.Bar{Contract: 1, Start: d.t, End: d.t + 1, Open: o, High: hi, Low: lo, Close: c}
		d.t++
		x.OnBar(&bar)
	case 10:
		x.ExpireDay()
	case 11:
		d.t++
		tick := venue.Tick{Time: d.t, Contract: venue.ContractID(d.next() % 4), Price: px("4800"), Flags: venue.HasTrade}
		x.OnTick(&tick)
	}
}

func FuzzExchange(f *testing.F) {
	f.Add([]byte{0, 5, 1, 2, 1, 0, 12, 0, 0, 12, 0, 1, 1, 2, 12, 12, 3, 3})
	f.Add([]byte{0x41, 6, 2, 3, 2, 1, 10, 0, 12, 3, 20, 1, 0, 1, 13, 13, 13, 2, 2, 9, 4, 8, 2, 1, 10})
	f.Add([]byte("bracket entries and exits, cancels and modifies, bars and ticks"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		h := newHarness(t, fuzzConfig(data[0]))
		d := &driver{h: h, data: data[1:]}
		d.run(t)
	})
}
