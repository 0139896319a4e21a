package sandbox_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue/tradovate/sandbox"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// admin calls an admin endpoint and decodes the JSON answer into a map.
func admin(t testing.TB, s *sandbox.Server, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, s.AdminURL()+"/"+path, stringsReader(body))
	require.NoError(t, err)
	resp, err := s.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := readAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"), string(b))
	var out map[string]any
	require.NoError(t, json.Unmarshal(b, &out), string(b))
	return resp.StatusCode, out
}

// fieldsOf returns the fields of an admin error's errors.
func fieldsOf(out map[string]any) []string {
	var fields []string
	errs, _ := out["errors"].([]any)
	for _, e := range errs {
		fields = append(fields, e.(map[string]any)["field"].(string))
	}
	return fields
}

func TestAdminFaults(t *testing.T) {
	s, _ := start(t)
	tok := login(t, s, s.Credentials())
	c := authed(t, s, sandbox.Demo, tok.AccessToken)

	// The sockets and their ids.
	status, out := admin(t, s, "GET", "conns", "")
	require.Equal(t, 200, status)
	conns := out["conns"].([]any)
	require.Len(t, conns, 1)
	conn := conns[0].(map[string]any)
	assert.Equal(t, "demo", conn["service"])
	assert.Equal(t, "keeltest", conn["user"])
	connID := int64(conn["id"].(float64))
	assert.Equal(t, serverConn(t, s, sandbox.Demo).ID(), connID)

	// A lasting fault: listed, fetched, cleared.
	status, out = admin(t, s, "POST", "faults", fmt.Sprintf(`{"fault":"delay","kinds":["props","Responses"],"delay":"100ms","count":3,"for":"1m","target":{"service":"demo","conn":%d}}`, connID))
	require.Equal(t, 200, status, out)
	id := int64(out["id"].(float64))
	active := out["active"].(map[string]any)
	assert.Equal(t, "100ms", active["delay"])
	assert.Equal(t, []any{"props", "responses"}, active["kinds"])
	assert.Equal(t, float64(3), active["left"])
	assert.NotEmpty(t, active["expiresAt"])
	assert.Equal(t, map[string]any{"service": "demo", "conn": float64(connID)}, active["target"])

	status, out = admin(t, s, "POST", "faults", `{"fault":"reject","sync":true,"rejectReason":"NoQuote"}`)
	require.Equal(t, 200, status, out)
	status, out = admin(t, s, "GET", "faults", "")
	require.Equal(t, 200, status)
	list := out["faults"].([]any)
	require.Len(t, list, 2)
	assert.Equal(t, float64(id), list[0].(map[string]any)["id"])
	assert.Equal(t, "reject", list[1].(map[string]any)["fault"])
	assert.Equal(t, "Rejected by the sandbox (fault injection)", list[1].(map[string]any)["text"], "defaults are listed")

	status, out = admin(t, s, "GET", fmt.Sprintf("faults/%d", id), "")
	require.Equal(t, 200, status)
	assert.Equal(t, "delay", out["fault"])
	status, _ = admin(t, s, "DELETE", fmt.Sprintf("faults/%d", id), "")
	assert.Equal(t, 200, status)
	status, out = admin(t, s, "DELETE", fmt.Sprintf("faults/%d", id), "")
	assert.Equal(t, 404, status)
	assert.Contains(t, out["errorText"], "no active fault")
	status, out = admin(t, s, "DELETE", "faults", "")
	assert.Equal(t, 200, status)
	assert.Equal(t, float64(1), out["cleared"])
	assert.Empty(t, s.Faults())

	// An action: the socket closes as asked.
	r := collect(t, c)
	status, out = admin(t, s, "POST", "faults", fmt.Sprintf(`{"fault":"close","code":4003,"reason":"admin","target":{"conn":%d}}`, connID))
	require.Equal(t, 200, status, out)
	assert.Equal(t, float64(1), out["affected"])
	frames, ce := r.closed()
	assert.Equal(t, []string{`c[4003,"admin"]`}, frames)
	assert.Equal(t, 4003, ce.Code)
	status, out = admin(t, s, "POST", "faults", `{"fault":"drop","target":{"service":"live"}}`)
	require.Equal(t, 200, status)
	assert.Equal(t, float64(0), out["affected"], "nothing to drop")

	// Tokens over HTTP.
	status, _ = admin(t, s, "POST", "faults", `{"fault":"expire-tokens","target":{"user":"keeltest"},"renew":"succeed"}`)
	require.Equal(t, 200, status)
	status, _ = rest(t, s, sandbox.Demo, "GET", "auth/me", tok.AccessToken, nil)
	assert.Equal(t, 401, status)
}

