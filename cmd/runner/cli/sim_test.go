package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSimCommand starts the sandbox as the CLI does, reads the JSON line,
// logs in over REST with the printed credentials, and stops it with the
// context (as Ctrl-C does).
func TestSimCommand(t *testing.T) {
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var errOut strings.Builder
	go func() {
		done <- run(ctx, []string{"sim", "-json"}, pw, &errOut)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	require.NoError(t, err)
	var info simInfo
	require.NoError(t, json.Unmarshal([]byte(line), &info), line)
	for _, svc := range []string{"demo", "live", "md", "replay"} {
		assert.True(t, strings.HasPrefix(info.REST[svc], "http://127.0.0.1:"), info.REST[svc])
		assert.Equal(t, "ws"+strings.TrimPrefix(info.REST[svc], "http")+"/websocket", info.WebSocket[svc])
	}
	body, _ := json.Marshal(map[string]any{
		"name": info.Credentials.Name, "password": info.Credentials.Password, "appId": info.Credentials.AppID,
		"appVersion": info.Credentials.AppVersion, "cid": info.Credentials.CID, "sec": info.Credentials.Sec, "deviceId": info.Credentials.DeviceID,
	})
	resp, err := http.Post(info.REST["demo"]+"/auth/accesstokenrequest", "application/json", strings.NewReader(string(body)))
	require.NoError(t, err)
	var tok struct {
		AccessToken string `json:"accessToken"`
		ErrorText   string `json:"errorText"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	resp.Body.Close()
	assert.Empty(t, tok.ErrorText)
	assert.NotEmpty(t, tok.AccessToken)

	cancel()
	select {
	case code := <-done:
		assert.Equal(t, 0, code, errOut.String())
	case <-time.After(10 * time.Second):
		t.Fatal("runner sim did not stop")
	}
}

func TestSimRefusesNonLoopback(t *testing.T) {
	code, _, errOut := runCLI("sim", "-host", "0.0.0.0")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "loopback")
	code, _, errOut = runCLI("sim", "-port", "70000")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "-port")
}

func TestSimFlagErrors(t *testing.T) {
	code, _, errOut := runCLI("sim", "-data", "x.csv", "-synthetic", "ESZ6")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "not both")
	code, _, errOut = runCLI("sim", "-data", "/nonexistent/x.csv")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "x.csv")
	code, _, errOut = runCLI("sim", "-synthetic", "QQZ6")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "QQZ6")
	code, _, errOut = runCLI("sim", "-speed", "-1")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "-speed")
}
