package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// FieldError is one invalid field of a fault or a scenario, named as JSON
// and YAML spell it ("steps[2].target.service").
type FieldError struct {
	Field  string
	Value  string // the offending value, strings quoted; "" when missing
	Reason string
}

// Error returns "sandbox: <field>: <value>: <reason>".
func (e *FieldError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("sandbox: %s: %s", e.Field, e.Reason)
	}
	return fmt.Sprintf("sandbox: %s: %s: %s", e.Field, e.Value, e.Reason)
}

// FieldErrors returns every *FieldError in err (a joined error or one).
func FieldErrors(err error) []*FieldError {
	var out []*FieldError
	var walk func(error)
	walk = func(e error) {
		if fe, ok := e.(*FieldError); ok {
			out = append(out, fe)
			return
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			if x := u.Unwrap(); x != nil {
				walk(x)
			}
		}
	}
	if err != nil {
		walk(err)
	}
	return out
}

func joinErrors(errs []error) error { return errors.Join(errs...) }

func quote(s string) string { return strconv.Quote(s) }

// rejectReasons is Tradovate's RejectReason enum (reference §5.5).
var rejectReasons = []string{
	"AccountClosed", "AdvancedTrailingStopUnsupported", "AnotherCommandPending", "BackMonthProhibited",
	"ExecutionProviderNotConfigured", "ExecutionProviderUnavailable", "InvalidContract", "InvalidPrice",
	"LiquidationOnly", "LiquidationOnlyBeforeExpiration", "MaxOrderQtyIsNotSpecified", "MaxOrderQtyLimitReached",
	"MaxPosLimitMisconfigured", "MaxPosLimitReached", "MaxTotalPosLimitReached", "MultipleAccountPlanRequired",
	"NoQuote", "NotEnoughLiquidity", "OtherExecutionRelated", "ParentRejected", "RiskCheckTimeout", "SessionClosed",
	"Success", "TooLate", "TradingLocked", "TrailingStopNonOrderQtyModify", "Unauthorized", "UnknownReason", "Unsupported",
}

var shutdownCodes = []string{wire.ShutdownMaintenance, wire.ShutdownConnectionQuotaReached, wire.ShutdownIPQuotaReached}

// faultFields are the parameters each kind takes, as JSON names; every
// kind takes target.
var faultFields = map[FaultKind][]string{
	FaultDrop:           {},
	FaultShutdown:       {"reasonCode", "reason"},
	FaultClose:          {"code", "reason"},
	FaultStopHeartbeats: {"for"},
	FaultDelay:          {"for", "kinds", "delay", "count", "probability", "seed"},
	FaultDropMessages:   {"for", "kinds", "count", "probability", "seed"},
	FaultDuplicate:      {"for", "kinds", "count", "probability", "seed"},
	FaultReorder:        {"for", "kinds", "window", "count", "probability", "seed"},
	FaultReject:         {"for", "count", "probability", "seed", "sync", "commandStatus", "rejectReason", "text"},
	FaultPartialFill:    {"for", "count", "probability", "seed", "chunk"},
	FaultExpireTokens:   {"renew"},
}

// setFields returns the JSON names of f's non-zero parameters with their values.
func (f *Fault) setFields() []struct{ name, value string } {
	var out []struct{ name, value string }
	add := func(set bool, name, value string) {
		if set {
			out = append(out, struct{ name, value string }{name, value})
		}
	}
	add(f.For != 0, "for", f.For.String())
	add(len(f.Kinds) > 0, "kinds", fmt.Sprint(f.Kinds))
	add(f.Delay != 0, "delay", f.Delay.String())
	add(f.Window != 0, "window", f.Window.String())
	add(f.Count != 0, "count", strconv.Itoa(f.Count))
	add(f.Probability != 0, "probability", strconv.FormatFloat(f.Probability, 'g', -1, 64))
	add(f.Seed != 0, "seed", strconv.FormatUint(f.Seed, 10))
	add(f.ReasonCode != "", "reasonCode", quote(f.ReasonCode))
	add(f.Reason != "", "reason", quote(f.Reason))
	add(f.Code != 0, "code", strconv.Itoa(f.Code))
	add(f.Sync, "sync", "true")
	add(f.CommandStatus != "", "commandStatus", quote(f.CommandStatus))
	add(f.RejectReason != "", "rejectReason", quote(f.RejectReason))
	add(f.Text != "", "text", quote(f.Text))
	add(f.Chunk != 0, "chunk", strconv.FormatInt(f.Chunk, 10))
	add(f.Renew != "", "renew", quote(string(f.Renew)))
	return out
}

