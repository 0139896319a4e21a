package wire_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// roundTrip decodes fixture into a fresh T, re-encodes it and requires
// the exact bytes back: field names, order and number formatting match.
func roundTrip[T any](t *testing.T, fixture string) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal([]byte(fixture), &v))
	b, err := wire.Marshal(v)
	require.NoError(t, err)
	assert.Equal(t, fixture, string(b))
	return v
}

func TestFixtureF1AccessTokenResponse(t *testing.T) {
	const f1 = `{"accessToken":"<your access token response here>","mdAccessToken":"<your md access token response here>","expirationTime":"2021-06-15T15:40:30.056Z","userStatus":"Active","userId":15460,"name":"alennert02","hasLive":true,"outdatedTaC":false,"hasFunded":true,"hasMarketData":true,"outdatedLiquidationPolicy":false}`
	r := roundTrip[wire.AccessTokenResponse](t, f1)
	assert.Equal(t, time.Date(2021, 6, 15, 15, 40, 30, 56e6, time.UTC), r.ExpirationTime.Time)
	assert.NoError(t, wire.Check([]byte(f1)))

	// F-1b, the newer schema example: decodes, and errorText makes it a failure.
	const f1b = `{"errorText":"string","hibpHint":"EmailAndPasswordCompromised","accessToken":"string","expirationTime":"2024-01-15T09:30:00Z","passwordExpirationTime":"2024-01-15T09:30:00Z","userStatus":"Active","userId":1,"name":"string","hasLive":true,"hasSimPlus":true}`
	var rb wire.AccessTokenResponse
	require.NoError(t, json.Unmarshal([]byte(f1b), &rb))
	assert.Equal(t, "EmailAndPasswordCompromised", rb.HibpHint)
	assert.True(t, rb.HasSimPlus)
	var ae *wire.APIError
	assert.ErrorAs(t, wire.Check([]byte(f1b)), &ae)
}

func TestFixtureAccounts(t *testing.T) {
	// F-2 and F-23.
	roundTrip[[]wire.Account](t, `[{"id":33,"name":"X0314","userId":90,"accountType":"Customer","active":true,"clearingHouseId":1,"riskCategoryId":5,"autoLiqProfileId":1,"marginAccountType":"Speculator","legalStatus":"Individual"}]`)
	var f23 []wire.Account
	require.NoError(t, json.Unmarshal([]byte(`[{"id":0,"name":"string","userId":0,"accountType":"Customer","active":true,"clearingHouseId":0,"riskCategoryId":0,"autoLiqProfileId":0,"marginAccountType":"Speculator","legalStatus":"Individual","timestamp":"2019-08-24T14:15:22Z","readonly":true}]`), &f23))
	assert.True(t, f23[0].Readonly)
	assert.Equal(t, 2019, f23[0].Timestamp.Year())
}

func TestFixtureContractLibrary(t *testing.T) {
	// F-4 (d), F-20, F-21, F-22.
	roundTrip[wire.Contract](t, `{"id":478866,"name":"6EZ6","contractMaturityId":23574}`)
	nq := roundTrip[wire.Product](t, `{"id":814,"name":"NQ","currencyId":1,"productType":"Futures","description":"E-Mini NASDAQ 100","exchangeId":2,"exchangeChannelId":4,"contractGroupId":20,"riskDiscountContractGroupId":1,"status":"Verified","months":"HMUZ","valuePerPoint":20,"priceFormatType":"Decimal","priceFormat":-2,"tickSize":0.25,"allowProviderContractInfo":false,"isMicro":false,"marketDataSource":"Auto","lookupWeight":64,"hasReplay":true}`)
	assert.Equal(t, venue.MustParsePrice("0.25"), nq.TickSize)
	assert.Equal(t, "20", nq.ValuePerPoint.String())
	roundTrip[wire.Product](t, `{"id":799,"name":"ES","currencyId":1,"productType":"Futures","description":"E-Mini S&P 500","exchangeId":2,"exchangeChannelId":4,"contractGroupId":2,"riskDiscountContractGroupId":1,"status":"Verified","months":"HMUZ","valuePerPoint":50,"priceFormatType":"Decimal","priceFormat":-2,"tickSize":0.25,"allowProviderContractInfo":false,"isMicro":false,"marketDataSource":"Auto","lookupWeight":0,"hasReplay":true,"rolloverMonths":"HMUZ"}`)
	roundTrip[wire.Contract](t, `{"id":2710963,"name":"ESM2","contractMaturityId":46104,"status":"DefinitionChecked","providerTickSize":0.25}`)
	roundTrip[[]wire.Contract](t, `[{"id":2710963,"name":"ESM2","contractMaturityId":46104,"status":"DefinitionChecked","providerTickSize":0.25},{"id":2830505,"name":"ESU2","contractMaturityId":46575,"status":"DefinitionChecked","providerTickSize":0.25},{"id":2830506,"name":"ESZ2","contractMaturityId":46576,"status":"DefinitionChecked","providerTickSize":0.25}]`)

	var ms []wire.ContractMaturity
	require.NoError(t, json.Unmarshal([]byte(`[{"id":37215,"productId":814,"expirationMonth":201712,"expirationDate":"2017-12-15T22:29Z","archived":false,"seqNo":10,"isFront":false},{"id":37417,"productId":814,"expirationMonth":201803,"expirationDate":"2018-03-16T21:29Z","archived":false,"seqNo":11,"isFront":false}]`), &ms))
	require.Len(t, ms, 2)
	assert.Equal(t, time.Date(2017, 12, 15, 22, 29, 0, 0, time.UTC), ms[0].ExpirationDate.Time)
	assert.Equal(t, 201803, ms[1].ExpirationMonth)
	b, err := json.Marshal(ms[0])
	require.NoError(t, err)
	assert.Equal(t, `{"id":37215,"productId":814,"expirationMonth":201712,"expirationDate":"2017-12-15T22:29:00.000Z","archived":false,"seqNo":10,"isFront":false}`, string(b))
}

