package cme

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/keeltrade/keel/venue"
)

// Group is a CME product group. Products in a group share Globex hours and a
// holiday schedule.
type Group uint8

// Product groups.
const (
	EquityIndex   Group = iota + 1 // ES, MES, NQ, MNQ, YM, MYM, RTY, M2K
	Energy                         // CL, MCL, NG (NYMEX)
	Metals                         // GC, MGC, SI (COMEX)
	InterestRates                  // ZN, ZB, ZF, ZT (CBOT Treasuries)
	FX                             // 6E, 6J
	Grains                         // ZC, ZS, ZW (CBOT)
)

// numGroups bounds arrays indexed by Group.
const numGroups = int(Grains) + 1

var groupNames = [numGroups]string{
	EquityIndex: "equity index", Energy: "energy", Metals: "metals",
	InterestRates: "interest rates", FX: "FX", Grains: "grains",
}

// groupKeys are the names the calendar data file uses.
var groupKeys = [numGroups]string{
	EquityIndex: "equity", Energy: "energy", Metals: "metals",
	InterestRates: "rates", FX: "fx", Grains: "grains",
}

// Groups lists every product group in order.
func Groups() []Group { return []Group{EquityIndex, Energy, Metals, InterestRates, FX, Grains} }

// String returns the group's name: "equity index", "energy", "metals",
// "interest rates", "FX" or "grains".
func (g Group) String() string {
	if g.valid() {
		return groupNames[g]
	}
	return fmt.Sprintf("Group(%d)", uint8(g))
}

// Key returns the group's key in the calendar data file: "equity", "energy",
// "metals", "rates", "fx" or "grains".
func (g Group) Key() string {
	if g.valid() {
		return groupKeys[g]
	}
	return ""
}

func (g Group) valid() bool { return g >= EquityIndex && g <= Grains }

// Months is a set of contract months.
type Months uint16

// monthCodes are the CME month codes, January first.
const monthCodes = "FGHJKMNQUVXZ"

// MonthCode returns the CME letter of month m ('F' for January … 'Z' for
// December), or 0 for an invalid month.
func MonthCode(m time.Month) byte {
	if m < time.January || m > time.December {
		return 0
	}
	return monthCodes[m-1]
}

// MonthFromCode returns the month of a CME month letter (upper case).
func MonthFromCode(c byte) (time.Month, bool) {
	i := strings.IndexByte(monthCodes, c)
	if i < 0 {
		return 0, false
	}
	return time.Month(i + 1), true
}

// monthsOf builds a set from month letters; it panics on a bad letter (static tables only).
func monthsOf(codes string) Months {
	var ms Months
	for i := range len(codes) {
		m, ok := MonthFromCode(codes[i])
		if !ok {
			panic("cme: bad month code " + codes)
		}
		ms |= 1 << (m - 1)
	}
	return ms
}

// Has reports whether m is in the set.
func (ms Months) Has(m time.Month) bool {
	return m >= time.January && m <= time.December && ms&(1<<(m-1)) != 0
}

// String returns the month letters in calendar order, e.g. "HMUZ".
func (ms Months) String() string {
	var b []byte
	for m := time.January; m <= time.December; m++ {
		if ms.Has(m) {
			b = append(b, MonthCode(m))
		}
	}
	return string(b)
}

// Product is one CME futures product (a root such as "ES"), with the
// outright contract specification keel trades it by.
type Product struct {
	Root     string // Tradovate/CME root, e.g. "MES"
	Name     string // e.g. "Micro E-mini S&P 500"
	Exchange string // CME, CBOT, NYMEX or COMEX
	Group    Group
	// Quote is the unit prices are quoted in, e.g. "index points",
	// "USD/bbl", "US cents/bu".
	Quote      string
	TickSize   venue.Price     // minimum outright price increment
	TickValue  decimal.Decimal // money per tick per contract (TickSize × PointValue)
	PointValue decimal.Decimal // money per 1.0 of quoted price per contract
	Currency   string          // currency of TickValue and PointValue
	// Months are the contract months CME lists. ParseSymbol rejects others.
	Months Months
	// RollMonths are the liquid months FrontMonth and rolling follow; a subset
	// of Months (e.g. gold lists every month but trades G J M Q V Z).
	RollMonths Months

	ltd  ltdRule
	roll rollRule
}