// Validate checks a fault on its own (Inject also checks the target
// against the server): a known kind, only the parameters that kind takes,
// no negative durations or counts, known enum values. Every problem is a
// *FieldError; they come joined.
func (f Fault) Validate() error { return joinErrors(f.validate("")) }

func (f *Fault) validate(prefix string) []error {
	var errs []error
	bad := func(field, value, reason string) {
		errs = append(errs, &FieldError{Field: prefix + field, Value: value, Reason: reason})
	}
	allowed, ok := faultFields[f.Kind]
	if !ok {
		names := make([]string, 0, len(faultFields))
		for _, k := range FaultKinds() {
			names = append(names, string(k))
		}
		if f.Kind == "" {
			bad("fault", "", "missing; want one of "+strings.Join(names, ", "))
		} else {
			bad("fault", quote(string(f.Kind)), "unknown fault; want one of "+strings.Join(names, ", "))
		}
		return errs
	}
	for _, p := range f.setFields() {
		if !slices.Contains(allowed, p.name) {
			bad(p.name, p.value, fmt.Sprintf("not a parameter of %s (it takes %s)", f.Kind, paramList(allowed)))
		}
	}
	errs = append(errs, f.Target.validate(f.Kind, prefix+"target")...)
	for _, d := range []struct {
		name string
		d    time.Duration
	}{{"for", f.For}, {"delay", f.Delay}, {"window", f.Window}} {
		checkDuration(prefix+d.name, d.d, &errs)
	}
	if f.Kind == FaultDelay && f.Delay == 0 {
		bad("delay", "", "missing; how late to send each message, e.g. 250ms")
	}
	if f.Count < 0 {
		bad("count", strconv.Itoa(f.Count), "must not be negative (0 means no limit)")
	}
	if p := f.Probability; p < 0 || p > 1 || math.IsNaN(p) {
		bad("probability", strconv.FormatFloat(p, 'g', -1, 64), "must be within (0, 1]; 0 means 1")
	}
	for i, k := range f.Kinds {
		if kindBit(k) == 0 {
			bad(fmt.Sprintf("kinds[%d]", i), quote(string(k)), "unknown message kind; want responses, props, md, chart or clock")
		}
	}
	if f.ReasonCode != "" && !slices.Contains(shutdownCodes, f.ReasonCode) {
		bad("reasonCode", quote(f.ReasonCode), "want Maintenance, ConnectionQuotaReached or IPQuotaReached")
	}
	if f.Code != 0 && (f.Code < 1000 || f.Code > 4999) {
		bad("code", strconv.Itoa(f.Code), "want a close code from 1000 to 4999 (Tradovate uses 3000)")
	}
	if len(f.Reason) > maxCloseReasonSize {
		bad("reason", quote(f.Reason[:20]+"…"), fmt.Sprintf("longer than %d bytes", maxCloseReasonSize))
	}
	switch {
	case f.Sync && f.CommandStatus != "":
		bad("commandStatus", quote(f.CommandStatus), "a sync rejection has no commandReport; drop commandStatus or sync")
	case f.CommandStatus != "" && f.CommandStatus != wire.CommandStatusRiskRejected && f.CommandStatus != wire.CommandStatusExecutionRejected:
		bad("commandStatus", quote(f.CommandStatus), "want RiskRejected or ExecutionRejected")
	}
	if f.RejectReason != "" && !slices.Contains(rejectReasons, f.RejectReason) {
		bad("rejectReason", quote(f.RejectReason), "not a Tradovate RejectReason (e.g. NoQuote, MaxPosLimitReached, TradingLocked, UnknownReason)")
	}
	if f.Kind == FaultPartialFill && f.Chunk <= 0 {
		if f.Chunk == 0 {
			bad("chunk", "", "missing; the fill size in contracts, at least 1")
		} else {
			bad("chunk", strconv.FormatInt(f.Chunk, 10), "must be at least 1")
		}
	}
	if f.Renew != "" && f.Renew != RenewFails && f.Renew != RenewSucceeds {
		bad("renew", quote(string(f.Renew)), "want fail or succeed")
	}
	return errs
}

