package workspace_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/sync/workspace"
)

// stage stages content for path, failing the test on error.
func stage(t *testing.T, path, content string) workspace.Staged {
	t.Helper()
	f, err := workspace.Stage(path, []byte(content), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// names lists the entries of dir.
func names(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return strings.Join(out, " ")
}

// TestBatchCommitReplacesEveryFile: staged content replaces nothing until
// Commit, which replaces every file (keeping an existing file's mode) and
// leaves no temporary file.
func TestBatchCommitReplacesEveryFile(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	write(t, a, "old a")
	os.Chmod(a, 0o600)
	var batch workspace.Batch
	batch.Add(stage(t, a, "new a"))
	batch.Add(stage(t, b, "new b"))
	if got, _ := os.ReadFile(a); string(got) != "old a" {
		t.Fatalf("staging replaced a: %q", got)
	}
	if _, err := os.Stat(b); err == nil {
		t.Fatal("staging created b")
	}
	n, err := batch.Commit()
	if err != nil || n != 2 {
		t.Fatalf("Commit = %d, %v", n, err)
	}
	for path, want := range map[string]string{a: "new a", b: "new b"} {
		if got, _ := os.ReadFile(path); string(got) != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	if info, _ := os.Stat(a); info.Mode().Perm() != 0o600 {
		t.Errorf("a's mode %v, want 0600 kept", info.Mode().Perm())
	}
	if got := names(t, dir); got != "a.json b.json" {
		t.Errorf("folder holds %s", got)
	}
}

// TestBatchCommitStopsAtAFailedRename: Commit renames in the order of Add
// and reports how many it renamed; the files after a failed rename keep
// their content and no temporary file is left.
func TestBatchCommitStopsAtAFailedRename(t *testing.T) {
	dir := t.TempDir()
	a, blocked, c := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json"), filepath.Join(dir, "c.json")
	write(t, filepath.Join(blocked, "inside.txt"), "keep") // a folder cannot be renamed over
	write(t, c, "old c")
	var batch workspace.Batch
	batch.Add(stage(t, a, "new a"))
	batch.Add(stage(t, blocked, "new b"))
	batch.Add(stage(t, c, "new c"))
	n, err := batch.Commit()
	if err == nil || n != 1 {
		t.Fatalf("Commit = %d, %v; want 1 and an error", n, err)
	}
	if got, _ := os.ReadFile(a); string(got) != "new a" {
		t.Errorf("a = %q", got)
	}
	if got, _ := os.ReadFile(c); string(got) != "old c" {
		t.Errorf("c = %q, want it untouched", got)
	}
	if got := names(t, dir); got != "a.json b.json c.json" {
		t.Errorf("folder holds %s", got)
	}
}

// TestBatchDiscardAndTruncate: what is discarded or truncated away leaves
// no trace; what Truncate keeps is committed.
func TestBatchDiscardAndTruncate(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	var batch workspace.Batch
	batch.Add(stage(t, a, "a"))
	batch.Add(stage(t, b, "b"))
	batch.Truncate(1)
	if n, err := batch.Commit(); err != nil || n != 1 {
		t.Fatalf("Commit = %d, %v", n, err)
	}
	if got := names(t, dir); got != "a.json" {
		t.Errorf("after Truncate(1) and Commit, folder holds %s", got)
	}
	batch.Add(stage(t, b, "b"))
	lone := stage(t, filepath.Join(dir, "c.json"), "c")
	batch.Discard()
	lone.Discard()
	if got := names(t, dir); got != "a.json" {
		t.Errorf("after Discard, folder holds %s", got)
	}
}
