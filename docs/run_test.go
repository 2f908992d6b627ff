//go:build unix

package docs_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// repoRoot is where README.md, docs/ and fixtures/ are, seen from this
// package's directory.
const repoRoot = ".."

// docTimeout bounds the run of one document's commands.
const docTimeout = 2 * time.Minute

// binDir holds the scopectl and scoped that TestMain builds; goEnv the
// Go caches the documents' go commands keep using under another HOME.
var (
	binDir string
	goEnv  []string
)

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

// buildAndRun builds scopectl and scoped once, then runs the tests.
func buildAndRun(m *testing.M) int {
	flag.Parse()
	if testing.Short() {
		return m.Run() // TestDocs skips itself; the harness tests need no binaries
	}
	dir, err := os.MkdirTemp("", "docs-test-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	build := exec.Command("go", "build", "-o", dir+string(os.PathSeparator), "./cmd/scopectl", "./cmd/scoped")
	build.Dir = repoRoot
	build.Env = append(os.Environ(), "GOFLAGS="+os.Getenv("GOFLAGS")+" -buildvcs=false")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build ./cmd/scopectl ./cmd/scoped: %v\n%s", err, out)
		return 1
	}
	out, err := exec.Command("go", "env", "GOPATH", "GOCACHE", "GOMODCACHE").Output()
	if err != nil {
		fmt.Fprintf(os.Stderr, "go env: %v\n", err)
		return 1
	}
	for i, name := range []string{"GOPATH", "GOCACHE", "GOMODCACHE"} {
		goEnv = append(goEnv, name+"="+strings.Split(string(out), "\n")[i])
	}
	binDir = dir
	return m.Run()
}

// TestDocs runs the commands of README.md and docs/*.md (see the package
// comment) and fails on every command whose output or exit status differs
// from the document.
func TestDocs(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every documented command against real binaries; not in -short mode")
	}
	docs, err := filepath.Glob(filepath.Join(repoRoot, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	docs = append([]string{filepath.Join(repoRoot, "README.md")}, docs...)
	for _, path := range longestFirst(docs) {
		name, _ := filepath.Rel(repoRoot, path)
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			runDocument(t, path, name)
		})
	}
}

// longestFirst orders documents by their number of steps, most first:
// the documents run in parallel, and the longest starting first makes
// them end together instead of one long document running alone at the
// end. A document that cannot be read or planned sorts last; its test
// reports why.
func longestFirst(docs []string) []string {
	steps := map[string]int{}
	for _, path := range docs {
		if src, err := os.ReadFile(path); err == nil {
			p, _ := loadPlan(string(src))
			steps[path] = len(p.steps)
		}
	}
	sorted := slices.Clone(docs)
	slices.SortStableFunc(sorted, func(a, b string) int { return steps[b] - steps[a] })
	return sorted
}

// runDocument runs one document in its own sandbox.
func runDocument(t *testing.T, path, name string) {
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	reports, err := runMarkdown(t, name, string(src))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for _, r := range reports {
		t.Error(r)
	}
}

// runMarkdown runs the blocks of a document and returns a report for each
// command that does not do what the document shows.
func runMarkdown(t *testing.T, name, src string) ([]string, error) {
	p, err := loadPlan(src)
	if err != nil {
		return nil, err
	}
	for _, s := range p.skipped {
		t.Logf("%s:%s (skipped)", name, s)
	}
	if len(p.steps) == 0 {
		return nil, nil
	}
	results, err := newSandbox(t, p).run(p.steps)
	if err != nil {
		return nil, err
	}
	return judge(name, p.steps, results), nil
}

// loadPlan parses a document and plans its steps.
func loadPlan(src string) (plan, error) {
	blocks, err := parseMarkdown(src)
	if err != nil {
		return plan{}, err
	}
	return makePlan(blocks)
}

// ---- the sandbox ----

// serverCommand matches a scopectl command that talks to a server.
var serverCommand = regexp.MustCompile(`\bscopectl\b.*\b(app (pull|push|history|rollback)|server info)\b`)

// talksToServer reports whether shell text runs a command that needs a
// server: one of serverCommand, or app diff without --rev (which compares
// with the server unless given two files).
func talksToServer(text string) bool {
	for _, l := range strings.Split(text, "\n") {
		if serverCommand.MatchString(l) || strings.Contains(l, "scopectl app diff") && !strings.Contains(l, "--rev") {
			return true
		}
	}
	return false
}

