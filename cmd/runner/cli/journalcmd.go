package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/keeltrade/keel/engine"
	"github.com/keeltrade/keel/engine/journal"
	"github.com/keeltrade/keel/venue/tradovate"
)

func init() {
	commands["journal"] = command{summary: "show a session's journal: runner journal show [-session ID] [PATH]", run: runJournal}
}

func runJournal(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "show" {
		return usagef("usage: runner journal show [-session ID] [PATH]")
	}
	fs := newFlags("journal show", stderr)
	session := fs.String("session", "", "session id (default: the latest)")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError{err}
	}
	if fs.NArg() > 1 {
		return usagef("one journal at a time")
	}
	path := fs.Arg(0)
	if path == "" {
		env := os.Getenv(tradovate.KeyEnv)
		if env == "" {
			return usagef("give the journal's PATH, or set %s to show that environment's default journal", tradovate.KeyEnv)
		}
		dir, err := engine.DefaultStateDir()
		if err != nil {
			return err
		}
		path = filepath.Join(dir, "journal-"+env+".db")
	}
	r, err := journal.OpenReader(path)
	if err != nil {
		return err
	}
	defer r.Close()
	sessions, err := r.Sessions()
	if err != nil {
		return err
	}
	if len(sessions) == 0 {
		fmt.Fprintf(stdout, "%s: no sessions\n", path)
		return nil
	}
	pick := sessions[len(sessions)-1]
	if *session != "" {
		found := false
		for _, s := range sessions {
			if s.ID == *session {
				pick, found = s, true
			}
		}
		if !found {
			ids := make([]string, len(sessions))
			for i, s := range sessions {
				ids[i] = s.ID
			}
			return fmt.Errorf("%s has no session %q (it has %v)", path, *session, ids)
		}
	}
	end := "did not end cleanly (a crash, or a second signal)"
	if pick.Ended {
		end = "ended cleanly"
	}
	fmt.Fprintf(stdout, "journal %s: %s account %s, %d sessions\n", path, r.Env, r.Account, len(sessions))
	fmt.Fprintf(stdout, "session %s: %s – %s, %d records, %s\n", pick.ID, pick.First.Format(time.RFC3339), pick.Last.Format(time.RFC3339), pick.Records, end)
	es, err := r.Entries(pick.ID)
	if err != nil {
		return err
	}
	for _, e := range es {
		what := e.Kind
		if e.Event != "" {
			what = "event " + e.Event
		}
		fmt.Fprintf(stdout, "%s  %-18s %-26s %s\n", e.At.Format("15:04:05.000000"), what, e.ClientID, e.Describe())
	}
	return nil
}
