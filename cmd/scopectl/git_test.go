package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runAsCLI makes the test binary behave as the scopectl program, so that
// git can run it as a hook, a diff driver and a textconv filter.
const runAsCLI = "SCOPECTL_TEST_RUN_AS_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(runAsCLI) == "1" {
		os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
	}
	flag.Parse()
	stop := preCommitBackground()
	code := m.Run()
	stop()
	os.Exit(code)
}

// scopectlOnPath puts a scopectl command on PATH that runs this test
// binary as the CLI.
func scopectlOnPath(t *testing.T) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	script := fmt.Sprintf("#!/bin/sh\n%s=1 exec '%s' \"$@\"\n", runAsCLI, exe)
	if err := os.WriteFile(filepath.Join(bin, "scopectl"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// gitRepo is a repository made by the real git program in a temp dir,
// which is also the test's working directory.
type gitRepo struct {
	t   *testing.T
	dir string
}

func newGitRepo(t *testing.T) *gitRepo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("the git program is needed for this test")
	}
	// Keep the user's and the machine's git config out of the test.
	t.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("GIT_PAGER", "cat")
	r := &gitRepo{t: t, dir: t.TempDir()}
	t.Chdir(r.dir)
	r.git("init", "-q", "-b", "main")
	if err := os.Mkdir("mobilefirst", 0o755); err != nil {
		t.Fatal(err)
	}
	return r
}

// git runs git and returns its standard output; it fails the test when git
// fails.
func (r *gitRepo) git(args ...string) string {
	r.t.Helper()
	out, err := r.try(args...)
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// try runs git and returns its combined output and error.
func (r *gitRepo) try(args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"-c", "user.name=Test", "-c", "user.email=test@example.com"}, args...)...)
	cmd.Dir = r.dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// put copies a fixture to mobilefirst/name.
func (r *gitRepo) put(fixture, name string) string {
	r.t.Helper()
	path := filepath.Join("mobilefirst", name)
	if err := os.WriteFile(path, []byte(readFile(r.t, filepath.Join(fixturesDir, fixture))), 0o644); err != nil {
		r.t.Fatal(err)
	}
	return path
}

func (r *gitRepo) commits() int {
	r.t.Helper()
	out, err := r.try("rev-list", "--count", "HEAD")
	if err != nil {
		return 0
	}
	var n int
	fmt.Sscan(out, &n)
	return n
}

const (
	bankFixture    = "valid/com.example.bank-android-1.0.json"
	invalidFixture = "invalid/unknown-top-level-member.json"
)

// TestHookChecksStagedContent: the installed hook judges what is staged,
// not the working tree, in both directions.
func TestHookChecksStagedContent(t *testing.T) {
	r := newGitRepo(t)
	scopectlOnPath(t)
	r.put(bankFixture, "bank.json")
	r.git("add", ".")
	r.git("commit", "-q", "-m", "first")
	scopectl(t, "hook", "install").wantCode(t, exitOK)

	// Invalid staged, fixed only in the working tree: refused.
	bad := r.put(invalidFixture, "bank.json")
	r.git("add", bad)
	r.put(bankFixture, "bank.json")
	out, err := r.try("commit", "-q", "-m", "staged copy is invalid")
	if err == nil || r.commits() != 1 {
		t.Fatalf("commit of an invalid staged descriptor went through:\n%s", out)
	}
	if !strings.Contains(out, "mobilefirst/bank.json:") || !strings.Contains(out, "unknown member") {
		t.Errorf("the refusal does not say which file and why:\n%s", out)
	}

	// Valid staged, broken in the working tree: goes through.
	r.put(bankFixture, "bank.json")
	edit(t, "mobilefirst/bank.json", `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 1800`)
	r.git("add", "mobilefirst/bank.json")
	r.put(invalidFixture, "bank.json")
	if out, err := r.try("commit", "-q", "-m", "staged copy is valid"); err != nil || r.commits() != 2 {
		t.Fatalf("commit of a valid staged descriptor was refused (%v):\n%s", err, out)
	}
}

