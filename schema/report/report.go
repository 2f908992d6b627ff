// Package report renders validation reports for people (text, optionally
// coloured), for scripts (JSON) and for CI (GitHub workflow commands).
package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/schema"
)

// Formats lists the names accepted by Write.
var Formats = []string{"text", "json", "github"}

// Options tune the output.
type Options struct {
	Color  bool // ANSI colours, for a terminal
	Strict bool // warnings count as failures
}

// Write renders reports in the named format.
func Write(w io.Writer, format string, reports []*schema.Report, opt Options) error {
	out, err := NewWriter(w, format, opt)
	if err != nil {
		return err
	}
	for _, r := range reports {
		if err := out.Add(r); err != nil {
			return err
		}
	}
	return out.Close()
}

// Writer renders reports one at a time, so that a caller need not keep
// them: text and github lines are written (buffered) as each report is
// added. The json format is one document that starts with the summary,
// so it keeps each file's entry, encoded compactly, until Close.
type Writer struct {
	w      *bufio.Writer
	format string
	opt    Options
	sum    Summary
	files  []byte // json: the entries of "files", compact and comma-separated
}

// NewWriter returns a Writer of the named format (one of Formats) to w.
func NewWriter(w io.Writer, format string, opt Options) (*Writer, error) {
	if !slices.Contains(Formats, format) {
		return nil, config.Errorf(config.KindInvalid, "unknown format %q; use one of %s", format, strings.Join(Formats, ", "))
	}
	return &Writer{w: bufio.NewWriter(w), format: format, opt: opt}, nil
}

// Add renders one report and counts it in the Summary.
func (w *Writer) Add(r *schema.Report) error {
	w.sum.add(r, w.opt.Strict)
	switch w.format {
	case "text":
		writeText(w.w, r, ansi{w.opt.Color})
	case "github":
		writeGitHub(w.w, r)
	case "json":
		return w.addJSON(r)
	}
	return nil
}

// Close writes what remains (for json, the whole document) and flushes.
// Like the line formats' writes, their flush is best effort: a reader
// that went away does not change the outcome of the check.
func (w *Writer) Close() error {
	if w.format != "json" {
		_ = w.w.Flush()
		return nil
	}
	if err := w.writeJSON(); err != nil {
		return err
	}
	return w.w.Flush()
}

// Summary returns the counts of the reports added so far.
func (w *Writer) Summary() Summary { return w.sum }

// Failed reports whether a report fails the check: unreadable, with errors,
// or (when strict) with warnings.
func Failed(r *schema.Report, strict bool) bool {
	errs, warnings := r.Count()
	return r.Err != nil || errs > 0 || (strict && warnings > 0)
}

// Summary counts the files and findings of a run.
type Summary struct {
	Files    int `json:"files"`
	Invalid  int `json:"invalid"`
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
}

// Summarize counts reports.
func Summarize(reports []*schema.Report, strict bool) Summary {
	var s Summary
	for _, r := range reports {
		s.add(r, strict)
	}
	return s
}

func (s *Summary) add(r *schema.Report, strict bool) {
	errs, warnings := r.Count()
	if r.Err != nil {
		errs++ // an unreadable file counts as one error
	}
	s.Files++
	s.Errors += errs
	s.Warnings += warnings
	if Failed(r, strict) {
		s.Invalid++
	}
}

type ansi struct{ on bool }

func (a ansi) wrap(code, s string) string {
	if !a.on {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func writeText(w io.Writer, r *schema.Report, c ansi) {
	if r.Err != nil {
		fmt.Fprintf(w, "%s: %s: %v\n", c.wrap("1", name(r)), c.wrap("31", "error"), r.Err)
		return
	}
	for _, d := range r.Diagnostics {
		sev := c.wrap("31", string(d.Severity))
		if d.Severity == config.SeverityWarning {
			sev = c.wrap("33", string(d.Severity))
		}
		fmt.Fprintf(w, "%s: %s: %s [%s]\n", c.wrap("1", fmt.Sprintf("%s:%d:%d", name(r), d.Line, d.Column)), sev, message(d), d.Rule)
	}
}

// message is the one-line text of a finding: pointer, message, hint.
func message(d config.Diagnostic) string {
	msg := d.Message
	if d.Pointer != "" {
		msg = d.Pointer + ": " + msg
	}
	if d.Hint != "" {
		msg += "; " + d.Hint
	}
	return msg
}

func name(r *schema.Report) string {
	if r.Path == "" {
		return "<stdin>"
	}
	return r.Path
}

type jsonFile struct {
	Path        string              `json:"path"`
	Valid       bool                `json:"valid"`
	Error       string              `json:"error,omitempty"`
	Diagnostics []config.Diagnostic `json:"diagnostics"`
}

func (w *Writer) addJSON(r *schema.Report) error {
	f := jsonFile{Path: name(r), Valid: !Failed(r, w.opt.Strict), Diagnostics: r.Diagnostics}
	if f.Diagnostics == nil {
		f.Diagnostics = []config.Diagnostic{}
	}
	if r.Err != nil {
		f.Error = r.Err.Error()
	}
	entry, err := json.Marshal(f)
	if err != nil {
		return err
	}
	if len(w.files) > 0 {
		w.files = append(w.files, ',')
	}
	w.files = append(w.files, entry...)
	return nil
}

// writeJSON writes the document whose entries addJSON kept; the encoder
// indents them as it would have a []jsonFile, so the bytes are the same.
func (w *Writer) writeJSON() error {
	out := struct {
		Valid   bool            `json:"valid"`
		Summary Summary         `json:"summary"`
		Files   json.RawMessage `json:"files"`
	}{Valid: w.sum.Invalid == 0, Summary: w.sum, Files: w.jsonFiles()}
	enc := json.NewEncoder(w.w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func (w *Writer) jsonFiles() json.RawMessage {
	files := make([]byte, 0, len(w.files)+2)
	files = append(files, '[')
	files = append(files, w.files...)
	return append(files, ']')
}

// writeGitHub writes workflow commands that GitHub Actions turns into
// annotations on the pull request's changed lines.
func writeGitHub(w io.Writer, r *schema.Report) {
	if r.Err != nil {
		fmt.Fprintf(w, "::error file=%s,title=scopectl::%s\n", ghProperty(name(r)), ghData(r.Err.Error()))
		return
	}
	for _, d := range r.Diagnostics {
		fmt.Fprintf(w, "::%s file=%s,line=%d,col=%d,title=%s::%s\n", d.Severity,
			ghProperty(name(r)), d.Line, d.Column, ghProperty("scopectl "+d.Rule), ghData(message(d)))
	}
}

var (
	ghDataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	ghPropertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

func ghData(s string) string     { return ghDataEscaper.Replace(s) }
func ghProperty(s string) string { return ghPropertyEscaper.Replace(s) }
