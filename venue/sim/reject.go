package sim

import (
	"errors"
	"strings"

	"github.com/keeltrade/keel/venue"
)

// Reasons, spelled as Tradovate's RejectReason (failureReason) enum spells
// them, so events from the simulator and from the real venue compare equal.
const (
	reasonUnknown         = "UnknownReason"         // unknown symbol (text "Access is denied"), unknown order, bad request
	reasonInvalidPrice    = "InvalidPrice"          // a price off the tick grid, missing or not allowed for the type
	reasonInvalidContract = "InvalidContract"       // the symbol and the contract id disagree
	reasonSessionClosed   = "SessionClosed"         // Config.SessionCheck refused the order
	reasonTooLate         = "TooLate"               // cancel or modify of an order that is already done
	reasonPending         = "AnotherCommandPending" // a cancel or modify is still on its way
	reasonUnsupported     = "Unsupported"           // a request the simulator (or Tradovate) does not do

	// textUnknownSymbol is what Tradovate answers for a symbol it does not
	// have: {"failureReason":"UnknownReason","failureText":"Access is denied"}.
	textUnknownSymbol = "Access is denied"
)

// intentReason maps a validation failure to the reject reason the venue
// would give.
func intentReason(err error) string {
	var ie *venue.IntentError
	if !errors.As(err, &ie) {
		return reasonUnknown
	}
	f := ie.Field
	switch {
	case f == "symbol":
		return reasonInvalidContract
	case strings.HasSuffix(f, "limit"), strings.HasSuffix(f, "stop"):
		return reasonInvalidPrice
	case strings.HasSuffix(f, "type"), f == "tif":
		return reasonUnsupported
	}
	return reasonUnknown
}
