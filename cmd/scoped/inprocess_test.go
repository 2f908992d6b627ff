package main

import (
	"context"
	"io"
	"net/http"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/authz/authztest"

	"github.com/scopectl/scopectl/cmd/internal/cliargs/cliargstest"
)

// serveInProcess runs scoped with args (and --addr 127.0.0.1:0, a new
// database) until the test ends, and returns its URL.
func serveInProcess(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stderr, exited := newLogBuffer(), make(chan struct{})
	db := keyedSQLite(t)
	go func() {
		defer close(exited)
		runContext(ctx, append([]string{"scoped", "--addr", "127.0.0.1:0", "--db", db}, args...), newLogBuffer(), stderr)
	}()
	t.Cleanup(func() { cancel(); <-exited })
	line, err := stderr.waitFor("msg=listening ", exited, startTimeout)
	if err != nil {
		t.Fatalf("no listening line: %v\n%s", err, stderr.String())
	}
	return listeningRE.FindStringSubmatch(line)[1]
}

// TestMobileRuntimeFlags: --users gives the UserLogin check its users,
// --security-check declares a custom check, and --refresh-token-apps
// gives an application's clients refresh tokens.
func TestMobileRuntimeFlags(t *testing.T) {
	hash, err := bcrypt.GenerateFromPassword([]byte("alice-password"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	users := filepath.Join(t.TempDir(), "users")
	if err := os.WriteFile(users, []byte("alice:"+string(hash)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	url := serveInProcess(t, "--dev", "--users", users, "--security-check", "StepUp=PinCodeAttempts", "--refresh-token-apps", "com.example.bank")

	resp, err := http.Get(url + "/mfp/api/az/v1/securitychecks")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`"name":"UserLogin"`, `"name":"StepUp","type":"PinCodeAttempts"`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("published checks lack %s: %s", want, body)
		}
	}

	flow := &authztest.Flow{URL: url, Runtime: "mfp", Device: authztest.NewDevice(config.AppKey{ID: "com.example.bank", Platform: config.PlatformIOS, Version: "1.0"})}
	mustAnswer(t, 201)(flow.Register())
	mustAnswer(t, 401)(flow.Preauthorize("accessRestricted", nil))
	mustAnswer(t, 200)(flow.Preauthorize("accessRestricted", map[string]any{"UserLogin": map[string]any{"username": "alice", "password": "alice-password"}}))
	code, err := flow.Code("accessRestricted", "com.example.bank:/cb")
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		ExpiresIn    int64  `json:"expires_in"`
		RefreshToken string `json:"refresh_token"`
	}
	if err := mustAnswer(t, 200)(flow.Exchange("authorization_code", neturl.Values{"code": {code}, "redirect_uri": {"com.example.bank:/cb"}})).JSON(&tok); err != nil {
		t.Fatal(err)
	}
	// 1200 s from the login, in whole seconds of the token's iat and exp:
	// on this real clock a second may begin between the login and the
	// token (it did under -race), which leaves 1199
	if tok.ExpiresIn < 1199 || tok.ExpiresIn > 1200 || tok.RefreshToken == "" {
		t.Errorf("token: %+v, want 1200 s (UserLogin's success) and a refresh token", tok)
	}
}

// mustAnswer checks the status of a Flow's answer.
func mustAnswer(t *testing.T, status int) func(authztest.Answer, error) authztest.Answer {
	return func(a authztest.Answer, err error) authztest.Answer {
		t.Helper()
		if err != nil || a.Status != status {
			t.Fatalf("answer %d %s (%v), want %d", a.Status, a.Body, err, status)
		}
		return a
	}
}

// TestServeInProcess: scoped serve run as a function writes its log and
// banner to the writers it is given, answers on the address it logs, and
// stops cleanly (exit 0) when its context ends, as on SIGTERM.
func TestServeInProcess(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout, stderr := newLogBuffer(), newLogBuffer()
	code, exited := make(chan int, 1), make(chan struct{})
	db := keyedSQLite(t)
	go func() {
		defer close(exited)
		code <- runContext(ctx, []string{"scoped", "--dev", "--addr", "127.0.0.1:0", "--db", db}, stdout, stderr)
	}()
	line, err := stderr.waitFor("msg=listening ", exited, startTimeout)
	if err != nil {
		t.Fatalf("no listening line: %v\n%s", err, stderr.String())
	}
	m := listeningRE.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("listening line %q", line)
	}
	resp, err := http.Get(m[1] + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	cancel()
	if c := <-code; c != 0 {
		t.Errorf("exit status %d after the context ended, want 0\n%s", c, stderr.String())
	}
	logs := stderr.String()
	for _, want := range []string{"running in DEVELOPMENT mode", "msg=stopped"} {
		if !strings.Contains(logs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, logs)
		}
	}
	if stdout.String() != "" {
		t.Errorf("stdout: %q", stdout.String())
	}
}

// TestEveryFlagHasAVariable: every flag of scoped and of its commands can
// also be set with a SCOPED_* environment variable, as containers expect.
func TestEveryFlagHasAVariable(t *testing.T) {
	t.Parallel()
	if missing := cliargstest.FlagsWithoutVariable(newApp(nil, nil), "SCOPED_"); len(missing) > 0 {
		t.Errorf("flags without a SCOPED_* variable: %v", missing)
	}
}
