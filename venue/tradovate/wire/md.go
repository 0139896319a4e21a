package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/keeltrade/keel/venue"
)

// MDSymbol is the "symbol" of a market-data request: a contract name
// ("ESM7"; md/getChart also takes a continuous name such as "@ES") or a
// contract id (123456), the two forms Tradovate accepts.
type MDSymbol struct {
	Name string // set when the request named the contract
	ID   int64  // set when it gave the contract id
}

// SymbolName returns an MDSymbol naming a contract.
func SymbolName(name string) MDSymbol { return MDSymbol{Name: name} }

// SymbolID returns an MDSymbol giving a contract id.
func SymbolID(id int64) MDSymbol { return MDSymbol{ID: id} }

// String returns the name, or the id in decimal.
func (s MDSymbol) String() string {
	if s.Name != "" || s.ID == 0 {
		return s.Name
	}
	return strconv.FormatInt(s.ID, 10)
}

// IsZero reports whether neither a name nor an id is set.
func (s MDSymbol) IsZero() bool { return s.Name == "" && s.ID == 0 }

// MarshalJSON writes a name as a JSON string and an id as a number.
func (s MDSymbol) MarshalJSON() ([]byte, error) {
	if s.Name == "" && s.ID != 0 {
		return strconv.AppendInt(nil, s.ID, 10), nil
	}
	return appendString(nil, s.Name), nil
}

// UnmarshalJSON reads a JSON string (a name, kept as it is even when it
// is all digits) or an integer (an id).
func (s *MDSymbol) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*s = MDSymbol{}
	switch {
	case string(b) == "null":
		return nil
	case len(b) > 0 && b[0] == '"':
		return json.Unmarshal(b, &s.Name)
	}
	n, ok := parseInt(b)
	if !ok {
		return fmt.Errorf("wire: symbol %s: want a contract name or an integer contract id", b)
	}
	s.ID = n
	return nil
}

// MDRequest is the body of md/subscribeQuote, md/subscribeDOM,
// md/subscribeHistogram and their unsubscribes.
type MDRequest struct {
	Symbol MDSymbol `json:"symbol"`
}

// MDSubscribeResponse is what the sandbox answers to an md subscription.
// Tradovate does not document this body; clients read subscriptionId (or
// realtimeId), so that is what it carries.
type MDSubscribeResponse struct {
	SubscriptionID int64 `json:"subscriptionId"`
}

// MDEvent is the d of an "md" event: quotes, DOMs or histograms.
type MDEvent struct {
	Quotes     []Quote     `json:"quotes,omitempty"`
	DOMs       []DOM       `json:"doms,omitempty"`
	Histograms []Histogram `json:"histograms,omitempty"`
}

// Quote is one contract's quote ([SPEC] Market Data, fixture F-6).
type Quote struct {
	Timestamp  Time         `json:"timestamp"`
	ContractID int64        `json:"contractId"`
	Entries    QuoteEntries `json:"entries"`
}

// QuoteEntries are a quote's entries; any may be missing.
type QuoteEntries struct {
	Bid              *QuoteEntry `json:"Bid,omitempty"`
	TotalTradeVolume *QuoteEntry `json:"TotalTradeVolume,omitempty"`
	Offer            *QuoteEntry `json:"Offer,omitempty"`
	LowPrice         *QuoteEntry `json:"LowPrice,omitempty"`
	Trade            *QuoteEntry `json:"Trade,omitempty"`
	OpenInterest     *QuoteEntry `json:"OpenInterest,omitempty"`
	OpeningPrice     *QuoteEntry `json:"OpeningPrice,omitempty"`
	HighPrice        *QuoteEntry `json:"HighPrice,omitempty"`
	SettlementPrice  *QuoteEntry `json:"SettlementPrice,omitempty"`
	EmptyBook        *QuoteEntry `json:"EmptyBook,omitempty"`
}

// QuoteEntry is one entry: a price, a size, or both. Sizes may be
// fractional in newer payloads.
type QuoteEntry struct {
	Price *venue.Price `json:"price,omitempty"`
	Size  *Decimal     `json:"size,omitempty"`
}

// DOM is one contract's depth of market (fixture F-7): bids best first,
// offers best first.
type DOM struct {
	ContractID int64      `json:"contractId"`
	Timestamp  Time       `json:"timestamp"`
	Bids       []DOMLevel `json:"bids"`
	Offers     []DOMLevel `json:"offers"`
}

// DOMLevel is one price level of a DOM.
type DOMLevel struct {
	Price venue.Price `json:"price"`
	Size  Decimal     `json:"size"`
}

// Histogram is one contract's traded volume by price for a trade date
// (fixture F-8). Items maps a price's offset from Base, in ticks, written
// as a decimal string ("-14"), to its volume. Refresh true replaces every
// item; false updates the items given.
type Histogram struct {
	ContractID int64              `json:"contractId"`
	Timestamp  Time               `json:"timestamp"`
	TradeDate  TradeDate          `json:"tradeDate"`
	Base       venue.Price        `json:"base"`
	Items      map[string]Decimal `json:"items"`
	Refresh    bool               `json:"refresh"`
}