// products is the product table, from reference/cme-hours-specs.md §2.2.
// Grains are quoted in US cents per bushel (as on Globex and Tradovate):
// tick 0.25¢ worth $12.50, so a point (one cent) is worth $50.
var products = []Product{
	eq("ES", "E-mini S&P 500", "CME", "0.25", "50"),
	eq("MES", "Micro E-mini S&P 500", "CME", "0.25", "5"),
	eq("NQ", "E-mini Nasdaq-100", "CME", "0.25", "20"),
	eq("MNQ", "Micro E-mini Nasdaq-100", "CME", "0.25", "2"),
	eq("YM", "E-mini Dow ($5)", "CBOT", "1", "5"),
	eq("MYM", "Micro E-mini Dow", "CBOT", "1", "0.5"),
	eq("RTY", "E-mini Russell 2000", "CME", "0.1", "50"),
	eq("M2K", "Micro E-mini Russell 2000", "CME", "0.1", "5"),

	spec("CL", "WTI Crude Oil", "NYMEX", Energy, "USD/bbl", "0.01", "1000", allMonths, allMonths, ltdCL, rollBeforeLTD),
	spec("MCL", "Micro WTI Crude Oil", "NYMEX", Energy, "USD/bbl", "0.01", "100", allMonths, allMonths, ltdMCL, rollBeforeLTD),
	spec("NG", "Henry Hub Natural Gas", "NYMEX", Energy, "USD/MMBtu", "0.001", "10000", allMonths, allMonths, ltdNG, rollBeforeLTD),

	spec("GC", "Gold", "COMEX", Metals, "USD/oz", "0.1", "100", allMonths, "GJMQVZ", ltdThirdLastBusinessDay, rollBeforeNotice),
	spec("MGC", "Micro Gold", "COMEX", Metals, "USD/oz", "0.1", "10", "GJMQVZ", "GJMQVZ", ltdThirdLastBusinessDay, rollBeforeNotice),
	spec("SI", "Silver", "COMEX", Metals, "USD/oz", "0.005", "5000", allMonths, "HKNUZ", ltdThirdLastBusinessDay, rollBeforeNotice),

	spec("ZN", "10-Year T-Note", "CBOT", InterestRates, "points of par", "0.015625", "1000", "HMUZ", "HMUZ", ltdSeventhBeforeLastBusinessDay, rollBeforeNotice),
	spec("ZB", "30-Year T-Bond", "CBOT", InterestRates, "points of par", "0.03125", "1000", "HMUZ", "HMUZ", ltdSeventhBeforeLastBusinessDay, rollBeforeNotice),
	spec("ZF", "5-Year T-Note", "CBOT", InterestRates, "points of par", "0.0078125", "1000", "HMUZ", "HMUZ", ltdLastBusinessDay, rollBeforeNotice),
	spec("ZT", "2-Year T-Note", "CBOT", InterestRates, "points of par", "0.00390625", "2000", "HMUZ", "HMUZ", ltdLastBusinessDay, rollBeforeNotice),

	// FX lists the quarterlies plus three serial months; which serials exist
	// depends on the date, so every month parses.
	spec("6E", "Euro FX", "CME", FX, "USD/EUR", "0.00005", "125000", allMonths, "HMUZ", ltdFX, rollBeforeLTD),
	spec("6J", "Japanese Yen", "CME", FX, "USD/JPY", "0.0000005", "12500000", allMonths, "HMUZ", ltdFX, rollBeforeLTD),

	spec("ZC", "Corn", "CBOT", Grains, "US cents/bu", "0.25", "50", "HKNUZ", "HKNUZ", ltdGrains, rollBeforeNotice),
	spec("ZS", "Soybeans", "CBOT", Grains, "US cents/bu", "0.25", "50", "FHKNQUX", "FHKNQUX", ltdGrains, rollBeforeNotice),
	spec("ZW", "Chicago SRW Wheat", "CBOT", Grains, "US cents/bu", "0.25", "50", "HKNUZ", "HKNUZ", ltdGrains, rollBeforeNotice),
}

const allMonths = "FGHJKMNQUVXZ"

func eq(root, name, exchange, tick, point string) Product {
	return spec(root, name, exchange, EquityIndex, "index points", tick, point, "HMUZ", "HMUZ", ltdEquity, rollEquity)
}

func spec(root, name, exchange string, g Group, quote, tick, point, months, rollMonths string, ltd ltdRule, roll rollRule) Product {
	ts := venue.MustParsePrice(tick)
	pv := decimal.RequireFromString(point)
	return Product{
		Root: root, Name: name, Exchange: exchange, Group: g, Quote: quote,
		TickSize: ts, TickValue: ts.Decimal().Mul(pv), PointValue: pv, Currency: "USD",
		Months: monthsOf(months), RollMonths: monthsOf(rollMonths),
		ltd: ltd, roll: roll,
	}
}

// byRoot indexes products by root.
var byRoot = func() map[string]int {
	m := make(map[string]int, len(products))
	for i, p := range products {
		m[p.Root] = i
	}
	return m
}()

// Lookup returns the product with the given root ("ES", "6J"…), exactly as
// CME spells it.
func Lookup(root string) (Product, bool) {
	i, ok := byRoot[root]
	if !ok {
		return Product{}, false
	}
	return products[i], true
}

// Products returns every known product, equity index first.
func Products() []Product {
	out := make([]Product, len(products))
	copy(out, products)
	return out
}

// GroupOf returns the product group of a root.
func GroupOf(root string) (Group, bool) {
	i, ok := byRoot[root]
	if !ok {
		return 0, false
	}
	return products[i].Group, true
}

// Instrument builds the venue.Instrument for a contract of a known product,
// with the venue's contract id (Tradovate's contract id, from contract/find).
func Instrument(sym Symbol, id venue.ContractID) (venue.Instrument, error) {
	p, ok := Lookup(sym.Root)
	if !ok {
		return venue.Instrument{}, fmt.Errorf("cme: instrument %s: %w %q", sym, ErrUnknownProduct, sym.Root)
	}
	if !p.Months.Has(sym.Month) {
		return venue.Instrument{}, fmt.Errorf("cme: instrument %s: %s lists no %s contract (months %s)", sym, p.Root, sym.Month, p.Months)
	}
	return venue.Instrument{
		ID:         id,
		Symbol:     sym.String(),
		Root:       p.Root,
		TickSize:   p.TickSize,
		PointValue: p.PointValue,
		Currency:   p.Currency,
	}, nil
}