func paramList(names []string) string {
	if len(names) == 0 {
		return "only target"
	}
	return "target, " + strings.Join(names, ", ")
}

func (t *Target) validate(kind FaultKind, field string) []error {
	var errs []error
	bad := func(sub, value, reason string) {
		errs = append(errs, &FieldError{Field: field + "." + sub, Value: value, Reason: reason})
	}
	if t.Service != "" && !validService(t.Service) {
		bad("service", quote(string(t.Service)), "want demo, live, md or replay")
	} else if t.Service != "" {
		switch {
		case kind == FaultExpireTokens:
			bad("service", quote(string(t.Service)), "tokens authorize every service; target a user, a conn or all")
		case (kind == FaultReject || kind == FaultPartialFill) && t.Service == MD:
			bad("service", quote(string(t.Service)), "md takes no orders; want demo, live or replay")
		}
	}
	if t.ConnID < 0 {
		bad("conn", strconv.FormatInt(t.ConnID, 10), "a socket id is positive (GET /admin/conns)")
	}
	if t.Conn != nil && t.ConnID != 0 {
		bad("conn", strconv.FormatInt(t.ConnID, 10), "give Conn or ConnID, not both")
	}
	return errs
}

// faultJSON is a Fault as POST /admin/faults and scenario steps spell it:
// durations are strings ("250ms"), the target's socket is an id.
type faultJSON struct {
	Fault         string     `json:"fault" yaml:"fault"`
	Target        targetJSON `json:"target,omitzero" yaml:"target"`
	For           string     `json:"for,omitempty" yaml:"for"`
	Kinds         []string   `json:"kinds,omitempty" yaml:"kinds"`
	Delay         string     `json:"delay,omitempty" yaml:"delay"`
	Window        string     `json:"window,omitempty" yaml:"window"`
	Count         int        `json:"count,omitempty" yaml:"count"`
	Probability   float64    `json:"probability,omitempty" yaml:"probability"`
	Seed          uint64     `json:"seed,omitempty" yaml:"seed"`
	ReasonCode    string     `json:"reasonCode,omitempty" yaml:"reasonCode"`
	Reason        string     `json:"reason,omitempty" yaml:"reason"`
	Code          int        `json:"code,omitempty" yaml:"code"`
	Sync          bool       `json:"sync,omitempty" yaml:"sync"`
	CommandStatus string     `json:"commandStatus,omitempty" yaml:"commandStatus"`
	RejectReason  string     `json:"rejectReason,omitempty" yaml:"rejectReason"`
	Text          string     `json:"text,omitempty" yaml:"text"`
	Chunk         int64      `json:"chunk,omitempty" yaml:"chunk"`
	Renew         string     `json:"renew,omitempty" yaml:"renew"`
}

type targetJSON struct {
	Service string `json:"service,omitempty" yaml:"service"`
	User    string `json:"user,omitempty" yaml:"user"`
	Conn    int64  `json:"conn,omitempty" yaml:"conn"`
}

var (
	faultKeys  = []string{"fault", "target", "for", "kinds", "delay", "window", "count", "probability", "seed", "reasonCode", "reason", "code", "sync", "commandStatus", "rejectReason", "text", "chunk", "renew"}
	targetKeys = []string{"service", "user", "conn"}
)

// maxDuration bounds every duration of a fault or scenario, so sums of
// them cannot overflow.
const maxDuration = 365 * 24 * time.Hour

func checkDuration(field string, d time.Duration, errs *[]error) {
	switch {
	case d < 0:
		*errs = append(*errs, &FieldError{Field: field, Value: d.String(), Reason: "must not be negative"})
	case d > maxDuration:
		*errs = append(*errs, &FieldError{Field: field, Value: d.String(), Reason: "must not exceed a year (8760h)"})
	}
}

// parseDuration parses a duration field ("" is zero).
func parseDuration(field, s string, errs *[]error) time.Duration {
	if s == "" {
		return 0
	}
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		*errs = append(*errs, &FieldError{Field: field, Value: quote(s), Reason: "not a duration; write e.g. 250ms, 5s or 1m30s"})
	}
	return d
}

