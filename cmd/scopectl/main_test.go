package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/schema"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// result is what one in-process run of scopectl produced.
type result struct {
	code           int
	stdout, stderr string
}

func scopectl(t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(append([]string{"scopectl"}, args...), strings.NewReader(""), &stdout, &stderr)
	return result{code, stdout.String(), stderr.String()}
}

func (r result) wantCode(t *testing.T, code int) result {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
	return r
}

// testdataDir is absolute so that tests that change directory still find
// their golden files.
var testdataDir, _ = filepath.Abs("testdata")

// fixturesDir is absolute for the same reason.
var fixturesDir, _ = filepath.Abs("../../fixtures")

// golden compares got with testdata/NAME, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(testdataDir, name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

const (
	validDir   = "../../fixtures/valid"
	invalidDir = "../../fixtures/invalid"
)

func copyFixture(t *testing.T, dir, name string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(fixturesDir, name))
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, filepath.Base(name))
	if err := os.WriteFile(dst, src, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

func TestValidateValidFixtures(t *testing.T) {
	r := scopectl(t, "app", "validate", validDir).wantCode(t, exitOK)
	if !strings.Contains(r.stderr, "17 files valid (2 warnings)") {
		t.Errorf("summary: %q", r.stderr)
	}
	if !strings.Contains(r.stdout, "warning:") || strings.Contains(r.stdout, "error:") {
		t.Errorf("stdout: %q", r.stdout)
	}
}

func TestValidateInvalidFixturesText(t *testing.T) {
	r := scopectl(t, "app", "validate", invalidDir).wantCode(t, exitFailed)
	golden(t, "validate-invalid.txt", r.stdout)
	golden(t, "validate-invalid.stderr", r.stderr)
}

func TestValidateFormats(t *testing.T) {
	files := []string{invalidDir + "/unknown-top-level-member.json", validDir + "/com.example.capped-ios-1.0.json"}
	r := scopectl(t, append([]string{"app", "validate", "--format", "json"}, files...)...).wantCode(t, exitFailed)
	golden(t, "validate.json", r.stdout)
	var parsed struct {
		Valid bool
		Files []struct{ Valid bool }
	}
	if err := json.Unmarshal([]byte(r.stdout), &parsed); err != nil || parsed.Valid || len(parsed.Files) != 2 {
		t.Errorf("json output does not parse as a report: %v %+v", err, parsed)
	}
	if r.stderr != "" {
		t.Errorf("json format wrote to stderr: %q", r.stderr)
	}
	r = scopectl(t, append([]string{"app", "validate", "--format", "github"}, files...)...).wantCode(t, exitFailed)
	golden(t, "validate.github", r.stdout)
}

func TestValidateFormatFromEnvironment(t *testing.T) {
	t.Setenv("SCOPECTL_FORMAT", "github")
	r := scopectl(t, "app", "validate", invalidDir+"/empty.json").wantCode(t, exitFailed)
	if !strings.HasPrefix(r.stdout, "::error file=") {
		t.Errorf("SCOPECTL_FORMAT ignored: %q", r.stdout)
	}
}

func TestValidateStrict(t *testing.T) {
	capped := validDir + "/com.example.capped-ios-1.0.json"
	scopectl(t, "app", "validate", capped).wantCode(t, exitOK)
	r := scopectl(t, "app", "validate", "--strict", capped).wantCode(t, exitFailed)
	if !strings.Contains(r.stderr, "1 of 1 file invalid (0 errors, 1 warning)") {
		t.Errorf("summary: %q", r.stderr)
	}
}

func TestValidateDefaultsToMobilefirstFolder(t *testing.T) {
	project := t.TempDir()
	os.Mkdir(filepath.Join(project, "mobilefirst"), 0o755)
	copyFixture(t, filepath.Join(project, "mobilefirst"), "valid/com.example.bank-android-1.0.json")
	t.Chdir(project)
	r := scopectl(t, "app", "validate").wantCode(t, exitOK)
	if !strings.Contains(r.stderr, "1 file valid") {
		t.Errorf("summary: %q", r.stderr)
	}
}

func TestInputErrors(t *testing.T) {
	empty := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		msg  string
	}{
		{"missing path", []string{"app", "validate", "no/such.json"}, "scopectl: no/such.json: no such file or directory\n"},
		{"no default folder", []string{"app", "validate", filepath.Join(empty, "mobilefirst")}, "no such file or directory"},
		{"directory without descriptors", []string{"app", "validate", empty}, "no descriptors (*.json files) in this directory"},
		{"unknown format", []string{"app", "validate", "--format", "xml", validDir}, `unknown --format "xml"; use text, json or github`},
		{"unknown flag", []string{"app", "validate", "--bogus"}, "unknown flag --bogus\n"},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"unknown subcommand", []string{"app", "frobnicate"}, `unknown command "frobnicate"; see scopectl app --help`},
		{"fmt missing path", []string{"app", "fmt", "no/such.json"}, "no/such.json: no such file or directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := scopectl(t, tc.args...).wantCode(t, exitUsage)
			if !strings.Contains(r.stderr, tc.msg) {
				t.Errorf("stderr %q does not contain %q", r.stderr, tc.msg)
			}
			if strings.Contains(r.stderr, "goroutine") || strings.Contains(r.stderr, "USAGE:") {
				t.Errorf("stderr has a stack trace or a help dump: %q", r.stderr)
			}
		})
	}
}

