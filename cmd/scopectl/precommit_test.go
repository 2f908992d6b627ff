package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// preCommitTimeout bounds one git or pre-commit command. The first
// pre-commit command builds scopectl in the hook environment, which takes
// minutes on a cold build cache.
const preCommitTimeout = 5 * time.Minute

// committerIdentity lets git commit in the test repositories, where the
// global configuration (and any identity in it) is ignored.
var committerIdentity = []string{"-c", "user.name=t", "-c", "user.email=t@example.com"}

// TestPreCommitHooks runs the hooks in .pre-commit-hooks.yaml through the
// real pre-commit program, from a git repository holding this module's
// source, exactly as a team referencing the project by URL would. The hook
// environment (go install ./...) is built once and shared by the subtests.
func TestPreCommitHooks(t *testing.T) {
	rig := newPreCommitRig(t)
	start := time.Now()
	r := rig.consumer(t).preCommit(t, "install-hooks")
	if r.code != 0 {
		t.Fatalf("pre-commit install-hooks: exit code %d (go install ./... runs offline here: "+
			"if a module is missing from the module cache, run go mod download)\n%s%s", r.code, r.stdout, r.stderr)
	}
	t.Logf("hook environment built in %v", time.Since(start).Round(time.Second))

	t.Run("valid descriptors pass", rig.testValid)
	t.Run("invalid descriptor fails with its finding", rig.testInvalid)
	t.Run("non-canonical descriptor is rewritten", rig.testNotCanonical)
	t.Run("git commit of an invalid descriptor is refused", rig.testCommit)
}

// testValid: canonical descriptors, one with a warning, pass both hooks.
func (rig *preCommitRig) testValid(t *testing.T) {
	c := rig.consumer(t)
	c.add(t, "com.example.bank-android-1.0.json", canonicalFixture(t, "valid/com.example.bank-android-1.0.json"))
	c.add(t, "com.example.capped-ios-1.0.json", canonicalFixture(t, "valid/com.example.capped-ios-1.0.json")) // a warning does not fail
	r := c.preCommit(t, "run", "--all-files").wantCode(t, 0)
	wantHookStatus(t, r, "scopectl validate", "Passed")
	wantHookStatus(t, r, "scopectl fmt", "Passed")
}

// testInvalid: an invalid descriptor fails scopectl validate, which names
// the finding at the line and column its .want file records, and is left
// as it was.
func (rig *preCommitRig) testInvalid(t *testing.T) {
	const name = "unknown-top-level-member.json"
	c := rig.consumer(t)
	c.add(t, "com.example.bank-android-1.0.json", canonicalFixture(t, "valid/com.example.bank-android-1.0.json"))
	path := c.add(t, name, fixtureBytes(t, "invalid/"+name))
	r := c.preCommit(t, "run", "--all-files")
	if r.code == 0 {
		t.Fatalf("pre-commit passed an invalid descriptor:\n%s", r.stdout)
	}
	wantHookStatus(t, r, "scopectl validate", "Failed")
	wantFindingLine(t, r.stdout, "mobilefirst/"+name, "invalid/unknown-top-level-member.want")
	if got := readFile(t, path); got != string(fixtureBytes(t, "invalid/"+name)) {
		t.Errorf("a hook changed the invalid descriptor:\n%s", got)
	}
}

// testNotCanonical: scopectl fmt rewrites a valid but non-canonical
// descriptor into the form app fmt writes and fails, as formatter hooks
// do; the next run passes.
func (rig *preCommitRig) testNotCanonical(t *testing.T) {
	const name = "com.example.unsorted-web-1.0.json"
	c := rig.consumer(t)
	path := c.add(t, name, fixtureBytes(t, "valid/"+name))
	r := c.preCommit(t, "run", "--all-files")
	if r.code == 0 {
		t.Fatalf("pre-commit passed a non-canonical descriptor:\n%s", r.stdout)
	}
	wantHookStatus(t, r, "scopectl validate", "Passed")
	wantHookStatus(t, r, "scopectl fmt", "Failed")
	if !strings.Contains(r.stdout, "- files were modified by this hook") || !strings.Contains(r.stdout, "mobilefirst/"+name) {
		t.Errorf("scopectl fmt does not say which file it rewrote:\n%s", r.stdout)
	}
	if got, want := readFile(t, path), string(canonicalFixture(t, "valid/"+name)); got != want {
		t.Errorf("file after the hook:\n%s\nwant the canonical form:\n%s", got, want)
	}
	r = c.preCommit(t, "run", "--all-files").wantCode(t, 0)
	wantHookStatus(t, r, "scopectl fmt", "Passed")
}

