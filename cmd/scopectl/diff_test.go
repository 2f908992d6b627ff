package main

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDiffFormats: golden output of every format for two files that
// differ in a scope, a mapping, a check property and maxTokenExpiration.
func TestDiffFormats(t *testing.T) {
	dir := t.TempDir()
	a := copyFixture(t, dir, "valid/com.example.bank-android-1.0.json")
	bSrc := readFile(t, a)
	for _, r := range [][2]string{
		{`"mandatoryScope": "appAuthenticity"`, `"mandatoryScope": "appAuthenticity deviceCheck"`},
		{`"accessRestricted": "PinCodeAttempts"`, `"accessRestricted": "UserLogin"`},
		{`"maxAttempts": 3`, `"maxAttempts": 5`},
		{`"maxTokenExpiration": 3600`, `"maxTokenExpiration": 1800`},
	} {
		bSrc = strings.Replace(bSrc, r[0], r[1], 1)
	}
	b := dir + "/b.json"
	os.WriteFile(b, []byte(bSrc), 0o644)
	t.Chdir(dir)
	for _, format := range []string{"semantic", "unified", "json", "patch"} {
		r := scopectl(t, "app", "diff", "--format", format, "com.example.bank-android-1.0.json", "b.json").wantCode(t, exitFailed)
		golden(t, "diff."+format, r.stdout)
		if format == "json" || format == "patch" {
			var v []fileEntry
			if err := json.Unmarshal([]byte(r.stdout), &v); err != nil || len(v) != 1 {
				t.Fatalf("%s output: %v, %d entries", format, err, len(v))
			}
			if v[0].Path != "b.json" || v[0].From != "com.example.bank-android-1.0.json" || v[0].To != "b.json" || len(v[0].Changes) != 4 {
				t.Errorf("%s: the same shape as over several files, named after the second file: %+v", format, v[0])
			}
		}
	}
	r := scopectl(t, "app", "diff", "b.json", "b.json").wantCode(t, exitOK)
	if r.stdout != "" {
		t.Errorf("identical files: %q", r.stdout)
	}
	for _, format := range []string{"json", "patch"} {
		r := scopectl(t, "app", "diff", "--format", format, "b.json", "b.json").wantCode(t, exitOK)
		if strings.TrimSpace(r.stdout) != "[]" {
			t.Errorf("identical files, %s: %q, want []", format, r.stdout)
		}
	}
}

// fileEntry is one file's entry in the json and patch output of app diff.
type fileEntry struct {
	Path, From, To string
	Changes        []map[string]any
}

func TestDiffAgainstServer(t *testing.T) {
	project(t)
	scopectl(t, "app", "pull", "--all").wantCode(t, exitOK)
	r := scopectl(t, "app", "diff").wantCode(t, exitOK) // pull then diff: empty
	if r.stdout != "" {
		t.Errorf("diff after pull: %q", r.stdout)
	}
	edit(t, bankFile, `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 1800`)
	r = scopectl(t, "app", "diff").wantCode(t, exitFailed)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], "replace /maxTokenExpiration: 3600 → 1800") || !strings.Contains(lines[0], "revision 1 → "+bankFile) {
		t.Errorf("diff shows more or less than the edited key:\n%s", r.stdout)
	}
	edit(t, bankFile, `"maxTokenExpiration": 1800`, `"maxTokenExpiraton": 1800`)
	r = scopectl(t, "app", "diff").wantCode(t, exitUsage)
	if !strings.Contains(r.stderr, "unknown member") {
		t.Errorf("invalid file: %q", r.stderr)
	}
	scopectl(t, "app", "diff", "--format", "xml").wantCode(t, exitUsage)
}

