// Package wire is Tradovate's wire format, shared by keel's Tradovate adapter
// and by the local sandbox server: the websocket frames the server sends
// ("o", "h", "a[...]", "c[code,\"reason\"]"), the four-line request text a
// client sends ("<endpoint>\n<id>\n<query>\n<body>"), the {s,i,d} responses
// and {e,d} events inside "a" frames, the REST/websocket entity and
// operation bodies with their JSON field names exactly as Tradovate spells
// them, and the one decoder that turns Tradovate's "HTTP 200 but failed"
// bodies into typed errors.
//
// # Exactness
//
// Prices on the wire are JSON numbers. Entity fields that hold a price are
// venue.Price, decoded from the number's text (never through float64);
// averages and money (avgPx, netPrice, amount, boughtValue…) are Decimal, a
// shopspring decimal that reads and writes JSON numbers, because a server's
// average may carry more digits than a Price holds. Timestamps are Time,
// which reads every form Tradovate sends ("2021-06-15T15:40:30.056Z",
// "2017-12-15T22:29Z") and writes milliseconds in UTC.
//
// # Leniency
//
// ParseRequest accepts what official and community clients actually send:
// endpoints in any case (Request.Key is the lower-case form to match on),
// "", "undefined" and "null" for an absent query or body, CRLF line ends and
// missing trailing lines. The request id must be an integer.
//
// # Errors
//
// Check and Decode are the single place where a body becomes a result or an
// error: non-2xx statuses give *StatusError; a 2xx body carrying errorText
// (or ok:false) gives *APIError, failureReason/failureText *FailureError,
// p-ticket/p-time/p-captcha *PenaltyError and violations *ViolationError.
//
// Nothing in this package does I/O.
package wire
