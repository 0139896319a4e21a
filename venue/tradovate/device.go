package tradovate

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// The device id. Tradovate ties live trading to approved devices: a device
// id that changes (a new one per run, or per container) means a live 401
// on every order until the new id is approved by e-mail. keel generates a
// random UUID once per machine, keeps it in a 0600 file under the user
// config directory, and reuses it forever; TRADOVATE_DEVICE_ID overrides
// it. It is sent as a string (a JSON number was behind a live 401) and
// logged at start, so it can be matched with Tradovate's approval e-mail.

// DefaultDeviceFile is where the device id is kept:
// <user config dir>/keel/tradovate-device-id.
func DefaultDeviceFile() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("tradovate: device id: no user config directory (set TRADOVATE_DEVICE_ID): %w", err)
	}
	return filepath.Join(dir, "keel", "tradovate-device-id"), nil
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// LoadDeviceID returns the device id kept in path, creating it (a random
// UUID, mode 0600, parent directories 0700) the first time. created says
// whether it was made now. A file that exists but does not hold a UUID is
// an error, never silently replaced: a new id would need a new approval.
func LoadDeviceID(path string) (id string, created bool, err error) {
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		id = strings.TrimSpace(string(data))
		if !uuidRE.MatchString(id) {
			return "", false, fmt.Errorf("tradovate: device id file %s does not hold a UUID (%q); fix it or remove it knowing a new id needs a new approval for live trading", path, id)
		}
		return id, false, nil
	case !errors.Is(err, fs.ErrNotExist):
		return "", false, fmt.Errorf("tradovate: device id: %w", err)
	}
	id = newUUID()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", false, fmt.Errorf("tradovate: device id: %w", err)
	}
	// O_EXCL: two processes starting at once agree on the first one's id.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return LoadDeviceID(path)
	}
	if err != nil {
		return "", false, fmt.Errorf("tradovate: device id: %w", err)
	}
	_, err = f.WriteString(id + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return "", false, fmt.Errorf("tradovate: device id: %w", err)
	}
	return id, true, nil
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
