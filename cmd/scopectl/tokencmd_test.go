package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/server/servertest"
)

// TestClientToken: scopectl token prints a token of the profile's client
// that a resource protected by scope accepts, as curl would send it.
func TestClientToken(t *testing.T) {
	useProfiles(t)
	url := servertest.Start(t, servertest.Client{ID: "monitor", Secret: "monitor-secret", Scope: "mfpmonitor"})
	t.Setenv("SCOPECTL_LOGIN", "monitor")
	t.Setenv("SCOPECTL_PASSWORD", "monitor-secret")

	r := scopectl(t, "token", "--server", url, "--scope", "mfpmonitor").wantCode(t, exitOK)
	token := strings.TrimSuffix(r.stdout, "\n")
	if token == "" || strings.ContainsAny(token, " \n") {
		t.Fatalf("stdout %q, want the token alone on a line", r.stdout)
	}
	req, _ := http.NewRequest("GET", url+api.ApplicationsPath("mfp"), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the admin API answered the printed token %d, want 200", resp.StatusCode)
	}

	r = scopectl(t, "token", "--server", url, "--scope", "mfpmonitor", "--format", "json").wantCode(t, exitOK)
	var rep clientTokenReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if rep.ClientID != "monitor" || rep.Scope != "mfpmonitor" || rep.TokenType != "Bearer" || rep.AccessToken == "" ||
		rep.ExpiresIn < 3590 || rep.ExpiresIn > 3600 || rep.Server != url || rep.Runtime != "mfp" {
		t.Errorf("report %+v", rep)
	}
}

func TestClientTokenRefusals(t *testing.T) {
	useProfiles(t)
	url := servertest.Start(t, servertest.Client{ID: "monitor", Secret: "monitor-secret", Scope: "mfpmonitor"})
	t.Setenv("SCOPECTL_LOGIN", "monitor")
	t.Setenv("SCOPECTL_PASSWORD", "monitor-secret")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--scope", "mfpadmin"}, exitServer, `refused the credentials (scope element "mfpadmin" is not allowed for this client)`},
		{[]string{"--scope", `a"b`}, exitUsage, "--scope:"},
		{[]string{"extra"}, exitUsage, "takes no arguments"},
		{[]string{"--format", "yaml"}, exitUsage, "unknown --format"},
	} {
		r := scopectl(t, append([]string{"token", "--server", url}, c.args...)...).wantCode(t, c.code)
		if !strings.Contains(r.stderr, c.want) || r.stdout != "" {
			t.Errorf("%v: stdout %q stderr %q, want %q", c.args, r.stdout, r.stderr, c.want)
		}
	}
	t.Setenv("SCOPECTL_PASSWORD", "wrong")
	scopectl(t, "token", "--server", url).wantCode(t, exitServer)
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	scopectl(t, "token", "--server", down.URL).wantCode(t, exitServer)
}

// TestClientTokenEscapesServerText: a hostile token endpoint cannot drive
// the terminal through the printed token.
func TestClientTokenEscapesServerText(t *testing.T) {
	useProfiles(t)
	hostile := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token":"abc\u001b]0;owned\u0007","token_type":"Bearer","expires_in":60,"scope":"\u001b[2J"}`))
	}))
	t.Cleanup(hostile.Close)
	t.Setenv("SCOPECTL_LOGIN", "monitor")
	t.Setenv("SCOPECTL_PASSWORD", "monitor-secret")
	for _, format := range []string{"text", "json"} {
		r := scopectl(t, "token", "--server", hostile.URL, "--format", format).wantCode(t, exitOK)
		if strings.ContainsAny(r.stdout, "\x1b\x07") || !strings.Contains(r.stdout, `\x1b`) {
			t.Errorf("%s: stdout %q, want the escapes made visible", format, r.stdout)
		}
	}
}

// TestTokenVerify: scopectl token verify checks a token offline against
// the server's keys, with or without a scope, as a resource server would.
func TestTokenVerify(t *testing.T) {
	project(t)
	tok := strings.TrimSpace(scopectl(t, "token", "--scope", "mfpmonitor").wantCode(t, exitOK).stdout)
	r := scopectl(t, "token", "verify", tok, "--scope", "mfpmonitor").wantCode(t, exitOK)
	if !strings.Contains(r.stdout, "valid token") || !strings.Contains(r.stdout, "client_id     admin") || !strings.Contains(r.stdout, "scope         mfpmonitor") {
		t.Errorf("verify:\n%s", r.stdout)
	}
	r = scopectl(t, "token", "verify", tok, "--scope", "mfpadmin").wantCode(t, exitFailed)
	if !strings.Contains(r.stderr, "requires scope mfpadmin") {
		t.Errorf("a token without the scope: %q", r.stderr)
	}
	parts := strings.Split(tok, ".")
	forged := parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))
	scopectl(t, "token", "verify", forged).wantCode(t, exitFailed)
	scopectl(t, "token", "verify").wantCode(t, exitUsage)
}
