package journal

import (
	"fmt"
	"os"
	"syscall"

	"github.com/keeltrade/keel/venue"
)

// CrashEnv names the crash-recovery tests' hook: with
// KEEL_CRASH_AT=journaled the process kills itself (SIGKILL) right after
// its first order is journaled, before it is sent. Nothing else reads it.
const CrashEnv = "KEEL_CRASH_AT"

var crashAt = os.Getenv(CrashEnv)

// Venue is a venue whose order flow is journaled: Submit, Cancel and
// Modify are committed to the journal before they reach the venue (and do
// not reach it if the journal cannot take them), and every event the venue
// sends is queued for the journal before the engine sees it.
type Venue struct {
	venue.Venue
	j *Journal
}

// Wrap returns v journaled in j.
func Wrap(v venue.Venue, j *Journal) *Venue { return &Venue{Venue: v, j: j} }

// Start implements venue.Venue.
func (v *Venue) Start(sink venue.EventSink) error {
	return v.Venue.Start(func(ev venue.Event) {
		v.j.Event(ev)
		sink(ev)
	})
}

// Submit implements venue.Venue.
func (v *Venue) Submit(o venue.Order) error {
	if err := v.j.Submit(o); err != nil {
		return fmt.Errorf("not sent: %w", err)
	}
	if crashAt == "journaled" {
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // the signal is on its way
	}
	return v.Venue.Submit(o)
}

// Cancel implements venue.Venue.
func (v *Venue) Cancel(clientID string) error {
	if err := v.j.Cancel(clientID); err != nil {
		return fmt.Errorf("not sent: %w", err)
	}
	return v.Venue.Cancel(clientID)
}

// Modify implements venue.Venue.
func (v *Venue) Modify(clientID string, m venue.Modify) error {
	if err := v.j.Modify(clientID, m); err != nil {
		return fmt.Errorf("not sent: %w", err)
	}
	return v.Venue.Modify(clientID, m)
}
