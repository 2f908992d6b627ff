package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scopectl/scopectl/fixtures"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/client"
	"github.com/scopectl/scopectl/sync/server/servertest"
)

// tokenProject starts scoped (refresh tokens for com.example.bank) with
// the bank application, its PIN success cut to 60 s, and the minimal one,
// in a fresh project directory; it returns the server URL and its clock.
func tokenProject(t *testing.T) (string, *servertest.Clock) {
	t.Helper()
	useProfiles(t)
	clock := servertest.NewClock() // the server's; the CLI keeps the real one (its assertions last 4 minutes, so the server may run ahead)
	srv := servertest.StartWith(t, servertest.Options{Now: clock.Now, RefreshApps: []string{"com.example.bank"}},
		servertest.Client{ID: "admin", Secret: "admin-secret", Scope: "mfpadmin"})
	cl, err := client.New(context.Background(), client.Options{URL: srv.URL, Runtime: "mfp", Login: "admin", Password: "admin-secret", Scope: "mfpadmin"})
	if err != nil {
		t.Fatal(err)
	}
	bank, _ := fs.ReadFile(fixtures.FS, "valid/com.example.bank-android-1.0.json")
	minimal, _ := fs.ReadFile(fixtures.FS, "valid/com.example.minimal-android-1.0.json")
	for _, src := range []string{strings.Replace(string(bank), `"successStateExpirationSec": 1200`, `"successStateExpirationSec": 60`, 1), string(minimal)} {
		if _, err := cl.Apply(context.Background(), []byte(src), api.Any(), false); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(t.TempDir())
	t.Setenv("SCOPECTL_SERVER", srv.URL)
	t.Setenv("SCOPECTL_LOGIN", "admin")
	t.Setenv("SCOPECTL_PASSWORD", "admin-secret")
	return srv.URL, clock
}

// TestAppToken: scopectl app token plays a mobile client: the token lives
// min(the PIN's success, maxTokenExpiration), a push of a lower
// maxTokenExpiration shows in the next token, wrong PINs block the check
// for blockedStateExpirationSec, and only enabled apps get refresh tokens.
func TestAppToken(t *testing.T) {
	url, clock := tokenProject(t)
	bank := "com.example.bank/android/1.0"
	r := scopectl(t, "app", "token", bank, "--scope", "accessRestricted").wantCode(t, exitFailed)
	if !strings.Contains(r.stderr, `security check PinCodeAttempts asks {"enroll":true}; answer it with --answer PinCodeAttempts=VALUE`) {
		t.Errorf("no answer: %q", r.stderr)
	}
	r = scopectl(t, "app", "token", bank, "--scope", "accessRestricted", "--answer", "PinCodeAttempts=1234").wantCode(t, exitOK)
	for _, want := range []string{`token for com.example.bank/android/1.0, scope "accessRestricted"`, "expires in 60 s", "app_id        com.example.bank", "refresh token: yes"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("token output lacks %q:\n%s", want, r.stdout)
		}
	}
	files, _ := filepath.Glob(".scopectl/instances/*/com.example.bank-android-1.0.json")
	if len(files) != 1 {
		t.Fatalf("saved instances: %v", files)
	}
	if info, _ := os.Stat(files[0]); info.Mode().Perm() != 0o600 {
		t.Errorf("the saved instance (a private key) is %v, want 0600", info.Mode().Perm())
	}

	serverEdit(t, url, `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 30`)
	r = scopectl(t, "app", "token", bank, "--scope", "accessRestricted").wantCode(t, exitOK) // the saved instance's PIN success lasts
	if !strings.Contains(r.stdout, "expires in 30 s") {
		t.Errorf("after the push of maxTokenExpiration 30:\n%s", r.stdout)
	}

	clock.Advance(61 * time.Second) // the PIN's success is over
	for i := 0; i < 2; i++ {
		r = scopectl(t, "app", "token", bank, "--scope", "accessRestricted", "--answer", "PinCodeAttempts=0000").wantCode(t, exitFailed)
		if !strings.Contains(r.stderr, "remainingAttempts") {
			t.Errorf("wrong PIN %d: %q", i+1, r.stderr)
		}
	}
	r = scopectl(t, "app", "token", bank, "--scope", "accessRestricted", "--answer", "PinCodeAttempts=0000").wantCode(t, exitFailed)
	if !strings.Contains(r.stderr, "security check PinCodeAttempts failed") || !strings.Contains(r.stderr, "blocked until") {
		t.Errorf("third wrong PIN: %q", r.stderr)
	}
	scopectl(t, "app", "token", bank, "--scope", "accessRestricted", "--answer", "PinCodeAttempts=1234").wantCode(t, exitFailed)
	clock.Advance(61 * time.Second) // blockedStateExpirationSec
	scopectl(t, "app", "token", bank, "--scope", "accessRestricted", "--answer", "PinCodeAttempts=1234").wantCode(t, exitOK)

	r = scopectl(t, "app", "token", "com.example.minimal/android/1.0").wantCode(t, exitOK)
	if strings.Contains(r.stdout, "refresh token") || !strings.Contains(r.stdout, "expires in 3600 s") {
		t.Errorf("an app without refresh tokens:\n%s", r.stdout)
	}
}