// TestHookChainsExistingHook: an existing hook keeps running (and can
// still refuse), install twice changes nothing more, and uninstall puts
// the original back byte for byte.
func TestHookChainsExistingHook(t *testing.T) {
	r := newGitRepo(t)
	scopectlOnPath(t)
	hook := filepath.Join(".git", "hooks", "pre-commit")
	original := "#!/bin/sh\necho team hook ran >&2\n[ ! -f STOP ]\n"
	if err := os.WriteFile(hook, []byte(original), 0o755); err != nil {
		t.Fatal(err)
	}
	out := scopectl(t, "hook", "install").wantCode(t, exitOK).stdout
	if !strings.Contains(out, "pre-commit.scopectl-chained and runs first") {
		t.Errorf("install did not say it chained the hook: %q", out)
	}
	scopectl(t, "hook", "install").wantCode(t, exitOK)
	if got := readFile(t, hook+".scopectl-chained"); got != original {
		t.Fatalf("second install clobbered the chained hook: %q", got)
	}

	r.put(bankFixture, "bank.json")
	os.WriteFile("STOP", nil, 0o644)
	r.git("add", ".")
	if out, err := r.try("commit", "-q", "-m", "team hook refuses"); err == nil || !strings.Contains(out, "team hook ran") {
		t.Fatalf("the chained hook did not run or its refusal was ignored (%v):\n%s", err, out)
	}
	r.git("rm", "-q", "--cached", "STOP")
	os.Remove("STOP")
	if out, err := r.try("commit", "-q", "-m", "both pass"); err != nil || !strings.Contains(out, "team hook ran") {
		t.Fatalf("commit with both hooks passing failed (%v):\n%s", err, out)
	}

	scopectl(t, "hook", "uninstall").wantCode(t, exitOK)
	if got := readFile(t, hook); got != original {
		t.Errorf("uninstall did not restore the hook: %q", got)
	}
	if _, err := os.Stat(hook + ".scopectl-chained"); !os.IsNotExist(err) {
		t.Errorf("the chained copy is still there: %v", err)
	}
	e := scopectl(t, "hook", "uninstall").wantCode(t, exitConflict)
	if !strings.Contains(e.stderr, "not written by scopectl; left alone") {
		t.Errorf("uninstall over a foreign hook: %q", e.stderr)
	}
}

func TestHookUninstallWithoutHook(t *testing.T) {
	newGitRepo(t)
	r := scopectl(t, "hook", "uninstall").wantCode(t, exitUsage)
	if !strings.Contains(r.stderr, "no scopectl hook installed at ") {
		t.Errorf("stderr: %q", r.stderr)
	}
}

// TestHookHonoursHooksPath: the hook goes where git runs hooks from, a
// global core.hooksPath with ~ included, and git really runs it there.
func TestHookHonoursHooksPath(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	r := newGitRepo(t)
	scopectlOnPath(t)
	global := filepath.Join(home, "gitconfig")
	os.WriteFile(global, []byte("[core]\n\thooksPath = ~/githooks\n"), 0o644)
	t.Setenv("GIT_CONFIG_GLOBAL", global)
	scopectl(t, "hook", "install").wantCode(t, exitOK)
	if !strings.Contains(readFile(t, filepath.Join(home, "githooks", "pre-commit")), "app validate --staged mobilefirst") {
		t.Fatal("hook not written to the global core.hooksPath")
	}
	r.put(invalidFixture, "bad.json")
	r.git("add", ".")
	if out, err := r.try("commit", "-q", "-m", "invalid"); err == nil || !strings.Contains(out, "unknown member") {
		t.Errorf("git did not run the hook from core.hooksPath (%v):\n%s", err, out)
	}
}

