package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// checkStatus values of replay/checkreplaysession.
const (
	CheckStatusOK         = "OK"
	CheckStatusAdjusted   = "StartTimestampAdjusted"
	CheckStatusIneligible = "Ineligible"
)

// MaxReplaySpeed is the highest replay speed, in percent of real time.
const MaxReplaySpeed = 400

// CheckReplaySession is the body of replay/checkreplaysession.
type CheckReplaySession struct {
	StartTimestamp Time `json:"startTimestamp"`
}

// CheckReplaySessionResponse says whether a replay can start at the
// requested time; StartTimestamp is where it can start instead when
// CheckStatus is StartTimestampAdjusted.
type CheckReplaySessionResponse struct {
	CheckStatus    string `json:"checkStatus"`
	StartTimestamp Time   `json:"startTimestamp,omitzero"`
}

// InitializeClock is the body of replay/initializeclock: where the replay
// starts, its speed in percent of real time (0–400) and the replay
// account's starting cash (optional).
type InitializeClock struct {
	StartTimestamp Time     `json:"startTimestamp"`
	Speed          int      `json:"speed"`
	InitialBalance *Decimal `json:"initialBalance,omitempty"`
}

// ChangeSpeed is the body of replay/changespeed.
type ChangeSpeed struct {
	Speed int `json:"speed"`
}

// Clock is the replay clock: the replay time and the current speed (0:
// paused). On the wire a clock event's d is this object encoded as a JSON
// string (fixture F-13); see ParseClock and AppendClock.
type Clock struct {
	T Time `json:"t"`
	S int  `json:"s"`
}

// ParseClock decodes the d of a clock event: a JSON string holding
// {"t":…,"s":…}. A bare object is accepted too.
func ParseClock(d []byte) (Clock, error) {
	d = bytes.TrimSpace(d)
	if len(d) > 0 && d[0] == '"' {
		var s string
		if err := json.Unmarshal(d, &s); err != nil {
			return Clock{}, fmt.Errorf("wire: clock event: %w", err)
		}
		d = []byte(s)
	}
	var c Clock
	if err := json.Unmarshal(d, &c); err != nil {
		return Clock{}, fmt.Errorf("wire: clock event %s: %w", d, err)
	}
	return c, nil
}

// AppendClock appends the d of a clock event: c encoded as JSON, as a
// JSON string.
func AppendClock(b []byte, c Clock) []byte {
	var in [64]byte
	j := append(in[:0], `{"t":"`...)
	j = c.T.UTC().AppendFormat(j, TimeLayout)
	j = append(j, `","s":`...)
	j = strconv.AppendInt(j, int64(c.S), 10)
	j = append(j, '}')
	return appendString(b, string(j))
}
