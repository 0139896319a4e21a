package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/keeltrade/keel/venue"
)

// Chart underlying types (chartDescription.underlyingType).
const (
	ChartTypeTick      = "Tick"
	ChartTypeDailyBar  = "DailyBar"
	ChartTypeMinuteBar = "MinuteBar"
	ChartTypeCustom    = "Custom"
	ChartTypeDOM       = "DOM"
)

// ChartUnitUnderlying is the elementSizeUnit of time and tick charts.
const ChartUnitUnderlying = "UnderlyingUnits"

// ChartSourceDB is the only tick-packet source ("s") seen on Tradovate.
const ChartSourceDB = "db"

// GetChart is the body of md/getChart ([SPEC] Market Data; fixture F-9).
type GetChart struct {
	Symbol           MDSymbol         `json:"symbol"`
	ChartDescription ChartDescription `json:"chartDescription"`
	TimeRange        TimeRange        `json:"timeRange"`
}

// ChartDescription says what a chart is made of.
type ChartDescription struct {
	UnderlyingType  string `json:"underlyingType"`
	ElementSize     int64  `json:"elementSize"`
	ElementSizeUnit string `json:"elementSizeUnit"`
	WithHistogram   bool   `json:"withHistogram"`
}

// UnmarshalJSON reads the description, elementSize as a number or a
// numeric string.
func (d *ChartDescription) UnmarshalJSON(b []byte) error {
	var raw struct {
		UnderlyingType  string          `json:"underlyingType"`
		ElementSize     json.RawMessage `json:"elementSize"`
		ElementSizeUnit string          `json:"elementSizeUnit"`
		WithHistogram   bool            `json:"withHistogram"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	n, err := flexInt("elementSize", raw.ElementSize)
	if err != nil {
		return err
	}
	*d = ChartDescription{UnderlyingType: raw.UnderlyingType, ElementSize: n, ElementSizeUnit: raw.ElementSizeUnit, WithHistogram: raw.WithHistogram}
	return nil
}

// TimeRange bounds a chart's history: ClosestTimestamp is its newest end,
// AsFarAsTimestamp its oldest, AsMuchAsElements how many elements at most.
// Zero fields are absent.
type TimeRange struct {
	ClosestTimestamp Time  `json:"closestTimestamp,omitzero"`
	ClosestTickID    int64 `json:"closestTickId,omitempty"`
	AsFarAsTimestamp Time  `json:"asFarAsTimestamp,omitzero"`
	AsMuchAsElements int64 `json:"asMuchAsElements,omitempty"`
}

// IsZero reports whether no bound is set.
func (r TimeRange) IsZero() bool { return r == TimeRange{} }

// UnmarshalJSON reads a time range the way clients send it: counts and
// ids as numbers or numeric strings ("66"), and the tutorial's misspelling
// asFarAsTimeStamp as asFarAsTimestamp.
func (r *TimeRange) UnmarshalJSON(b []byte) error {
	// encoding/json matches keys case-insensitively but cannot merge two
	// spellings, so the object is read key by key.
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		return err
	}
	*r = TimeRange{}
	for k, v := range fields {
		var err error
		switch lower(k) {
		case "closesttimestamp":
			err = json.Unmarshal(v, &r.ClosestTimestamp)
		case "closesttickid":
			r.ClosestTickID, err = flexInt(k, v)
		case "asfarastimestamp":
			err = json.Unmarshal(v, &r.AsFarAsTimestamp)
		case "asmuchaselements":
			r.AsMuchAsElements, err = flexInt(k, v)
		}
		if err != nil {
			return fmt.Errorf("wire: timeRange.%s: %w", k, err)
		}
	}
	return nil
}

// flexInt reads an absent value, null, an integer or a string holding one.
func flexInt(field string, v []byte) (int64, error) {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || string(v) == "null" {
		return 0, nil
	}
	if v[0] == '"' {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return 0, fmt.Errorf("wire: %s: %w", field, err)
		}
		if s == "" {
			return 0, nil
		}
		v = []byte(s)
	}
	n, ok := parseInt(v)
	if !ok {
		return 0, fmt.Errorf("wire: %s %s: want an integer", field, v)
	}
	return n, nil
}

// GetChartResponse is md/getChart's answer: chart packets of the history
// carry HistoricalID, later real-time ones RealtimeID (fixture F-10).
type GetChartResponse struct {
	HistoricalID int64 `json:"historicalId"`
	RealtimeID   int64 `json:"realtimeId"`
}

// CancelChart is the body of md/cancelChart; SubscriptionID may be either
// id getChart returned.
type CancelChart struct {
	SubscriptionID int64 `json:"subscriptionId"`
}

// ChartEvent is the d of a "chart" event.
type ChartEvent struct {
	Charts []ChartPacket `json:"charts"`
}

// ChartPacket is one packet of a chart subscription: bars (Bars, with
// TradeDate), ticks (Source "db", BasePrice, BaseTime, TickSize, Ticks), or
// the end of the history (EOH).
type ChartPacket struct {
	ID        int64       `json:"id"`
	EOH       bool        `json:"eoh,omitempty"`
	Source    string      `json:"s,omitempty"`
	TradeDate int         `json:"td,omitempty"` // YYYYMMDD
	BasePrice int64       `json:"bp,omitempty"` // in ticks of TickSize
	BaseTime  int64       `json:"bt,omitempty"` // Unix milliseconds
	TickSize  venue.Price `json:"ts,omitempty"`
	Bars      []Bar       `json:"bars,omitempty"`
	Ticks     []ChartTick `json:"tks,omitempty"`
}

// Bar is one chart bar; Timestamp is its open time.
type Bar struct {
	Timestamp   Time        `json:"timestamp"`
	Open        venue.Price `json:"open"`
	High        venue.Price `json:"high"`
	Low         venue.Price `json:"low"`
	Close       venue.Price `json:"close"`
	UpVolume    Decimal     `json:"upVolume"`
	DownVolume  Decimal     `json:"downVolume"`
	UpTicks     Decimal     `json:"upTicks"`
	DownTicks   Decimal     `json:"downTicks"`
	BidVolume   Decimal     `json:"bidVolume"`
	OfferVolume Decimal     `json:"offerVolume"`
}

// ChartTick is one tick of a tick packet, relative to the packet's base
// price and time; DecodeTicks turns it into absolute values.
type ChartTick struct {
	T       int64    `json:"t"`            // ms after BaseTime
	P       int64    `json:"p"`            // price, ticks from BasePrice
	S       Decimal  `json:"s"`            // volume
	B       *int64   `json:"b,omitempty"`  // bid, ticks from BasePrice
	A       *int64   `json:"a,omitempty"`  // ask, ticks from BasePrice
	BidSize *Decimal `json:"bs,omitempty"` // present when the bid is
	AskSize *Decimal `json:"as,omitempty"` // present when the ask is
	ID      int64    `json:"id"`
}

// TickValue is a decoded tick-chart tick.
type TickValue struct {
	Time   time.Time // UTC, millisecond resolution
	Price  venue.Price
	Size   Decimal
	ID     int64
	HasBid bool // Bid and BidSize are set
	HasAsk bool // Ask and AskSize are set
	Bid    venue.Price
	Ask    venue.Price
	// BidSize and AskSize are the sizes at the bid and ask.
	BidSize, AskSize Decimal
}

// DecodeTicks applies Tradovate's tick-chart rule ([SPEC] Using Tick
// Charts): time = bt + t ms; price = (bp + p) × ts; bid = (bp + b) × ts
// when bs is present; ask = (bp + a) × ts when as is present. Prices are
// exact. A packet without ticks decodes to none.
func (p *ChartPacket) DecodeTicks() ([]TickValue, error) {
	if len(p.Ticks) == 0 {
		return nil, nil
	}
	if p.TickSize <= 0 {
		return nil, fmt.Errorf("wire: tick packet %d: tick size %s is not positive", p.ID, p.TickSize)
	}
	out := make([]TickValue, len(p.Ticks))
	for i, t := range p.Ticks {
		v := TickValue{
			Time:  time.UnixMilli(p.BaseTime + t.T).UTC(),
			Price: venue.Price(p.BasePrice+t.P) * p.TickSize,
			Size:  t.S,
			ID:    t.ID,
		}
		if t.BidSize != nil {
			if t.B == nil {
				return nil, fmt.Errorf("wire: tick packet %d: tick %d has bs without b", p.ID, t.ID)
			}
			v.HasBid, v.Bid, v.BidSize = true, venue.Price(p.BasePrice+*t.B)*p.TickSize, *t.BidSize
		}
		if t.AskSize != nil {
			if t.A == nil {
				return nil, fmt.Errorf("wire: tick packet %d: tick %d has as without a", p.ID, t.ID)
			}
			v.HasAsk, v.Ask, v.AskSize = true, venue.Price(p.BasePrice+*t.A)*p.TickSize, *t.AskSize
		}
		out[i] = v
	}
	return out, nil
}

// ParseTradeDate reads a packet's td (YYYYMMDD) as a date in UTC.
func ParseTradeDate(td int) (time.Time, error) {
	t, err := time.Parse("20060102", strconv.Itoa(td))
	if err != nil {
		return time.Time{}, fmt.Errorf("wire: td %d: want YYYYMMDD", td)
	}
	return t, nil
}
