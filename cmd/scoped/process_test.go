package main

// Process-level tests: the scoped binary is built once (TestMain), started
// as a real process on 127.0.0.1:0 and driven over HTTP, as an operator and
// the scopectl CLI would. PostgreSQL tests use the database named by
// SCOPED_TEST_POSTGRES, in a fresh schema per test. Tests that only start
// processes run in parallel; those that run scoped in-process (run,
// runContext) do not, since urfave/cli keeps its help flag in package
// state.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/scopectl/scopectl/sync/oauth"
	"github.com/scopectl/scopectl/sync/store"
	"github.com/scopectl/scopectl/sync/store/sqlite"
	"github.com/scopectl/scopectl/sync/store/storetest"
)

// scopedBin is the scoped binary that TestMain builds.
var scopedBin string

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "scoped-process-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	scopedBin = filepath.Join(dir, "scoped")
	build := exec.Command("go", "build", "-o", scopedBin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build github.com/scopectl/scopectl/cmd/scoped: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// sharedKey is the signing key that keyedSQLite puts in new databases,
// generated once per test binary: otherwise every scoped process started
// on a new database generates an RSA key, a few hundred milliseconds
// (several times that under -race). The tests of key generation itself
// (keys_test.go) make their own keys.
var sharedKey = sync.OnceValues(func() (store.SigningKey, error) {
	return oauth.GenerateKey(time.Now())
})

// keyedSQLite returns the --db value of a new SQLite database, readable by
// its owner only, that holds the shared signing key and nothing else.
func keyedSQLite(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "scoped.db")
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	k, err := sharedKey()
	if err == nil {
		err = st.AddFirstSigningKey(ctx, k)
	}
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(path, 0o600)
	}
	if err != nil {
		t.Fatal(err)
	}
	return "sqlite:" + path
}

const (
	appsPath = "/mfpadmin/management-apis/2.0/runtimes/mfp/applications"
	// startTimeout is generous: bootstrap hashes secrets with bcrypt, and
	// the machine may be loaded.
	startTimeout = 60 * time.Second
	exitTimeout  = 20 * time.Second
)

// ---- processes ----

// scoped is a running scoped process.
type scoped struct {
	name   string
	cmd    *exec.Cmd
	url    string // http://127.0.0.1:PORT, from the "listening" log line
	stderr *logBuffer
	stdout *logBuffer
	exited chan struct{} // closed when the process has exited and its output is read
}

// baseEnv is the test's environment without any SCOPED_* variable, plus
// extra (KEY=VALUE).
func baseEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SCOPED_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// launch starts scoped without waiting for it to listen. The process is
// killed when the test ends; its stderr is logged if the test failed.
func launch(t *testing.T, name string, env []string, args ...string) *scoped {
	t.Helper()
	p := &scoped{
		name: name, cmd: exec.Command(scopedBin, args...),
		stderr: newLogBuffer(), stdout: newLogBuffer(), exited: make(chan struct{}),
	}
	p.cmd.Env = env
	p.cmd.Stderr = p.stderr
	p.cmd.Stdout = p.stdout
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.cmd.Wait() // the exit status is read from ProcessState
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			p.cmd.Process.Kill()
		}
		select {
		case <-p.exited:
		case <-time.After(exitTimeout):
			t.Errorf("%s (pid %d) did not exit after SIGKILL", name, p.cmd.Process.Pid)
		}
		if t.Failed() {
			t.Logf("%s: scoped %s\nstderr (last lines):\n%s", name, strings.Join(args, " "), p.stderr.tail(40))
		}
	})
	return p
}

var listeningRE = regexp.MustCompile(`msg=listening url=(\S+)`)

// startScoped starts scoped and waits until it logs that it listens.
func startScoped(t *testing.T, name string, env []string, args ...string) *scoped {
	t.Helper()
	p := launch(t, name, env, args...)
	line, err := p.stderr.waitFor("msg=listening ", p.exited, startTimeout)
	if err != nil {
		t.Fatalf("%s: no 'msg=listening' log line: %v (%s)\nstderr:\n%s", name, err, p.exitStatus(), p.stderr.tail(40))
	}
	m := listeningRE.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("%s: cannot read the URL from %q", name, line)
	}
	u, err := url.Parse(m[1])
	if err != nil || u.Scheme != "http" || u.Hostname() != "127.0.0.1" || u.Port() == "" || u.Port() == "0" {
		t.Fatalf("%s: listening URL %q: want http://127.0.0.1:PORT", name, m[1])
	}
	p.url = m[1]
	return p
}

