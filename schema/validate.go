package schema

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/scopectl/scopectl/config"
)

// Report is the outcome of validating one descriptor file.
type Report struct {
	// Path names the file in messages; empty for in-memory input.
	Path string
	// Diagnostics are every finding, ordered by position.
	Diagnostics []config.Diagnostic
	// Descriptor is the decoded descriptor when the file parsed and matched
	// the schema (lint findings do not prevent it), else nil.
	Descriptor *config.Descriptor
	// Err is set when the file could not be read at all.
	Err error

	doc *config.Document // the parsed file, for LintChecks
}

// LintChecks adds, at severity sev, a finding for every security check
// the descriptor leads to that known lacks (config.LintChecks); it does
// nothing when the descriptor did not decode.
func (r *Report) LintChecks(known config.CheckCatalog, sev config.Severity) {
	if r.Descriptor == nil || r.doc == nil {
		return
	}
	r.Diagnostics = append(r.Diagnostics, config.LintChecks(r.doc, r.Descriptor, known, sev)...)
	slices.SortStableFunc(r.Diagnostics, config.CompareDiagnostics)
}

// Valid reports whether the file was read and has no error findings.
func (r *Report) Valid() bool {
	return r.Err == nil && !config.HasErrors(r.Diagnostics)
}

// Count returns the number of errors and warnings.
func (r *Report) Count() (errs, warnings int) {
	for _, d := range r.Diagnostics {
		if d.Severity == config.SeverityError {
			errs++
		} else {
			warnings++
		}
	}
	return errs, warnings
}

// Validate checks one descriptor: JSON syntax and encoding, the schema, and
// the lint rules of package config. A document that plainly follows the
// schema (see plain) is not run through the schema validator, which would
// find nothing and costs three quarters of a typical file's time (and,
// for the first file, its compilation); the report is the same.
func Validate(src []byte) *Report {
	return validate(src, false)
}

// validate is Validate; full runs the schema validator on every document.
func validate(src []byte, full bool) *Report {
	r := &Report{}
	if len(src) > config.MaxFileSize {
		r.Diagnostics = []config.Diagnostic{sizeDiagnostic(int64(len(src)))}
		return r
	}
	doc, diags := config.ParseDocument(src)
	r.Diagnostics = diags
	if doc == nil {
		return r
	}
	r.doc = doc
	var schemaDiags []config.Diagnostic
	if full || !plain(doc.Root) {
		schemaDiags = load().check(doc)
	}
	r.Diagnostics = append(r.Diagnostics, schemaDiags...)
	r.Diagnostics = append(r.Diagnostics, config.Lint(doc)...)
	slices.SortStableFunc(r.Diagnostics, config.CompareDiagnostics)
	if len(schemaDiags) == 0 {
		d, err := config.DecodeDescriptor(doc.Root)
		if err != nil { // the schema should have caught it; report, never hide
			r.Diagnostics = append(r.Diagnostics, config.Diagnostic{
				Severity: config.SeverityError, Rule: "schema", Position: doc.ValuePosition(""), Message: err.Error(),
			})
		}
		r.Descriptor = d
		if d != nil && canonicalMayExceedLimit(len(src)) {
			if n := len(d.Canonical()); n > config.MaxFileSize {
				r.Diagnostics = append(r.Diagnostics, canonicalSizeDiagnostic(int64(n)))
				r.Descriptor = nil
			}
		}
	}
	return r
}

// ValidateFile reads and validates the file at path. Files larger than
// config.MaxFileSize are refused without being read whole.
func ValidateFile(path string) *Report { return reportFile(path, Validate) }

// reportFile reads the file at path and reports on its content with check.
func reportFile(path string, check func([]byte) *Report) *Report {
	src, r := readFile(path)
	if r != nil {
		return r
	}
	r = check(src)
	r.Path = path
	return r
}

