package sandbox

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// serveFaultAdmin serves the fault injection endpoints under /admin:
//
//	GET    /admin/faults          the lasting faults in force
//	POST   /admin/faults          inject one (JSON, see ParseFault)
//	DELETE /admin/faults          clear them all
//	GET    /admin/faults/{id}     one of them
//	DELETE /admin/faults/{id}     clear one
//	GET    /admin/conns           the open sockets, with the ids targets take
//	POST   /admin/scenario        start a scenario (YAML body, see ParseScenario)
//	GET    /admin/scenario        the scenarios playing
//	DELETE /admin/scenario        stop them all
//	DELETE /admin/scenario/{id}   stop one
//
// Errors are JSON: {"errorText":"…","errors":[{"field","value","reason"}]}.
// It reports false for paths it does not serve.
func (s *Server) serveFaultAdmin(w http.ResponseWriter, r *http.Request, path string, body []byte) bool {
	head, rest, _ := strings.Cut(path, "/")
	var id int64
	if rest != "" {
		n, err := strconv.ParseInt(rest, 10, 64)
		if err != nil || n <= 0 {
			if head == "faults" || head == "scenario" {
				adminError(w, 404, "Not found: /admin/"+path+": ids are positive integers", nil)
				return true
			}
			return false
		}
		id = n
	}
	switch {
	case head == "faults" && rest == "":
		s.adminFaults(w, r, body)
	case head == "faults":
		s.adminFault(w, r, id)
	case head == "conns" && rest == "":
		if !allowMethods(w, r, http.MethodGet) {
			return true
		}
		adminJSON(w, 200, map[string]any{"conns": s.connList()})
	case head == "scenario" && rest == "":
		s.adminScenarios(w, r, body)
	case head == "scenario":
		s.adminScenario(w, r, id)
	default:
		return false
	}
	return true
}

// activeFaultJSON is an active fault in GET /admin/faults.
type activeFaultJSON struct {
	ID int64 `json:"id"`
	faultJSON
	Fired   int        `json:"fired"`
	Left    int        `json:"left,omitempty"`
	Expires *wire.Time `json:"expiresAt,omitempty"`
}

func (s *Server) activeJSON(a ActiveFault) activeFaultJSON {
	j := activeFaultJSON{ID: a.ID, faultJSON: s.faults.specOf(a.Fault), Fired: a.Fired, Left: a.Left}
	if !a.Expires.IsZero() {
		t := wire.TimeOf(a.Expires)
		j.Expires = &t
	}
	return j
}

func (s *Server) adminFaults(w http.ResponseWriter, r *http.Request, body []byte) {
	switch r.Method {
	case http.MethodGet:
		out := []activeFaultJSON{}
		for _, a := range s.Faults() {
			out = append(out, s.activeJSON(a))
		}
		adminJSON(w, 200, map[string]any{"faults": out})
	case http.MethodPost:
		if len(strings.TrimSpace(string(body))) == 0 {
			adminError(w, 400, `Bad request: POST a JSON fault, e.g. {"fault":"drop","target":{"service":"demo"}}`, nil)
			return
		}
		f, err := ParseFault(body)
		if err == nil {
			var inj Injection
			if inj, err = s.Inject(f); err == nil {
				out := map[string]any{"id": inj.ID, "fault": f.Kind}
				if f.lasting() {
					for _, a := range s.Faults() {
						if a.ID == inj.ID {
							out["active"] = s.activeJSON(a)
						}
					}
				} else {
					out["affected"] = inj.Affected
				}
				adminJSON(w, 200, out)
				return
			}
		}
		adminError(w, 400, "Bad fault: "+errorSummary(err), err)
	case http.MethodDelete:
		adminJSON(w, 200, map[string]any{"cleared": s.ClearFaults()})
	default:
		allowMethods(w, r, http.MethodGet, http.MethodPost, http.MethodDelete)
	}
}

func (s *Server) adminFault(w http.ResponseWriter, r *http.Request, id int64) {
	switch r.Method {
	case http.MethodGet:
		for _, a := range s.Faults() {
			if a.ID == id {
				adminJSON(w, 200, s.activeJSON(a))
				return
			}
		}
		adminError(w, 404, "Not found: no active fault "+strconv.FormatInt(id, 10), nil)
	case http.MethodDelete:
		if !s.ClearFault(id) {
			adminError(w, 404, "Not found: no active fault "+strconv.FormatInt(id, 10)+" (it may have expired or been used up)", nil)
			return
		}
		adminJSON(w, 200, map[string]any{"cleared": 1})
	default:
		allowMethods(w, r, http.MethodGet, http.MethodDelete)
	}
}

// connJSON is an open socket in GET /admin/conns.
type connJSON struct {
	ID        int64   `json:"id"`
	Service   Service `json:"service"`
	User      string  `json:"user,omitempty"`
	SessionID int64   `json:"sessionId,omitempty"`
}

