package data

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/keeltrade/keel/venue"
)

// Conversion reports what Convert wrote.
type Conversion struct {
	Files          []string   // one binary file per contract, in first-seen order
	Ticks          int64      // ticks written across all files
	Skipped        int64      // bad rows skipped (CSVOptions.SkipBadRows)
	SkippedSamples []RowError // the first skipped rows and why
}

// ConvertCSVToBinary converts a tick CSV file into one binary tick file per
// contract in dstDir, named <symbol>.ktick, and returns their paths. See Convert.
func ConvertCSVToBinary(src, dstDir string, resolve Resolver, opt CSVOptions) ([]string, error) {
	c, err := Convert(src, dstDir, resolve, opt)
	return c.Files, err
}

// Convert streams a tick CSV file (any TickCSV format, plain or gzip) into
// one binary tick file per contract in dstDir, named after the instrument's
// symbol with BinaryExt. Memory stays flat: one write buffer per contract.
// resolve, when not nil, replaces opt.Resolve. Files are written under
// temporary names and renamed into place only when the whole input
// converted, so a failed conversion leaves no partial .ktick files (and
// existing ones are replaced only on success).
func Convert(src, dstDir string, resolve Resolver, opt CSVOptions) (Conversion, error) {
	var res Conversion
	if resolve != nil {
		opt.Resolve = resolve
	}
	in, err := OpenTickCSV(src, opt)
	if err != nil {
		return res, err
	}
	defer in.Close()

	type output struct {
		w    *BinaryWriter
		tmp  string
		dst  string
		done bool
	}
	var outs []*output
	byID := make(map[venue.ContractID]*output)
	byName := make(map[string]venue.ContractID)
	cleanup := func() {
		for _, o := range outs {
			if !o.done {
				o.w.Close()
				os.Remove(o.tmp)
			}
		}
	}

	var t venue.Tick
	var last *output
	for {
		err := in.Next(&t)
		if err == io.EOF {
			break
		}
		if err != nil {
			cleanup()
			return res, err
		}
		o := last
		if o == nil || o.w.inst.ID != t.Contract {
			o = byID[t.Contract]
		}
		if o == nil {
			inst, ok := instrumentByID(in, t.Contract)
			if !ok {
				cleanup()
				return res, fmt.Errorf("convert %s: contract %d has no instrument", src, t.Contract)
			}
			name := fileSafe(inst.Symbol) + BinaryExt
			if prev, dup := byName[name]; dup {
				cleanup()
				return res, fmt.Errorf("convert %s: contracts %d and %d would both be written to %s", src, prev, inst.ID, name)
			}
			f, err := os.CreateTemp(dstDir, "."+name+".*.tmp")
			if err != nil {
				cleanup()
				return res, fmt.Errorf("convert %s: %w", src, err)
			}
			// CreateTemp makes 0600 files; a tick file is ordinary data.
			err = f.Chmod(0o644)
			var w *BinaryWriter
			if err == nil {
				w, err = NewBinaryWriter(f, inst)
			}
			if err != nil {
				f.Close()
				os.Remove(f.Name())
				cleanup()
				return res, fmt.Errorf("convert %s: %w", src, err)
			}
			w.file = f
			o = &output{w: w, tmp: f.Name(), dst: filepath.Join(dstDir, name)}
			outs = append(outs, o)
			byID[t.Contract] = o
			byName[name] = t.Contract
		}
		last = o
		if err := o.w.Write(&t); err != nil {
			cleanup()
			return res, fmt.Errorf("convert %s: %w", src, err)
		}
		res.Ticks++
	}
	var errs []error
	for _, o := range outs {
		if err := o.w.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		cleanup()
		return res, fmt.Errorf("convert %s: %w", src, err)
	}
	for _, o := range outs {
		if err := os.Rename(o.tmp, o.dst); err != nil {
			cleanup()
			return res, fmt.Errorf("convert %s: %w", src, err)
		}
		o.done = true
		res.Files = append(res.Files, o.dst)
	}
	res.Skipped, res.SkippedSamples = in.Skipped(), in.SkippedSamples()
	return res, nil
}

func instrumentByID(in *TickCSV, id venue.ContractID) (venue.Instrument, bool) {
	for _, e := range in.r.order {
		if e.inst.ID == id {
			return e.inst, true
		}
	}
	return venue.Instrument{}, false
}

// fileSafe keeps letters, digits, '-', '_' and '.' and replaces the rest.
func fileSafe(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_', c == '.' && i > 0:
		default:
			b[i] = '_'
		}
	}
	return string(b)
}
