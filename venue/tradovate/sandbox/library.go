package sandbox

import (
	"fmt"
	"hash/fnv"
	"sort"
	"strings"
	"time"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/cme"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// The contract library is built from venue/cme's product table. Ids are
// stable functions of the product and month, so every sandbox (and every
// run) gives a contract the same id:
//
//	product id   from productIDs (ES 799 and NQ 814 as on Tradovate)
//	maturity id  product id × 1000 + (year − 2000) × 12 + month
//	contract id  10,000,000 + maturity id
//
// Years 2000–2083 are representable.

var productIDs = map[string]int64{
	"ES": 799, "NQ": 814, // Tradovate's ids (fixtures F-20, F-21)
	"MES": 2770, "MNQ": 2772, "YM": 843, "MYM": 2773, "RTY": 1549, "M2K": 2771,
	"CL": 553, "MCL": 3045, "NG": 1083, "GC": 646, "MGC": 1195, "SI": 1311,
	"ZN": 2010, "ZB": 2009, "ZF": 2008, "ZT": 2011, "6E": 460, "6J": 468,
	"ZC": 2001, "ZS": 2004, "ZW": 2007,
}

// productOverrides reproduce Tradovate's real payloads where known.
var productOverrides = map[string]func(*wire.Product){
	"ES": func(p *wire.Product) {
		p.Description, p.ContractGroupID, p.LookupWeight, p.RolloverMonths = "E-Mini S&P 500", 2, 0, "HMUZ"
	},
	"NQ": func(p *wire.Product) {
		p.Description, p.ContractGroupID, p.LookupWeight, p.RolloverMonths = "E-Mini NASDAQ 100", 20, 64, ""
	},
}

var exchangeIDs = map[string]int64{"CME": 2, "CBOT": 3, "NYMEX": 4, "COMEX": 5}

const (
	contractBase = 10_000_000
	currencyUSD  = 1
	firstYear    = 2000
	lastYear     = 2083
)

type library struct {
	products []wire.Product
	byRoot   map[string]int // index into products
	byID     map[int64]int
	roots    []string
}

func newLibrary() *library {
	l := &library{byRoot: map[string]int{}, byID: map[int64]int{}}
	for _, p := range cme.Products() {
		id, ok := productIDs[p.Root]
		if !ok {
			h := fnv.New32a()
			h.Write([]byte(p.Root))
			id = 5000 + int64(h.Sum32()%4000)
		}
		wp := wire.Product{
			ID: id, Name: p.Root, CurrencyID: currencyUSD, ProductType: "Futures", Description: p.Name,
			ExchangeID: exchangeIDs[p.Exchange], ExchangeChannelID: 4, ContractGroupID: int64(p.Group) + 1,
			RiskDiscountContractGroupID: 1, Status: "Verified", Months: p.Months.String(),
			ValuePerPoint: wire.Dec(p.PointValue), PriceFormatType: "Decimal", PriceFormat: priceFormat(p.TickSize),
			TickSize: p.TickSize, MarketDataSource: "Auto", IsMicro: strings.HasPrefix(p.Name, "Micro"),
			HasReplay: true, RolloverMonths: p.RollMonths.String(),
		}
		if f := productOverrides[p.Root]; f != nil {
			f(&wp)
		}
		l.byRoot[p.Root] = len(l.products)
		l.byID[id] = len(l.products)
		l.products = append(l.products, wp)
		l.roots = append(l.roots, p.Root)
	}
	return l
}

// priceFormat is -(decimal places of the tick size), as Tradovate writes it.
func priceFormat(tick venue.Price) int {
	s := tick.String()
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return -(len(s) - i - 1)
	}
	return 0
}

func maturityID(productID int64, year int, m time.Month) int64 {
	return productID*1000 + int64((year-firstYear)*12+int(m))
}

func (l *library) product(root string) (wire.Product, bool) {
	i, ok := l.byRoot[root]
	if !ok {
		return wire.Product{}, false
	}
	return l.products[i], true
}

func (l *library) productByID(id int64) (wire.Product, bool) {
	i, ok := l.byID[id]
	if !ok {
		return wire.Product{}, false
	}
	return l.products[i], true
}

