package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Session ids. Client order ids are "<strategy>-<session>-<seq>", and the
// sequence starts at 1 in every engine, so a live session that reused a
// session id would reuse client order ids: the venue would see a restart's
// first order as one it already has. Backtests may keep the default
// session "0" (their orders never leave the process); an engine whose
// venue is not simulated in the loop refuses it.
//
// NewSessionID issues ids of the form YYYYMMDD.N — the UTC date it was
// issued and a counter that only ever grows on this machine (it does not
// restart with the date, so a clock set back cannot repeat an id) — and
// persists the counter in dir/sessions (mode 0600) before returning, so a
// crash cannot hand the same id out twice. The journal keeps its files in
// the same directory (DefaultStateDir).

// sessionFile is the name of the file that holds the last session counter.
const sessionFile = "sessions"

// DefaultStateDir is where keel keeps live state on this machine: session
// ids and journals. It is $XDG_STATE_HOME/keel, or ~/.local/state/keel.
func DefaultStateDir() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "keel"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("engine: no state directory: %w", err)
	}
	return filepath.Join(home, ".local", "state", "keel"), nil
}

// NewSessionID returns a session id no earlier call with the same dir
// returned, for an engine started at now. Two processes must not call it
// on one dir at the same instant.
func NewSessionID(dir string, now time.Time) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("engine: session id: %w", err)
	}
	path := filepath.Join(dir, sessionFile)
	var last int64
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return "", fmt.Errorf("engine: session id: %w", err)
	default:
		text := strings.TrimSpace(string(data))
		if last, err = strconv.ParseInt(text, 10, 64); err != nil || last < 0 {
			// Never guess: a counter that cannot be read could repeat ids.
			return "", fmt.Errorf("engine: session id: %s holds %q, not a counter; fix or remove it knowing that client order ids of earlier sessions must not repeat", path, text)
		}
	}
	next := last + 1
	tmp, err := os.CreateTemp(dir, "."+sessionFile+".*")
	if err != nil {
		return "", fmt.Errorf("engine: session id: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	_, err = tmp.WriteString(strconv.FormatInt(next, 10) + "\n")
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return "", fmt.Errorf("engine: session id: %w", err)
	}
	return now.UTC().Format("20060102") + "." + strconv.FormatInt(next, 10), nil
}