// docAddress matches the server addresses documents may show; they are
// rewritten to the sandbox's server.
var docAddress = regexp.MustCompile(`\b(127\.0\.0\.1|localhost):(9080|19555)\b`)

// sandbox is the temporary world one document runs in.
type sandbox struct {
	t       *testing.T
	root    string // holds work/, home/, tmp/, server/
	work    string // the working directory: a copy of fixtures/
	port    string // of the server, or a closed port
	docPort string // the port the document shows
	env     []string
}

func newSandbox(t *testing.T, p plan) *sandbox {
	root := t.TempDir()
	sb := &sandbox{t: t, root: root, work: filepath.Join(root, "work"), docPort: "9080"}
	for _, d := range []string{"work", "home/.config/scopectl", "tmp", "server"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	copyFixtures(t, filepath.Join(repoRoot, "fixtures"), filepath.Join(sb.work, "fixtures"))
	sb.env = sb.environment()
	needServer, named := p.server, false
	for _, s := range p.steps {
		if m := docAddress.FindStringSubmatch(s.text); m != nil && !named {
			sb.docPort, named = m[2], true // the first address the document names
		}
		needServer = needServer || named || talksToServer(s.text)
	}
	if needServer {
		sb.port = startServer(t, filepath.Join(root, "server"), sb.docPort, sb.env)
		sb.env = append(sb.env, "SCOPED_DB=sqlite:"+filepath.Join(root, "server", "scoped.db"))
	} else {
		sb.port = freePort(t, sb.docPort)
	}
	sb.writeHome()
	return sb
}

// copyFixtures copies the data files of fixtures/ (not its Go code).
func copyFixtures(t *testing.T, from, to string) {
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		if strings.HasSuffix(path, ".go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// environment is what the document's shell starts with: nothing of the
// user's own configuration, and no way out but loopback.
func (sb *sandbox) environment() []string {
	home := filepath.Join(sb.root, "home")
	path := os.Getenv("PATH")
	if binDir != "" { // "" in -short mode, which runs no binaries
		path = binDir + string(os.PathListSeparator) + path
	}
	env := []string{
		"PATH=" + path,
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"SCOPECTL_CONFIG=" + filepath.Join(home, ".config", "scopectl", "servers.json"),
		"TMPDIR=" + filepath.Join(sb.root, "tmp"),
		"TZ=UTC", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "TERM=dumb",
		"GIT_CONFIG_NOSYSTEM=1", "GIT_PAGER=cat", "PAGER=cat",
		"GOPROXY=off", "GOTOOLCHAIN=local", "GOFLAGS=-buildvcs=false",
	}
	for _, v := range []string{"http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"} {
		env = append(env, v+"=http://127.0.0.1:9") // discard port: nothing answers
	}
	env = append(env, "no_proxy=127.0.0.1,localhost,::1", "NO_PROXY=127.0.0.1,localhost,::1")
	return append(env, goEnv...)
}

// writeHome gives HOME a git identity and a servers file whose local
// profile is the sandbox's server.
func (sb *sandbox) writeHome() {
	home := filepath.Join(sb.root, "home")
	gitconfig := "[user]\n\tname = Doc Test\n\temail = doctest@example.com\n[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n"
	servers := fmt.Sprintf(`{"servers":{"local":{"url":"http://localhost:%s","runtime":"mfp","login":"admin","password":"admin"}}}`+"\n", sb.port)
	for file, data := range map[string]string{".gitconfig": gitconfig, ".config/scopectl/servers.json": servers} {
		if err := os.WriteFile(filepath.Join(home, file), []byte(data), 0o600); err != nil {
			sb.t.Fatal(err)
		}
	}
}

// freePort returns a loopback port that nothing listens on, with as many
// digits as the document's port, so that tables and aligned columns look
// the same once the port is written back as the document's.
func freePort(t *testing.T, docPort string) string {
	low, high := 1, 9
	for range len(docPort) - 1 {
		low, high = low*10, high*10+9
	}
	low, high = max(low, 1024), min(high, 65535)
	for range 100 {
		port := strconv.Itoa(low + rand.IntN(high-low+1))
		if ln, err := net.Listen("tcp", "127.0.0.1:"+port); err == nil {
			ln.Close()
			return port
		}
	}
	t.Fatalf("no free %d-digit loopback port", len(docPort))
	return ""
}

// ---- the server ----

// startServer starts `scoped --dev` with a fresh store in dir on a free
// port of docPort's width, and returns the port. It is stopped when the
// test ends; its log is shown if the test failed.
func startServer(t *testing.T, dir, docPort string, env []string) string {
	var log string
	for range 5 { // another process may take the free port before scoped binds it
		port := freePort(t, docPort)
		if log = tryServer(t, dir, port, env); log == "" {
			return port
		}
	}
	t.Fatalf("scoped --dev exited before listening:\n%s", log)
	return ""
}

// tryServer starts scoped on port; it returns "" once scoped listens, or
// its log if it exited first.
func tryServer(t *testing.T, dir, port string, env []string) string {
	cmd := exec.Command(filepath.Join(binDir, "scoped"), "--dev", "--addr", "127.0.0.1:"+port, "--db", "sqlite:"+filepath.Join(dir, "scoped.db"))
	cmd.Dir, cmd.Env = dir, env
	log := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start scoped: %v", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	listening := "msg=listening url=http://127.0.0.1:" + port + " "
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(log.String(), listening) {
			t.Cleanup(func() { stopServer(t, cmd, exited, log) })
			return ""
		}
		select {
		case <-exited:
			return log.String()
		case <-time.After(20 * time.Millisecond): // polls the log of another process; no clock to inject
		}
	}
	cmd.Process.Kill()
	<-exited
	t.Fatalf("scoped --dev did not log that it listens within 30 s:\n%s", log.String())
	return ""
}

// stopServer stops scoped with SIGTERM (SIGKILL after 10 s) and shows the
// end of its log if the test failed.
func stopServer(t *testing.T, cmd *exec.Cmd, exited chan struct{}, log *lockedBuffer) {
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-exited
	}
	if t.Failed() {
		t.Logf("scoped --dev log (last lines):\n%s", lastLines(log.String(), 20))
	}
}

// ---- running ----

// result is what one step did.
type result struct {
	done   bool
	status int
	output string
	errors []scriptError // failing commands of a mustSucceed step
}

// scriptError is a failing command inside a script step.
type scriptError struct {
	status, docLine int
	command         string // the script line that failed
}

// origin is where a line of the generated script comes from.
type origin struct {
	step, docLine int
	text          string
}

// script is the bash program that runs a document's steps.
type script struct {
	text  strings.Builder
	lines []origin // by script line - 1
}

func (s *script) add(text string, o origin, advance bool) {
	for _, l := range strings.Split(text, "\n") {
		s.text.WriteString(l)
		s.text.WriteByte('\n')
		o.text = l
		s.lines = append(s.lines, o)
		if advance {
			o.docLine++
		}
	}
}

// prelude starts the script: stderr joins stdout, as on a terminal, and
// two functions print markers between the steps' output (\036 is the
// ASCII record separator, which commands do not print): the end of step N
// with its status, and a failing command of a script step with its script
// line.
const prelude = `exec 2>&1
__doctest_end() { local s=$?; printf '\036doctest-end %d %d\036\n' "$1" "$s"; return "$s"; }
__doctest_err() { printf '\036doctest-err %d %d %d\036\n' "$1" "$2" "$3"; }`

// build writes the script: each step, then a marker with its status.
func (sb *sandbox) build(steps []step) *script {
	s := &script{}
	s.add(prelude, origin{step: -1}, false)
	for i, st := range steps {
		text := docAddress.ReplaceAllString(st.text, "${1}:"+sb.port)
		if st.kind == mustSucceed {
			s.add(fmt.Sprintf("trap '__doctest_err %d $? $LINENO' ERR", i), origin{step: i}, false)
			s.add(text, origin{step: i, docLine: st.line}, true)
			s.add("trap - ERR", origin{step: i}, false)
		} else {
			s.add(text, origin{step: i, docLine: st.line}, true)
		}
		s.add(fmt.Sprintf("__doctest_end %d", i), origin{step: i}, false)
	}
	return s
}

// run runs the steps in one bash process and splits its output by step.
func (sb *sandbox) run(steps []step) ([]result, error) {
	s := sb.build(steps)
	path := filepath.Join(sb.root, "doc.sh")
	if err := os.WriteFile(path, []byte(s.text.String()), 0o600); err != nil {
		return nil, err
	}
	if out, err := exec.Command("bash", "-n", path).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("the commands are not valid bash: %s", s.mapLines(string(out), path))
	}
	ctx, cancel := context.WithTimeout(context.Background(), docTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "--noprofile", "--norc", path)
	cmd.Dir, cmd.Env = sb.work, sb.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	if cmd.Process != nil {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // anything a document left in the background
	}
	if ctx.Err() != nil {
		fmt.Fprintf(&out, "\n(stopped: the document's commands did not finish within %v)\n", docTimeout)
	} else if _, ok := err.(*exec.ExitError); err != nil && !ok {
		return nil, err
	}
	return sb.split(s.mapLines(out.String(), path), s, len(steps)), nil
}

