package tradovate

import (
	"errors"
	"fmt"
	"strings"

	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// Every failure a user can hit is one of these types (or wraps a wire
// error: *wire.StatusError, *wire.FailureError, *wire.PenaltyError,
// *wire.APIError, *wire.ViolationError), and its message lists the probable
// causes in order with what to do.

// AuthError is a failed token request or renewal.
type AuthError struct {
	Op     string
	Err    error
	Advice string
}

func (e *AuthError) Error() string {
	if e.Advice == "" {
		return fmt.Sprintf("tradovate: %s: %v", e.Op, e.Err)
	}
	return fmt.Sprintf("tradovate: %s: %v — %s", e.Op, e.Err, e.Advice)
}

func (e *AuthError) Unwrap() error { return e.Err }

// NetError is a request that did not reach Tradovate or got no answer.
type NetError struct {
	Op  string
	Err error
}

func (e *NetError) Error() string {
	return fmt.Sprintf("tradovate: %s: %v (network: check the URL, DNS and connectivity)", e.Op, e.Err)
}

func (e *NetError) Unwrap() error { return e.Err }

// RateLimitError is HTTP 429 (or s:429 on a socket): Tradovate's request
// limits were hit. Back off; retrying at once extends the lockout.
type RateLimitError struct{ Op string }

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("tradovate: %s: 429 too many requests — slow down: keel's order_rate keeps under the published limits, so another client on this user or IP may be busy; a lockout lasts up to an hour", e.Op)
}

// RejectError is an order Tradovate refused: failureReason/failureText on
// the place result, or a commandReport's rejectReason later.
type RejectError struct {
	ClientID string
	Reason   string // Tradovate's RejectReason, e.g. "SessionClosed"
	Text     string
}

func (e *RejectError) Error() string {
	msg := fmt.Sprintf("tradovate: order %s rejected: %s: %s", e.ClientID, e.Reason, e.Text)
	if hint := rejectHint(e.Reason, e.Text); hint != "" {
		msg += " — " + hint
	}
	return msg
}

// AccessDeniedError is a 401 (or "Access is denied") on a call that needs
// more than a valid token: on live, almost always an unapproved device.
type AccessDeniedError struct {
	Op       string
	Env      Env
	DeviceID string
	Err      error
}

func (e *AccessDeniedError) Error() string {
	return fmt.Sprintf("tradovate: %s: access denied (%v). Probable causes, in order:\n%s", e.Op, e.Err, strings.Join(AccessDeniedCauses(e.Env, e.DeviceID), "\n"))
}

func (e *AccessDeniedError) Unwrap() error { return e.Err }

// AccessDeniedCauses lists why Tradovate answers "Access is denied", most
// likely first (reference §2.8), each with what to do.
func AccessDeniedCauses(env Env, deviceID string) []string {
	var c []string
	if env == Live {
		c = append(c, fmt.Sprintf("  1. this machine's device id %s is not approved for live trading: Tradovate sent an approval e-mail when it was first used — approve it (or log in once in the Trader app from this machine), and keep the id stable (keel keeps it in its device-id file; set TRADOVATE_DEVICE_ID to reuse an approved one)", deviceID))
	} else {
		c = append(c, fmt.Sprintf("  1. (live only) an unapproved device id; this machine's is %s", deviceID))
	}
	return append(c,
		"  2. the API key lacks the permission: in Trader → Application Settings → API Access, give the key the Orders (and Positions, Account) permissions it needs — each defaults to no access",
		"  3. outdated terms and conditions or liquidation policy: log in to the Trader app and accept them (runner doctor shows outdatedTaC)",
		"  4. the wrong account: orders need accountId and accountSpec from account/list of this environment, never the user id",
		"  5. the symbol is not tradable here: check the contract name (e.g. MESZ6, not a contract id) and that it is not expired",
		"  6. live API access needs a funded live account and an API Access subscription",
	)
}

func rejectHint(reason, text string) string {
	switch reason {
	case wire.RejectSessionClosed:
		return "the market is closed; keel's calendar says when it opens (runner calendar)"
	case "InvalidContract":
		return "the symbol is unknown or expired; use the contract name (runner doctor finds the front month)"
	case "InvalidPrice":
		return "a price is off the tick grid or on the wrong side of the market"
	case "MaxPosLimitReached", "MaxTotalPosLimitReached", "MaxOrderQtyLimitReached":
		return "Tradovate's own risk limits for the account refused it (set in Trader → risk settings)"
	case "TradingLocked", "LiquidationOnly", "LiquidationOnlyBeforeExpiration":
		return "the account is locked or liquidation-only (auto-liquidation, or near expiry): only closing orders pass"
	case "UnknownReason":
		if strings.Contains(strings.ToLower(text), "access is denied") {
			return "usually a symbol that does not exist or an accountId holding a user id; on live, an unapproved device id"
		}
	}
	return ""
}

// authAdvice explains a failed token request.
func authAdvice(err error) string {
	var api *wire.APIError
	var st *wire.StatusError
	var rl *RateLimitError
	var ne *NetError
	switch {
	case errors.As(err, &api):
		t := strings.ToLower(api.Text)
		switch {
		// The API key first: "Incorrect API key: cid and sec…" also says
		// "incorrect".
		case strings.Contains(t, "api key") || strings.Contains(t, "cid") || strings.Contains(t, " sec"):
			return "check TRADOVATE_CID (the API key's numeric client id) and TRADOVATE_SEC"
		case strings.Contains(t, "password") || strings.Contains(t, "incorrect"):
			return "check TRADOVATE_NAME and TRADOVATE_PASSWORD (case-sensitive); three failures lock the API user for an hour, so do not retry blindly"
		}
		return "Tradovate refused the login; check every TRADOVATE_* credential"
	case errors.As(err, &st) && st.Status == 401:
		return "credentials refused: check TRADOVATE_NAME, TRADOVATE_PASSWORD, TRADOVATE_CID and TRADOVATE_SEC"
	case errors.As(err, &rl):
		return "wait before logging in again"
	case errors.As(err, &ne):
		return "Tradovate was not reached"
	}
	return ""
}