func (s *Server) connList() []connJSON {
	out := []connJSON{}
	for _, c := range s.Conns() {
		j := connJSON{ID: c.ID(), Service: c.svc}
		if sess := c.Session(); sess != nil {
			j.User, j.SessionID = sess.UserName(), sess.ID()
		}
		out = append(out, j)
	}
	slices.SortFunc(out, func(a, b connJSON) int { return int(a.ID - b.ID) })
	return out
}

// scenarioJSON is a playing scenario in GET /admin/scenario.
type scenarioJSON struct {
	ID     int64    `json:"id"`
	Name   string   `json:"name,omitempty"`
	Steps  int      `json:"steps"`
	Fired  int      `json:"fired"`
	Errors []string `json:"errors,omitempty"`
}

func scenarioStatus(r *ScenarioRunner) scenarioJSON {
	j := scenarioJSON{ID: r.ID(), Name: r.sc.Name, Steps: len(r.sc.Steps)}
	r.mu.Lock()
	defer r.mu.Unlock()
	j.Fired = r.fired
	for _, err := range r.errs {
		j.Errors = append(j.Errors, err.Error())
	}
	return j
}

func (s *Server) adminScenarios(w http.ResponseWriter, r *http.Request, body []byte) {
	switch r.Method {
	case http.MethodGet:
		out := []scenarioJSON{}
		for _, run := range s.ScenarioRunners() {
			out = append(out, scenarioStatus(run))
		}
		adminJSON(w, 200, map[string]any{"scenarios": out})
	case http.MethodPost:
		sc, err := ParseScenario(body)
		if err == nil {
			run := NewScenarioRunner(s, sc)
			if err = run.Start(); err == nil {
				adminJSON(w, 200, scenarioStatus(run))
				return
			}
		}
		adminError(w, 400, "Bad scenario: "+errorSummary(err), err)
	case http.MethodDelete:
		runs := s.ScenarioRunners()
		for _, run := range runs {
			run.Stop()
		}
		adminJSON(w, 200, map[string]any{"stopped": len(runs)})
	default:
		allowMethods(w, r, http.MethodGet, http.MethodPost, http.MethodDelete)
	}
}

func (s *Server) adminScenario(w http.ResponseWriter, r *http.Request, id int64) {
	var run *ScenarioRunner
	for _, x := range s.ScenarioRunners() {
		if x.ID() == id {
			run = x
		}
	}
	if run == nil {
		adminError(w, 404, "Not found: no scenario "+strconv.FormatInt(id, 10)+" is playing", nil)
		return
	}
	switch r.Method {
	case http.MethodGet:
		adminJSON(w, 200, scenarioStatus(run))
	case http.MethodDelete:
		run.Stop()
		adminJSON(w, 200, map[string]any{"stopped": 1})
	default:
		allowMethods(w, r, http.MethodGet, http.MethodDelete)
	}
}

// allowMethods reports whether r uses one of methods, answering 405 if not.
func allowMethods(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	if slices.Contains(methods, r.Method) {
		return true
	}
	w.Header().Set("Allow", strings.Join(methods, ", "))
	adminError(w, 405, "Method not allowed: use "+strings.Join(methods, ", "), nil)
	return false
}

func adminJSON(w http.ResponseWriter, status int, v any) {
	b, err := wire.Marshal(v)
	if err != nil {
		status, b = 500, []byte(`{"errorText":"Internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// fieldErrorJSON is one entry of an admin error's errors.
type fieldErrorJSON struct {
	Field  string `json:"field"`
	Value  string `json:"value,omitempty"`
	Reason string `json:"reason"`
}

// adminError answers {"errorText": text, "errors": [...]} with err's
// field errors.
func adminError(w http.ResponseWriter, status int, text string, err error) {
	out := struct {
		ErrorText string           `json:"errorText"`
		Errors    []fieldErrorJSON `json:"errors,omitempty"`
	}{ErrorText: text}
	for _, fe := range FieldErrors(err) {
		out.Errors = append(out.Errors, fieldErrorJSON{Field: fe.Field, Value: fe.Value, Reason: fe.Reason})
	}
	adminJSON(w, status, out)
}

// errorSummary is an error's whole message on one line, or a count of
// field errors (listed in errors).
func errorSummary(err error) string {
	if err == nil {
		return ""
	}
	if fes := FieldErrors(err); len(fes) > 1 {
		return strconv.Itoa(len(fes)) + " problems, see errors"
	}
	var fe *FieldError
	if errors.As(err, &fe) {
		return strings.TrimPrefix(fe.Error(), "sandbox: ")
	}
	// Multi-line messages (YAML's list their problems a line each) keep
	// every line.
	var b strings.Builder
	for line := range strings.Lines(err.Error()) {
		line = strings.TrimSpace(strings.TrimPrefix(line, "sandbox: "))
		switch {
		case line == "":
			continue
		case b.Len() == 0:
		case strings.HasSuffix(b.String(), ":"):
			b.WriteByte(' ')
		default:
			b.WriteString("; ")
		}
		b.WriteString(line)
	}
	return b.String()
}
