package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var bankFixturePath = filepath.Join(fixturesDir, bankFixture)

// TestExplainOffline: a reviewer sees which checks a scope runs, which
// properties the file sets, and what caps the token lifetime, without a
// server.
func TestExplainOffline(t *testing.T) {
	r := scopectl(t, "app", "explain", bankFixturePath, "--scope", "accessRestricted deletePrivilege").wantCode(t, exitOK)
	for _, want := range []string{
		`scope "accessRestricted deletePrivilege"`,
		"accessRestricted  → PinCodeAttempts  (scopeElementMapping)",
		"deletePrivilege   → no check         (scopeElementMapping)",
		"appAuthenticity   → appAuthenticity  (mandatoryScope; no mapping: the check of the same name)",
		"successStateExpirationSec     1200  configured",
		"attemptingStateExpirationSec  120   default",
		"token lifetime: 1200 s, the successStateExpirationSec of PinCodeAttempts (maxTokenExpiration 3600 s)",
		`granted scope (in the token): "accessRestricted deletePrivilege"`,
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("explain output lacks %q:\n%s", want, r.stdout)
		}
	}
}

func TestExplainJSON(t *testing.T) {
	r := scopectl(t, "app", "explain", "--format", "json", bankFixturePath, "--scope", "transfer").wantCode(t, exitOK)
	var got struct {
		Scope  []string
		Checks []struct {
			Name  string
			Known bool
		}
		TokenLifetime struct {
			Seconds  int64
			CappedBy string
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.stdout)
	}
	if len(got.Checks) != 2 || got.Checks[0].Name != "appAuthenticity" || !got.Checks[0].Known ||
		got.Checks[1].Name != "transfer" || got.Checks[1].Known {
		t.Errorf("checks = %+v, want appAuthenticity (built in) and transfer (unknown)", got.Checks)
	}
	if got.TokenLifetime.Seconds != 3600 || got.TokenLifetime.CappedBy != "" {
		t.Errorf("lifetime = %+v", got.TokenLifetime)
	}
}

func TestExplainFromServer(t *testing.T) {
	url := project(t)
	serverEdit(t, url, `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 300`)
	r := scopectl(t, "app", "explain", "com.example.bank/android/1.0", "--scope", "accessRestricted").wantCode(t, exitOK)
	if !strings.Contains(r.stdout, "revision 2") || !strings.Contains(r.stdout, "token lifetime: 300 s, the maxTokenExpiration") {
		t.Errorf("explain from the server:\n%s", r.stdout)
	}
	r = scopectl(t, "app", "explain", "com.example.nope/android/1.0").wantCode(t, exitUsage)
	if !strings.Contains(r.stderr, "has no application com.example.nope/android/1.0 in runtime mfp") {
		t.Errorf("explain of an application the server lacks: %q", r.stderr)
	}
}

func TestExplainBadInput(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{bankFixturePath, "--scope", `a"b`}, "--scope: scope element"},
		{[]string{"missing.json"}, "missing.json: no such file"},
		{[]string{}, "name one descriptor FILE"},
		{[]string{filepath.Join(invalidDir, "missing-application-key.json")}, "cannot"},
	}
	for _, tt := range tests {
		r := scopectl(t, append([]string{"app", "explain"}, tt.args...)...).wantCode(t, exitUsage)
		if !strings.Contains(r.stderr, tt.want) {
			t.Errorf("explain %q: stderr %q, want %q", tt.args, r.stderr, tt.want)
		}
	}
}

// TestKnownChecksFromServer: with the list of checks a server publishes,
// validate warns of mappings to checks that server lacks, and explain
// knows the server's checks.
func TestKnownChecksFromServer(t *testing.T) {
	url := project(t)
	resp, err := http.Get(url + "/mfp/api/az/v1/securitychecks")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err := os.WriteFile("checks.json", data, 0o644); err != nil {
		t.Fatal(err)
	}
	web := filepath.Join(fixturesDir, "valid/com.example.bank-web-1.0.json")
	r := scopectl(t, "app", "validate", "--known-checks", "checks.json", web).wantCode(t, exitOK)
	if !strings.Contains(r.stdout, `bank-web-1.0.json:9:26: warning: /scopeElementMapping/SSOUserValidation: scope element "SSOUserValidation" maps to security checks "CredentialsValidation" and "LtpaBasedSSO", which the runtime does not have; the runtime has PinCodeAttempts, appAuthenticity;`) {
		t.Errorf("validate --known-checks:\n%s", r.stdout)
	}
	scopectl(t, "app", "validate", "--strict", "--known-checks", "checks.json", web).wantCode(t, exitFailed)
	scopectl(t, "app", "validate", "--known-checks", "checks.json", bankFixturePath).wantCode(t, exitOK)

	r = scopectl(t, "app", "explain", "--known-checks", "checks.json", web, "--scope", "SSOUserValidation").wantCode(t, exitOK)
	if !strings.Contains(r.stdout, "LtpaBasedSSO            (for SSOUserValidation, unknown to the runtime: no client can pass it)") {
		t.Errorf("explain --known-checks:\n%s", r.stdout)
	}
	os.WriteFile("bad.json", []byte(`{"keys": []}`), 0o644)
	r = scopectl(t, "app", "validate", "--known-checks", "bad.json", web).wantCode(t, exitUsage)
	if !strings.Contains(r.stderr, "not a list of security checks") {
		t.Errorf("bad --known-checks: %q", r.stderr)
	}
}