// mapLines rewrites bash's "PATH: line N:", N a line of the script, as
// "bash: document line M:".
func (s *script) mapLines(msg, path string) string {
	re := regexp.MustCompile(regexp.QuoteMeta(path) + `: line (\d+):`)
	return re.ReplaceAllStringFunc(msg, func(m string) string {
		n, _ := strconv.Atoi(re.FindStringSubmatch(m)[1])
		if n >= 1 && n <= len(s.lines) && s.lines[n-1].docLine != 0 {
			return fmt.Sprintf("bash: document line %d:", s.lines[n-1].docLine)
		}
		return "bash:"
	})
}

var marker = regexp.MustCompile("\x1e(doctest-end|doctest-err) ([0-9]+) ([0-9]+)(?: ([0-9]+))?\x1e\n?")

// split cuts the output at the markers.
func (sb *sandbox) split(out string, s *script, n int) []result {
	results := make([]result, n)
	var seg strings.Builder
	at := 0
	for _, m := range marker.FindAllStringSubmatchIndex(out, -1) {
		seg.WriteString(out[at:m[0]])
		at = m[1]
		kind := out[m[2]:m[3]]
		i, _ := strconv.Atoi(out[m[4]:m[5]])
		status, _ := strconv.Atoi(out[m[6]:m[7]])
		if i < 0 || i >= n {
			continue
		}
		if kind == "doctest-err" {
			line, _ := strconv.Atoi(out[m[8]:m[9]])
			e := scriptError{status: status}
			if line >= 1 && line <= len(s.lines) {
				e.docLine, e.command = s.lines[line-1].docLine, s.lines[line-1].text
			}
			results[i].errors = append(results[i].errors, e)
			continue
		}
		output := sb.showDocPort(seg.String())
		results[i] = result{done: true, status: status, output: output, errors: results[i].errors}
		seg.Reset()
	}
	if at < len(out) { // output of a step that did not finish
		for i := range results {
			if !results[i].done {
				results[i].output = seg.String() + out[at:]
				break
			}
		}
	}
	return results
}