func TestFixtureF24OrderBodies(t *testing.T) {
	po := roundTrip[wire.PlaceOrder](t, `{"accountSpec":"yourUserName","accountId":12345,"action":"Buy","symbol":"MYMM1","orderQty":1,"orderType":"Market","isAutomated":true}`)
	assert.Nil(t, po.Price)

	var oso wire.PlaceOSO
	require.NoError(t, json.Unmarshal([]byte(`{"accountSpec":"yourUserName","accountId":12345,"action":"Buy","symbol":"MESM1","orderQty":1,"orderType":"Limit","price":4150.00,"isAutomated":true,"bracket1":{"action":"Sell","orderType":"Limit","price":4200.00}}`), &oso))
	require.NotNil(t, oso.Price)
	assert.Equal(t, venue.MustParsePrice("4150"), *oso.Price, "4150.00 decodes exactly")
	require.NotNil(t, oso.Bracket1)
	assert.Equal(t, venue.MustParsePrice("4200"), *oso.Bracket1.Price)
	assert.Nil(t, oso.Bracket2)
	b, err := wire.Marshal(oso)
	require.NoError(t, err)
	assert.Equal(t, `{"accountSpec":"yourUserName","accountId":12345,"action":"Buy","symbol":"MESM1","orderQty":1,"orderType":"Limit","price":4150,"isAutomated":true,"bracket1":{"action":"Sell","orderType":"Limit","price":4200}}`, string(b))

	var oco wire.PlaceOCO
	require.NoError(t, json.Unmarshal([]byte(`{"accountId":1,"action":"Buy","symbol":"ESZ6","orderQty":1,"orderType":"Limit","price":4000.25,"other":{"action":"Buy","orderType":"Stop","stopPrice":4100.75}}`), &oco))
	assert.Equal(t, "4100.75", oco.Other.StopPrice.String())

	// F-14 modify body: 2633.00 is exact.
	var mo wire.ModifyOrder
	require.NoError(t, json.Unmarshal([]byte(`{"orderId":62496,"orderQty":1,"orderType":"Stop","stopPrice":2633.00,"timeInForce":"Day","text":"DOM"}`), &mo))
	assert.Equal(t, venue.PriceFromInt(2633), *mo.StopPrice)
}

func TestPricesAreExact(t *testing.T) {
	// Numbers that float64 cannot hold exactly decode to the digits sent.
	var f wire.Fill
	require.NoError(t, json.Unmarshal([]byte(`{"id":1,"orderId":2,"contractId":3,"timestamp":"2024-01-02T03:04:05Z","tradeDate":{"year":2024,"month":1,"day":2},"action":"Sell","qty":1,"price":0.0000005,"active":true,"finallyPaired":0}`), &f))
	assert.Equal(t, venue.Price(500), f.Price)
	var er wire.ExecutionReport
	require.NoError(t, json.Unmarshal([]byte(`{"id":1,"commandId":2,"name":"x","accountId":3,"contractId":4,"timestamp":"2024-01-02T03:04:05Z","orderId":5,"execType":"Trade","action":"Buy","cumQty":3,"avgPx":4800.083333333333333,"lastQty":1,"lastPx":4800.1}`), &er))
	assert.Equal(t, "4800.083333333333333", er.AvgPx.String())
	assert.Equal(t, "4800.1", er.LastPx.String())
	var bad wire.Fill
	assert.Error(t, json.Unmarshal([]byte(`{"price":"abc"}`), &bad))
}

