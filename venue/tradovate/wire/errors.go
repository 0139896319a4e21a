package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// StatusError is a non-2xx HTTP or websocket status. Text is the body's
// error text ("Access is denied", "Not found: md/getChart"); a 429 usually
// has none.
type StatusError struct {
	Status int
	Text   string
}

func (e *StatusError) Error() string {
	switch {
	case e.Text != "":
		return fmt.Sprintf("tradovate: status %d: %s", e.Status, e.Text)
	case e.Status == 429:
		return "tradovate: status 429: too many requests; slow down (Tradovate locks the user out for an hour if it continues)"
	}
	return fmt.Sprintf("tradovate: status %d", e.Status)
}

// AccessDenied reports whether the status is 401, the answer to an
// expired or evicted token, an unapproved device on live, or an API key
// without permission for the operation.
func (e *StatusError) AccessDenied() bool { return e.Status == 401 }

// APIError is a 2xx body with a non-empty errorText (or "ok": false).
type APIError struct {
	Text string
}

func (e *APIError) Error() string { return "tradovate: " + e.Text }

// FailureError is a 2xx order-operation result with failureReason /
// failureText, e.g. {"failureReason":"UnknownReason","failureText":"Access is denied"}.
// Reason is a RejectReason value.
type FailureError struct {
	Reason string
	Text   string
}

func (e *FailureError) Error() string {
	switch {
	case e.Text == "":
		return "tradovate: request failed: " + e.Reason
	case e.Reason == "":
		return "tradovate: request failed: " + e.Text
	}
	return fmt.Sprintf("tradovate: request failed: %s: %s", e.Reason, e.Text)
}

// PenaltyError is a 2xx body carrying a time penalty instead of a result:
// the request was not executed. Resend the same request with Ticket in its
// "p-ticket" field after Wait. With Captcha set, a third-party application
// cannot complete the operation: stop and retry in about an hour.
type PenaltyError struct {
	Ticket  string
	Wait    time.Duration
	Captcha bool
}

func (e *PenaltyError) Error() string {
	if e.Captcha {
		return "tradovate: time penalty with captcha: stop and try again in an hour (usually after repeated failed logins)"
	}
	return fmt.Sprintf("tradovate: time penalty: resend the request with its p-ticket after %s", e.Wait)
}

// ViolationError is a 2xx body listing constraint violations. It encodes
// as that body, {"violations":[...]}.
type ViolationError struct {
	Violations []Violation `json:"violations"`
}

// Violation is one broken constraint, e.g.
// {"constraint":"firstName","value":"","description":"First Name should be specified"}.
type Violation struct {
	Constraint  string `json:"constraint"`
	Value       any    `json:"value,omitempty"`
	Description string `json:"description"`
}

func (e *ViolationError) Error() string {
	parts := make([]string, 0, len(e.Violations))
	for _, v := range e.Violations {
		if v.Description != "" {
			parts = append(parts, fmt.Sprintf("%s: %s", v.Constraint, v.Description))
		} else {
			parts = append(parts, v.Constraint)
		}
	}
	return "tradovate: invalid request: " + strings.Join(parts, "; ")
}

// failureProbe is the union of every failure shape.
type failureProbe struct {
	ErrorText     *string         `json:"errorText"`
	OK            *bool           `json:"ok"`
	FailureReason string          `json:"failureReason"`
	FailureText   string          `json:"failureText"`
	PTicket       *string         `json:"p-ticket"`
	PTime         json.Number     `json:"p-time"`
	PCaptcha      bool            `json:"p-captcha"`
	Violations    json.RawMessage `json:"violations"`
}

// Check inspects a 2xx body and returns the typed error for Tradovate's
// "HTTP 200 but failed" shapes: *PenaltyError (p-ticket), *ViolationError
// (non-empty violations), *FailureError (failureReason other than
// "Success", or failureText alone), *APIError (non-empty errorText, or ok
// false). Bodies that are not JSON objects, and objects with none of those
// fields, are successes: Check returns nil. It does not allocate for
// successful bodies.
func Check(body []byte) error {
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return nil
	}
	suspect := false
	_ = EachField(body, func(k, v []byte) error {
		switch string(k) {
		case "errorText", "failureReason", "failureText", "p-ticket", "violations":
			suspect = true
		case "ok":
			if string(v) == "false" {
				suspect = true
			}
		}
		return nil
	})
	if !suspect {
		return nil
	}
	var p failureProbe
	if err := json.Unmarshal(body, &p); err != nil {
		return fmt.Errorf("wire: decode failure body: %w", err)
	}
	if p.PTicket != nil {
		e := &PenaltyError{Ticket: *p.PTicket, Captcha: p.PCaptcha}
		if p.PTime != "" {
			if secs, err := p.PTime.Float64(); err == nil && secs > 0 {
				e.Wait = time.Duration(secs * float64(time.Second))
			}
		}
		return e
	}
	if v := bytes.TrimSpace(p.Violations); len(v) > 0 && string(v) != "null" && string(v) != "[]" {
		e := &ViolationError{}
		if err := json.Unmarshal(v, &e.Violations); err != nil {
			return fmt.Errorf("wire: decode violations: %w", err)
		}
		return e
	}
	if (p.FailureReason != "" && p.FailureReason != RejectSuccess) || (p.FailureReason == "" && p.FailureText != "") {
		return &FailureError{Reason: p.FailureReason, Text: p.FailureText}
	}
	if p.ErrorText != nil && *p.ErrorText != "" {
		return &APIError{Text: *p.ErrorText}
	}
	if p.OK != nil && !*p.OK {
		return &APIError{Text: "operation failed (ok: false)"}
	}
	return nil
}

// Decode is the one decoder for every Tradovate result, REST or
// websocket: status is the HTTP status or the response's "s", body the
// HTTP body or "d". A non-2xx status is a *StatusError (text from the body);
// a 2xx body is checked with Check and, if it is a success, unmarshalled
// into v (unless v is nil).
func Decode(status int, body []byte, v any) error {
	if status < 200 || status > 299 {
		return &StatusError{Status: status, Text: errorText(bytes.TrimSpace(body))}
	}
	if err := Check(body); err != nil {
		return err
	}
	if v == nil {
		return nil
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return errNoData
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("wire: decode %T: %w", v, err)
	}
	return nil
}
