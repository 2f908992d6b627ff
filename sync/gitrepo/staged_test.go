package gitrepo_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/gitrepo"
)

// gitIn runs the real git program in dir.
func gitIn(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=Test", "-c", "user.email=test@example.com"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// staged returns name → staged content as StagedDescriptors sees it.
func staged(t *testing.T, wd string, paths ...string) map[string]string {
	t.Helper()
	files, err := gitrepo.StagedDescriptors(wd, "", paths)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range files {
		if f.Err != nil {
			out[f.Name] = "error: " + f.Err.Error()
			continue
		}
		out[f.Name] = string(f.Content)
	}
	return out
}

// write creates the file at path, and its folders, with content.
func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func newRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	gitIn(t, dir, "init", "-q", "-b", "main")
	return dir
}

// TestStagedDescriptors: what is staged, not the working tree; added,
// modified and renamed files are checked under their new names; deleted
// and unchanged ones are not.
func TestStagedDescriptors(t *testing.T) {
	dir := newRepo(t)
	mf := filepath.Join(dir, "mobilefirst")
	for _, name := range []string{"keep", "modify", "rename", "delete"} {
		write(t, filepath.Join(mf, name+".json"), name+" v1")
	}
	write(t, filepath.Join(mf, "notes.txt"), "not a descriptor")
	gitIn(t, dir, "add", ".")
	gitIn(t, dir, "commit", "-q", "-m", "first")
	if got := staged(t, dir, "mobilefirst"); len(got) != 0 {
		t.Fatalf("nothing staged, got %v", got)
	}

	write(t, filepath.Join(mf, "modify.json"), "modify v2 staged")
	write(t, filepath.Join(mf, "added.json"), "added staged")
	write(t, filepath.Join(mf, ".hidden.json"), "hidden")
	write(t, filepath.Join(mf, "notes.txt"), "changed, not a descriptor")
	gitIn(t, dir, "add", ".")
	gitIn(t, dir, "mv", "mobilefirst/rename.json", "mobilefirst/renamed.json")
	gitIn(t, dir, "rm", "-q", "mobilefirst/delete.json")
	write(t, filepath.Join(mf, "modify.json"), "modify v3 only in the working tree")
	write(t, filepath.Join(mf, "untracked.json"), "untracked")
	write(t, filepath.Join(mf, "intent.json"), "intent to add")
	gitIn(t, dir, "add", "-N", "mobilefirst/intent.json")

	want := map[string]string{
		filepath.Join("mobilefirst", "added.json"):   "added staged",
		filepath.Join("mobilefirst", "modify.json"):  "modify v2 staged",
		filepath.Join("mobilefirst", "renamed.json"): "rename v1",
	}
	if got := staged(t, dir, "mobilefirst"); !reflect.DeepEqual(got, want) {
		t.Errorf("staged:\n got %v\nwant %v", got, want)
	}
	// From a subdirectory, names are relative to it; "." is the folder.
	sub := staged(t, mf, ".")
	if sub["added.json"] != "added staged" || len(sub) != 3 {
		t.Errorf("from mobilefirst/: %v", sub)
	}
	// A named file is taken whatever its name; a deleted one is no error.
	if got := staged(t, dir, "mobilefirst/notes.txt", "mobilefirst/delete.json"); len(got) != 1 || got[filepath.Join("mobilefirst", "notes.txt")] == "" {
		t.Errorf("named files: %v", got)
	}
}

// TestStagedDescriptorsSymlinks: a symbolic link in the index records a
// link, not a descriptor: skipped, and no "not in the index" error when
// named; a path given through a symbolic link to the repository works.
func TestStagedDescriptorsSymlinks(t *testing.T) {
	dir := newRepo(t)
	write(t, filepath.Join(dir, "elsewhere", "real.json"), "real")
	os.MkdirAll(filepath.Join(dir, "mobilefirst"), 0o755)
	os.Symlink("../elsewhere/real.json", filepath.Join(dir, "mobilefirst", "link.json"))
	gitIn(t, dir, "add", ".")
	if got := staged(t, dir, "mobilefirst", "mobilefirst/link.json"); len(got) != 0 {
		t.Errorf("a staged link was read as a descriptor: %v", got)
	}
	alias := filepath.Join(t.TempDir(), "alias")
	os.Symlink(dir, alias)
	if got := staged(t, dir, filepath.Join(alias, "elsewhere")); got[filepath.Join("elsewhere", "real.json")] != "real" {
		t.Errorf("path through a symbolic link: %v", got)
	}
	if got := staged(t, alias, "elsewhere"); got[filepath.Join("elsewhere", "real.json")] != "real" {
		t.Errorf("working directory through a symbolic link: %v", got)
	}
	// A folder that is a link to another folder in the repository: git
	// stages the files where they really are.
	os.Symlink("elsewhere", filepath.Join(dir, "apps"))
	if got := staged(t, dir, "apps"); got[filepath.Join("elsewhere", "real.json")] != "real" {
		t.Errorf("folder through a symbolic link: %v", got)
	}
}