func TestAppTokenRefusals(t *testing.T) {
	tokenProject(t)
	scopectl(t, "app", "token").wantCode(t, exitUsage)
	scopectl(t, "app", "token", "com.example.bank/android/1.0", "--scope", `a"b`).wantCode(t, exitUsage)
	scopectl(t, "app", "token", "com.example.bank/android/1.0", "--answer", "nocheck").wantCode(t, exitUsage)
	r := scopectl(t, "app", "token", "com.example.nope/android/1.0").wantCode(t, exitServer)
	if !strings.Contains(r.stderr, "com.example.nope/android/1.0 is not registered") {
		t.Errorf("unknown application: %q", r.stderr)
	}
	os.MkdirAll(".scopectl/instances", 0o755)
	scopectl(t, "app", "token", "com.example.minimal/android/1.0").wantCode(t, exitOK)
	files, _ := filepath.Glob(".scopectl/instances/*/com.example.minimal-android-1.0.json")
	os.Chmod(files[0], 0o644)
	r = scopectl(t, "app", "token", "com.example.minimal/android/1.0").wantCode(t, exitUsage)
	if !strings.Contains(r.stderr, "chmod 600") {
		t.Errorf("a saved instance others may read: %q", r.stderr)
	}
	scopectl(t, "app", "token", "com.example.minimal/android/1.0", "--new-instance").wantCode(t, exitOK) // replaces it
}

// TestAppTokenEscapesServerText: a hostile server's error text reaches the
// terminal with its control characters escaped.
func TestAppTokenEscapesServerText(t *testing.T) {
	useProfiles(t)
	t.Chdir(t.TempDir())
	mux := http.NewServeMux()
	var url string
	mux.HandleFunc("GET /.well-known/oauth-authorization-server/mfp/api/az/v1", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"issuer": %q}`, url+"/mfp/api/az/v1")
	})
	mux.HandleFunc("POST /mfp/api/registration/v1/self", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"error": "forbidden", "message": "\u001b]52;c;cm0gLXJmIH4=\u0007 refused \u202e"}`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	url = srv.URL
	r := scopectl(t, "app", "token", "--server", url, "com.example.bank/android/1.0").wantCode(t, exitServer)
	if strings.ContainsAny(r.stderr, "\x1b\x07\u202e") || !strings.Contains(r.stderr, `\x1b]52;c;cm0gLXJmIH4=\x07 refused \u202e`) {
		t.Errorf("stderr %q", r.stderr)
	}
}

// TestAppTokenKeepsItsInstance: a run that stops at a challenge keeps the
// instance it registered (the next run answers as the same client), and an
// instance the server deleted is reported with the way out.
func TestAppTokenKeepsItsInstance(t *testing.T) {
	url, _ := tokenProject(t)
	bank := "com.example.bank/android/1.0"
	scopectl(t, "app", "token", bank, "--scope", "accessRestricted").wantCode(t, exitFailed) // asks to enrol a PIN
	files, _ := filepath.Glob(".scopectl/instances/*/com.example.bank-android-1.0.json")
	if len(files) != 1 {
		t.Fatalf("instance not saved after a run that stopped at a challenge: %v", files)
	}
	scopectl(t, "app", "token", bank, "--scope", "accessRestricted", "--answer", "PinCodeAttempts=1234").wantCode(t, exitOK)

	data, _ := os.ReadFile(files[0])
	var saved struct{ ClientID string }
	json.Unmarshal(data, &saved)
	req, _ := http.NewRequest("DELETE", url+"/mfpadmin/management-apis/2.0/runtimes/mfp/mobileclients/"+saved.ClientID, nil)
	req.SetBasicAuth("admin", "admin-secret")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 204 {
		t.Fatalf("delete the instance: %v %v", resp, err)
	}
	r := scopectl(t, "app", "token", bank, "--scope", "accessRestricted").wantCode(t, exitServer)
	if !strings.Contains(r.stderr, "run again with --new-instance") {
		t.Errorf("deleted instance: %q", r.stderr)
	}
	scopectl(t, "app", "token", bank, "--scope", "accessRestricted", "--new-instance", "--answer", "PinCodeAttempts=1234").wantCode(t, exitOK)
}
