package tradovate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// FuzzQuoteDecoder: no frame panics the decoder, and whenever encoding/json
// reads a frame into wire.MDEvent, the decoder reads it too and gives the
// ticks the reference (the documented rules applied to wire's structs)
// gives, twice in a row so per-contract state is exercised.
func FuzzQuoteDecoder(f *testing.F) {
	for _, s := range qdFuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		d := NewQuoteDecoder(1)
		got1, err1 := d.Decode(frame, 42, nil)
		got2, err2 := d.Decode(frame, 43, nil)
		if qdHasDupKeys(frame) {
			return // encoding/json merges repeated keys in ways a stream reader does not
		}
		ref := newQDRef()
		want1, werr := ref.decodeFrame(frame, 42)
		if werr != nil {
			return
		}
		want2, werr := ref.decodeFrame(frame, 43)
		require.NoError(t, werr)
		require.NoError(t, err1, "reference read %q", frame)
		require.NoError(t, err2)
		require.Equal(t, want1, got1, "first pass over %q", frame)
		require.Equal(t, want2, got2, "second pass over %q", frame)
	})
}

var qdFuzzSeeds = []string{
	"o", "h", `c[3000,"Go away!"]`, "a[]", "a[1,2", `a["\"]`,
	"a[" + qdF6 + "]", "a[" + qdF6b + "]", "a[" + qdF6 + "," + qdF6b + "]",
	`a[{"s":200,"i":2}]`, `a[{"e":"chart","d":{"charts":[]}}]`,
	`a[{"e":"md","d":{"quotes":[{"timestamp":"2024-02-29T23:59:59.999999999Z","contractId":1,"entries":{"TotalTradeVolume":{"size":1},"Bid":{"price":1,"size":0.4}}},` +
		`{"timestamp":"2024-02-29T23:59:59.9999999999Z","contractId":1,"entries":{"TotalTradeVolume":{"size":"2.5"},"Trade":{"price":"1.25"},"Offer":{"price":1.25}}}]}}]`,
	`a[{"e":"md","d":{"QUOTES":[{"Timestamp":"2017-12-15T22:29Z","contractid":-1,"entries":{"bid":{"Price":1e-7,"SIZE":null},"EmptyBook":{}}},null]}}]`,
	`a[{"e":"md","d":{"quotes":[{"timestamp":"0001-01-01T00:00:00Z","entries":{"TotalTradeVolume":{"size":-1}}}]}}]`,
	`a[{"e":"md","d":{"quotes":[{"timestamp":"1600-01-01T00:00:00Z","entries":{"Offer":{"size":1e10}}}]}}]`,
	`a[{"e":"md","d":{"quotes":[{"time\u0073tamp":"2021-04-13T04:59:06+02:00","contractId":9223372036854775807,"entries":{"Bid":{"price":"x"}}}]}}]`,
}

// qdRef is the reference decoder: encoding/json into wire's structs, then
// QuoteDecoder's documented rules written the plain way, with decimals.
type qdRef struct {
	state map[int64]*qdRefState
}

type qdRefState struct {
	hasVol         bool
	vol            decimal.Decimal
	hasBid, hasAsk bool
	bid, ask       venue.Price
}

func newQDRef() *qdRef { return &qdRef{state: map[int64]*qdRefState{}} }