// TestDiffAgainstGitRevision: --rev reads the committed version with
// go-git, in a real repository made by the git program.
func TestDiffAgainstGitRevision(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git is needed for this test")
	}
	repo := t.TempDir()
	t.Chdir(repo)
	gitRun := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	gitRun("init", "-q")
	os.Mkdir("mobilefirst", 0o755)
	copyFixture(t, filepath.Join(repo, "mobilefirst"), "valid/com.example.bank-android-1.0.json")
	gitRun("add", ".")
	gitRun("commit", "-q", "-m", "first")
	edit(t, bankFile, `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 1800`)
	r := scopectl(t, "app", "diff", "--rev", "HEAD", bankFile).wantCode(t, exitFailed)
	if !strings.Contains(r.stdout, bankFile+"@HEAD → "+bankFile) || !strings.Contains(r.stdout, "replace /maxTokenExpiration: 3600 → 1800") {
		t.Errorf("diff --rev:\n%s", r.stdout)
	}
	gitRun("commit", "-q", "-am", "second")
	scopectl(t, "app", "diff", "--rev", "HEAD", bankFile).wantCode(t, exitOK)
	scopectl(t, "app", "diff", "--rev", "HEAD~1", bankFile).wantCode(t, exitFailed)
	r = scopectl(t, "app", "diff", "--rev", "nope", bankFile).wantCode(t, exitUsage)
	if !strings.Contains(r.stderr, `unknown git revision "nope"`) {
		t.Errorf("bad revision: %q", r.stderr)
	}
}

// TestNoColorFlagAnywhere: on a terminal the semantic diff is coloured;
// --no-color, global or the command's, before or after the arguments,
// turns it off.
func TestNoColorFlagAnywhere(t *testing.T) {
	defer func(orig func(io.Writer) bool) { isTerminalWriter = orig }(isTerminalWriter)
	isTerminalWriter = func(io.Writer) bool { return true }
	t.Setenv("NO_COLOR", "")
	dir := t.TempDir()
	a := copyFixture(t, dir, "valid/com.example.bank-android-1.0.json")
	b := filepath.Join(dir, "b.json")
	os.WriteFile(b, []byte(strings.Replace(readFile(t, a), `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 1800`, 1)), 0o644)
	if r := scopectl(t, "app", "diff", a, b); !strings.Contains(r.stdout, "\x1b[") {
		t.Fatalf("no colour on a terminal: %q", r.stdout)
	}
	for _, args := range [][]string{
		{"--no-color", "app", "diff", a, b},
		{"app", "diff", a, b, "--no-color"},
		{"app", "diff", "--no-color", a, b},
	} {
		if r := scopectl(t, args...).wantCode(t, exitFailed); strings.Contains(r.stdout, "\x1b") {
			t.Errorf("%q: coloured output %q", args, r.stdout)
		}
	}
}

// TestDiffJSONOverSeveralFiles: json and patch output of a diff over
// several files is one JSON document naming each file that differs, and
// an empty array when nothing does.
func TestDiffJSONOverSeveralFiles(t *testing.T) {
	project(t)
	scopectl(t, "app", "pull", "--all").wantCode(t, exitOK)
	if r := scopectl(t, "app", "diff", "--format", "json").wantCode(t, exitOK); strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("no difference: %q, want []", r.stdout)
	}
	const webFile = "mobilefirst/com.example.unsorted-web-1.0.json"
	edit(t, bankFile, `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 1800`)
	edit(t, webFile, `"maxTokenExpiration": 1200`, `"maxTokenExpiration": 900`)
	for _, format := range []string{"json", "patch"} {
		r := scopectl(t, "app", "diff", "--format", format).wantCode(t, exitFailed)
		var files []fileEntry
		if err := json.Unmarshal([]byte(r.stdout), &files); err != nil {
			t.Fatalf("%s: not one JSON document: %v\n%s", format, err, r.stdout)
		}
		if len(files) != 2 || files[0].Path != bankFile || files[1].Path != webFile ||
			!strings.Contains(files[0].From, "revision 1") || files[0].To != bankFile ||
			len(files[0].Changes) != 1 || files[0].Changes[0]["path"] != "/maxTokenExpiration" || files[1].Changes[0]["value"] != nil && files[1].Changes[0]["value"] != 900.0 {
			t.Errorf("%s: %+v", format, files)
		}
	}
}
