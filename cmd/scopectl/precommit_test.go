package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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
// environment (go install ./...) is built once and shared by the subtests;
// TestMain starts building it in the background, so that it overlaps the
// package's other tests.
func TestPreCommitHooks(t *testing.T) {
	checkPreCommitInstalled(t)
	start := time.Now()
	rig, err := preCommitSetup()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("hook environment built in %v (waited %v for it)", rig.built.Round(time.Second), time.Since(start).Round(time.Second))

	// The subtests run pre-commit in parallel, each in its own consumer
	// repository; the fixtures in canonical form are made here, by
	// scopectl in-process, which is not meant to run twice at once.
	rig.canonical = map[string][]byte{}
	for _, name := range []string{"com.example.bank-android-1.0.json", "com.example.capped-ios-1.0.json", "com.example.unsorted-web-1.0.json"} {
		rig.canonical[name] = canonicalFixture(t, "valid/"+name)
	}

	t.Run("valid descriptors pass", rig.testValid)
	t.Run("invalid descriptor fails with its finding", rig.testInvalid)
	t.Run("non-canonical descriptor is rewritten", rig.testNotCanonical)
	t.Run("git commit of an invalid descriptor is refused", rig.testCommit)
}

// testValid: canonical descriptors, one with a warning, pass both hooks.
func (rig *preCommitRig) testValid(t *testing.T) {
	t.Parallel()
	c := rig.consumer(t)
	c.add(t, "com.example.bank-android-1.0.json", rig.canonicalFixture(t, "com.example.bank-android-1.0.json"))
	c.add(t, "com.example.capped-ios-1.0.json", rig.canonicalFixture(t, "com.example.capped-ios-1.0.json")) // a warning does not fail
	r := c.preCommit(t, "run", "--all-files").wantCode(t, 0)
	wantHookStatus(t, r, "scopectl validate", "Passed")
	wantHookStatus(t, r, "scopectl fmt", "Passed")
}

// testInvalid: an invalid descriptor fails scopectl validate, which names
// the finding at the line and column its .want file records, and is left
// as it was.
func (rig *preCommitRig) testInvalid(t *testing.T) {
	t.Parallel()
	const name = "unknown-top-level-member.json"
	c := rig.consumer(t)
	c.add(t, "com.example.bank-android-1.0.json", rig.canonicalFixture(t, "com.example.bank-android-1.0.json"))
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
	t.Parallel()
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
	if got, want := readFile(t, path), string(rig.canonicalFixture(t, name)); got != want {
		t.Errorf("file after the hook:\n%s\nwant the canonical form:\n%s", got, want)
	}
	r = c.preCommit(t, "run", "--all-files").wantCode(t, 0)
	wantHookStatus(t, r, "scopectl fmt", "Passed")
}

// testCommit: with the hooks installed as git's pre-commit hook, a commit
// of an invalid descriptor is refused and a valid one goes through.
func (rig *preCommitRig) testCommit(t *testing.T) {
	t.Parallel()
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
	c.add(t, "com.example.bank-android-1.0.json", rig.canonicalFixture(t, "com.example.bank-android-1.0.json"))
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
	built    time.Duration // how long setting up the hook environment took
	// canonical holds fixtures/valid/NAME as scopectl app fmt writes
	// them, by NAME.
	canonical map[string][]byte
}

// canonicalFixture returns fixtures/valid/name as scopectl app fmt writes it.
func (rig *preCommitRig) canonicalFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, ok := rig.canonical[name]
	if !ok {
		t.Fatalf("TestPreCommitHooks did not put %s in canonical form", name)
	}
	return data
}

// checkPreCommitInstalled skips the test without pre-commit, unless
// SCOPECTL_TEST_REQUIRE_PRECOMMIT is set (CI installs pre-commit and sets
// it, so the test cannot be skipped there); it fails the test without git,
// pre-commit or go.
func checkPreCommitInstalled(t *testing.T) {
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
}

// preCommitSetup returns the rig with its hook environment installed,
// setting it up on the first call. preCommitBackground starts that first
// call from TestMain; otherwise TestPreCommitHooks makes it.
var preCommitSetup = sync.OnceValues(func() (*preCommitRig, error) {
	preCommitStarted.Store(true)
	return setUpPreCommit(preCommitCtx, preCommitInput)
})

// preCommitStarted says that preCommitSetup was called.
var preCommitStarted atomic.Bool

