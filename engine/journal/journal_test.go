package journal

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
)

var who = Identity{Env: "demo", Account: "DEMO123"}

func order(id string) venue.Order {
	return venue.Order{ClientID: id, Strategy: "s", Contract: 7, Status: venue.PendingNew,
		Intent: venue.OrderIntent{Symbol: "ESM6", Side: venue.Buy, Qty: 2, Type: venue.Limit, Limit: venue.MustParsePrice("5000.25"), Tag: "entry"}}
}

func TestJournalRecordsASession(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.db")
	j, err := Open(path, who, "20261204.1", Options{})
	require.NoError(t, err)
	require.NoError(t, j.Submit(order("s-1-1")))
	j.Event(venue.Event{Kind: venue.EventAccepted, ClientID: "s-1-1", VenueID: 9})
	j.Event(venue.Event{Kind: venue.EventFilled, ClientID: "s-1-1", Fill: venue.Fill{Side: venue.Buy, Qty: 2, Price: venue.MustParsePrice("5000")}})
	require.NoError(t, j.Cancel("s-1-1"))
	require.NoError(t, j.End())
	require.NoError(t, j.Close())

	r, err := OpenReader(path)
	require.NoError(t, err)
	defer r.Close()
	assert.Equal(t, "demo", r.Env)
	assert.Equal(t, "DEMO123", r.Account)
	ss, err := r.Sessions()
	require.NoError(t, err)
	require.Len(t, ss, 1)
	assert.True(t, ss[0].Ended)
	es, err := r.Entries("20261204.1")
	require.NoError(t, err)
	var kinds []string
	for _, e := range es {
		kinds = append(kinds, e.Kind+" "+e.Event+" "+e.Describe())
	}
	// The queued events are committed after the synchronous cancel that
	// followed them: each is in order within its kind.
	assert.Equal(t, "start  env=demo account=DEMO123", kinds[0])
	assert.Equal(t, "submit  Buy 2 ESM6 Limit limit 5000.25 tag entry", kinds[1])
	assert.Contains(t, kinds, "event Accepted ")
	assert.Contains(t, kinds, "event Filled Buy 2 @ 5000")
	assert.Contains(t, kinds, "cancel  client_id=s-1-1")
	assert.Equal(t, "end  ", kinds[len(kinds)-1])
}

func TestJournalRefusesAnotherAccountOrEnvironment(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.db")
	j, err := Open(path, who, "1", Options{})
	require.NoError(t, err)
	require.NoError(t, j.Close())
	_, err = Open(path, Identity{Env: "demo", Account: "OTHER"}, "2", Options{})
	assert.ErrorIs(t, err, ErrForeign)
	assert.ErrorContains(t, err, `account "DEMO123"`)
	_, err = Open(path, Identity{Env: "live", Account: "DEMO123"}, "2", Options{})
	assert.ErrorIs(t, err, ErrForeign)
	j, err = Open(path, who, "3", Options{})
	require.NoError(t, err, "its own account reopens it")
	require.NoError(t, j.Close())
}

func TestJournalLockedByAnotherRunner(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.db")
	j, err := Open(path, who, "1", Options{})
	require.NoError(t, err)
	defer j.Close()
	_, err = Open(path, who, "2", Options{})
	assert.ErrorContains(t, err, "locked by another runner (pid ")
}