// decodeFrame reads the envelope with wire (shared with the decoder) and
// each md event's d with encoding/json.
func (r *qdRef) decodeFrame(frame []byte, recv int64) ([]venue.Tick, error) {
	f, err := wire.ParseFrame(frame)
	if err != nil || f.Type != wire.FrameArray {
		return nil, err
	}
	var evs []wire.MDEvent
	err = f.Messages(func(b []byte) error {
		m, err := wire.ParseMessage(b)
		if err != nil {
			return err
		}
		if m.Event != wire.EventMD || m.Data == nil {
			return nil
		}
		var ev wire.MDEvent
		if err := json.Unmarshal(m.Data, &ev); err != nil {
			return err
		}
		evs = append(evs, ev)
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []venue.Tick
	for i := range evs {
		if out, err = r.ticks(&evs[i], recv, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// decodeFrameStdlib is the whole frame through encoding/json, the way a
// plain client reads it: the stdlib benchmark's path.
func (r *qdRef) decodeFrameStdlib(frame []byte, recv int64, out []venue.Tick) ([]venue.Tick, error) {
	if len(frame) == 0 || frame[0] != 'a' {
		return out, nil
	}
	var msgs []struct {
		E string          `json:"e"`
		D json.RawMessage `json:"d"`
	}
	if err := json.Unmarshal(frame[1:], &msgs); err != nil {
		return out, err
	}
	for _, m := range msgs {
		if m.E != wire.EventMD {
			continue
		}
		var ev wire.MDEvent
		if err := json.Unmarshal(m.D, &ev); err != nil {
			return out, err
		}
		var err error
		if out, err = r.ticks(&ev, recv, out); err != nil {
			return out, err
		}
	}
	return out, nil
}

func (r *qdRef) ticks(ev *wire.MDEvent, recv int64, out []venue.Tick) ([]venue.Tick, error) {
	for _, q := range ev.Quotes {
		e := q.Entries
		// Validate first: a bad quote changes no state.
		bidSize, err := qdRefSize(e.Bid)
		if err != nil {
			return out, err
		}
		askSize, err := qdRefSize(e.Offer)
		if err != nil {
			return out, err
		}
		var vol *decimal.Decimal
		if e.TotalTradeVolume != nil && e.TotalTradeVolume.Size != nil {
			if _, err := qdRefSize(e.TotalTradeVolume); err != nil {
				return out, err
			}
			vol = &e.TotalTradeVolume.Size.Decimal
		}
		t := venue.Tick{Time: recv, Recv: recv, Contract: venue.ContractID(q.ContractID)}
		if ts := q.Timestamp.Time; !ts.IsZero() {
			u := ts.UTC()
			if u.Year() < 1679 || u.Year() > 2261 {
				return out, errors.New("timestamp out of range")
			}
			t.Time = u.UnixNano()
		}
		st := r.state[q.ContractID]
		if st == nil {
			st = &qdRefState{}
			r.state[q.ContractID] = st
		}
		bidPx := e.Bid != nil && e.Bid.Price != nil
		askPx := e.Offer != nil && e.Offer.Price != nil
		book := e.Bid != nil || e.Offer != nil || e.EmptyBook != nil
		if book {
			t.Flags |= venue.HasQuote
			if bidPx {
				t.Bid, t.BidSize = *e.Bid.Price, bidSize
			}
			if askPx {
				t.Ask, t.AskSize = *e.Offer.Price, askSize
			}
		}
		if vol != nil {
			if st.hasVol && vol.GreaterThan(st.vol) && e.Trade != nil && e.Trade.Price != nil {
				t.Flags |= venue.HasTrade
				t.Price = *e.Trade.Price
				t.Size = qdRefContracts(vol.Sub(st.vol))
				buy := st.hasAsk && t.Price >= st.ask
				sell := st.hasBid && t.Price <= st.bid
				if buy != sell {
					t.Aggressor = venue.Sell
					if buy {
						t.Aggressor = venue.Buy
					}
				}
			}
			st.vol, st.hasVol = *vol, true
		}
		if book {
			st.bid, st.hasBid, st.ask, st.hasAsk = t.Bid, bidPx, t.Ask, askPx
		}
		if t.Flags != 0 {
			out = append(out, t)
		}
	}
	return out, nil
}

// qdRefSize checks an entry's size against the documented limits and rounds it.
func qdRefSize(e *wire.QuoteEntry) (int32, error) {
	if e == nil || e.Size == nil {
		return 0, nil
	}
	if _, err := venue.PriceFromDecimal(e.Size.Decimal); err != nil {
		return 0, err
	}
	if e.Size.IsNegative() {
		return 0, errors.New("negative size")
	}
	return qdRefContracts(e.Size.Decimal), nil
}

func qdRefContracts(d decimal.Decimal) int32 {
	if !d.IsPositive() {
		return 0
	}
	n := d.Round(0)
	switch {
	case n.IsZero():
		return 1
	case n.GreaterThan(decimal.NewFromInt(math.MaxInt32)):
		return math.MaxInt32
	}
	return int32(n.IntPart())
}

// qdHasDupKeys reports whether any object in the frame's JSON repeats a
// key, compared as encoding/json compares them (case-folded).
func qdHasDupKeys(frame []byte) bool {
	b := bytes.TrimSpace(frame)
	if len(b) == 0 {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(b[1:]))
	type level struct {
		obj     bool
		nextKey bool
		keys    []string
	}
	var stack []*level
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].obj {
			stack[n-1].nextKey = true
		}
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF || err != nil {
			return false
		}
		top := (*level)(nil)
		if n := len(stack); n > 0 {
			top = stack[n-1]
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				stack = append(stack, &level{obj: v == '{', nextKey: true})
			default:
				stack = stack[:len(stack)-1]
				valueDone()
			}
		case string:
			if top != nil && top.obj && top.nextKey {
				for _, k := range top.keys {
					if strings.EqualFold(k, v) {
						return true
					}
				}
				top.keys = append(top.keys, v)
				top.nextKey = false
				continue
			}
			valueDone()
		default:
			valueDone()
		}
	}
}

// TestQDReferenceAgrees runs the fuzz seeds through the property, so
// `go test` checks it without -fuzz.
func TestQDReferenceAgrees(t *testing.T) {
	for i, s := range qdFuzzSeeds {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			d := NewQuoteDecoder(1)
			got, err := d.Decode([]byte(s), 42, nil)
			want, werr := newQDRef().decodeFrame([]byte(s), 42)
			if werr != nil {
				return
			}
			require.NoError(t, err)
			require.Equal(t, want, got)
		})
	}
}