// symbolOfMaturity decodes a maturity id.
func (l *library) symbolOfMaturity(id int64) (cme.Symbol, wire.Product, bool) {
	p, ok := l.productByID(id / 1000)
	idx := int(id % 1000)
	if !ok || idx < 1 {
		return cme.Symbol{}, wire.Product{}, false
	}
	sym := cme.Symbol{Root: p.Name, Year: firstYear + (idx-1)/12, Month: time.Month((idx-1)%12 + 1)}
	cp, _ := cme.Lookup(p.Name)
	if !cp.Months.Has(sym.Month) || sym.Year > lastYear {
		return cme.Symbol{}, wire.Product{}, false
	}
	return sym, p, true
}

func (l *library) symbolOfContract(id int64) (cme.Symbol, wire.Product, bool) {
	if id <= contractBase {
		return cme.Symbol{}, wire.Product{}, false
	}
	return l.symbolOfMaturity(id - contractBase)
}

func (l *library) contractOf(sym cme.Symbol) (wire.Contract, bool) {
	p, ok := l.product(sym.Root)
	if !ok || sym.Year < firstYear || sym.Year > lastYear {
		return wire.Contract{}, false
	}
	mid := maturityID(p.ID, sym.Year, sym.Month)
	tick := p.TickSize
	return wire.Contract{ID: contractBase + mid, Name: sym.String(), ContractMaturityID: mid, Status: "DefinitionChecked", ProviderTickSize: &tick}, true
}

// contractByName resolves a Tradovate contract name ("ESM6", any case) at
// now; bare roots and continuous names ("ES", "@ES") are not contracts.
func (l *library) contractByName(name string, now time.Time) (wire.Contract, bool) {
	sym, err := cme.ParseSymbol(strings.ToUpper(strings.TrimSpace(name)), now)
	if err != nil || !strings.EqualFold(sym.String(), strings.TrimSpace(name)) {
		return wire.Contract{}, false
	}
	return l.contractOf(sym)
}

func (l *library) contractByID(id int64) (wire.Contract, bool) {
	sym, _, ok := l.symbolOfContract(id)
	if !ok {
		return wire.Contract{}, false
	}
	return l.contractOf(sym)
}

// maturity returns the ContractMaturity of sym as seen at now.
func (l *library) maturity(sym cme.Symbol, now time.Time) (wire.ContractMaturity, bool) {
	p, ok := l.product(sym.Root)
	if !ok {
		return wire.ContractMaturity{}, false
	}
	ltd, err := cme.LastTradingDay(sym)
	if err != nil {
		return wire.ContractMaturity{}, false
	}
	// Equity-index contracts stop at 08:30 CT; others are given the daily
	// 16:00 CT close of their last day (an approximation).
	exp := ltd.Add(16 * time.Hour)
	if g, _ := cme.GroupOf(sym.Root); g == cme.EquityIndex {
		exp = ltd.Add(8*time.Hour + 30*time.Minute)
	}
	front, _ := cme.FrontMonth(sym.Root, now)
	return wire.ContractMaturity{
		ID: maturityID(p.ID, sym.Year, sym.Month), ProductID: p.ID,
		ExpirationMonth: sym.Year*100 + int(sym.Month), ExpirationDate: wire.TimeOf(exp),
		Archived: !now.Before(exp), SeqNo: (sym.Year-firstYear)*12 + int(sym.Month),
		IsFront: front == sym,
	}, true
}

// expired reports whether the contract has stopped trading at now.
func (l *library) expired(sym cme.Symbol, now time.Time) (bool, time.Time) {
	m, ok := l.maturity(sym, now)
	if !ok {
		return false, time.Time{}
	}
	return m.Archived, m.ExpirationDate.Time
}

// maturities lists a product's contract months around now: a year back,
// two years ahead.
func (l *library) maturities(root string, now time.Time) []wire.ContractMaturity {
	cp, ok := cme.Lookup(root)
	if !ok {
		return nil
	}
	var out []wire.ContractMaturity
	ct := now.In(cme.Chicago())
	y, m := ct.Year(), ct.Month()
	for i := -12; i <= 24; i++ {
		t := time.Date(y, m+time.Month(i), 1, 0, 0, 0, 0, time.UTC)
		if !cp.Months.Has(t.Month()) {
			continue
		}
		if mt, ok := l.maturity(cme.Symbol{Root: root, Year: t.Year(), Month: t.Month()}, now); ok {
			out = append(out, mt)
		}
	}
	return out
}

