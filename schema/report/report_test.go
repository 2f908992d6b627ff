package report_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/schema"
	"github.com/scopectl/scopectl/schema/report"
)

func reports() []*schema.Report {
	return []*schema.Report{
		{Path: "a,b:c.json", Diagnostics: []config.Diagnostic{{
			Severity: config.SeverityError, Rule: "syntax", Position: config.Position{Line: 2, Column: 5},
			Message: "100% broken\nreally",
		}}},
		{Path: "w.json", Diagnostics: []config.Diagnostic{{
			Severity: config.SeverityWarning, Rule: "expiration-capped", Pointer: "/x", Position: config.Position{Line: 1, Column: 1},
			Message: "capped", Hint: "lower it",
		}}},
		{Path: "gone.json", Err: errors.New("open gone.json: permission denied")},
	}
}

func TestGitHubEscapesWorkflowCommands(t *testing.T) {
	var buf bytes.Buffer
	report.Write(&buf, "github", reports(), report.Options{})
	want := "::error file=a%2Cb%3Ac.json,line=2,col=5,title=scopectl syntax::100%25 broken%0Areally\n" +
		"::warning file=w.json,line=1,col=1,title=scopectl expiration-capped::/x: capped; lower it\n" +
		"::error file=gone.json,title=scopectl::open gone.json: permission denied\n"
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

func TestTextColourOnlyWhenAsked(t *testing.T) {
	var plain, coloured bytes.Buffer
	report.Write(&plain, "text", reports(), report.Options{})
	report.Write(&coloured, "text", reports(), report.Options{Color: true})
	if strings.Contains(plain.String(), "\x1b[") {
		t.Error("plain output has escape codes")
	}
	if !strings.Contains(coloured.String(), "\x1b[31merror\x1b[0m") || !strings.Contains(coloured.String(), "\x1b[33mwarning\x1b[0m") {
		t.Errorf("coloured output lacks red errors and yellow warnings: %q", coloured.String())
	}
}

func TestSummaryCountsUnreadableFilesAndStrictWarnings(t *testing.T) {
	s := report.Summarize(reports(), false)
	if s != (report.Summary{Files: 3, Invalid: 2, Errors: 2, Warnings: 1}) {
		t.Errorf("summary %+v", s)
	}
	if s := report.Summarize(reports(), true); s.Invalid != 3 {
		t.Errorf("strict: %d invalid, want 3", s.Invalid)
	}
}

func TestUnknownFormat(t *testing.T) {
	err := report.Write(&bytes.Buffer{}, "xml", nil, report.Options{})
	if config.ErrorKind(err) != config.KindInvalid {
		t.Errorf("got %v", err)
	}
}