func TestValidateDirectoryNamedLikeADescriptor(t *testing.T) {
	dir := t.TempDir()
	copyFixture(t, dir, "valid/com.example.bank-android-1.0.json")
	os.Mkdir(filepath.Join(dir, "sub.json"), 0o755) // a directory named like a descriptor, with nothing in it
	r := scopectl(t, "app", "validate", filepath.Join(dir, "com.example.bank-android-1.0.json"), filepath.Join(dir, "sub.json"))
	r.wantCode(t, exitUsage)
}

// TestValidateUnreadableFile: a file that cannot be read is reported with
// its name and makes the run exit 2, after the other files were checked.
func TestValidateUnreadableFile(t *testing.T) {
	dir := t.TempDir()
	copyFixture(t, dir, "valid/com.example.bank-android-1.0.json")
	os.Symlink(filepath.Join(dir, "gone.json"), filepath.Join(dir, "dangling.json"))
	r := scopectl(t, "app", "validate", dir).wantCode(t, exitUsage)
	if !strings.Contains(r.stdout, "dangling.json: error: open ") || !strings.Contains(r.stderr, "1 of 2 files invalid (1 error, 0 warnings)") {
		t.Errorf("stdout %q stderr %q", r.stdout, r.stderr)
	}
}

// TestDirectoryExpansion: hidden files (editor lock files) and hidden
// directories are skipped, and a file named twice is checked once.
func TestDirectoryExpansion(t *testing.T) {
	dir := t.TempDir()
	f := copyFixture(t, dir, "valid/com.example.bank-android-1.0.json")
	os.Symlink("user@host.1:1", filepath.Join(dir, ".#com.example.bank-android-1.0.json"))
	os.Mkdir(filepath.Join(dir, ".scopectl"), 0o755)
	os.WriteFile(filepath.Join(dir, ".scopectl", "x.json"), []byte("broken"), 0o644)
	r := scopectl(t, "app", "validate", dir, f, filepath.Join(dir, ".", filepath.Base(f))).wantCode(t, exitOK)
	if !strings.Contains(r.stderr, "1 file valid") {
		t.Errorf("summary %q", r.stderr)
	}
}

// TestNoColorAnyValue: NO_COLOR set to any value (no-color.org) is obeyed
// and never breaks a command.
func TestNoColorAnyValue(t *testing.T) {
	t.Setenv("NO_COLOR", "yes")
	scopectl(t, "--version").wantCode(t, exitOK)
	scopectl(t, "app", "validate", "--no-color", validDir).wantCode(t, exitOK)
}

