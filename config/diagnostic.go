package config

import "cmp"

// Severity says whether a Diagnostic makes a descriptor invalid.
type Severity string

// The severities of a Diagnostic.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Diagnostic is one finding about a descriptor file: which rule it breaks,
// where (JSON pointer and line:column as written), and what to do about it.
type Diagnostic struct {
	Severity Severity `json:"severity"`
	Rule     string   `json:"rule"`
	Pointer  string   `json:"pointer"`
	Position
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
}

// HasErrors reports whether any diagnostic is an error.
func HasErrors(diags []Diagnostic) bool {
	for _, d := range diags {
		if d.Severity == SeverityError {
			return true
		}
	}
	return false
}

// CompareDiagnostics orders diagnostics by position, then rule and message,
// for stable output.
func CompareDiagnostics(a, b Diagnostic) int {
	return cmp.Or(
		cmp.Compare(a.Offset, b.Offset),
		cmp.Compare(a.Rule, b.Rule),
		cmp.Compare(a.Pointer, b.Pointer),
		cmp.Compare(a.Message, b.Message),
	)
}
