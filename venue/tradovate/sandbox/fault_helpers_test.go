package sandbox_test

import (
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue/tradovate/sandbox"
)

// reader reads a client's frames in the background, so a test can wait for
// a frame with a deadline (or make sure none comes) and keep reading after.
type reader struct {
	t      testing.TB
	frames chan string
	stop   chan struct{}
	done   chan struct{}
	err    error // why reading stopped; set before done closes
}

func collect(t testing.TB, c *client) *reader {
	r := &reader{t: t, frames: make(chan string, 256), stop: make(chan struct{}), done: make(chan struct{})}
	_ = c.ws.SetReadDeadline(time.Time{})
	go func() {
		defer close(r.done)
		for {
			_, b, err := c.ws.ReadMessage()
			if err != nil {
				r.err = err
				return
			}
			select {
			case r.frames <- string(b):
			case <-r.stop:
				return
			}
		}
	}()
	t.Cleanup(func() {
		close(r.stop)
		c.ws.Close()
		<-r.done
	})
	return r
}

// next returns the next frame within d; false on timeout or when the
// socket has closed and every frame was read.
func (r *reader) next(d time.Duration) (string, bool) {
	select {
	case f := <-r.frames:
		return f, true
	case <-time.After(d):
		return "", false
	case <-r.done:
		select {
		case f := <-r.frames:
			return f, true
		default:
			return "", false
		}
	}
}

// data returns the next frame that is not a heartbeat, failing the test
// after 3 s.
func (r *reader) data() string {
	r.t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		f, ok := r.next(time.Until(deadline))
		require.True(r.t, ok, "no frame within 3 s")
		if f != "h" {
			return f
		}
	}
}

// quiet reports whether no frame other than h arrives within d.
func (r *reader) quiet(d time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		f, ok := r.next(time.Until(deadline))
		if !ok {
			return true
		}
		if f != "h" {
			r.t.Logf("unexpected frame %s", f)
			return false
		}
	}
}

// closed waits for the socket to close and returns the frames that came
// on the way and the close error.
func (r *reader) closed() ([]string, *websocket.CloseError) {
	r.t.Helper()
	var frames []string
	for {
		f, ok := r.next(3 * time.Second)
		if !ok {
			break
		}
		frames = append(frames, f)
	}
	select {
	case <-r.done:
	default:
		r.t.Fatalf("socket still open after %v", frames)
	}
	var ce *websocket.CloseError
	require.ErrorAs(r.t, r.err, &ce)
	return frames, ce
}

// serverConn returns the server side of the only open socket of svc.
func serverConn(t testing.TB, s *sandbox.Server, svc sandbox.Service) *sandbox.Conn {
	t.Helper()
	var found *sandbox.Conn
	require.Eventually(t, func() bool {
		found = nil
		for _, c := range s.Conns() {
			if c.Service() == svc {
				if found != nil {
					return false
				}
				found = c
			}
		}
		return found != nil
	}, 2*time.Second, 5*time.Millisecond)
	return found
}

func inject(t testing.TB, s *sandbox.Server, f sandbox.Fault) sandbox.Injection {
	t.Helper()
	inj, err := s.Inject(f)
	require.NoError(t, err)
	return inj
}

// otherUser is a second user for targeting tests.
func otherUser() (sandbox.UserConfig, sandbox.Credentials) {
	u := sandbox.UserConfig{Name: "other", Password: "other-password", HasMarketData: true, HasLive: true}
	return u, sandbox.Credentials{Name: "other", Password: "other-password"}
}

// authed dials svc and authorizes with token.
func authed(t testing.TB, s *sandbox.Server, svc sandbox.Service, token string) *client {
	t.Helper()
	c := dial(t, s.WebSocketURL(svc))
	c.authorize(token)
	return c
}