// testCommit: with the hooks installed as git's pre-commit hook, a commit
// of an invalid descriptor is refused and a valid one goes through.
func (rig *preCommitRig) testCommit(t *testing.T) {
	const name = "unknown-top-level-member.json"
	c := rig.consumer(t)
	c.preCommit(t, "install").wantCode(t, 0)
	before := c.commits(t)
	c.add(t, name, fixtureBytes(t, "invalid/"+name))
	r := c.git(t, "commit", "-q", "-m", "add an invalid descriptor")
	if r.code == 0 || c.commits(t) != before {
		t.Fatalf("the commit was not refused (exit code %d, %d commits, want %d):\n%s%s", r.code, c.commits(t), before, r.stdout, r.stderr)
	}
	wantHookStatus(t, r, "scopectl validate", "Failed")
	wantFindingLine(t, r.stderr, "mobilefirst/"+name, "invalid/unknown-top-level-member.want") // git sends hook output to stderr

	// With the invalid file gone and a valid one staged, the commit goes through.
	c.git(t, "rm", "-q", "-f", "mobilefirst/"+name).wantCode(t, 0)
	c.add(t, "com.example.bank-android-1.0.json", canonicalFixture(t, "valid/com.example.bank-android-1.0.json"))
	c.git(t, "commit", "-q", "-m", "add a valid descriptor").wantCode(t, 0)
	if got := c.commits(t); got != before+1 {
		t.Errorf("%d commits after a valid commit, want %d", got, before+1)
	}
}

// preCommitRig is what the pre-commit tests share: the environment for
// git and pre-commit, and the hook repository with the commit that
// consumers pin.
type preCommitRig struct {
	env      []string
	hookRepo string
	rev      string
}

// newPreCommitRig finds git and pre-commit, and commits a copy of this
// module into a new hook repository. Without pre-commit the test is
// skipped, unless SCOPECTL_TEST_REQUIRE_PRECOMMIT is set (CI installs
// pre-commit and sets it, so the test cannot be skipped there).
func newPreCommitRig(t *testing.T) *preCommitRig {
	t.Helper()
	if _, err := exec.LookPath("pre-commit"); err != nil && os.Getenv("SCOPECTL_TEST_REQUIRE_PRECOMMIT") == "" {
		t.Skipf("%v: this test runs the hooks through the real pre-commit program; "+
			"install it to run the test (Debian: apt-get install pre-commit; or pip install pre-commit). "+
			"CI installs it and sets SCOPECTL_TEST_REQUIRE_PRECOMMIT=1, so the test always runs there", err)
	}
	for _, prog := range []string{"git", "pre-commit", "go"} {
		if _, err := exec.LookPath(prog); err != nil {
			t.Fatalf("%v: this test runs the hooks through the real pre-commit and git; install them (Debian: apt-get install pre-commit git)", err)
		}
	}
	rig := &preCommitRig{env: preCommitEnv(t, t.TempDir()), hookRepo: t.TempDir()}
	copyModuleSource(t, rig.hookRepo)
	gitWithIdentity(t, rig.env, rig.hookRepo, "init", "-q").wantCode(t, 0)
	gitWithIdentity(t, rig.env, rig.hookRepo, "add", "-A").wantCode(t, 0)
	gitWithIdentity(t, rig.env, rig.hookRepo, "commit", "-q", "-m", "scopectl").wantCode(t, 0)
	rig.rev = strings.TrimSpace(gitWithIdentity(t, rig.env, rig.hookRepo, "rev-parse", "HEAD").wantCode(t, 0).stdout)
	return rig
}