// exitStatus describes how the process ended, or that it still runs.
func (p *scoped) exitStatus() string {
	select {
	case <-p.exited:
		return p.cmd.ProcessState.String()
	default:
		return "still running"
	}
}

// waitExit waits for the process to exit and returns its exit code (-1
// when a signal ended it).
func (p *scoped) waitExit(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-p.exited:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(timeout):
		t.Fatalf("%s did not exit within %v\nstderr:\n%s", p.name, timeout, p.stderr.tail(40))
		return 0
	}
}

// stop sends SIGTERM and requires a clean exit (code 0).
func (p *scoped) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM %s: %v", p.name, err)
	}
	if code := p.waitExit(t, exitTimeout); code != 0 {
		t.Fatalf("%s exited with %s after SIGTERM, want exit code 0\nstderr:\n%s", p.name, p.cmd.ProcessState, p.stderr.tail(40))
	}
}

// logBuffer collects a process's output and lets tests wait for a line.
type logBuffer struct {
	mu      sync.Mutex
	buf     []byte
	changed chan struct{} // closed and replaced on every write
}

func newLogBuffer() *logBuffer { return &logBuffer{changed: make(chan struct{})} }

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	close(b.changed)
	b.changed = make(chan struct{})
	return len(p), nil
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

// tail returns the last n lines.
func (b *logBuffer) tail(n int) string {
	lines := strings.SplitAfter(b.String(), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "")
}

// waitFor returns the first complete line that contains substr, waiting
// until it is written, the process exits, or the timeout passes.
func (b *logBuffer) waitFor(substr string, exited <-chan struct{}, timeout time.Duration) (string, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		b.mu.Lock()
		line, found := findLine(b.buf, substr)
		changed := b.changed
		b.mu.Unlock()
		if found {
			return line, nil
		}
		select {
		case <-changed:
		case <-exited: // all output has been read once exited is closed
			b.mu.Lock()
			line, found := findLine(b.buf, substr)
			b.mu.Unlock()
			if found {
				return line, nil
			}
			return "", errors.New("the process exited")
		case <-deadline.C:
			return "", fmt.Errorf("timed out after %v", timeout)
		}
	}
}

func findLine(buf []byte, substr string) (string, bool) {
	for len(buf) > 0 {
		i := bytes.IndexByte(buf, '\n')
		if i < 0 {
			return "", false // only complete lines
		}
		if line := string(buf[:i]); strings.Contains(line, substr) {
			return line, true
		}
		buf = buf[i+1:]
	}
	return "", false
}

// ---- HTTP ----

// newClient returns an HTTP client for 127.0.0.1 (no proxy).
func newClient(t *testing.T) *http.Client {
	tr := &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 16, DialContext: (&net.Dialer{Timeout: 10 * time.Second}).DialContext}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}
}

// reply is a complete HTTP answer.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) String() string { return fmt.Sprintf("%d %s", r.status, bytes.TrimSpace(r.body)) }

