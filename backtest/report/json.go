package report

import (
	"encoding/json"
	"fmt"
	"io"
)

// WriteJSON writes s as indented JSON (without Series). The same Summary
// always gives the same bytes.
func (s Summary) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return fmt.Errorf("report: write summary json: %w", err)
	}
	return nil
}
