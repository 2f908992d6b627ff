package workspace_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/workspace"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFindDescriptors(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"b.json", "a.json", "sub/c.json", ".scopectl/base.json", "notes.txt", "sub/.hidden/d.json"} {
		write(t, filepath.Join(dir, f), "{}")
	}
	explicit := filepath.Join(dir, "notes.txt")
	got, err := workspace.FindDescriptors([]string{dir, explicit})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json"), filepath.Join(dir, "sub/c.json"),
		explicit, // a file named explicitly is taken whatever its name
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
}

func TestFindDescriptorsErrors(t *testing.T) {
	empty := t.TempDir()
	for path, msg := range map[string]string{
		filepath.Join(empty, "missing"): "missing: no such file or directory",
		empty:                           "no descriptors (*.json files) in this directory",
	} {
		_, err := workspace.FindDescriptors([]string{path})
		if err == nil || !strings.Contains(err.Error(), msg) || config.ErrorKind(err) != config.KindInvalid {
			t.Errorf("%s: got %v, want an invalid-input error containing %q", path, err, msg)
		}
	}
}

func TestWriteFileReplacesAtomicallyAndKeepsMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "d.json")
	if err := workspace.WriteFile(path, []byte("one"), 0o640); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o640 {
		t.Errorf("new file mode %v, want 0640", info.Mode().Perm())
	}
	os.Chmod(path, 0o600)
	if err := workspace.WriteFile(path, []byte("two"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	info, _ := os.Stat(path)
	if string(got) != "two" || info.Mode().Perm() != 0o600 {
		t.Errorf("content %q mode %v, want two 0600", got, info.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

// TestWriteFileFailureLeavesNothingBehind: when the final rename fails
// (here: a directory stands at the path), the write fails, the directory
// is untouched and no temporary file remains.
func TestWriteFileFailureLeavesNothingBehind(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "d.json")
	write(t, filepath.Join(path, "inside.txt"), "keep")
	if err := workspace.WriteFile(path, []byte("new"), 0o644); err == nil {
		t.Fatal("replacing a non-empty directory succeeded")
	}
	if got, _ := os.ReadFile(filepath.Join(path, "inside.txt")); string(got) != "keep" {
		t.Errorf("directory content changed: %q", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}