// suggest returns up to limit contracts matching text: for a root or a
// prefix of one ("ES", "M") the products' contracts from the front month
// on, for a longer text ("ESZ") the contracts whose name starts with it.
// An exact root comes first.
func (l *library) suggest(text string, limit int, now time.Time) []wire.Contract {
	text = strings.ToUpper(strings.TrimPrefix(strings.TrimSpace(text), "@"))
	roots := append([]string(nil), l.roots...)
	sort.SliceStable(roots, func(i, j int) bool { return roots[i] == text && roots[j] != text })
	var out []wire.Contract
	for _, root := range roots {
		rootMatch := strings.HasPrefix(root, text)
		if !rootMatch && !strings.HasPrefix(text, root) {
			continue
		}
		front, err := cme.FrontMonth(root, now)
		if err != nil {
			continue
		}
		cp, _ := cme.Lookup(root)
		for n := 0; n < 36 && len(out) < limit; n++ {
			t := time.Date(front.Year, front.Month+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
			if !cp.RollMonths.Has(t.Month()) {
				continue
			}
			sym := cme.Symbol{Root: root, Year: t.Year(), Month: t.Month()}
			if !rootMatch && !strings.HasPrefix(sym.String(), text) {
				continue
			}
			if c, ok := l.contractOf(sym); ok {
				out = append(out, c)
			}
		}
		if len(out) >= limit {
			break
		}
	}
	return out
}

// roll returns the contract after (forward) or before name in the
// product's roll cycle; with ifExpired, name itself unless it has expired.
func (l *library) roll(req wire.RollContract, now time.Time) (wire.Contract, error) {
	c, ok := l.contractByName(req.Name, now)
	if !ok {
		return wire.Contract{}, fmt.Errorf("unknown contract %q", req.Name)
	}
	sym, _, _ := l.symbolOfContract(c.ID)
	if req.IfExpired {
		if exp, _ := l.expired(sym, now); !exp {
			return c, nil
		}
	}
	cp, _ := cme.Lookup(sym.Root)
	step := 1
	if !req.Forward {
		step = -1
	}
	for n := 1; n <= 24; n++ {
		t := time.Date(sym.Year, sym.Month+time.Month(step*n), 1, 0, 0, 0, 0, time.UTC)
		if cp.RollMonths.Has(t.Month()) {
			if next, ok := l.contractOf(cme.Symbol{Root: sym.Root, Year: t.Year(), Month: t.Month()}); ok {
				return next, nil
			}
		}
	}
	return wire.Contract{}, fmt.Errorf("no contract to roll %s to", req.Name)
}

// session returns a product's weekly session (CT, no holidays), from the
// reference's Globex hours: 17:00–16:00 for all groups but grains
// (19:00–13:20, with a 07:45–08:30 pause not representable here).
func (l *library) session(productID int64) (wire.ProductSession, bool) {
	p, ok := l.productByID(productID)
	if !ok {
		return wire.ProductSession{}, false
	}
	open, stop := wire.TradeTime{Hour: 17}, wire.TradeTime{Hour: 16}
	if g, _ := cme.GroupOf(p.Name); g == cme.Grains {
		open, stop = wire.TradeTime{Hour: 19}, wire.TradeTime{Hour: 13, Minute: 20}
	}
	sun := open
	return wire.ProductSession{ID: productID, OpenTime: open, StartTime: open, StopTime: stop, CloseTime: stop, SundayOpenTime: &sun}, true
}

// ByID implements venue.Instruments for the matching engine.
func (l *library) ByID(id venue.ContractID) (venue.Instrument, bool) {
	sym, _, ok := l.symbolOfContract(int64(id))
	if !ok {
		return venue.Instrument{}, false
	}
	in, err := cme.Instrument(sym, id)
	return in, err == nil
}

// BySymbol implements venue.Instruments; names resolve at the wall clock,
// but the sandbox always hands the engine contract ids.
func (l *library) BySymbol(s string) (venue.Instrument, bool) {
	c, ok := l.contractByName(s, time.Now())
	if !ok {
		return venue.Instrument{}, false
	}
	return l.ByID(venue.ContractID(c.ID))
}
