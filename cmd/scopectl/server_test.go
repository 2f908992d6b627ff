package main

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/sync/server/servertest"
)

// useProfiles points scopectl at a fresh servers file.
func useProfiles(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cfg", "servers.json")
	t.Setenv("SCOPECTL_CONFIG", path)
	t.Setenv("SCOPECTL_LOGIN", "")
	t.Setenv("SCOPECTL_PASSWORD", "")
	return path
}

func TestServerProfiles(t *testing.T) {
	path := useProfiles(t)
	r := scopectl(t, "server", "list").wantCode(t, exitOK)
	if !strings.Contains(r.stdout, "local") || !strings.Contains(r.stdout, "http://localhost:9080") {
		t.Errorf("built-in local profile missing:\n%s", r.stdout)
	}
	secretFile := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(secretFile, []byte("s3cret-value\n"), 0o600)
	scopectl(t, "server", "add", "--url", "https://scoped.example.com/", "--login", "ci", "--password-file", secretFile, "--setdefault", "prod").wantCode(t, exitOK)
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("servers file mode %v, %v; want 0600", info.Mode().Perm(), err)
	}
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), "s3cret-value") {
		t.Error("secret not stored")
	}
	r = scopectl(t, "server", "list").wantCode(t, exitOK)
	if strings.Contains(r.stdout+r.stderr, "s3cret") {
		t.Fatalf("list printed the secret:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "https://scoped.example.com") || !strings.Contains(r.stdout, "stored") {
		t.Errorf("list:\n%s", r.stdout)
	}
	var rows []map[string]any
	json.Unmarshal([]byte(scopectl(t, "server", "list", "--format", "json").wantCode(t, exitOK).stdout), &rows)
	if len(rows) != 2 || rows[1]["name"] != "prod" || rows[1]["default"] != true || rows[1]["passwordStored"] != true || rows[1]["url"] != "https://scoped.example.com" {
		t.Errorf("list --format json: %+v", rows)
	}
	r = scopectl(t, "server", "remove", "prod").wantCode(t, exitOK)
	if r.stderr != "server prod removed; it was the default, the default is now local (built in: http://localhost:9080)\n" {
		t.Errorf("removing the default: %q", r.stderr)
	}
	scopectl(t, "server", "add", "prod", "--url", "https://scoped.example.com", "--login", "ci", "--password-file", secretFile).wantCode(t, exitOK)
	r = scopectl(t, "server", "default", "prod").wantCode(t, exitOK)
	if r.stderr != "the default server is now prod (https://scoped.example.com)\n" {
		t.Errorf("default: %q", r.stderr)
	}
	scopectl(t, "server", "default", "local").wantCode(t, exitOK)
	r = scopectl(t, "server", "remove", "prod").wantCode(t, exitOK)
	if r.stderr != "server prod removed\n" {
		t.Errorf("removing another: %q", r.stderr)
	}
	scopectl(t, "server", "remove", "prod").wantCode(t, exitUsage)
	scopectl(t, "server", "remove", "local").wantCode(t, exitUsage)
	scopectl(t, "server", "default", "nope").wantCode(t, exitUsage)
}

func TestServerAddRefusesBadInput(t *testing.T) {
	useProfiles(t)
	emptyFile := filepath.Join(t.TempDir(), "empty")
	os.WriteFile(emptyFile, []byte("\n"), 0o600)
	for _, args := range [][]string{
		{"server", "add", "--url", "ftp://x", "--login", "a", "--password", "p", "x"},
		{"server", "add", "--url", "http://x", "--login", "a", "--password", "p", "bad name"},
		{"server", "add", "--url", "http://x", "--login", "a", "x"}, // no secret
		{"server", "add", "--url", "http://x", "--password", "p", "x"},
		{"server", "add", "--url", "http://x", "--login", "a", "--password", "p"},
		{"server", "add", "x", "--url", "http://x", "--login", "a", "--password-file", emptyFile},
	} {
		r := scopectl(t, args...)
		if r.code != exitUsage || strings.Contains(r.stderr, "USAGE") {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
}

// TestServerInfo: against a real scoped, good credentials answer 0, bad
// credentials and an unreachable server answer 3 with one line.
func TestServerInfo(t *testing.T) {
	useProfiles(t)
	url := servertest.Start(t, servertest.Client{ID: "ci", Secret: "ci-secret", Scope: "mfpdeployer"})
	scopectl(t, "server", "add", "--url", url, "--login", "ci", "--password", "ci-secret", "dev").wantCode(t, exitOK)
	r := scopectl(t, "server", "info", "dev").wantCode(t, exitOK)
	if !strings.Contains(r.stdout, "client ci authenticated; 0 applications") {
		t.Errorf("info: %q", r.stdout)
	}
	scopectl(t, "server", "add", "--url", url, "--login", "ci", "--password", "wrong", "bad").wantCode(t, exitOK)
	r = scopectl(t, "server", "info", "bad").wantCode(t, exitServer)
	if !strings.Contains(r.stderr, "refused the credentials") || strings.Count(r.stderr, "\n") != 1 || strings.Contains(r.stderr, "wrong") {
		t.Errorf("bad credentials: %q", r.stderr)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := "http://" + ln.Addr().String()
	ln.Close()
	t.Setenv("SCOPECTL_LOGIN", "ci")
	t.Setenv("SCOPECTL_PASSWORD", "ci-secret")
	r = scopectl(t, "server", "info", closed).wantCode(t, exitServer)
	if !strings.Contains(r.stderr, "connection refused") {
		t.Errorf("unreachable: %q", r.stderr)
	}
	scopectl(t, "server", "remove", "bad").wantCode(t, exitOK)
	scopectl(t, "server", "remove", "dev").wantCode(t, exitOK)
	scopectl(t, "server", "info", url).wantCode(t, exitOK) // a URL with credentials from the environment
}

// TestServerAddWarnings: a secret on the command line and an unencrypted
// remote URL are flagged once, without failing and without the secret.
func TestServerAddWarnings(t *testing.T) {
	useProfiles(t)
	r := scopectl(t, "server", "add", "x", "--url", "http://scoped.example.com", "--login", "a", "--password", "hunter2-secret").wantCode(t, exitOK)
	if strings.Count(r.stderr, "warning: --password on the command line") != 1 || strings.Count(r.stderr, "warning: http://scoped.example.com is not encrypted") != 1 {
		t.Errorf("warnings: %q", r.stderr)
	}
	if strings.Contains(r.stderr, "hunter2") {
		t.Errorf("the secret was printed: %q", r.stderr)
	}
	t.Setenv("SCOPECTL_PASSWORD", "from-env-secret")
	r = scopectl(t, "server", "add", "y", "--url", "https://scoped.example.com", "--login", "a").wantCode(t, exitOK)
	if strings.Contains(r.stderr, "warning") {
		t.Errorf("no warning expected for https and a secret from the environment: %q", r.stderr)
	}
}

// TestServerURLUsesProfileCredentials: --server URL (and server info URL)
// takes the credentials of the profile with that URL.
func TestServerURLUsesProfileCredentials(t *testing.T) {
	useProfiles(t)
	url := servertest.Start(t, servertest.Client{ID: "ci", Secret: "ci-secret-long", Scope: "mfpdeployer"})
	scopectl(t, "server", "add", "dev", "--url", url, "--login", "ci", "--password", "ci-secret-long").wantCode(t, exitOK)
	r := scopectl(t, "server", "info", url+"/").wantCode(t, exitOK)
	if !strings.HasPrefix(r.stdout, "dev: ") {
		t.Errorf("info by URL did not use profile dev: %q", r.stdout)
	}
}