// preCommitEnv returns the environment for git and pre-commit: the test's
// own, without variables that would steer git or pre-commit from outside
// (an enclosing hook's GIT_DIR, SKIP), with a private PRE_COMMIT_HOME and
// no global git configuration, and with the real module and build caches
// so that go install inside pre-commit reuses them. GOPROXY=off makes sure
// nothing is downloaded; pre-commit points GOPATH at its hook environment
// and deletes $GOPATH/pkg afterwards, which is why GOMODCACHE is set
// explicitly.
func preCommitEnv(t *testing.T, home string) []string {
	t.Helper()
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(k, "GIT_") && !strings.HasPrefix(k, "PRE_COMMIT") && k != "SKIP" {
			env = append(env, kv)
		}
	}
	goEnv := goEnvValues(t, "GOMODCACHE", "GOCACHE")
	return append(env,
		"PRE_COMMIT_HOME="+home,
		"GOMODCACHE="+goEnv["GOMODCACHE"],
		"GOCACHE="+goEnv["GOCACHE"],
		"GOTOOLCHAIN=local",
		"GOPROXY=off",
		"GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_CONFIG_NOSYSTEM=1",
	)
}

// goEnvValues returns the values `go env` reports for names.
func goEnvValues(t *testing.T, names ...string) map[string]string {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), "go", append([]string{"env", "-json"}, names...)...).Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	values := map[string]string{}
	if err := json.Unmarshal(out, &values); err != nil {
		t.Fatalf("go env -json: %v", err)
	}
	for _, name := range names {
		if values[name] == "" || values[name] == "off" {
			t.Fatalf("go env %s is %q; the hooks are built with the real caches", name, values[name])
		}
	}
	return values
}

// copyModuleSource copies the module at ../.. into dst: every file except
// those under hidden directories (.git, .scopectl) and testdata
// directories, which go install does not need.
func copyModuleSource(t *testing.T, dst string) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"go.mod", "go.sum", ".pre-commit-hooks.yaml"} {
		if _, err := os.Stat(filepath.Join(root, name)); err != nil {
			t.Fatalf("module root: %v", err)
		}
	}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		if d.Name() == ".git" && !d.IsDir() { // a git worktree's link to its repository: git init would reuse it
			return nil
		}
		if d.IsDir() && rel != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if !d.Type().IsRegular() { // editor lock links, sockets
			return nil
		}
		return copyRegularFile(path, filepath.Join(dst, rel))
	})
	if err != nil {
		t.Fatalf("copy module source: %v", err)
	}
}

// copyRegularFile copies src to dst with src's permission bits.
func copyRegularFile(src, dst string) error {
	info, err := os.Stat(src)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, data, info.Mode().Perm())
}