// showDocPort writes the sandbox server's address with the port the
// document shows.
func (sb *sandbox) showDocPort(s string) string {
	re := regexp.MustCompile(`(127\.0\.0\.1|localhost|\[::1\]):` + sb.port + `\b`)
	return re.ReplaceAllString(s, "${1}:"+sb.docPort)
}

// judge returns a report for every step whose result differs from the
// document.
func judge(doc string, steps []step, results []result) []string {
	var reports []string
	for i, st := range steps {
		r := results[i]
		where := fmt.Sprintf("%s:%d", doc, st.line)
		if !r.done {
			return append(reports, fmt.Sprintf("%s: %s\ndid not finish: the shell exited or was stopped; nothing after it ran\noutput:\n%s", where, st.label(), indent(r.output)))
		}
		if st.kind == mustSucceed {
			for _, e := range r.errors {
				reports = append(reports, fmt.Sprintf("%s:%d: %s\nfailed with exit status %d; output of the block:\n%s", doc, e.docLine, e.command, e.status, indent(r.output)))
			}
			continue
		}
		got := dropIgnored(splitOutput(r.output), st.ignore)
		ok, diff := newMatcher(st.want).match(got)
		var problems []string
		if r.status != st.status {
			problems = append(problems, fmt.Sprintf("exit status %d, want %d", r.status, st.status))
		}
		if !ok {
			problems = append(problems, "output differs (- document, + actual):\n"+diff)
		}
		if len(problems) > 0 {
			reports = append(reports, fmt.Sprintf("%s: %s\n%s", where, st.label(), strings.Join(problems, "\n")))
		}
	}
	return reports
}

// dropIgnored leaves out the lines an ignore annotation names.
func dropIgnored(lines []string, ignore []*regexp.Regexp) []string {
	if len(ignore) == 0 {
		return lines
	}
	var out []string
next:
	for _, l := range lines {
		for _, re := range ignore {
			if re.MatchString(strings.TrimRight(l, "\r")) {
				continue next
			}
		}
		out = append(out, l)
	}
	return out
}

func indent(s string) string {
	if s == "" {
		return "    (nothing)"
	}
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}

// lockedBuffer collects a process's output while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