// convert turns the spelled-out form into a Fault, adding unparsable
// durations to errs; it does not validate.
func (j *faultJSON) convert(prefix string, errs *[]error) Fault {
	f := Fault{
		Kind:   FaultKind(j.Fault),
		Target: Target{Service: Service(lower(j.Target.Service)), User: j.Target.User, ConnID: j.Target.Conn},
		For:    parseDuration(prefix+"for", j.For, errs),
		Delay:  parseDuration(prefix+"delay", j.Delay, errs),
		Window: parseDuration(prefix+"window", j.Window, errs),
		Count:  j.Count, Probability: j.Probability, Seed: j.Seed,
		ReasonCode: j.ReasonCode, Reason: j.Reason, Code: j.Code,
		Sync: j.Sync, CommandStatus: j.CommandStatus, RejectReason: j.RejectReason, Text: j.Text,
		Chunk: j.Chunk, Renew: Renewal(j.Renew),
	}
	for _, k := range j.Kinds {
		f.Kinds = append(f.Kinds, MessageKind(lower(k)))
	}
	return f
}

// specOf spells a fault out for the admin listing.
func (f *faultSet) specOf(ft Fault) faultJSON {
	dur := func(d time.Duration) string {
		if d == 0 {
			return ""
		}
		return d.String()
	}
	j := faultJSON{
		Fault:  string(ft.Kind),
		Target: targetJSON{Service: string(ft.Target.Service), User: ft.Target.User, Conn: ft.Target.ConnID},
		For:    dur(ft.For), Delay: dur(ft.Delay), Window: dur(ft.Window),
		Count: ft.Count, Probability: ft.Probability, Seed: ft.Seed,
		ReasonCode: ft.ReasonCode, Reason: ft.Reason, Code: ft.Code,
		Sync: ft.Sync, CommandStatus: ft.CommandStatus, RejectReason: ft.RejectReason, Text: ft.Text,
		Chunk: ft.Chunk, Renew: string(ft.Renew),
	}
	if ft.Target.Conn != nil {
		j.Target.Conn = ft.Target.Conn.ID()
	}
	for _, k := range ft.Kinds {
		j.Kinds = append(j.Kinds, string(k))
	}
	return j
}

// ParseFault decodes a fault from JSON, the body of POST /admin/faults:
//
//	{"fault":"delay","target":{"service":"demo"},"kinds":["props"],"delay":"250ms","count":5}
//
// Unknown keys, malformed values and invalid parameters are *FieldErrors.
func ParseFault(data []byte) (Fault, error) {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(data, &keys); err != nil {
		return Fault{}, fmt.Errorf("sandbox: fault: want a JSON object like {\"fault\":\"drop\",\"target\":{\"service\":\"demo\"}}: %w", err)
	}
	var errs []error
	errs = append(errs, unknownKeys("", keys, faultKeys)...)
	if raw, ok := keys["target"]; ok && !bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		var tk map[string]json.RawMessage
		if err := json.Unmarshal(raw, &tk); err != nil {
			errs = append(errs, &FieldError{Field: "target", Value: string(raw), Reason: "want an object like {\"service\":\"demo\",\"user\":\"name\",\"conn\":3}"})
		} else {
			errs = append(errs, unknownKeys("target.", tk, targetKeys)...)
		}
	}
	if len(errs) > 0 {
		return Fault{}, joinErrors(errs)
	}
	var j faultJSON
	if err := json.Unmarshal(data, &j); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return Fault{}, &FieldError{Field: te.Field, Value: te.Value, Reason: "wrong type; want " + jsonTypeName(te.Type.Kind().String())}
		}
		return Fault{}, fmt.Errorf("sandbox: fault: %w", err)
	}
	f := j.convert("", &errs)
	seen := map[string]bool{}
	for _, fe := range FieldErrors(joinErrors(errs)) {
		seen[fe.Field] = true
	}
	for _, fe := range FieldErrors(f.Validate()) {
		if !seen[fe.Field] {
			errs = append(errs, fe)
		}
	}
	if len(errs) > 0 {
		return Fault{}, joinErrors(errs)
	}
	return f, nil
}

func jsonTypeName(kind string) string {
	switch kind {
	case "string":
		return "a string (durations are strings like \"250ms\")"
	case "slice":
		return "an array"
	case "struct":
		return "an object"
	case "bool":
		return "true or false"
	}
	return "a number"
}

func unknownKeys[V any](prefix string, m map[string]V, known []string) []error {
	var errs []error
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if !slices.Contains(known, k) {
			errs = append(errs, &FieldError{Field: prefix + k, Reason: "unknown key; want one of " + strings.Join(known, ", ")})
		}
	}
	return errs
}