// TestHookRefusesSharedHooksDirectory: a hooks directory inside the
// working tree (husky, a tracked githooks/) belongs to the team; install
// changes nothing there and says what line to add instead.
func TestHookRefusesSharedHooksDirectory(t *testing.T) {
	r := newGitRepo(t)
	r.git("config", "core.hooksPath", ".husky")
	os.Mkdir(".husky", 0o755)
	os.WriteFile(filepath.Join(".husky", "pre-commit"), []byte("#!/bin/sh\nnpm test\n"), 0o755)
	e := scopectl(t, "hook", "install").wantCode(t, exitConflict)
	if !strings.Contains(e.stderr, "git runs hooks from .husky, inside the working tree") || !strings.Contains(e.stderr, "\n  scopectl app validate --staged mobilefirst\n") {
		t.Errorf("stderr: %q", e.stderr)
	}
	if got := readFile(t, filepath.Join(".husky", "pre-commit")); got != "#!/bin/sh\nnpm test\n" {
		t.Errorf("the team's hook was changed: %q", got)
	}
	// A scopectl hook there (written by an older scopectl) can still be
	// uninstalled.
	os.WriteFile(filepath.Join(".husky", "pre-commit"), []byte("#!/bin/sh\n# scopectl-hook: pre-commit\nexec scopectl app validate --staged mobilefirst\n"), 0o755)
	scopectl(t, "hook", "uninstall").wantCode(t, exitOK)
	if _, err := os.Stat(filepath.Join(".husky", "pre-commit")); !os.IsNotExist(err) {
		t.Errorf("uninstall left the hook: %v", err)
	}
}

// TestHookWithoutDescriptors: a repository without a mobilefirst/ folder
// (yet) can still commit with the hook installed.
func TestHookWithoutDescriptors(t *testing.T) {
	r := newGitRepo(t)
	scopectlOnPath(t)
	os.Remove("mobilefirst")
	scopectl(t, "hook", "install").wantCode(t, exitOK)
	os.WriteFile("README", []byte("hello\n"), 0o644)
	r.git("add", ".")
	r.git("commit", "-q", "-m", "no descriptors yet")
}

// TestHookCommitAllAndPaths: "git commit -a" and "git commit PATH" commit
// a temporary index (GIT_INDEX_FILE); the hook checks that one.
func TestHookCommitAllAndPaths(t *testing.T) {
	r := newGitRepo(t)
	scopectlOnPath(t)
	r.put(bankFixture, "bank.json")
	r.put(bankFixture, "other.json")
	r.git("add", ".")
	r.git("commit", "-q", "-m", "first")
	scopectl(t, "hook", "install").wantCode(t, exitOK)

	r.put(invalidFixture, "bank.json") // modified, not staged
	if out, err := r.try("commit", "-q", "-a", "-m", "all"); err == nil || r.commits() != 1 {
		t.Fatalf("git commit -a of an invalid descriptor went through:\n%s", out)
	}
	if out, err := r.try("commit", "-q", "-m", "path", "mobilefirst/bank.json"); err == nil || r.commits() != 1 {
		t.Fatalf("git commit PATH of an invalid descriptor went through:\n%s", out)
	}
	// An invalid file staged but left out of a partial commit does not
	// block the commit of another path.
	r.git("add", "mobilefirst/bank.json")
	edit(t, "mobilefirst/other.json", `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 1800`)
	if out, err := r.try("commit", "-q", "-m", "other only", "mobilefirst/other.json"); err != nil || r.commits() != 2 {
		t.Fatalf("partial commit of a valid file was refused (%v):\n%s", err, out)
	}
}

func TestHookOutsideRepository(t *testing.T) {
	t.Chdir(t.TempDir())
	r := scopectl(t, "hook", "install").wantCode(t, exitUsage)
	if !strings.Contains(r.stderr, "is not in a git repository") {
		t.Errorf("stderr: %q", r.stderr)
	}
}
