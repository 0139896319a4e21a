package venue

import (
	"reflect"
	"testing"
	"unsafe"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mes() Instrument {
	return Instrument{ID: 1, Symbol: "MESZ6", Root: "MES", TickSize: MustParsePrice("0.25"), PointValue: decimal.NewFromInt(5), Currency: "USD"}
}

func TestTickLayout(t *testing.T) {
	assert.Equal(t, uintptr(64), unsafe.Sizeof(Tick{}), "Tick must stay one cache line")
	typ := reflect.TypeFor[Tick]()
	for i := range typ.NumField() {
		switch typ.Field(i).Type.Kind() {
		case reflect.Pointer, reflect.String, reflect.Slice, reflect.Map, reflect.Interface, reflect.Chan, reflect.Func:
			t.Errorf("Tick.%s holds a pointer", typ.Field(i).Name)
		}
	}
}

func TestInstrument(t *testing.T) {
	in := mes()
	assert.Equal(t, "1.25", in.TickValue().String())
	s, err := NewInstrumentSet(in, Instrument{ID: 2, Symbol: "ESZ6", TickSize: in.TickSize, PointValue: decimal.NewFromInt(50)})
	require.NoError(t, err)
	got, ok := s.BySymbol("ESZ6")
	require.True(t, ok)
	assert.Equal(t, ContractID(2), got.ID)
	_, ok = s.ByID(3)
	assert.False(t, ok)
	assert.Len(t, s.All(), 2)

	_, err = NewInstrumentSet(in, in)
	assert.ErrorContains(t, err, "duplicate symbol")
	_, err = NewInstrumentSet(Instrument{ID: 9, Symbol: "X", PointValue: decimal.NewFromInt(1)})
	assert.ErrorContains(t, err, "tick size")
	_, err = NewInstrumentSet(Instrument{ID: 9, Symbol: "X", TickSize: 1})
	assert.ErrorContains(t, err, "point value")
}

func TestIntentValidate(t *testing.T) {
	p := MustParsePrice
	base := func() OrderIntent { return OrderIntent{Symbol: "MESZ6", Side: Buy, Qty: 1, Type: Market} }
	tests := []struct {
		name  string
		edit  func(*OrderIntent)
		field string // empty: valid
	}{
		{"market", func(*OrderIntent) {}, ""},
		{"limit", func(i *OrderIntent) { i.Type, i.Limit = Limit, p("4800.25") }, ""},
		{"stop limit", func(i *OrderIntent) { i.Type, i.Limit, i.Stop = StopLimit, p("4800.25"), p("4800") }, ""},
		{"mit", func(i *OrderIntent) { i.Type, i.Stop = MIT, p("4800") }, ""},
		{"bracket", func(i *OrderIntent) {
			i.Brackets = []Leg{{Type: Limit, Limit: p("4810")}, {Type: Stop, Stop: p("4790")}}
		}, ""},
		{"oco", func(i *OrderIntent) {
			i.Type, i.Limit = Limit, p("4790")
			i.OCO = &Leg{Side: Sell, Type: Stop, Stop: p("4780")}
		}, ""},
		{"zero qty", func(i *OrderIntent) { i.Qty = 0 }, "qty"},
		{"negative qty", func(i *OrderIntent) { i.Qty = -2 }, "qty"},
		{"no side", func(i *OrderIntent) { i.Side = SideNone }, "side"},
		{"bad type", func(i *OrderIntent) { i.Type = 0 }, "type"},
		{"limit without price", func(i *OrderIntent) { i.Type = Limit }, "limit"},
		{"limit off grid", func(i *OrderIntent) { i.Type, i.Limit = Limit, p("4800.1") }, "limit"},
		{"stop without price", func(i *OrderIntent) { i.Type = Stop }, "stop"},
		{"stoplimit without stop", func(i *OrderIntent) { i.Type, i.Limit = StopLimit, p("1") }, "stop"},
		{"stop off grid", func(i *OrderIntent) { i.Type, i.Stop = Stop, p("4800.3") }, "stop"},
		{"market with limit", func(i *OrderIntent) { i.Limit = p("1") }, "limit"},
		{"bad tif", func(i *OrderIntent) { i.TIF = 9 }, "tif"},
		{"wrong symbol", func(i *OrderIntent) { i.Symbol = "ESZ6" }, "symbol"},
		{"three brackets", func(i *OrderIntent) {
			i.Brackets = make([]Leg, 3)
		}, "brackets"},
		{"bracket same side", func(i *OrderIntent) {
			i.Brackets = []Leg{{Side: Buy, Type: Limit, Limit: p("4810")}}
		}, "brackets[0].side"},
		{"bracket too big", func(i *OrderIntent) {
			i.Brackets = []Leg{{Qty: 2, Type: Limit, Limit: p("4810")}}
		}, "brackets[0].qty"},
		{"bracket off grid", func(i *OrderIntent) {
			i.Brackets = []Leg{{Type: Stop, Stop: p("4790.1")}}
		}, "brackets[0].stop"},
		{"bracket and oco", func(i *OrderIntent) {
			i.Brackets = []Leg{{Type: Stop, Stop: p("4790")}}
			i.OCO = &Leg{Side: Sell, Type: Stop, Stop: p("4780")}
		}, "oco"},
		{"oco no side", func(i *OrderIntent) { i.OCO = &Leg{Type: Stop, Stop: p("4780")} }, "oco.side"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := base()
			tt.edit(&in)
			err := in.Validate(mes())
			if tt.field == "" {
				assert.NoError(t, err)
				return
			}
			var ie *IntentError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tt.field, ie.Field, ie.Error())
			assert.Contains(t, err.Error(), "MESZ6")
		})
	}
}

