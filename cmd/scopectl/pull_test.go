package main

import (
	"context"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/fixtures"
	"github.com/scopectl/scopectl/schema"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/client"
	"github.com/scopectl/scopectl/sync/server/servertest"
)

// project starts a real scoped with two applications, and a fresh
// project directory as the current directory, with credentials in the
// environment. It returns the server URL.
func project(t *testing.T) string {
	t.Helper()
	useProfiles(t)
	url := servertest.Start(t, servertest.Client{ID: "admin", Secret: "admin-secret", Scope: "mfpadmin"})
	cl, err := client.New(context.Background(), client.Options{URL: url, Runtime: "mfp", Login: "admin", Password: "admin-secret", Scope: "mfpadmin"})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"valid/com.example.bank-android-1.0.json", "valid/com.example.unsorted-web-1.0.json"} {
		src, _ := fs.ReadFile(fixtures.FS, name)
		if _, err := cl.Apply(context.Background(), src, api.Any(), false); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(t.TempDir())
	t.Setenv("SCOPECTL_LOGIN", "admin")
	t.Setenv("SCOPECTL_PASSWORD", "admin-secret")
	t.Setenv("SCOPECTL_SERVER", url)
	return url
}

const bankFile = "mobilefirst/com.example.bank-android-1.0.json"

func TestPullAllThenAgainIsIdentical(t *testing.T) {
	project(t)
	r := scopectl(t, "app", "pull", "--all").wantCode(t, exitOK)
	if !strings.Contains(r.stdout, "pulled "+bankFile) || !strings.Contains(r.stdout, "pulled mobilefirst/com.example.unsorted-web-1.0.json") {
		t.Fatalf("stdout %q", r.stdout)
	}
	first, _ := os.ReadFile(bankFile)
	src, _ := fs.ReadFile(fixtures.FS, "valid/com.example.bank-android-1.0.json")
	if string(first) != string(schema.Validate(src).Descriptor.Canonical()) {
		t.Errorf("pulled file is not the canonical form:\n%s", first)
	}
	ignore, _ := os.ReadFile(".gitignore")
	if !strings.Contains(string(ignore), ".scopectl/") {
		t.Errorf(".gitignore: %q", ignore)
	}
	r = scopectl(t, "app", "pull").wantCode(t, exitOK) // refreshes what is there
	if r.stdout != "" {
		t.Errorf("second pull rewrote files: %q", r.stdout)
	}
	second, _ := os.ReadFile(bankFile)
	if string(first) != string(second) {
		t.Error("pull twice is not byte-identical")
	}
	scopectl(t, "app", "validate").wantCode(t, exitOK)
	scopectl(t, "app", "fmt", "--check").wantCode(t, exitOK)
}

// TestPullKeepsLocalEdits: pull never overwrites an edit that was never
// pushed (it merges, see merge_test.go) unless --force.
func TestPullKeepsLocalEdits(t *testing.T) {
	project(t)
	scopectl(t, "app", "pull", "com.example.bank/android/1.0").wantCode(t, exitOK)
	edited := strings.Replace(readFile(t, bankFile), `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 60`, 1)
	os.WriteFile(bankFile, []byte(edited), 0o644)
	r := scopectl(t, "app", "pull", "--all").wantCode(t, exitOK)
	if !strings.Contains(r.stdout, "kept "+bankFile) || strings.Contains(r.stdout, "pulled "+bankFile) {
		t.Errorf("stdout %q", r.stdout)
	}
	if readFile(t, bankFile) != edited {
		t.Fatal("local edit lost")
	}
	if _, err := os.Stat("mobilefirst/com.example.unsorted-web-1.0.json"); err != nil {
		t.Error("the other application was not pulled")
	}
	scopectl(t, "app", "pull", "--force", "com.example.bank/android/1.0").wantCode(t, exitOK)
	if strings.Contains(readFile(t, bankFile), `"maxTokenExpiration": 60`) {
		t.Error("--force did not overwrite")
	}
}

func TestPullErrors(t *testing.T) {
	project(t)
	r := scopectl(t, "app", "pull").wantCode(t, exitUsage)
	if !strings.Contains(r.stderr, "nothing to pull") {
		t.Errorf("no apps: %q", r.stderr)
	}
	scopectl(t, "app", "pull", "com.example.none/ios/1.0").wantCode(t, exitUsage)
	scopectl(t, "app", "pull", "not-a-key").wantCode(t, exitUsage)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := "http://" + ln.Addr().String()
	ln.Close()
	r = scopectl(t, "app", "pull", "--all", "--server", closed).wantCode(t, exitServer)
	if !strings.Contains(r.stderr, "connection refused") {
		t.Errorf("unreachable: %q", r.stderr)
	}
	if entries, _ := os.ReadDir("."); len(entries) != 0 {
		t.Errorf("a failed pull left files: %v", entries)
	}
	t.Setenv("SCOPECTL_PASSWORD", "wrong")
	scopectl(t, "app", "pull", "--all").wantCode(t, exitServer)
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Clean(path))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
