package config_test

import (
	"strings"
	"testing"

	"github.com/scopectl/scopectl/config"
)

const conflicted = `{
  "applicationKey": {
    "packageName": "com.x",
    "clientPlatform": "android",
    "version": "1.0"
  },
  "displayName": "",
<<<<<<< local
  "maxTokenExpiration": 60
=======
  "maxTokenExpiration": 900
>>>>>>> server revision 3
}
`

// TestConflictMarkersAreNamed: a file with merge-conflict markers is
// reported as an unresolved conflict at each conflict's first line, not as
// a syntax error somewhere in it.
func TestConflictMarkersAreNamed(t *testing.T) {
	twice := strings.Replace(conflicted, `  "displayName": "",`, "<<<<<<< ours\n  \"displayName\": \"a\",\n=======\n  \"displayName\": \"b\",\n>>>>>>> theirs", 1)
	diff3 := strings.Replace(conflicted, "=======\n", "||||||| base\n  \"maxTokenExpiration\": 3600\n=======\n", 1)
	crlf := strings.ReplaceAll(conflicted, "\n", "\r\n")
	for _, tc := range []struct {
		name, src string
		lines     []int
	}{
		{"one conflict", conflicted, []int{8}},
		{"two conflicts", twice, []int{7, 12}},
		{"diff3 style", diff3, []int{8}},
		{"CRLF line ends", crlf, []int{8}},
		{"BOM", "\ufeff" + conflicted, []int{8}},
		{"a stray closing marker", "{\n  \"a\": 1\n>>>>>>>\n}\n", []int{3}},
		{"a stray middle marker", "{\n  \"a\": 1\n=======\n}\n", []int{3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, diags := config.ParseDocument([]byte(tc.src))
			if doc != nil {
				t.Fatal("a file with conflict markers parsed")
			}
			var lines []int
			for _, d := range diags {
				if d.Rule == config.RuleSyntax {
					t.Errorf("syntax finding %v; want only the conflict", d)
				}
				if d.Rule == config.RuleMergeConflict {
					lines = append(lines, d.Line)
					if d.Column != 1 || !strings.Contains(d.Message, "unresolved merge conflict: keep one side and delete the markers") {
						t.Errorf("finding %+v", d)
					}
				}
			}
			if len(lines) != len(tc.lines) || lines[0] != tc.lines[0] || lines[len(lines)-1] != tc.lines[len(tc.lines)-1] {
				t.Errorf("conflicts at lines %v, want %v", lines, tc.lines)
			}
		})
	}
	_, err := config.ParseDescriptor([]byte(conflicted))
	if err == nil || !strings.Contains(err.Error(), "8:1: unresolved merge conflict") {
		t.Errorf("ParseDescriptor: %v", err)
	}
}

// TestNotConflictMarkers: marker characters inside strings, indented, or
// fewer than seven are no conflict; a valid file is never reported, and an
// ordinary syntax error stays one.
func TestNotConflictMarkers(t *testing.T) {
	mustParse(t, `{"a": "<<<<<<< local", "b": "=======", "c": ">>>>>>> x"}`)
	for _, src := range []string{
		"{\n <<<<<<< local\n}",
		"{\n<<<<<< local\n}",
		"{\n<<<<<<<<local\n}",
		"{\n\"a\": 1 =======\n}",
	} {
		_, diags := config.ParseDocument([]byte(src))
		if len(diags) != 1 || diags[0].Rule != config.RuleSyntax {
			t.Errorf("%q: %v; want one syntax finding", src, diags)
		}
	}
}
