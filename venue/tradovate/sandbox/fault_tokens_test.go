package sandbox_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue/tradovate/sandbox"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

func TestFaultExpireTokens(t *testing.T) {
	t.Run("renewal fails", func(t *testing.T) {
		s, _ := start(t)
		tok := login(t, s, s.Credentials())
		c := authed(t, s, sandbox.Demo, tok.AccessToken)
		inj := inject(t, s, sandbox.Fault{Kind: sandbox.FaultExpireTokens, Target: sandbox.Target{User: "keeltest"}})
		assert.Equal(t, 1, inj.Affected)

		status, body := rest(t, s, sandbox.Demo, "GET", "account/list", tok.AccessToken, nil)
		assert.Equal(t, 401, status)
		assert.Equal(t, `"Expired access token"`, string(body))
		assert.Equal(t, 200, c.call("account/list", "", nil).Status, "an authorized socket stays usable")
		m := c.call("auth/renewaccesstoken", "", nil)
		assert.Equal(t, 401, m.Status, "the next renewal fails")
		m = c.call("auth/renewaccesstoken", "", nil)
		renewed := decode[wire.AccessTokenResponse](t, m)
		status, _ = rest(t, s, sandbox.Demo, "GET", "account/list", renewed.AccessToken, nil)
		assert.Equal(t, 200, status, "a later renewal works")

		fresh := dial(t, s.WebSocketURL(sandbox.MD))
		fresh.sendRaw("authorize\n0\n\n" + tok.MdAccessToken)
		assert.Equal(t, `a[{"s":401,"i":0,"d":"Expired access token"}]`, fresh.data(), "md tokens expire too")
		status, _ = rest(t, s, sandbox.Demo, "GET", "auth/renewaccesstoken", tok.AccessToken, nil)
		assert.Equal(t, 401, status, "REST cannot renew an expired token")
	})
	t.Run("renewal succeeds", func(t *testing.T) {
		u2, creds2 := otherUser()
		s, _ := start(t, sandbox.WithUsers(sandbox.DefaultUser(), u2))
		tok := login(t, s, s.Credentials())
		tok2 := login(t, s, creds2)
		inj := inject(t, s, sandbox.Fault{Kind: sandbox.FaultExpireTokens, Renew: sandbox.RenewSucceeds})
		assert.Equal(t, 2, inj.Affected, "every user")

		status, _ := rest(t, s, sandbox.Demo, "GET", "account/list", tok2.AccessToken, nil)
		assert.Equal(t, 401, status)
		status, body := rest(t, s, sandbox.Demo, "GET", "auth/renewAccessToken", tok.AccessToken, nil)
		require.Equal(t, 200, status, string(body))
		var renewed wire.AccessTokenResponse
		require.NoError(t, wire.Decode(status, body, &renewed))
		status, _ = rest(t, s, sandbox.Demo, "GET", "account/list", renewed.AccessToken, nil)
		assert.Equal(t, 200, status)
		status, _ = rest(t, s, sandbox.Demo, "GET", "account/list", tok.AccessToken, nil)
		assert.Equal(t, 401, status, "the old token stays expired")
		status, _ = rest(t, s, sandbox.Demo, "GET", "auth/renewAccessToken", tok.AccessToken, nil)
		assert.Equal(t, 401, status, "once")
	})
	t.Run("one socket's session", func(t *testing.T) {
		s, _ := start(t)
		first := login(t, s, s.Credentials())
		second := login(t, s, s.Credentials())
		authed(t, s, sandbox.Demo, first.AccessToken)
		inj := inject(t, s, sandbox.Fault{Kind: sandbox.FaultExpireTokens, Target: sandbox.Target{Conn: serverConn(t, s, sandbox.Demo)}})
		assert.Equal(t, 1, inj.Affected)
		status, _ := rest(t, s, sandbox.Demo, "GET", "auth/me", first.AccessToken, nil)
		assert.Equal(t, 401, status)
		status, _ = rest(t, s, sandbox.Demo, "GET", "auth/me", second.AccessToken, nil)
		assert.Equal(t, 200, status, "the other session keeps its token")
	})
}