func TestJournalCorruptIsNeverReplaced(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.db")
	junk := []byte("this is not a database, but someone's notes\n")
	require.NoError(t, os.WriteFile(bad, slices.Repeat(junk, 200), 0o600))
	_, err := Open(bad, who, "1", Options{})
	assert.ErrorContains(t, err, "left as it is")
	after, _ := os.ReadFile(bad)
	assert.Equal(t, slices.Repeat(junk, 200), after, "untouched")

	// A real journal with its pages damaged.
	path := filepath.Join(dir, "j.db")
	j, err := Open(path, who, "1", Options{})
	require.NoError(t, err)
	for i := range 200 {
		require.NoError(t, j.Submit(order("s-1-"+string(rune('a'+i%26)))))
	}
	require.NoError(t, j.Close())
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	for i := 4096; i < len(data); i += 97 {
		data[i] ^= 0x5a
	}
	require.NoError(t, os.WriteFile(path, data, 0o600))
	_, err = Open(path, who, "2", Options{})
	assert.ErrorContains(t, err, "left as it is")
	_, err = Open(filepath.Join(dir, "x", "y.db"), Identity{}, "1", Options{})
	assert.Error(t, err)
	_, err = Open(filepath.Join(dir, "z.db"), who, "1", Options{Sync: "sometimes"})
	assert.ErrorContains(t, err, "sync")
}

// fakeVenue checks, at each Submit, that the journal already holds it.
type fakeVenue struct {
	t      *testing.T
	path   string
	sent   []string
	sink   venue.EventSink
	inJour []bool
}

func (f *fakeVenue) Start(s venue.EventSink) error { f.sink = s; return nil }
func (f *fakeVenue) Submit(o venue.Order) error {
	r, err := OpenReader(f.path)
	require.NoError(f.t, err)
	defer r.Close()
	es, err := r.Entries("1")
	require.NoError(f.t, err)
	found := false
	for _, e := range es {
		found = found || (e.Kind == KindSubmit && e.ClientID == o.ClientID)
	}
	f.inJour = append(f.inJour, found)
	f.sent = append(f.sent, o.ClientID)
	return nil
}
func (f *fakeVenue) Cancel(string) error               { return nil }
func (f *fakeVenue) Modify(string, venue.Modify) error { return nil }
func (f *fakeVenue) Close() error                      { return nil }

func TestVenueJournalsBeforeSending(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.db")
	j, err := Open(path, who, "1", Options{})
	require.NoError(t, err)
	f := &fakeVenue{t: t, path: path}
	v := Wrap(f, j)
	var got []venue.Event
	require.NoError(t, v.Start(func(ev venue.Event) { got = append(got, ev) }))
	require.NoError(t, v.Submit(order("s-1-1")))
	assert.Equal(t, []bool{true}, f.inJour, "committed before it reached the venue")
	f.sink(venue.Event{Kind: venue.EventAccepted, ClientID: "s-1-1"})
	assert.Len(t, got, 1, "events pass through")
	require.NoError(t, j.Close())
	assert.ErrorContains(t, v.Submit(order("s-1-2")), "not sent")
	assert.Equal(t, []string{"s-1-1"}, f.sent, "an order the journal could not take is not sent")
	assert.Error(t, v.Cancel("s-1-1"))
}

// BenchmarkJournalSubmit is the synchronous write before an order leaves:
// what the journal adds to tick-to-order.
func BenchmarkJournalSubmit(b *testing.B) {
	j, err := Open(filepath.Join(b.TempDir(), "j.db"), who, "1", Options{})
	require.NoError(b, err)
	defer j.Close()
	o := order("s-1-1")
	lat := make([]time.Duration, 0, 1<<16)
	for b.Loop() {
		t := time.Now()
		if err := j.Submit(o); err != nil {
			b.Fatal(err)
		}
		if len(lat) < cap(lat) {
			lat = append(lat, time.Since(t))
		}
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1e3, "p99-µs")
}

// BenchmarkJournalEvents is the venue events' append rate, queue to
// committed.
func BenchmarkJournalEvents(b *testing.B) {
	j, err := Open(filepath.Join(b.TempDir(), "j.db"), who, "1", Options{})
	require.NoError(b, err)
	ev := venue.Event{Kind: venue.EventFilled, ClientID: "s-1-1", Fill: venue.Fill{Side: venue.Buy, Qty: 1, Price: venue.MustParsePrice("5000")}}
	for b.Loop() {
		j.Event(ev)
	}
	require.NoError(b, j.Close()) // every queued event committed
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