// consumer creates a git repository whose .pre-commit-config.yaml uses the
// hooks at the rig's commit, with that configuration committed.
func (rig *preCommitRig) consumer(t *testing.T) *preCommitConsumer {
	t.Helper()
	c := &preCommitConsumer{rig: rig, dir: t.TempDir()}
	config := fmt.Sprintf(`repos:
  - repo: %s
    rev: %s
    hooks:
      - id: scopectl-validate
      - id: scopectl-fmt
`, strconv.Quote(rig.hookRepo), rig.rev)
	if err := os.WriteFile(filepath.Join(c.dir, ".pre-commit-config.yaml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	c.git(t, "init", "-q").wantCode(t, 0)
	c.git(t, "add", ".pre-commit-config.yaml").wantCode(t, 0)
	c.git(t, "commit", "-q", "-m", "use the scopectl hooks").wantCode(t, 0)
	return c
}

// preCommitConsumer is a git repository that uses the hooks, like a team's
// project.
type preCommitConsumer struct {
	rig *preCommitRig
	dir string
}

// add writes data to mobilefirst/name and stages it; it returns the path.
func (c *preCommitConsumer) add(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(c.dir, "mobilefirst", name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil { // git rm removes emptied folders
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	c.git(t, "add", filepath.Join("mobilefirst", name)).wantCode(t, 0)
	return path
}

// commits returns the number of commits on HEAD.
func (c *preCommitConsumer) commits(t *testing.T) int {
	t.Helper()
	out := c.git(t, "rev-list", "--count", "HEAD").wantCode(t, 0).stdout
	n, err := strconv.Atoi(strings.TrimSpace(out))
	if err != nil {
		t.Fatalf("git rev-list --count: %v", err)
	}
	return n
}

// git runs git with a committer identity in the consumer repository.
func (c *preCommitConsumer) git(t *testing.T, args ...string) result {
	t.Helper()
	return gitWithIdentity(t, c.rig.env, c.dir, args...)
}

// preCommit runs pre-commit in the consumer repository, without colour.
func (c *preCommitConsumer) preCommit(t *testing.T, args ...string) result {
	t.Helper()
	if len(args) > 0 && args[0] == "run" {
		args = append([]string{"run", "--color=never"}, args[1:]...)
	}
	return runProgram(t, c.rig.env, c.dir, "pre-commit", args...)
}

// gitWithIdentity runs git with a committer identity in dir.
func gitWithIdentity(t *testing.T, env []string, dir string, args ...string) result {
	t.Helper()
	return runProgram(t, env, dir, "git", slices.Concat(committerIdentity, args)...)
}

// runProgram runs a program in dir and returns its exit code and output; it
// fails the test when the program cannot be started or times out.
func runProgram(t *testing.T, env []string, dir, prog string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), preCommitTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Dir, cmd.Env = dir, env
	cmd.WaitDelay = 10 * time.Second // a killed pre-commit may leave go holding the pipes
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s %s: %v after %v\n%s%s", prog, strings.Join(args, " "), ctx.Err(), preCommitTimeout, stdout.String(), stderr.String())
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("%s %s: %v", prog, strings.Join(args, " "), err)
	}
	return result{cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()}
}

// wantHookStatus checks pre-commit's status line for the hook named name
// ("scopectl validate.....Passed"). The line may be on stdout or, when git
// runs pre-commit as a hook, on stderr.
func wantHookStatus(t *testing.T, r result, name, status string) {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `\.+\s*(\S+)$`).FindStringSubmatch(r.stdout + r.stderr)
	if m == nil || m[1] != status {
		t.Errorf("hook %q did not report %s:\n%s%s", name, status, r.stdout, r.stderr)
	}
}

// wantFindingLine checks that out holds the finding recorded in the
// fixture's .want file, as path:line:column: severity: ... [rule].
func wantFindingLine(t *testing.T, out, path, want string) {
	t.Helper()
	var findings []struct {
		Severity, Rule string
		Line, Column   int
	}
	if err := json.Unmarshal(fixtureBytes(t, want), &findings); err != nil || len(findings) != 1 {
		t.Fatalf("%s: want one finding, got %d (%v)", want, len(findings), err)
	}
	f := findings[0]
	line := fmt.Sprintf("%s:%d:%d: %s: ", path, f.Line, f.Column, f.Severity)
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(line) + `.*` + regexp.QuoteMeta(" ["+f.Rule+"]") + `$`)
	if !re.MatchString(out) {
		t.Errorf("output lacks the finding %q ... [%s]:\n%s", line, f.Rule, out)
	}
}

// fixtureBytes returns the content of fixtures/name.
func fixtureBytes(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixturesDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// canonicalFixture returns fixtures/name as scopectl app fmt writes it.
func canonicalFixture(t *testing.T, name string) []byte {
	t.Helper()
	path := copyFixture(t, t.TempDir(), name)
	scopectl(t, "app", "fmt", path).wantCode(t, exitOK)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
