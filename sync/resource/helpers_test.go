package resource_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/resource"
	"github.com/scopectl/scopectl/sync/server/servertest"
	"github.com/scopectl/scopectl/sync/store"
)

// clients of runtime mfp in every test server.
var clients = []servertest.Client{
	{ID: "reader", Secret: "reader-secret", Scope: "orders.read"},
	{ID: "admin", Secret: "admin-secret", Scope: "mfpadmin"},
	{ID: "star", Secret: "star-secret", Scope: "*"},
}

// env is a real scoped, a JWKS endpoint in front of it that counts its
// requests (and can be made to fail), and a resource server protected by
// an offline verifier of scoped's tokens, all on one injected clock.
type env struct {
	t       *testing.T
	clock   *servertest.Clock
	srv     *servertest.Server
	issuer  string
	jwks    atomic.Int64 // JWKS requests
	broken  atomic.Value // func(http.ResponseWriter) answering the JWKS instead of scoped; nil: scoped answers
	jwksURL string
	off     *resource.Offline
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, clock: servertest.NewClock()}
	e.srv = servertest.StartWith(t, servertest.Options{Now: e.clock.Now}, clients...)
	e.issuer = e.srv.Issuer + api.AuthzPath("mfp")
	target, _ := url.Parse(e.srv.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.jwks.Add(1)
		if f, ok := e.broken.Load().(func(http.ResponseWriter)); ok && f != nil {
			f(w)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	e.jwksURL = front.URL + api.JWKSPath("mfp")
	e.off = e.offline(resource.OfflineOptions{})
	return e
}

// offline returns a verifier of the env's tokens with opt (Issuer,
// JWKSURL and Now filled in when empty).
func (e *env) offline(opt resource.OfflineOptions) *resource.Offline {
	e.t.Helper()
	if opt.Issuer == "" {
		opt.Issuer = e.issuer
	}
	if opt.JWKSURL == "" {
		opt.JWKSURL = e.jwksURL
	}
	if opt.Now == nil {
		opt.Now = e.clock.Now
	}
	off, err := resource.NewOffline(opt)
	if err != nil {
		e.t.Fatal(err)
	}
	return off
}

// breakJWKS makes the JWKS endpoint answer with f; nil restores scoped.
func (e *env) breakJWKS(f func(http.ResponseWriter)) { e.broken.Store(f) }

// token obtains a client-credentials token from scoped.
func (e *env) token(id, secret, scope string) string {
	e.t.Helper()
	return clientToken(e.t, e.srv.URL, id, secret, scope)
}

func clientToken(t testing.TB, base, id, secret, scope string) string {
	t.Helper()
	req, _ := http.NewRequest("POST", base+api.TokenPath("mfp"), strings.NewReader(url.Values{"grant_type": {"client_credentials"}, "scope": {scope}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != 200 {
		t.Fatalf("token for %s (%q): %d %v", id, scope, resp.StatusCode, err)
	}
	return tok.AccessToken
}

// signingKeys returns scoped's signing keys, newest first.
func (e *env) signingKeys() []store.SigningKey {
	e.t.Helper()
	keys, err := e.srv.Store.SigningKeys(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return keys
}

// answer is a resource server's answer.
type answer struct {
	status    int
	challenge string
	body      map[string]any
}

func (a answer) want(t *testing.T, status int, challengePrefix string) answer {
	t.Helper()
	if a.status != status || !strings.HasPrefix(a.challenge, challengePrefix) {
		t.Fatalf("answer %d, WWW-Authenticate %q, body %v; want %d, %q…", a.status, a.challenge, a.body, status, challengePrefix)
	}
	return a
}

// protected serves a resource needing scope, behind v; it answers the
// Principal as JSON.
func protected(t *testing.T, v resource.Verifier, scope string) string {
	t.Helper()
	h := resource.Middleware(v, scope)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := resource.FromContext(r.Context())
		if !ok {
			http.Error(w, "no principal", 500)
			return
		}
		json.NewEncoder(w).Encode(p)
	}))
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts.URL
}

// get asks url with an Authorization header (none when "").
func get(t *testing.T, url, authorization string) answer {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, challenge: resp.Header.Get("WWW-Authenticate")}
	if err := json.Unmarshal(b, &a.body); err != nil {
		t.Fatalf("answer %d is not JSON: %q", resp.StatusCode, b)
	}
	return a
}

// verdict is what the verifier says of a token for scope: the status the
// middleware answers (200, 401, 403 or 503).
func verdict(v resource.Verifier, token string, scope config.Scope) int {
	_, err := v.Verify(context.Background(), token, scope)
	if err == nil {
		return 200
	}
	if e, ok := err.(*resource.Error); ok {
		return e.Status
	}
	return 503
}

func mustScope(t testing.TB, s string) config.Scope {
	t.Helper()
	sc, err := config.ParseScope(s)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}
