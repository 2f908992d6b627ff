// Package report renders validation reports for people (text, optionally
// coloured), for scripts (JSON) and for CI (GitHub workflow commands).
package report

import (
	"encoding/json"
	"fmt"
	"io"
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
	switch format {
	case "text":
		return writeText(w, reports, opt)
	case "json":
		return writeJSON(w, reports, opt)
	case "github":
		return writeGitHub(w, reports)
	}
	return config.Errorf(config.KindInvalid, "unknown format %q; use one of %s", format, strings.Join(Formats, ", "))
}

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
	s := Summary{Files: len(reports)}
	for _, r := range reports {
		errs, warnings := r.Count()
		if r.Err != nil {
			errs++ // an unreadable file counts as one error
		}
		s.Errors += errs
		s.Warnings += warnings
		if Failed(r, strict) {
			s.Invalid++
		}
	}
	return s
}

type ansi struct{ on bool }

func (a ansi) wrap(code, s string) string {
	if !a.on {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func writeText(w io.Writer, reports []*schema.Report, opt Options) error {
	c := ansi{opt.Color}
	for _, r := range reports {
		if r.Err != nil {
			fmt.Fprintf(w, "%s: %s: %v\n", c.wrap("1", name(r)), c.wrap("31", "error"), r.Err)
			continue
		}
		for _, d := range r.Diagnostics {
			sev := c.wrap("31", string(d.Severity))
			if d.Severity == config.SeverityWarning {
				sev = c.wrap("33", string(d.Severity))
			}
			fmt.Fprintf(w, "%s: %s: %s [%s]\n", c.wrap("1", fmt.Sprintf("%s:%d:%d", name(r), d.Line, d.Column)), sev, message(d), d.Rule)
		}
	}
	return nil
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

func writeJSON(w io.Writer, reports []*schema.Report, opt Options) error {
	out := struct {
		Valid   bool       `json:"valid"`
		Summary Summary    `json:"summary"`
		Files   []jsonFile `json:"files"`
	}{Summary: Summarize(reports, opt.Strict), Files: make([]jsonFile, len(reports))}
	out.Valid = out.Summary.Invalid == 0
	for i, r := range reports {
		f := jsonFile{Path: name(r), Valid: !Failed(r, opt.Strict), Diagnostics: r.Diagnostics}
		if f.Diagnostics == nil {
			f.Diagnostics = []config.Diagnostic{}
		}
		if r.Err != nil {
			f.Error = r.Err.Error()
		}
		out.Files[i] = f
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// writeGitHub writes workflow commands that GitHub Actions turns into
// annotations on the pull request's changed lines.
func writeGitHub(w io.Writer, reports []*schema.Report) error {
	for _, r := range reports {
		if r.Err != nil {
			fmt.Fprintf(w, "::error file=%s,title=scopectl::%s\n", ghProperty(name(r)), ghData(r.Err.Error()))
			continue
		}
		for _, d := range r.Diagnostics {
			fmt.Fprintf(w, "::%s file=%s,line=%d,col=%d,title=%s::%s\n", d.Severity,
				ghProperty(name(r)), d.Line, d.Column, ghProperty("scopectl "+d.Rule), ghData(message(d)))
		}
	}
	return nil
}

var (
	ghDataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	ghPropertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

func ghData(s string) string     { return ghDataEscaper.Replace(s) }
func ghProperty(s string) string { return ghPropertyEscaper.Replace(s) }