func TestStagedDescriptorsBeforeFirstCommit(t *testing.T) {
	dir := newRepo(t)
	write(t, filepath.Join(dir, "mobilefirst", "a.json"), "a")
	gitIn(t, dir, "add", ".")
	if got := staged(t, dir, "mobilefirst"); got[filepath.Join("mobilefirst", "a.json")] != "a" {
		t.Errorf("initial commit: %v", got)
	}
}

func TestStagedDescriptorsMergeConflict(t *testing.T) {
	dir := newRepo(t)
	path := filepath.Join(dir, "mobilefirst", "a.json")
	write(t, path, "base\n")
	gitIn(t, dir, "add", ".")
	gitIn(t, dir, "commit", "-q", "-m", "base")
	gitIn(t, dir, "checkout", "-q", "-b", "other")
	write(t, path, "other\n")
	gitIn(t, dir, "commit", "-q", "-am", "other")
	gitIn(t, dir, "checkout", "-q", "main")
	write(t, path, "main\n")
	gitIn(t, dir, "commit", "-q", "-am", "main")
	cmd := exec.Command("git", "merge", "-q", "other")
	cmd.Dir = dir
	if err := cmd.Run(); err == nil {
		t.Fatal("the merge should conflict")
	}
	got := staged(t, dir, "mobilefirst")
	if len(got) != 1 || !strings.Contains(got[filepath.Join("mobilefirst", "a.json")], "unresolved merge conflict") {
		t.Errorf("conflict: %v", got)
	}
}

func TestStagedDescriptorsErrors(t *testing.T) {
	dir := newRepo(t)
	write(t, filepath.Join(dir, "mobilefirst", "untracked.json"), "x")
	for _, tc := range []struct {
		wd, path, msg string
	}{
		{dir, "mobilefirst/untracked.json", "mobilefirst/untracked.json: not in the git index; git add it first"},
		{dir, "mobilefirst/none.json", "mobilefirst/none.json: no such file or directory"},
		{dir, filepath.Dir(dir), "outside the git repository"},
		{t.TempDir(), ".", "is not in a git repository"},
	} {
		_, err := gitrepo.StagedDescriptors(tc.wd, "", []string{tc.path})
		if err == nil || !strings.Contains(err.Error(), tc.msg) || config.ErrorKind(err) != config.KindInvalid {
			t.Errorf("%s: got %v, want %q", tc.path, err, tc.msg)
		}
	}
}

// BenchmarkStagedDescriptors: one changed descriptor among 200 committed
// ones, the everyday pre-commit case (docs/benchmarks.md).
func BenchmarkStagedDescriptors(b *testing.B) {
	dir := b.TempDir()
	gitIn(b, dir, "init", "-q")
	for i := range 200 {
		path := filepath.Join(dir, "mobilefirst", fmt.Sprintf("app%03d.json", i))
		os.MkdirAll(filepath.Dir(path), 0o755)
		os.WriteFile(path, fmt.Appendf(nil, "descriptor %d", i), 0o644)
	}
	gitIn(b, dir, "add", ".")
	gitIn(b, dir, "commit", "-q", "-m", "base")
	os.WriteFile(filepath.Join(dir, "mobilefirst", "app100.json"), []byte("changed"), 0o644)
	gitIn(b, dir, "add", ".")
	for b.Loop() {
		files, err := gitrepo.StagedDescriptors(dir, "", []string{"mobilefirst"})
		if err != nil || len(files) != 1 {
			b.Fatal(err, len(files))
		}
	}
}
