package cli

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCalendarCommand(t *testing.T) {
	code, out, errOut := runCLI("calendar", "-symbol", "ESZ6", "-at", "2026-11-26T12:00:00-06:00")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "Thanksgiving")

	code, out, errOut = runCLI("calendar", "-symbol", "ESZ6", "-at", "2026-11-24T15:59:59-06:00", "-json")
	require.Equal(t, 0, code, errOut)
	var rep struct {
		Open      bool   `json:"open"`
		TradeDate string `json:"trade_date"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.True(t, rep.Open)
	assert.Equal(t, "2026-11-24", rep.TradeDate)

	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"calendar"}, 2, "-symbol is required"},
		{[]string{"calendar", "-symbol", "ESZ6", "-at", "2026-11-24T15:59:59"}, 2, "has no zone"},
		{[]string{"calendar", "-symbol", "ESZ6", "-at", "tomorrow"}, 2, "want RFC 3339"},
		{[]string{"calendar", "-symbol", "MESZ", "-at", "2026-11-24T15:59:59Z"}, 1, `"MESZ"`},
		{[]string{"calendar", "-symbol", "ES2024", "-at", "2026-11-24T15:59:59Z"}, 1, `"ES2024"`},
		{[]string{"calendar", "-symbol", "ESZ6", "-at", "2031-01-06T15:00:00Z"}, 1, "calendar"},
	} {
		code, _, errOut := runCLI(tt.args...)
		assert.Equal(t, tt.code, code, "%v: %s", tt.args, errOut)
		assert.Contains(t, errOut, tt.want, tt.args)
	}
}