func TestFmt(t *testing.T) {
	dir := t.TempDir()
	unsorted := copyFixture(t, dir, "valid/com.example.unsorted-web-1.0.json")
	canonical := copyFixture(t, dir, "valid/com.example.minimal-android-1.0.json")
	scopectl(t, "app", "fmt", canonical).wantCode(t, exitOK) // make it canonical first
	before, _ := os.ReadFile(unsorted)

	r := scopectl(t, "app", "fmt", "--check", dir).wantCode(t, exitFailed)
	if r.stdout != unsorted+"\n" {
		t.Errorf("--check listed %q, want only %s", r.stdout, unsorted)
	}
	if after, _ := os.ReadFile(unsorted); !bytes.Equal(before, after) {
		t.Error("--check changed the file")
	}

	scopectl(t, "app", "fmt", dir).wantCode(t, exitOK)
	formatted, _ := os.ReadFile(unsorted)
	golden(t, "fmt-unsorted.json", string(formatted))
	scopectl(t, "app", "fmt", "--check", dir).wantCode(t, exitOK)

	r = scopectl(t, "app", "fmt", dir).wantCode(t, exitOK)
	if r.stdout != "" {
		t.Errorf("second fmt reported changes: %q", r.stdout)
	}
}

func TestFmtRefusesInvalidAndKeepsIt(t *testing.T) {
	dir := t.TempDir()
	bad := copyFixture(t, dir, "invalid/duplicate-key.json")
	before, _ := os.ReadFile(bad)
	r := scopectl(t, "app", "fmt", bad).wantCode(t, exitUsage)
	if !strings.Contains(r.stderr, "duplicate-key.json:4:3: error: /maxTokenExpiration: duplicate member") ||
		!strings.Contains(r.stderr, "1 file could not be formatted") {
		t.Errorf("stderr: %q", r.stderr)
	}
	if after, _ := os.ReadFile(bad); !bytes.Equal(before, after) {
		t.Error("fmt changed a file it refused")
	}
}

func TestFmtKeepsPermissions(t *testing.T) {
	dir := t.TempDir()
	f := copyFixture(t, dir, "valid/com.example.unsorted-web-1.0.json")
	os.Chmod(f, 0o600)
	scopectl(t, "app", "fmt", f).wantCode(t, exitOK)
	info, _ := os.Stat(f)
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v after fmt, want 0600", info.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("fmt left files behind: %v", entries)
	}
}

func TestSchema(t *testing.T) {
	r := scopectl(t, "schema").wantCode(t, exitOK)
	if r.stdout != string(schema.Source()) || !json.Valid([]byte(r.stdout)) {
		t.Error("schema output is not the embedded schema")
	}
}

// TestFmtKeepsLinksAndReadOnlyFiles: fmt writes through a symbolic link
// (the link stays), and refuses read-only files and hard-linked files
// rather than silently breaking what the user set up.
func TestFmtKeepsLinksAndReadOnlyFiles(t *testing.T) {
	dir := t.TempDir()
	real := copyFixture(t, dir, "valid/com.example.unsorted-web-1.0.json")
	link := filepath.Join(dir, "link.json")
	os.Symlink(real, link)
	scopectl(t, "app", "fmt", link).wantCode(t, exitOK)
	if info, _ := os.Lstat(link); info.Mode()&os.ModeSymlink == 0 {
		t.Error("fmt replaced the symbolic link with a file")
	}
	scopectl(t, "app", "fmt", "--check", real).wantCode(t, exitOK) // the target was formatted

	ro := copyFixture(t, t.TempDir(), "valid/com.example.unsorted-web-1.0.json")
	os.Chmod(ro, 0o444)
	r := scopectl(t, "app", "fmt", ro).wantCode(t, exitUsage)
	if !strings.Contains(r.stderr, "is read-only; not rewritten") {
		t.Errorf("read-only: %q", r.stderr)
	}
	hdir := t.TempDir()
	h1 := copyFixture(t, hdir, "valid/com.example.unsorted-web-1.0.json")
	h2 := filepath.Join(hdir, "other.json")
	os.Link(h1, h2)
	r = scopectl(t, "app", "fmt", h1).wantCode(t, exitUsage)
	a, _ := os.ReadFile(h1)
	b, _ := os.ReadFile(h2)
	if !strings.Contains(r.stderr, "hard links") || string(a) != string(b) {
		t.Errorf("hard link: %q", r.stderr)
	}
}