// preCommitCtx, preCommitInput: what TestMain captured for the set-up
// before any test ran, and the cancel that ends it once the tests are
// over. Tests change the working directory and PATH while the set-up
// runs, so it does not read them itself.
var (
	preCommitCtx, preCommitCancel = context.WithCancel(context.Background())
	preCommitInput                preCommitInputs
)

// preCommitInputs are the module root to copy, the environment of the
// test binary, the paths of the programs run, and a temporary directory
// for the hook repository, the hook environment and a first consumer.
type preCommitInputs struct {
	root, tmp             string
	environ               []string
	git, preCommit, goCmd string
}

// preCommitBackground starts setting up the pre-commit rig in the
// background when TestPreCommitHooks is going to run, and returns a
// function that ends the set-up and removes its files.
func preCommitBackground() (stop func()) {
	tmp, err := os.MkdirTemp("", "scopectl-precommit-")
	root, rerr := filepath.Abs("../..")
	git, gerr := exec.LookPath("git")
	preCommit, perr := exec.LookPath("pre-commit")
	goCmd, oerr := exec.LookPath("go")
	preCommitInput = preCommitInputs{root: root, tmp: tmp, environ: os.Environ(), git: git, preCommit: preCommit, goCmd: goCmd}
	if errors.Join(err, rerr, gerr, perr, oerr) != nil {
		preCommitInput = preCommitInputs{} // the test fails or skips with the reason
	}
	stop = func() {
		preCommitCancel()
		if preCommitStarted.Load() {
			preCommitSetup() // waits for a set-up in progress
		}
		if tmp != "" {
			os.RemoveAll(tmp)
		}
	}
	if preCommitInput.tmp != "" && runsTest("TestPreCommitHooks") {
		go preCommitSetup()
	}
	return stop
}

// runsTest reports whether the -test.run pattern selects the top-level
// test name. An unusual pattern may be misread; the test then sets up
// the rig itself.
func runsTest(name string) bool {
	f := flag.Lookup("test.run")
	if f == nil || f.Value.String() == "" {
		return true
	}
	top, _, _ := strings.Cut(f.Value.String(), "/")
	ok, err := regexp.MatchString(top, name)
	return ok && err == nil
}

// setUpPreCommit commits a copy of this module into a new hook repository
// and installs the hook environment from a first consumer repository.
func setUpPreCommit(ctx context.Context, in preCommitInputs) (*preCommitRig, error) {
	start := time.Now()
	if in.tmp == "" {
		return nil, errors.New("TestMain found no temporary directory, module root, git, pre-commit or go for the pre-commit test")
	}
	dirs := map[string]string{}
	for _, name := range []string{"home", "hooks", "consumer"} {
		dirs[name] = filepath.Join(in.tmp, name)
		if err := os.Mkdir(dirs[name], 0o755); err != nil {
			return nil, err
		}
	}
	env, err := preCommitEnv(ctx, in.goCmd, in.environ, dirs["home"])
	if err != nil {
		return nil, err
	}
	rig := &preCommitRig{env: env, hookRepo: dirs["hooks"]}
	if err := copyModuleSource(in.root, rig.hookRepo); err != nil {
		return nil, fmt.Errorf("copy module source: %w", err)
	}
	if rig.rev, err = commitAll(ctx, in.git, env, rig.hookRepo, "scopectl"); err != nil {
		return nil, err
	}
	if err := rig.writeConsumerConfig(dirs["consumer"]); err != nil {
		return nil, err
	}
	if _, err := commitAll(ctx, in.git, env, dirs["consumer"], "use the scopectl hooks"); err != nil {
		return nil, err
	}
	r, err := runProgramContext(ctx, env, dirs["consumer"], in.preCommit, "install-hooks")
	if err == nil && r.code != 0 {
		err = fmt.Errorf("pre-commit install-hooks: exit code %d (go install ./... runs offline here: "+
			"if a module is missing from the module cache, run go mod download)\n%s%s", r.code, r.stdout, r.stderr)
	}
	rig.built = time.Since(start)
	return rig, err
}

// commitAll makes dir a git repository with all its files in one commit,
// and returns the commit's hash.
func commitAll(ctx context.Context, git string, env []string, dir, message string) (string, error) {
	var out result
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"commit", "-q", "-m", message}, {"rev-parse", "HEAD"}} {
		var err error
		out, err = runProgramContext(ctx, env, dir, git, slices.Concat(committerIdentity, args)...)
		if err == nil && out.code != 0 {
			err = fmt.Errorf("git %s in %s: exit code %d\n%s%s", strings.Join(args, " "), dir, out.code, out.stdout, out.stderr)
		}
		if err != nil {
			return "", err
		}
	}
	return strings.TrimSpace(out.stdout), nil
}

