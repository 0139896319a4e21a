package wire_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue/tradovate/wire"
)

func TestCheckFailureShapes(t *testing.T) {
	// F-15.
	err := wire.Check([]byte(`{"failureReason":"UnknownReason","failureText":"Access is denied"}`))
	var fe *wire.FailureError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, wire.FailureError{Reason: "UnknownReason", Text: "Access is denied"}, *fe)

	// F-17.
	err = wire.Check([]byte(`{"p-ticket":"encrypted_penalty_token_here","p-time":60,"p-captcha":true}`))
	var pe *wire.PenaltyError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, wire.PenaltyError{Ticket: "encrypted_penalty_token_here", Wait: 60 * time.Second, Captcha: true}, *pe)
	assert.Contains(t, pe.Error(), "hour")

	err = wire.Check([]byte(`{"p-ticket":"t","p-time":2}`))
	require.ErrorAs(t, err, &pe)
	assert.False(t, pe.Captcha)
	assert.Equal(t, 2*time.Second, pe.Wait)

	// F-18.
	err = wire.Check([]byte(`{"errorText":"Operation failed","ok":false}`))
	var ae *wire.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "Operation failed", ae.Text)

	err = wire.Check([]byte(`{"violations":[{"constraint":"firstName","value":"","description":"First Name should be specified"}]}`))
	var ve *wire.ViolationError
	require.ErrorAs(t, err, &ve)
	require.Len(t, ve.Violations, 1)
	assert.Equal(t, "firstName", ve.Violations[0].Constraint)
	assert.Contains(t, ve.Error(), "First Name should be specified")

	err = wire.Check([]byte(`{"errorText":"Incorrect username or password. Please try again, noting that passwords are case-sensitive."}`))
	require.ErrorAs(t, err, &ae)

	err = wire.Check([]byte(`{"ok":false}`))
	require.ErrorAs(t, err, &ae)

	err = wire.Check([]byte(`{"failureText":"no reason given"}`))
	require.ErrorAs(t, err, &fe)

	// Successes.
	for _, s := range []string{
		`{"orderId":123}`, `{"commandId":62539}`, `[]`, `[{"id":1}]`, ``, `"text"`, `{"ok":true}`,
		`{"errorText":"","accessToken":"x"}`, `{"failureReason":"Success","orderId":1}`, `{"violations":[]}`,
		`{"accessToken":"<your access token response here>","mdAccessToken":"x","expirationTime":"2021-06-15T15:40:30.056Z","userStatus":"Active","userId":15460,"name":"alennert02","hasLive":true,"outdatedTaC":false,"hasFunded":true,"hasMarketData":true,"outdatedLiquidationPolicy":false}`,
	} {
		assert.NoError(t, wire.Check([]byte(s)), s)
	}
}

func TestDecode(t *testing.T) {
	var r wire.PlaceOrderResult
	require.NoError(t, wire.Decode(200, []byte(`{"orderId":42}`), &r))
	assert.Equal(t, int64(42), r.OrderID)

	err := wire.Decode(200, []byte(`{"failureReason":"SessionClosed","failureText":"closed"}`), &r)
	var fe *wire.FailureError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "SessionClosed", fe.Reason)

	err = wire.Decode(401, []byte(`"Access is denied"`), nil)
	var se *wire.StatusError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "Access is denied", se.Text)
	err = wire.Decode(401, []byte(`Access is denied`), nil)
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "Access is denied", se.Text)
	err = wire.Decode(500, []byte(`{"errorText":"boom"}`), nil)
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "boom", se.Text)
	err = wire.Decode(429, nil, nil)
	require.ErrorAs(t, err, &se)
	assert.Empty(t, se.Text)

	assert.Error(t, wire.Decode(200, nil, &r), "a body was wanted")
	assert.Error(t, wire.Decode(200, []byte(`{"orderId":"x"}`), &r))
	assert.Error(t, wire.Check([]byte(`{"ok":false,"errorText":3}`)), "undecodable failure body")
}
