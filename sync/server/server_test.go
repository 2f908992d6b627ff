package server_test

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/scopectl/scopectl/fixtures"
	"github.com/scopectl/scopectl/sync/oauth"
	"github.com/scopectl/scopectl/sync/server/servertest"
	"github.com/scopectl/scopectl/sync/store"
)

// env is a real scoped HTTP server on 127.0.0.1 with an SQLite store.
type env struct {
	t      *testing.T
	url    string
	store  store.Store
	tokens *oauth.Tokens
	keys   *oauth.KeySet
	srv    *servertest.Server
}

const apps = "/mfpadmin/management-apis/2.0/runtimes/mfp/applications"

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvWith(t, servertest.Options{})
}

// newEnvWith is newEnv with options (a shared database file, a clock).
func newEnvWith(t *testing.T, opt servertest.Options) *env {
	t.Helper()
	srv := servertest.StartWith(t, opt,
		servertest.Client{ID: "admin", Secret: "admin-secret", Scope: "mfpadmin"},
		servertest.Client{ID: "test", Secret: "test-secret", Scope: "*"},
		servertest.Client{ID: "monitor", Secret: "monitor-secret", Scope: "mfpmonitor"},
		servertest.Client{ID: "operator", Secret: "operator-secret", Scope: "mfpoperator authorization.introspect"},
		servertest.Client{ID: "pusher", Secret: "pusher-secret", Scope: "push.application.*"},
	)
	return &env{t: t, url: srv.URL, store: srv.Store, tokens: srv.Tokens, keys: srv.Keys, srv: srv}
}

// response is a finished HTTP exchange.
type response struct {
	status int
	header http.Header
	body   string
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, r.body)
	}
}

func (e *env) do(method, path string, header http.Header, body io.Reader) response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.url+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, string(b)}
}

func (e *env) token(id, secret, scope string) string {
	e.t.Helper()
	cc := clientcredentials.Config{
		ClientID: id, ClientSecret: secret, TokenURL: e.url + "/mfp/api/az/v1/token",
		Scopes: strings.Fields(scope), AuthStyle: 2, // oauth2.AuthStyleInHeader
	}
	tok, err := cc.Token(context.Background())
	if err != nil {
		e.t.Fatalf("token for %s: %v", id, err)
	}
	return tok.AccessToken
}

func bearer(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}

func jsonHeader(token string) http.Header {
	h := bearer(token)
	h.Set("Content-Type", "application/json")
	return h
}

func fixture(t testing.TB, name string) string {
	t.Helper()
	b, err := fs.ReadFile(fixtures.FS, name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func form(values url.Values) io.Reader { return strings.NewReader(values.Encode()) }

func (r response) want(t *testing.T, status int) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d\n%s", r.status, status, r.body)
	}
	return r
}