func TestEnums(t *testing.T) {
	for _, s := range []string{"Market", "limit", "STOP", "StopLimit", "mit"} {
		_, err := ParseOrderType(s)
		assert.NoError(t, err, s)
	}
	_, err := ParseOrderType("Trailing")
	assert.Error(t, err)
	for in, want := range map[string]Side{"B": Buy, "S": Sell, "buy": Buy, "Sell": Sell, "": SideNone} {
		got, err := ParseSide(in)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	_, err = ParseSide("X")
	assert.Error(t, err)
	assert.Equal(t, int64(-1), Sell.Sign())
	assert.Equal(t, Buy, Sell.Opposite())
	assert.Equal(t, "Filled", EventFilled.String())
	assert.True(t, Cancelled.Terminal())
	assert.False(t, Working.Terminal())
	assert.Equal(t, "1m0s", Every(60e9).String())
	assert.Equal(t, "500t", EveryTrades(500).String())
}

func TestLinkedLeg(t *testing.T) {
	in := OrderIntent{Symbol: "MESZ6", Side: Buy, Qty: 3, Type: Market,
		Brackets: []Leg{{Type: Limit, Limit: MustParsePrice("10")}, {Type: Stop, Stop: MustParsePrice("5"), Qty: 2}}}
	assert.Equal(t, []string{"P/tp", "P/sl"}, BracketIDs("P", in.Brackets))
	leg, ok := in.LinkedLeg("P", "P/tp")
	require.True(t, ok)
	assert.Equal(t, Leg{Side: Sell, Type: Limit, Limit: MustParsePrice("10"), Qty: 3, TIF: TIFOf(GTC)}, leg)
	leg, ok = in.LinkedLeg("P", "P/sl")
	require.True(t, ok)
	assert.Equal(t, int64(2), leg.Qty)
	_, ok = in.LinkedLeg("P", "P/oco")
	assert.False(t, ok)
	assert.Equal(t, []string{"P/1", "P/2"}, BracketIDs("P", []Leg{{Type: Limit}, {Type: MIT}}))
	oco := OrderIntent{Side: Buy, Qty: 1, OCO: &Leg{Side: Sell, Type: Stop}}
	leg, ok = oco.LinkedLeg("Q", "Q/oco")
	require.True(t, ok)
	assert.Equal(t, Sell, leg.Side)
	assert.Equal(t, int64(1), leg.Qty)
}

func TestLinkedTIF(t *testing.T) {
	// OCO partners follow the parent, except immediate parents.
	assert.Equal(t, Day, LinkedTIF(IOC, Leg{}, false))
	assert.Equal(t, Day, LinkedTIF(FOK, Leg{}, false))
	assert.Equal(t, GTC, LinkedTIF(GTC, Leg{}, false))
	assert.Equal(t, Day, LinkedTIF(Day, Leg{}, false))
	// Bracket exits protect the position: GTC unless the leg says otherwise.
	for _, p := range []TimeInForce{Day, GTC, IOC, FOK} {
		assert.Equal(t, GTC, LinkedTIF(p, Leg{}, true), p.String())
		assert.Equal(t, Day, LinkedTIF(p, Leg{TIF: TIFOf(Day)}, true), p.String())
	}
}

func TestLinkedLegResolvesTIF(t *testing.T) {
	in := OrderIntent{Symbol: "MESZ6", Side: Buy, Qty: 2, Type: Market, TIF: Day,
		Brackets: []Leg{{Type: Limit, Limit: 5010 * PriceScale}, {Type: Stop, Stop: 4990 * PriceScale, TIF: TIFOf(Day)}}}
	tp, ok := in.LinkedLeg("a-0-1", "a-0-1/tp")
	assert.True(t, ok)
	assert.Equal(t, GTC, *tp.TIF)
	assert.Equal(t, Sell, tp.Side)
	assert.Equal(t, int64(2), tp.Qty)
	sl, ok := in.LinkedLeg("a-0-1", "a-0-1/sl")
	assert.True(t, ok)
	assert.Equal(t, Day, *sl.TIF)
	*sl.TIF = GTC // the resolved leg is a copy
	assert.Equal(t, Day, *in.Brackets[1].TIF)

	oco := OrderIntent{Symbol: "MESZ6", Side: Buy, Qty: 1, Type: Stop, Stop: 5010 * PriceScale, TIF: GTC,
		OCO: &Leg{Side: Sell, Type: Stop, Stop: 4990 * PriceScale}}
	p, ok := oco.LinkedLeg("a-0-2", "a-0-2/oco")
	assert.True(t, ok)
	assert.Equal(t, GTC, *p.TIF)
}

func TestOrderCloneSharesNothing(t *testing.T) {
	o := Order{ClientID: "a-0-1", Intent: OrderIntent{Brackets: []Leg{{Type: Stop, TIF: TIFOf(Day)}}, OCO: &Leg{Type: Limit}}}
	c := o.Clone()
	c.Intent.Brackets[0].Stop = 1
	*c.Intent.Brackets[0].TIF = GTC
	c.Intent.OCO.Limit = 1
	assert.Equal(t, Price(0), o.Intent.Brackets[0].Stop)
	assert.Equal(t, Day, *o.Intent.Brackets[0].TIF)
	assert.Equal(t, Price(0), o.Intent.OCO.Limit)
}

func TestValidateLegTIF(t *testing.T) {
	inst := Instrument{Symbol: "MESZ6", TickSize: MustParsePrice("0.25")}
	in := OrderIntent{Symbol: "MESZ6", Side: Buy, Qty: 1, Type: Market, Brackets: []Leg{{Type: Stop, Stop: 4990 * PriceScale, TIF: TIFOf(IOC)}}}
	var ie *IntentError
	assert.ErrorAs(t, in.Validate(inst), &ie)
	assert.Equal(t, "brackets[0].tif", ie.Field)
}

func TestValidateGTD(t *testing.T) {
	inst := Instrument{Symbol: "MESZ6", TickSize: MustParsePrice("0.25")}
	in := OrderIntent{Symbol: "MESZ6", Side: Buy, Qty: 1, Type: Limit, Limit: 4990 * PriceScale, TIF: GTD}
	var ie *IntentError
	require.ErrorAs(t, in.Validate(inst), &ie)
	assert.Equal(t, "expire", ie.Field)
	in.Expire = 1
	assert.NoError(t, in.Validate(inst))
	in.TIF = GTC
	require.ErrorAs(t, in.Validate(inst), &ie, "only GTD takes Expire")
	assert.Equal(t, "GTD", GTD.String())
}