func TestAdminFaultErrors(t *testing.T) {
	s, _ := start(t)
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		fields                   []string
		text                     string
	}{
		{"empty body", "POST", "faults", "", 400, nil, "POST a JSON fault"},
		{"not JSON", "POST", "faults", "fault: drop", 400, nil, "want a JSON object"},
		{"array", "POST", "faults", `[{"fault":"drop"}]`, 400, nil, "want a JSON object"},
		{"unknown key", "POST", "faults", `{"fault":"delay","dealy":"1s"}`, 400, []string{"dealy"}, "unknown key"},
		{"unknown target key", "POST", "faults", `{"fault":"drop","target":{"svc":"demo"}}`, 400, []string{"target.svc"}, ""},
		{"target not an object", "POST", "faults", `{"fault":"drop","target":"demo"}`, 400, []string{"target"}, ""},
		{"unknown fault", "POST", "faults", `{"fault":"explode"}`, 400, []string{"fault"}, "unknown fault"},
		{"missing fault", "POST", "faults", `{"target":{"service":"demo"}}`, 400, []string{"fault"}, "missing"},
		{"negative duration", "POST", "faults", `{"fault":"delay","delay":"-1s"}`, 400, []string{"delay"}, "negative"},
		{"bad duration", "POST", "faults", `{"fault":"stop-heartbeats","for":"soon"}`, 400, []string{"for"}, "not a duration"},
		{"number duration", "POST", "faults", `{"fault":"delay","delay":100}`, 400, []string{"delay"}, "wrong type"},
		{"wrong type", "POST", "faults", `{"fault":"delay","delay":"1s","count":"x"}`, 400, []string{"count"}, ""},
		{"bad service", "POST", "faults", `{"fault":"drop","target":{"service":"prod"}}`, 400, []string{"target.service"}, ""},
		{"unknown user", "POST", "faults", `{"fault":"drop","target":{"user":"ghost"}}`, 400, []string{"target.user"}, "unknown user"},
		{"closed conn", "POST", "faults", `{"fault":"drop","target":{"conn":77}}`, 400, []string{"target.conn"}, ""},
		{"foreign parameter", "POST", "faults", `{"fault":"drop","chunk":1}`, 400, []string{"chunk"}, "not a parameter of drop"},
		{"several", "POST", "faults", `{"fault":"reject","probability":2,"rejectReason":"Because"}`, 400, []string{"probability", "rejectReason"}, "2 problems"},
		{"bad method", "PUT", "faults", `{}`, 405, nil, "use GET, POST, DELETE"},
		{"bad id", "DELETE", "faults/abc", "", 404, nil, "positive integers"},
		{"unknown id", "GET", "faults/9", "", 404, nil, "no active fault"},
		{"conns method", "POST", "conns", "", 405, nil, ""},
		{"bad scenario", "POST", "scenario", "steps: [{at: -1s, fault: nope}]", 400, []string{"steps[0].at", "steps[0].fault"}, "2 problems"},
		{"scenario not YAML", "POST", "scenario", "steps: [", 400, nil, "Bad scenario"},
		{"scenario unknown user", "POST", "scenario", "steps: [{fault: drop, target: {user: ghost}}]", 400, []string{"steps[0].target.user"}, ""},
		{"unknown scenario", "DELETE", "scenario/5", "", 404, nil, "no scenario 5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, out := admin(t, s, tc.method, tc.path, tc.body)
			assert.Equal(t, tc.status, status, out)
			assert.Contains(t, out["errorText"], tc.text)
			assert.Equal(t, tc.fields, fieldsOf(out), out)
		})
	}
	assert.Empty(t, s.Faults())
	status, _ := adminPost(t, s, "nothing", "")
	assert.Equal(t, 404, status, "other admin paths are untouched")
}

func TestAdminScenario(t *testing.T) {
	s, _ := start(t)
	status, out := admin(t, s, "POST", "scenario", `
name: admin-loop
loop: true
period: 20ms
steps:
  - at: 0s
    fault: stop-heartbeats
    for: 10ms
`)
	require.Equal(t, 200, status, out)
	id := int64(out["id"].(float64))
	assert.Equal(t, "admin-loop", out["name"])
	assert.Equal(t, float64(1), out["steps"])

	require.Eventually(t, func() bool {
		_, out := admin(t, s, "GET", "scenario", "")
		list := out["scenarios"].([]any)
		return len(list) == 1 && list[0].(map[string]any)["fired"].(float64) >= 2
	}, 2*time.Second, 5*time.Millisecond)
	status, out = admin(t, s, "GET", fmt.Sprintf("scenario/%d", id), "")
	require.Equal(t, 200, status)
	assert.Equal(t, "admin-loop", out["name"])

	status, out = admin(t, s, "DELETE", "scenario", "")
	require.Equal(t, 200, status)
	assert.Equal(t, float64(1), out["stopped"])
	assert.Empty(t, s.ScenarioRunners())
	assert.Empty(t, s.Faults())

	// One by id, in JSON (YAML's subset).
	status, out = admin(t, s, "POST", "scenario", `{"loop":true,"period":"1h","steps":[{"at":"1m","fault":"drop"}]}`)
	require.Equal(t, 200, status, out)
	status, _ = admin(t, s, "DELETE", fmt.Sprintf("scenario/%v", out["id"]), "")
	assert.Equal(t, 200, status)
	assert.Empty(t, s.ScenarioRunners())
}

// An order rejected by a fault posted over HTTP, observed by a socket.
func TestAdminRejectObserved(t *testing.T) {
	s, _ := start(t)
	c, acct, _ := synced(t, s, nil)
	status, out := admin(t, s, "POST", "faults", `{"fault":"reject","commandStatus":"ExecutionRejected","rejectReason":"NotEnoughLiquidity","text":"thin market","target":{"service":"demo","user":"keeltest"}}`)
	require.Equal(t, 200, status, out)
	c.call("order/placeorder", "", marketOrder(acct.ID))
	_, evs := rejectFrames(t, c)
	rep := entity[wire.CommandReport](t, evs[0])
	assert.Equal(t, "ExecutionRejected", rep.CommandStatus)
	assert.Equal(t, "NotEnoughLiquidity", rep.RejectReason)
	assert.Equal(t, "thin market", rep.Text)
}