// call sends a request; header is a list of name, value pairs.
func call(c *http.Client, method, u, body string, header ...string) (reply, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		return reply{}, err
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, fmt.Errorf("%s %s: read the answer: %w", method, u, err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

func mustCall(t *testing.T, c *http.Client, method, u, body string, header ...string) reply {
	t.Helper()
	r, err := call(c, method, u, body, header...)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	return r
}

func bearer(token string) string { return "Bearer " + token }

func basic(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
}

// fetchToken gets an access token with client credentials (HTTP Basic).
func fetchToken(c *http.Client, base, id, secret, scope string) (string, error) {
	cfg := clientcredentials.Config{
		ClientID: id, ClientSecret: secret, TokenURL: base + "/mfp/api/az/v1/token",
		Scopes: []string{scope}, AuthStyle: oauth2.AuthStyleInHeader,
	}
	tok, err := cfg.Token(context.WithValue(context.Background(), oauth2.HTTPClient, c))
	if err != nil {
		return "", err
	}
	return tok.AccessToken, nil
}

func mustToken(t *testing.T, c *http.Client, base, id, secret string) string {
	t.Helper()
	tok, err := fetchToken(c, base, id, secret, "mfpadmin")
	if err != nil {
		t.Fatalf("token for %s at %s: %v", id, base, err)
	}
	return tok
}

// assertInvalidClient requires the token endpoint to refuse id/secret with
// 401 invalid_client.
func assertInvalidClient(t *testing.T, c *http.Client, base, id, secret string) {
	t.Helper()
	_, err := fetchToken(c, base, id, secret, "mfpadmin")
	var re *oauth2.RetrieveError
	switch {
	case err == nil:
		t.Errorf("client %s/%s got a token; want 401 invalid_client", id, secret)
	case !errors.As(err, &re):
		t.Errorf("client %s/%s: %v; want 401 invalid_client", id, secret, err)
	case re.Response.StatusCode != http.StatusUnauthorized || re.ErrorCode != "invalid_client":
		t.Errorf("client %s/%s: %d %q (%s); want 401 invalid_client", id, secret, re.Response.StatusCode, re.ErrorCode, re.Body)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// ---- descriptors and history ----

func appPath(pkg string) string { return appsPath + "/" + pkg + "/android/1.0" }

// descriptor is a valid Android descriptor; distinct values of
// maxTokenExpiration make distinct revisions.
func descriptor(pkg string, maxTokenExpiration int) string {
	return fmt.Sprintf(`{"applicationKey":{"packageName":%q,"clientPlatform":"android","version":"1.0"},"maxTokenExpiration":%d}`,
		pkg, maxTokenExpiration)
}

// applied is the answer of the apply endpoint.
type applied struct {
	Application struct {
		Revision int64  `json:"revision"`
		Hash     string `json:"hash"`
	} `json:"application"`
	Unchanged bool `json:"unchanged"`
}

// ack is an acknowledged push: the revision the server said it stored,
// with its hash, and the maxTokenExpiration that was sent.
type ack struct {
	revision int64
	hash     string
	value    int
}

// parseApplied reads a 200/201 apply answer into an ack; the ETag header
// must name the same revision.
func parseApplied(r reply, value int) (ack, error) {
	var a applied
	if err := json.Unmarshal(r.body, &a); err != nil {
		return ack{}, fmt.Errorf("apply answer %s: %v", r, err)
	}
	switch {
	case a.Unchanged:
		return ack{}, fmt.Errorf("apply of a changed descriptor answered unchanged: %s", r)
	case a.Application.Revision < 1 || len(a.Application.Hash) != 64:
		return ack{}, fmt.Errorf("apply answer without revision or hash: %s", r)
	case r.header.Get("ETag") != strconv.Quote(strconv.FormatInt(a.Application.Revision, 10)):
		return ack{}, fmt.Errorf("apply answer: ETag %q for revision %d", r.header.Get("ETag"), a.Application.Revision)
	}
	return ack{revision: a.Application.Revision, hash: a.Application.Hash, value: value}, nil
}

type revisionJSON struct {
	Revision int64  `json:"revision"`
	Hash     string `json:"hash"`
}

// checkHistory verifies the history of pkg against the acknowledged
// pushes: revisions 1..K without gaps, every stored content valid JSON
// whose SHA-256 is its listed hash, every ack's revision present once with
// its hash and the value that was sent, and the descriptor at revision K.
// It returns K.
func checkHistory(t *testing.T, c *http.Client, base, auth, pkg string, acks []ack) int64 {
	t.Helper()
	r := mustCall(t, c, "GET", base+appPath(pkg)+"/revisions", "", "Authorization", auth)
	if r.status != http.StatusOK {
		t.Fatalf("GET revisions: %s", r)
	}
	var list struct {
		Revisions []revisionJSON `json:"revisions"`
	}
	if err := json.Unmarshal(r.body, &list); err != nil {
		t.Fatalf("GET revisions: %v in %s", err, r)
	}
	hashes := map[int64]string{}
	values := map[int64]int{}
	for i, rev := range list.Revisions {
		if rev.Revision != int64(i+1) {
			t.Fatalf("revision list has %d at position %d; want 1..%d without gaps: %v", rev.Revision, i, len(list.Revisions), list.Revisions)
		}
		r := mustCall(t, c, "GET", fmt.Sprintf("%s%s/revisions/%d", base, appPath(pkg), rev.Revision), "", "Authorization", auth)
		if r.status != http.StatusOK {
			t.Fatalf("GET revisions/%d: %s", rev.Revision, r)
		}
		var content struct {
			MaxTokenExpiration int `json:"maxTokenExpiration"`
		}
		if err := json.Unmarshal(r.body, &content); err != nil {
			t.Errorf("revision %d: stored content is not JSON (%v): %q", rev.Revision, err, r.body)
		}
		sum := sha256.Sum256(r.body)
		if got := hex.EncodeToString(sum[:]); got != rev.Hash {
			t.Errorf("revision %d: content hashes to %s, listed hash %s", rev.Revision, got, rev.Hash)
		}
		if etag := r.header.Get("ETag"); etag != strconv.Quote(strconv.FormatInt(rev.Revision, 10)) {
			t.Errorf("GET revisions/%d: ETag %q", rev.Revision, etag)
		}
		hashes[rev.Revision], values[rev.Revision] = rev.Hash, content.MaxTokenExpiration
	}
	seen := map[int64]bool{}
	for _, a := range acks {
		if seen[a.revision] {
			t.Errorf("revision %d was acknowledged to two pushes", a.revision)
		}
		seen[a.revision] = true
		h, ok := hashes[a.revision]
		switch {
		case !ok:
			t.Errorf("acknowledged revision %d (maxTokenExpiration %d) is missing from the history of %d revisions", a.revision, a.value, len(list.Revisions))
		case h != a.hash:
			t.Errorf("revision %d: acknowledged with hash %s, history has %s", a.revision, a.hash, h)
		case values[a.revision] != a.value:
			t.Errorf("revision %d: stored maxTokenExpiration %d, the acknowledged push sent %d", a.revision, values[a.revision], a.value)
		}
	}
	k := int64(len(list.Revisions))
	d := mustCall(t, c, "GET", base+appPath(pkg)+"/descriptor", "", "Authorization", auth)
	sum := sha256.Sum256(d.body)
	if d.status != http.StatusOK || d.header.Get("ETag") != strconv.Quote(strconv.FormatInt(k, 10)) || hex.EncodeToString(sum[:]) != hashes[k] {
		t.Errorf("GET descriptor: %d ETag %q; want revision %d with hash %s", d.status, d.header.Get("ETag"), k, hashes[k])
	}
	return k
}

// ---- PostgreSQL ----

// ---- tests ----

// TestRefusesToStartWithoutAdminSecret: production needs an admin secret,
// and the development clients test/test and admin/admin exist only with
// --dev, also on a database an earlier --dev run used.
func TestRefusesToStartWithoutAdminSecret(t *testing.T) {
	t.Parallel()
	t.Run("no secret", func(t *testing.T) {
		t.Parallel()
		for _, env := range [][]string{baseEnv(), baseEnv("SCOPED_ADMIN_SECRET=")} {
			db := filepath.Join(t.TempDir(), "scoped.db")
			p := launch(t, "scoped", env, "--addr", "127.0.0.1:0", "--db", "sqlite:"+db)
			code := p.waitExit(t, startTimeout)
			stderr := p.stderr.String()
			if code != 2 {
				t.Errorf("exit code %d (%s), want 2; stderr:\n%s", code, p.cmd.ProcessState, stderr)
			}
			if !strings.Contains(stderr, "admin secret") || !strings.Contains(stderr, "SCOPED_ADMIN_SECRET") {
				t.Errorf("stderr does not explain that an admin secret (SCOPED_ADMIN_SECRET) is needed:\n%s", stderr)
			}
			if strings.Contains(stderr, "msg=listening") {
				t.Errorf("it listened before refusing:\n%s", stderr)
			}
		}
	})

	t.Run("SCOPED_ADMIN_SECRET", func(t *testing.T) {
		t.Parallel()
		secret := randomHex(12)
		p := startScoped(t, "scoped", baseEnv("SCOPED_ADMIN_SECRET="+secret), "--addr", "127.0.0.1:0", "--db", keyedSQLite(t))
		c := newClient(t)
		tok := mustToken(t, c, p.url, "admin", secret)
		if r := mustCall(t, c, "GET", p.url+appsPath, "", "Authorization", bearer(tok)); r.status != http.StatusOK ||
			strings.TrimSpace(string(r.body)) != `{"applications":[]}` {
			t.Errorf("GET applications with the admin's token: %s; want 200 and no (sample) applications", r)
		}
		assertInvalidClient(t, c, p.url, "test", "test")
		assertInvalidClient(t, c, p.url, "admin", "admin")
		if strings.Contains(p.stderr.String(), "DEVELOPMENT") {
			t.Errorf("the development banner is shown without --dev:\n%s", p.stderr.String())
		}
	})

	t.Run("--admin-secret-file", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		secretFile := filepath.Join(dir, "admin-secret")
		secret := randomHex(12)
		if err := os.WriteFile(secretFile, []byte(secret+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		p := startScoped(t, "scoped", baseEnv(), "--addr", "127.0.0.1:0", "--db", keyedSQLite(t),
			"--admin-secret-file", secretFile)
		c := newClient(t)
		mustToken(t, c, p.url, "admin", secret)
		assertInvalidClient(t, c, p.url, "admin", "admin")
	})

	t.Run("after a --dev run on the same database", func(t *testing.T) {
		t.Parallel()
		db := keyedSQLite(t)
		c := newClient(t)
		dev := startScoped(t, "scoped --dev", baseEnv(), "--dev", "--addr", "127.0.0.1:0", "--db", db)
		mustToken(t, c, dev.url, "test", "test")
		mustToken(t, c, dev.url, "admin", "admin")
		dev.stop(t)

		secret := randomHex(12)
		prod := startScoped(t, "scoped", baseEnv("SCOPED_ADMIN_SECRET="+secret), "--addr", "127.0.0.1:0", "--db", db)
		assertInvalidClient(t, c, prod.url, "test", "test")
		assertInvalidClient(t, c, prod.url, "admin", "admin")
		tok := mustToken(t, c, prod.url, "admin", secret)
		if r := mustCall(t, c, "GET", prod.url+appsPath, "", "Authorization", bearer(tok)); r.status != http.StatusOK {
			t.Errorf("GET applications with the new admin secret: %s", r)
		}
		if r := mustCall(t, c, "GET", prod.url+appsPath, "", "Authorization", basic("test", "test")); r.status != http.StatusUnauthorized {
			t.Errorf("admin API with HTTP Basic test/test: %s; want 401", r)
		}
		if !strings.Contains(prod.stderr.String(), "removed the development client test/test") {
			t.Errorf("no warning that the development client was removed:\n%s", prod.stderr.String())
		}
	})
}

// TestTwoProcessesShareOnePostgres: two scoped processes behind one
// external URL share a PostgreSQL schema; each accepts the other's tokens,
// and racing If-Match pushes through both keep a gap-free history in which
// every acknowledged revision is what was pushed.
func TestTwoProcessesShareOnePostgres(t *testing.T) {
	t.Parallel()
	dsn := storetest.PostgresDSN(t)
	secret := randomHex(12)
	env := baseEnv("SCOPED_ADMIN_SECRET=" + secret)
	// The URL of the load balancer in front of both: the issuer of their
	// tokens. Nothing connects to it.
	const issuer = "http://127.0.0.1:9080"
	args := []string{"--addr", "127.0.0.1:0", "--db", dsn, "--issuer", issuer}
	a := startScoped(t, "A", env, args...)
	b := startScoped(t, "B", env, args...)
	c := newClient(t)
	tokA := mustToken(t, c, a.url, "admin", secret)
	tokB := mustToken(t, c, b.url, "admin", secret)

	for _, x := range []struct {
		what, base, token string
	}{{"B with A's token", b.url, tokA}, {"A with B's token", a.url, tokB}, {"A with its own token", a.url, tokA}} {
		if r := mustCall(t, c, "GET", x.base+appsPath, "", "Authorization", bearer(x.token)); r.status != http.StatusOK {
			t.Errorf("GET applications on %s: %s; want 200", x.what, r)
		}
	}
	// A token neither issued is refused, so the 200s above mean something.
	forged := tokA[:strings.LastIndexByte(tokA, '.')+1] + base64.RawURLEncoding.EncodeToString(make([]byte, 256))
	for _, base := range []string{a.url, b.url} {
		if r := mustCall(t, c, "GET", base+appsPath, "", "Authorization", bearer(forged)); r.status != http.StatusUnauthorized {
			t.Errorf("GET applications on %s with a forged token: %s; want 401", base, r)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	const pkg = "com.example.race"
	r := mustCall(t, c, "POST", a.url+appsPath, descriptor(pkg, 1000),
		"Content-Type", "application/json", "Authorization", bearer(tokA))
	if r.status != http.StatusCreated {
		t.Fatalf("create %s: %s; want 201", pkg, r)
	}
	first, err := parseApplied(r, 1000)
	if err != nil || first.revision != 1 {
		t.Fatalf("create %s: revision %d, %v; want revision 1", pkg, first.revision, err)
	}

	// 8 workers, 200 pushes in all, alternating between A and B (with the
	// other process's token): read the head, push a change with If-Match.
	const workers, perWorker = 8, 25
	procs, tokens := []*scoped{a, b}, []string{tokA, tokB}
	var mu sync.Mutex
	acks := []ack{first}
	var stale, succeeded int
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				base, tok := procs[(w+i)%2].url, tokens[(w+i+1)%2]
				value := 100000 + w*1000 + i // unique: every push is a change
				a, isStale, err := pushIfMatch(c, base, tok, pkg, value)
				if err != nil {
					t.Errorf("worker %d push %d via %s: %v", w, i, procs[(w+i)%2].name, err)
					return
				}
				mu.Lock()
				if isStale {
					stale++
				} else {
					succeeded++
					acks = append(acks, a)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("%d pushes: %d stored, %d answered 412", workers*perWorker, succeeded, stale)
	if succeeded+stale != workers*perWorker {
		t.Fatalf("%d stored + %d stale != %d pushes", succeeded, stale, workers*perWorker)
	}
	k := checkHistory(t, c, b.url, bearer(tokA), pkg, acks)
	if k != int64(succeeded)+1 {
		t.Errorf("%d revisions; want %d acknowledged pushes + the first one = %d", k, succeeded, succeeded+1)
	}
}

// pushIfMatch reads the descriptor's ETag and pushes value with If-Match:
// the stored revision, or stale for a 412 that names a newer revision.
func pushIfMatch(c *http.Client, base, token, pkg string, value int) (a ack, stale bool, err error) {
	r, err := call(c, "GET", base+appPath(pkg)+"/descriptor", "", "Authorization", bearer(token))
	if err != nil {
		return ack{}, false, err
	}
	n, perr := strconv.ParseInt(strings.Trim(r.header.Get("ETag"), `"`), 10, 64)
	if r.status != http.StatusOK || perr != nil {
		return ack{}, false, fmt.Errorf("GET descriptor: %s, ETag %q", r, r.header.Get("ETag"))
	}
	ifMatch := strconv.Quote(strconv.FormatInt(n, 10))
	r, err = call(c, "POST", base+appsPath, descriptor(pkg, value),
		"Content-Type", "application/json", "Authorization", bearer(token), "If-Match", ifMatch)
	if err != nil {
		return ack{}, false, err
	}
	switch r.status {
	case http.StatusOK, http.StatusCreated:
		a, err := parseApplied(r, value)
		if err == nil && a.revision != n+1 {
			err = fmt.Errorf("push with If-Match %s stored revision %d; want %d", ifMatch, a.revision, n+1)
		}
		return a, false, err
	case http.StatusPreconditionFailed:
		var body struct {
			Error   string `json:"error"`
			Details struct {
				CurrentRevision int64 `json:"currentRevision"`
			} `json:"details"`
		}
		if err := json.Unmarshal(r.body, &body); err != nil || body.Error != "stale" || body.Details.CurrentRevision <= n {
			return ack{}, false, fmt.Errorf("push with If-Match %s: %s; want error stale with a currentRevision above %d", ifMatch, r, n)
		}
		return ack{}, true, nil
	}
	return ack{}, false, fmt.Errorf("push with If-Match %s: %s; want 200 or 412", ifMatch, r)
}

// TestCrashLosesNoAcknowledgedPush: SIGKILL while pushes are in flight
// loses no acknowledged revision and leaves nothing half-written.
func TestCrashLosesNoAcknowledgedPush(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		crashDuringPushes(t, keyedSQLite(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		crashDuringPushes(t, storetest.PostgresDSN(t))
	})
}

func crashDuringPushes(t *testing.T, db string) {
	secret := randomHex(12)
	env := baseEnv("SCOPED_ADMIN_SECRET=" + secret)
	args := []string{"--addr", "127.0.0.1:0", "--db", db}
	p := startScoped(t, "scoped (to be killed)", env, args...)
	c := newClient(t)
	tok := mustToken(t, c, p.url, "admin", secret)

	// Two streams push without pause. Right after the 100th acknowledged
	// push, or the first one 2 s after the start, one of them kills the
	// process: the other stream's push is in flight, and an answer sent
	// before its commit was durable would be caught.
	const pkg, streams, enoughAcks, enoughTime = "com.example.crash", 2, 100, 2 * time.Second
	var (
		killed   atomic.Bool
		killOnce sync.Once
		mu       sync.Mutex
		acks     []ack
		inFlight int // pushes cut off by the kill
		wg       sync.WaitGroup
	)
	kill := func() {
		killOnce.Do(func() {
			killed.Store(true)
			p.cmd.Process.Kill() // fails only if it already exited
		})
	}
	began := time.Now()
	for s := range streams {
		wg.Go(func() {
			defer kill() // a stream that fails ends the test quickly
			for i := 0; ; i++ {
				value := (s+1)*1_000_000 + i
				r, err := call(c, "POST", p.url+appsPath, descriptor(pkg, value),
					"Content-Type", "application/json", "Authorization", bearer(tok))
				if err != nil {
					if killed.Load() {
						mu.Lock()
						inFlight++
						mu.Unlock()
					} else {
						t.Errorf("stream %d: push %d failed before the kill: %v", s, i, err)
					}
					return
				}
				if r.status != http.StatusOK && r.status != http.StatusCreated {
					t.Errorf("stream %d: push %d: %s; want 200 or 201", s, i, r)
					return
				}
				a, err := parseApplied(r, value)
				if err != nil {
					t.Errorf("stream %d: push %d: %v", s, i, err)
					return
				}
				mu.Lock()
				acks = append(acks, a)
				n := len(acks)
				mu.Unlock()
				if n >= enoughAcks || time.Since(began) >= enoughTime {
					kill()
				}
			}
		})
	}
	select {
	case <-p.exited:
		if !killed.Load() {
			t.Errorf("scoped exited by itself during the pushes: %s", p.exitStatus())
		}
	case <-time.After(60 * time.Second):
		t.Errorf("neither %d acknowledged pushes nor %v within 60 s", enoughAcks, enoughTime)
	}
	kill()
	p.waitExit(t, exitTimeout)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	mu.Lock()
	defer mu.Unlock()
	if len(acks) == 0 {
		t.Fatal("no push was acknowledged before the kill")
	}
	t.Logf("killed after %d acknowledged pushes; %d requests were cut off", len(acks), inFlight)

	q := startScoped(t, "scoped (restarted)", env, args...)
	tok = mustToken(t, c, q.url, "admin", secret)
	k := checkHistory(t, c, q.url, bearer(tok), pkg, acks)
	var highest int64
	for _, a := range acks {
		highest = max(highest, a.revision)
	}
	if k < highest {
		t.Errorf("%d revisions after the restart; revision %d was acknowledged", k, highest)
	}
}

// TestGracefulShutdownFinishesInFlightRequests: on SIGTERM scoped stops
// accepting connections, finishes a push whose body is still arriving,
// and then exits 0.
func TestGracefulShutdownFinishesInFlightRequests(t *testing.T) {
	t.Parallel()
	secret := randomHex(12)
	env := baseEnv("SCOPED_ADMIN_SECRET=" + secret)
	args := []string{"--addr", "127.0.0.1:0", "--db", keyedSQLite(t)}
	p := startScoped(t, "scoped", env, args...)
	c := newClient(t)
	tok := mustToken(t, c, p.url, "admin", secret)

	const pkg = "com.example.slow"
	body := descriptor(pkg, 7200)
	firstHalf, secondHalf := body[:len(body)/2], body[len(body)/2:]
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.CloseWithError(errors.New("the test ended")) })

	// With Expect: 100-continue the server answers 100 Continue when the
	// apply handler starts reading the body: from then on the request is
	// surely in flight, past authentication.
	continued := make(chan struct{})
	var once sync.Once
	ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		Got100Continue: func() { once.Do(func() { close(continued) }) },
	})
	req, err := http.NewRequestWithContext(ctx, "POST", p.url+appsPath, pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", bearer(tok))
	req.Header.Set("Expect", "100-continue")
	slow := &http.Client{
		Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true, ExpectContinueTimeout: time.Minute},
		Timeout:   2 * time.Minute,
	}
	type result struct {
		reply
		err error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := slow.Do(req)
		if err != nil {
			done <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		done <- result{reply{resp.StatusCode, resp.Header, b}, err}
	}()
	select {
	case <-continued:
	case r := <-done:
		t.Fatalf("the push ended before its body was sent: %v %s", r.err, r.reply)
	case <-time.After(60 * time.Second):
		t.Fatal("no 100 Continue from the apply endpoint within 60 s")
	}
	if _, err := io.WriteString(pw, firstHalf); err != nil {
		t.Fatalf("send the first half of the body: %v", err)
	}

	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if _, err := p.stderr.waitFor("shutting down", p.exited, 30*time.Second); err != nil {
		t.Fatalf("no 'shutting down' log line after SIGTERM: %v (%s)", err, p.exitStatus())
	}
	// New connections are refused while the push is still in flight. The
	// listener closes just after the log line; a connection accepted
	// before that is closed again and the dial retried.
	addr := strings.TrimPrefix(p.url, "http://")
	refused := false
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); {
		conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			if !errors.Is(err, syscall.ECONNREFUSED) {
				t.Fatalf("dial %s after SIGTERM: %v; want connection refused", addr, err)
			}
			refused = true
			break
		}
		conn.Close()
		time.Sleep(20 * time.Millisecond)
	}
	if !refused {
		t.Fatalf("%s still accepts connections 20 s after SIGTERM", addr)
	}

	// The push is still in flight: scoped has not exited and has not
	// answered it. (Whether it then finishes, rather than being cut off
	// when the rest of the body arrives, is what the 201 below proves.)
	select {
	case r := <-done:
		t.Fatalf("the push ended before the rest of its body was sent: %v %s", r.err, r.reply)
	case <-p.exited:
		t.Fatalf("scoped exited (%s) with a push in flight", p.cmd.ProcessState)
	default:
	}
	if _, err := io.WriteString(pw, secondHalf); err != nil {
		t.Fatalf("send the rest of the body: %v", err)
	}
	pw.Close()

	var r result
	select {
	case r = <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("no answer to the push within 60 s of its last byte")
	}
	if r.err != nil || r.status != http.StatusCreated {
		t.Fatalf("push in flight during shutdown: %v %s; want 201", r.err, r.reply)
	}
	if _, err := parseApplied(r.reply, 7200); err != nil {
		t.Error(err)
	}
	if code := p.waitExit(t, exitTimeout); code != 0 {
		t.Errorf("exit after SIGTERM: %s; want exit code 0\nstderr:\n%s", p.cmd.ProcessState, p.stderr.tail(20))
	}
	if !strings.Contains(p.stderr.String(), "msg=stopped") {
		t.Errorf("no 'stopped' log line after the shutdown:\n%s", p.stderr.tail(20))
	}

	// The push that finished during the shutdown was stored.
	q := startScoped(t, "scoped (restarted)", env, args...)
	tok = mustToken(t, c, q.url, "admin", secret)
	d := mustCall(t, c, "GET", q.url+appPath(pkg)+"/descriptor", "", "Authorization", bearer(tok))
	var content struct {
		MaxTokenExpiration int `json:"maxTokenExpiration"`
	}
	if d.status != http.StatusOK || d.header.Get("ETag") != `"1"` || json.Unmarshal(d.body, &content) != nil || content.MaxTokenExpiration != 7200 {
		t.Errorf("after a restart, GET descriptor: %s, ETag %q; want revision 1 with maxTokenExpiration 7200", d, d.header.Get("ETag"))
	}
}

// TestDevModeSeedsSamples: --dev serves every sample descriptor of
// fixtures/valid, with admin/admin, and says loudly that it is dev mode.
func TestDevModeSeedsSamples(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../../fixtures/valid/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no sample descriptors in fixtures/valid: %v", err)
	}
	want := map[string]bool{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var d struct {
			ApplicationKey map[string]string `json:"applicationKey"`
		}
		if err := json.Unmarshal(src, &d); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		platform, version := d.ApplicationKey["clientPlatform"], d.ApplicationKey["version"]
		for field, id := range d.ApplicationKey {
			if field != "clientPlatform" && field != "version" {
				want[id+"/"+platform+"/"+version] = true
			}
		}
	}

	p := startScoped(t, "scoped --dev", baseEnv(), "--dev", "--addr", "127.0.0.1:0", "--db", keyedSQLite(t))
	c := newClient(t)
	r := mustCall(t, c, "GET", p.url+appsPath, "", "Authorization", basic("admin", "admin"))
	if r.status != http.StatusOK {
		t.Fatalf("GET applications with admin/admin: %s", r)
	}
	var list struct {
		Applications []struct {
			ID       string `json:"id"`
			Platform string `json:"platform"`
			Version  string `json:"version"`
			Revision int64  `json:"revision"`
		} `json:"applications"`
	}
	if err := json.Unmarshal(r.body, &list); err != nil {
		t.Fatalf("GET applications: %v in %s", err, r)
	}
	if len(list.Applications) != len(files) {
		t.Errorf("--dev lists %d applications; want the %d samples of fixtures/valid", len(list.Applications), len(files))
	}
	for _, a := range list.Applications {
		key := a.ID + "/" + a.Platform + "/" + a.Version
		if !want[key] || a.Revision != 1 {
			t.Errorf("listed %s at revision %d; want the samples %v, each at revision 1", key, a.Revision, want)
		}
		delete(want, key)
	}
	if len(want) > 0 {
		t.Errorf("samples not listed: %v", want)
	}
	if !strings.Contains(p.stderr.String(), "running in DEVELOPMENT mode (--dev)") {
		t.Errorf("no DEVELOPMENT mode banner on stderr:\n%s", p.stderr.String())
	}
}