// preCommitEnv returns the environment for git and pre-commit: environ
// without variables that would steer git or pre-commit from outside (an
// enclosing hook's GIT_DIR, SKIP), with a private PRE_COMMIT_HOME and
// no global git configuration, and with the real module and build caches
// so that go install inside pre-commit reuses them. GOPROXY=off makes sure
// nothing is downloaded; pre-commit points GOPATH at its hook environment
// and deletes $GOPATH/pkg afterwards, which is why GOMODCACHE is set
// explicitly.
func preCommitEnv(ctx context.Context, goCmd string, environ []string, home string) ([]string, error) {
	var env []string
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(k, "GIT_") && !strings.HasPrefix(k, "PRE_COMMIT") && k != "SKIP" {
			env = append(env, kv)
		}
	}
	goEnv, err := goEnvValues(ctx, goCmd, env, "GOMODCACHE", "GOCACHE")
	if err != nil {
		return nil, err
	}
	return append(env,
		"PRE_COMMIT_HOME="+home,
		"GOMODCACHE="+goEnv["GOMODCACHE"],
		"GOCACHE="+goEnv["GOCACHE"],
		"GOTOOLCHAIN=local",
		"GOPROXY=off",
		"GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_CONFIG_NOSYSTEM=1",
	), nil
}

// goEnvValues returns the values `go env` reports for names.
func goEnvValues(ctx context.Context, goCmd string, env []string, names ...string) (map[string]string, error) {
	cmd := exec.CommandContext(ctx, goCmd, append([]string{"env", "-json"}, names...)...)
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go env: %w", err)
	}
	values := map[string]string{}
	if err := json.Unmarshal(out, &values); err != nil {
		return nil, fmt.Errorf("go env -json: %w", err)
	}
	for _, name := range names {
		if values[name] == "" || values[name] == "off" {
			return nil, fmt.Errorf("go env %s is %q; the hooks are built with the real caches", name, values[name])
		}
	}
	return values, nil
}

// copyModuleSource copies the module at root into dst: every file except
// those under hidden directories (.git, .scopectl) and testdata
// directories, which go install does not need.
func copyModuleSource(root, dst string) error {
	for _, name := range []string{"go.mod", "go.sum", ".pre-commit-hooks.yaml"} {
		if _, err := os.Stat(filepath.Join(root, name)); err != nil {
			return fmt.Errorf("module root: %w", err)
		}
	}
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
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
	if err := rig.writeConsumerConfig(c.dir); err != nil {
		t.Fatal(err)
	}
	c.git(t, "init", "-q").wantCode(t, 0)
	c.git(t, "add", ".pre-commit-config.yaml").wantCode(t, 0)
	c.git(t, "commit", "-q", "-m", "use the scopectl hooks").wantCode(t, 0)
	return c
}

// writeConsumerConfig writes the .pre-commit-config.yaml of a consumer
// repository in dir: the two hooks at the rig's commit.
func (rig *preCommitRig) writeConsumerConfig(dir string) error {
	config := fmt.Sprintf(`repos:
  - repo: %s
    rev: %s
    hooks:
      - id: scopectl-validate
      - id: scopectl-fmt
`, strconv.Quote(rig.hookRepo), rig.rev)
	return os.WriteFile(filepath.Join(dir, ".pre-commit-config.yaml"), []byte(config), 0o644)
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
	r, err := runProgramContext(t.Context(), env, dir, prog, args...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// runProgramContext runs a program in dir and returns its exit code and
// output; the error says that it could not be started or timed out.
func runProgramContext(ctx context.Context, env []string, dir, prog string, args ...string) (result, error) {
	ctx, cancel := context.WithTimeout(ctx, preCommitTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Dir, cmd.Env = dir, env
	cmd.WaitDelay = 10 * time.Second // a killed pre-commit may leave go holding the pipes
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		return result{}, fmt.Errorf("%s %s: %v after %v\n%s%s", prog, strings.Join(args, " "), ctx.Err(), preCommitTimeout, stdout.String(), stderr.String())
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return result{}, fmt.Errorf("%s %s: %v", prog, strings.Join(args, " "), err)
	}
	return result{cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()}, nil
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
