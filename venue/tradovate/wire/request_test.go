package wire_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue/tradovate/wire"
)

func TestParseRequest(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want wire.Request
		key  string
	}{
		// F-5, verbatim.
		{"F-5 list", "executionReport/list\n4\n\n", wire.Request{Endpoint: "executionReport/list", ID: 4}, "executionreport/list"},
		{"F-5 ldeps", "tradingPermission/ldeps\n8\nmasterids=1\n", wire.Request{Endpoint: "tradingPermission/ldeps", ID: 8, Query: "masterids=1"}, "tradingpermission/ldeps"},
		{"F-5 roll", "contract/rollcontract\n33\n\n{\"name\":\"YMZ6\",\"forward\":true,\"ifExpired\":true}",
			wire.Request{Endpoint: "contract/rollcontract", ID: 33, Body: []byte(`{"name":"YMZ6","forward":true,"ifExpired":true}`)}, "contract/rollcontract"},
		{"F-5 authorize", "authorize\n2\n\nuST01MhJMF3cR3lCs-gdQ9W0AzomYLaqsWcZ_GYgAspPRf-ZS-Wb7q3sW3pUafTm90ba4",
			wire.Request{Endpoint: "authorize", ID: 2, Body: []byte("uST01MhJMF3cR3lCs-gdQ9W0AzomYLaqsWcZ_GYgAspPRf-ZS-Wb7q3sW3pUafTm90ba4")}, "authorize"},
		{"F-9 getchart", "md/getchart\n0\n\n{\"symbol\":\"ESZ4\"}", wire.Request{Endpoint: "md/getchart", Body: []byte(`{"symbol":"ESZ4"}`)}, "md/getchart"},
		{"F-13 replay", "replay/initializeclock\n3\n\n{\"startTimestamp\":\"2019-08-26T16:43:00.000Z\",\"speed\":20,\"initialBalance\":51000}",
			wire.Request{Endpoint: "replay/initializeclock", ID: 3, Body: []byte(`{"startTimestamp":"2019-08-26T16:43:00.000Z","speed":20,"initialBalance":51000}`)}, "replay/initializeclock"},
		// JS: JSON.stringify(undefined) as body; STRAT: undefined as query.
		{"undefined body", "account/list\n3\n\nundefined", wire.Request{Endpoint: "account/list", ID: 3}, "account/list"},
		{"undefined query", "user/syncrequest\n1\nundefined\n{\"users\":[1]}", wire.Request{Endpoint: "user/syncrequest", ID: 1, Body: []byte(`{"users":[1]}`)}, "user/syncrequest"},
		{"null both", "user/syncRequest\n1\nnull\nnull", wire.Request{Endpoint: "user/syncRequest", ID: 1}, "user/syncrequest"},
		{"mixed case", "Order/PlaceOSO\n9\n\n{}", wire.Request{Endpoint: "Order/PlaceOSO", ID: 9, Body: []byte("{}")}, "order/placeoso"},
		{"crlf", "account/list\r\n5\r\n\r\n", wire.Request{Endpoint: "account/list", ID: 5}, "account/list"},
		{"no query line", "account/list\n5", wire.Request{Endpoint: "account/list", ID: 5}, "account/list"},
		{"no body line", "contract/find\n6\nname=ESZ6", wire.Request{Endpoint: "contract/find", ID: 6, Query: "name=ESZ6"}, "contract/find"},
		{"leading slash and ?", "/contract/find\n6\n?name=ESZ6\n", wire.Request{Endpoint: "contract/find", ID: 6, Query: "name=ESZ6"}, "contract/find"},
		{"multi-line body", "order/placeorder\n7\n\n{\n \"symbol\": \"ESZ6\"\n}\n", wire.Request{Endpoint: "order/placeorder", ID: 7, Body: []byte("{\n \"symbol\": \"ESZ6\"\n}")}, "order/placeorder"},
		{"negative id", "account/list\n-1\n\n", wire.Request{Endpoint: "account/list", ID: -1}, "account/list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := wire.ParseRequest([]byte(tt.in))
			require.NoError(t, err)
			assert.Equal(t, tt.want.Endpoint, r.Endpoint)
			assert.Equal(t, tt.want.ID, r.ID)
			assert.Equal(t, tt.want.Query, r.Query)
			assert.Equal(t, string(tt.want.Body), string(r.Body))
			assert.Equal(t, tt.want.Body == nil, r.Body == nil)
			assert.Equal(t, tt.key, r.Key())
		})
	}
}

func TestParseRequestErrors(t *testing.T) {
	tests := []struct {
		in    string
		hasID bool
	}{
		{"", false},
		{"\n1\n\n", false},
		{"account/list", false},
		{"account/list\nabc\n\n", false},
		{"account/list\n1.5\n\n", false},
		{"account/list\n\n\n", false},
		{"account/list\n99999999999999999999\n\n", false},
		{"acc ount/list\n1\n\n", false},
		{"{\"action\":\"login\"}", false},
	}
	for _, tt := range tests {
		_, err := wire.ParseRequest([]byte(tt.in))
		var re *wire.RequestError
		require.ErrorAs(t, err, &re, "%q", tt.in)
		assert.Equal(t, tt.hasID, re.HasID)
		assert.NotEmpty(t, re.Error())
	}
}

func TestRequestRoundTrip(t *testing.T) {
	r := wire.Request{Endpoint: "order/placeorder", ID: 12, Query: "a=b", Body: []byte(`{"x":1}`)}
	b := r.AppendText(nil)
	assert.Equal(t, "order/placeorder\n12\na=b\n{\"x\":1}", string(b))
	got, err := wire.ParseRequest(b)
	require.NoError(t, err)
	assert.Equal(t, r, got)
	assert.Equal(t, "executionReport/list\n4\n\n", string(wire.Request{Endpoint: "executionReport/list", ID: 4}.AppendText(nil)))
}

func TestRequestStringRedactsToken(t *testing.T) {
	r := wire.Request{Endpoint: "Authorize", ID: 0, Body: []byte("secret-token")}
	assert.NotContains(t, r.String(), "secret-token")
	assert.Contains(t, wire.Request{Endpoint: "account/list", ID: 1}.String(), "account/list")
}

func TestParseRequestAllocations(t *testing.T) {
	b := []byte("order/placeorder\n7\n\n{\"symbol\":\"ESZ6\"}")
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := wire.ParseRequest(b); err != nil {
			panic(err)
		}
	})
	assert.LessOrEqual(t, allocs, 2.0)
}