func TestCID(t *testing.T) {
	for in, want := range map[string]wire.CID{`{"cid":8}`: 8, `{"cid":"8"}`: 8, `{"cid":0}`: 0, `{"cid":""}`: 0, `{"cid":null}`: 0, `{}`: 0, `{"cid":214}`: 214} {
		var r wire.AccessTokenRequest
		require.NoError(t, json.Unmarshal([]byte(in), &r), in)
		assert.Equal(t, want, r.CID, in)
	}
	for _, in := range []string{`{"cid":"abc"}`, `{"cid":1.5}`, `{"cid":true}`, `{"cid":"8x"}`} {
		var r wire.AccessTokenRequest
		assert.Error(t, json.Unmarshal([]byte(in), &r), in)
	}
	b, err := json.Marshal(wire.AccessTokenRequest{Name: "n", Password: "p", CID: 8, Sec: "s", DeviceID: "d"})
	require.NoError(t, err)
	assert.Equal(t, `{"name":"n","password":"p","deviceId":"d","cid":8,"sec":"s"}`, string(b))
}

func TestTime(t *testing.T) {
	for in, want := range map[string]time.Time{
		`"2021-06-15T15:40:30.056Z"`:  time.Date(2021, 6, 15, 15, 40, 30, 56e6, time.UTC),
		`"2017-12-15T22:29Z"`:         time.Date(2017, 12, 15, 22, 29, 0, 0, time.UTC),
		`"2019-08-24T14:15:22Z"`:      time.Date(2019, 8, 24, 14, 15, 22, 0, time.UTC),
		`"2024-01-15T09:30:00-06:00"`: time.Date(2024, 1, 15, 15, 30, 0, 0, time.UTC),
		`"2024-01-15T09:30:00.5"`:     time.Date(2024, 1, 15, 9, 30, 0, 5e8, time.UTC),
		`"2024-01-15"`:                time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC),
	} {
		var v wire.Time
		require.NoError(t, json.Unmarshal([]byte(in), &v), in)
		assert.True(t, want.Equal(v.Time), "%s: %s", in, v.Time)
	}
	var v wire.Time
	require.NoError(t, json.Unmarshal([]byte(`null`), &v))
	assert.True(t, v.IsZero())
	assert.Error(t, json.Unmarshal([]byte(`"yesterday"`), &v))
	b, _ := json.Marshal(wire.TimeOf(time.Date(2024, 1, 2, 3, 4, 5, 6e6, time.FixedZone("CT", -6*3600))))
	assert.Equal(t, `"2024-01-02T09:04:05.006Z"`, string(b))
}

func TestDecimal(t *testing.T) {
	var d wire.Decimal
	require.NoError(t, json.Unmarshal([]byte(`12345.678901234567890`), &d))
	assert.Equal(t, "12345.67890123456789", d.String())
	require.NoError(t, json.Unmarshal([]byte(`"1.5"`), &d))
	b, _ := json.Marshal(d)
	assert.Equal(t, `1.5`, string(b))
	assert.Error(t, json.Unmarshal([]byte(`"x"`), &d))
	b, _ = json.Marshal(wire.CashBalance{})
	assert.Contains(t, string(b), `"amount":0,`)
}

func TestSyncMessageOmitsNilKeepsEmpty(t *testing.T) {
	m := wire.SyncMessage{Users: []wire.User{{ID: 1, Name: "u", Email: "e", Status: "Active"}}, Orders: []wire.Order{}, ContractGroups: []wire.ContractGroup{}}
	b, err := json.Marshal(m)
	require.NoError(t, err)
	assert.Equal(t, `{"users":[{"id":1,"name":"u","email":"e","status":"Active","professional":false}],"orders":[],"contractGroups":[]}`, string(b))
}

func TestShutdownF19(t *testing.T) {
	roundTrip[wire.Shutdown](t, `{"reasonCode":"Maintenance","reason":"string"}`)
	roundTrip[wire.Shutdown](t, `{"reasonCode":"ConnectionQuotaReached"}`)
}