// readFile reads a descriptor file, or returns the report of why it cannot.
func readFile(path string) ([]byte, *Report) {
	src, err := ReadLimited(path)
	var tooLarge *SizeError
	switch {
	case errors.As(err, &tooLarge):
		return nil, &Report{Path: path, Diagnostics: []config.Diagnostic{sizeDiagnostic(tooLarge.size)}}
	case err != nil:
		return nil, &Report{Path: path, Err: err}
	}
	return src, nil
}

// SizeError is the error of ReadLimited for a file over config.MaxFileSize.
type SizeError struct{ size int64 }

func (e *SizeError) Error() string { return fmt.Sprintf("file has %d bytes", e.size) }

// ReadLimited reads the descriptor file at path, refusing with a
// *SizeError one larger than config.MaxFileSize without reading it whole.
func ReadLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var size int64
	if info, err := f.Stat(); err == nil {
		size = info.Size()
	}
	if size > config.MaxFileSize {
		return nil, &SizeError{size: size}
	}
	// Room for the whole file and the read that finds its end, so that a
	// large file is read into one buffer instead of a series of copies.
	buf := bytes.NewBuffer(make([]byte, 0, size+bytes.MinRead))
	if _, err := buf.ReadFrom(io.LimitReader(f, config.MaxFileSize+1)); err != nil {
		return nil, err
	}
	src := buf.Bytes()
	if len(src) > config.MaxFileSize {
		return nil, &SizeError{size: int64(len(src))}
	}
	return src, nil
}

func sizeDiagnostic(size int64) config.Diagnostic {
	return config.Diagnostic{
		Severity: config.SeverityError, Rule: config.RuleSize, Position: config.Position{Line: 1, Column: 1},
		Message: fmt.Sprintf("file is %s (%d bytes); a descriptor may be at most %s (%d bytes)", humanSize(size), size, humanSize(config.MaxFileSize), config.MaxFileSize),
	}
}

// canonicalSizeDiagnostic: the limit holds for the canonical form too,
// the form servers store and pull writes, so that a compact file that
// grows when formatted is refused everywhere instead of stored by a server
// and then refused by every pull.
func canonicalSizeDiagnostic(size int64) config.Diagnostic {
	return config.Diagnostic{
		Severity: config.SeverityError, Rule: config.RuleSize, Position: config.Position{Line: 1, Column: 1},
		Message: fmt.Sprintf("the canonical form (scopectl app fmt) is %s (%d bytes); a descriptor may be at most %s (%d bytes)", humanSize(size), size, humanSize(config.MaxFileSize), config.MaxFileSize),
	}
}

// The canonical form of a valid descriptor is at most canonicalGrowth
// times its source plus canonicalOverhead bytes. The largest growth is a
// whole number written with an exponent ("a":9e15 becomes a line of 29
// bytes for 9 in the source, 3.2 times); indentation adds at most 2.2
// times to the shortest member, an escape at most 2 times (U+2028 is
// written \u2028); the members that a file leaves out and the canonical
// form writes take about 250 bytes. TestCanonicalGrowthBound checks these.
const (
	canonicalGrowth   = 8
	canonicalOverhead = 1024
)

// canonicalMayExceedLimit reports whether the canonical form of a source
// of n bytes could be over config.MaxFileSize, so that it must be encoded
// to know: only sources over 127 KiB, which no real descriptor is.
func canonicalMayExceedLimit(n int) bool {
	return canonicalGrowth*n+canonicalOverhead > config.MaxFileSize
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

func (c *compiled) check(doc *config.Document) []config.Diagnostic {
	err := c.schema.Validate(doc.Root)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []config.Diagnostic{{Severity: config.SeverityError, Rule: "schema", Position: doc.ValuePosition(""), Message: err.Error()}}
	}
	var out []config.Diagnostic
	for _, leaf := range leaves(ve) {
		out = append(out, c.diagnose(doc, leaf)...)
	}
	return out
}

func leaves(ve *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(ve.Causes) == 0 {
		return []*jsonschema.ValidationError{ve}
	}
	var out []*jsonschema.ValidationError
	for _, c := range ve.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}
