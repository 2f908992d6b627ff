package main

import (
	"context"
	"encoding/json"
	"io/fs"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/fixtures"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/client"
	"github.com/scopectl/scopectl/sync/server/servertest"
)

// stateProject starts scoped with the bank application, an operator
// (admin) and a monitor login, in a fresh project directory, as the
// admin; it returns the server URL.
func stateProject(t *testing.T) string {
	t.Helper()
	useProfiles(t)
	srv := servertest.StartWith(t, servertest.Options{},
		servertest.Client{ID: "admin", Secret: "admin-secret", Scope: "mfpadmin"},
		servertest.Client{ID: "monitor", Secret: "monitor-secret", Scope: "mfpmonitor"})
	cl, err := client.New(context.Background(), client.Options{URL: srv.URL, Runtime: "mfp", Login: "admin", Password: "admin-secret", Scope: "mfpadmin"})
	if err != nil {
		t.Fatal(err)
	}
	bank, _ := fs.ReadFile(fixtures.FS, "valid/com.example.bank-android-1.0.json")
	if _, err := cl.Apply(context.Background(), bank, api.Any(), false); err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	t.Setenv("SCOPECTL_SERVER", srv.URL)
	t.Setenv("SCOPECTL_LOGIN", "admin")
	t.Setenv("SCOPECTL_PASSWORD", "admin-secret")
	return srv.URL
}

// TestAppDisableEnable: a disabled application's instance gets no token,
// and is told the operator's message; enabled again, it gets one.
func TestAppDisableEnable(t *testing.T) {
	url := stateProject(t)
	bank := "com.example.bank/android/1.0"
	token := []string{"app", "token", bank, "--scope", "accessRestricted", "--answer", "PinCodeAttempts=1234"}
	scopectl(t, token...).wantCode(t, exitOK)

	r := scopectl(t, "app", "disable", bank, "--message", "Version 1.0 is retired: install 2.0").wantCode(t, exitOK)
	want := bank + " disabled on " + url + " (runtime mfp): its clients are refused\n  message: Version 1.0 is retired: install 2.0\n"
	if r.stdout != want {
		t.Errorf("disable printed %q, want %q", r.stdout, want)
	}
	r = scopectl(t, token...).wantCode(t, exitFailed)
	if !strings.Contains(r.stderr, "application "+bank+" is disabled on runtime mfp: Version 1.0 is retired: install 2.0") {
		t.Errorf("a disabled application's instance: %q", r.stderr)
	}

	r = scopectl(t, "app", "enable", bank, "--format", "json").wantCode(t, exitOK)
	var app map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &app); err != nil || app["id"] != "com.example.bank" || app["disabled"] != nil {
		t.Errorf("enable --format json printed %s (%v)", r.stdout, err)
	}
	scopectl(t, token...).wantCode(t, exitOK)
}

// TestAppDisableRefusals: a monitor login may not disable, an unknown
// application is named, and enable takes no message.
func TestAppDisableRefusals(t *testing.T) {
	stateProject(t)
	r := scopectl(t, "app", "disable", "com.example.nope/android/1.0").wantCode(t, exitUsage)
	if !strings.Contains(r.stderr, "com.example.nope/android/1.0 does not exist") {
		t.Errorf("unknown application: %q", r.stderr)
	}
	r = scopectl(t, "app", "enable", "com.example.bank/android/1.0", "--message", "x").wantCode(t, exitUsage)
	if !strings.Contains(r.stderr, "message") {
		t.Errorf("enable --message: %q", r.stderr)
	}
	r = scopectl(t, "app", "disable", "com.example.bank/android/1.0", "--message", strings.Repeat("x", 1025)).wantCode(t, exitUsage)
	if !strings.Contains(r.stderr, "--message is 1025 bytes long; at most 1024") {
		t.Errorf("a long message: %q", r.stderr)
	}
	t.Setenv("SCOPECTL_LOGIN", "monitor")
	t.Setenv("SCOPECTL_PASSWORD", "monitor-secret")
	r = scopectl(t, "app", "disable", "com.example.bank/android/1.0").wantCode(t, exitServer)
	if !strings.Contains(r.stderr, `refused the credentials (scope element "mfpoperator" is not allowed for this client)`) {
		t.Errorf("a monitor login: %q", r.stderr)
	}
}
