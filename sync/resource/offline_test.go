package resource_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/fixtures"
	"github.com/scopectl/scopectl/sync/accesstoken"
	"github.com/scopectl/scopectl/sync/accesstoken/accesstokentest"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/authz/authztest"
	"github.com/scopectl/scopectl/sync/oauth"
	"github.com/scopectl/scopectl/sync/resource"
	"github.com/scopectl/scopectl/sync/server/servertest"
)

// TestMiddlewareAnswers: every answer of the middleware, as seed 000 and
// scoped give them, for a resource needing orders.read.
func TestMiddlewareAnswers(t *testing.T) {
	e := newEnv(t)
	url := protected(t, e.off, "orders.read")
	reader := e.token("reader", "reader-secret", "orders.read")

	a := get(t, url, "").want(t, 401, "Bearer")
	if a.challenge != "Bearer" || a.body["error"] != "unauthorized" {
		t.Errorf("no token: %q %v", a.challenge, a.body)
	}
	a = get(t, url, "Bearer "+reader).want(t, 200, "")
	if a.body["ClientID"] != "reader" || a.body["Subject"] != "reader" || a.body["AppID"] != "" {
		t.Errorf("principal %v", a.body)
	}
	get(t, url, "bEARER "+reader).want(t, 200, "")
	get(t, url, "Basic cmVhZGVyOnJlYWRlci1zZWNyZXQ=").want(t, 401, `Bearer error="invalid_token", error_description="unsupported authorization scheme`)
	get(t, url, "Bearer not.a.token").want(t, 401, `Bearer error="invalid_token"`)
	get(t, url, "Bearer "+strings.Repeat("a", 9000)).want(t, 401, `Bearer error="invalid_token", error_description="the Authorization header is too long"`)
	a = get(t, url, "Bearer "+e.token("admin", "admin-secret", "mfpadmin")).want(t, 403, `Bearer error="insufficient_scope", scope="orders.read"`)
	if a.body["error"] != "forbidden" || a.body["message"] != "this resource requires scope orders.read" {
		t.Errorf("403 body %v", a.body)
	}
	get(t, protected(t, e.off, ""), "Bearer "+e.token("admin", "admin-secret", "mfpadmin")).want(t, 200, "")
}

// TestScopeRulesAsScoped: for admin roles and wildcards, the middleware
// says what scoped's own admin API says of the same token (the
// applications list needs mfpmonitor): a role holds the roles below it,
// a granted "*" is only an element named "*".
func TestScopeRulesAsScoped(t *testing.T) {
	e := newEnv(t)
	mw := protected(t, e.off, "mfpmonitor")
	for _, c := range []struct{ id, secret, scope string }{
		{"admin", "admin-secret", "mfpadmin"},
		{"star", "star-secret", "*"},
		{"star", "star-secret", "mfpmonitor"},
		{"star", "star-secret", "mfpoperator"},
		{"star", "star-secret", "mfp*"},
		{"reader", "reader-secret", "orders.read"},
	} {
		tok := e.token(c.id, c.secret, c.scope)
		ours := get(t, mw, "Bearer "+tok)
		theirs := get(t, e.srv.URL+api.ApplicationsPath("mfp"), "Bearer "+tok)
		if ours.status != theirs.status || ours.status != 200 && ours.challenge != theirs.challenge {
			t.Errorf("%s granted %q: middleware %d %q, scoped %d %q", c.id, c.scope, ours.status, ours.challenge, theirs.status, theirs.challenge)
		}
	}
	wantVerdict(t, e.off, e.token("star", "star-secret", "*"), mustScope(t, "orders.read"), 403, "a token granted * at a resource needing orders.read")
}

var bankAndroid = config.AppKey{ID: "com.example.bank", Platform: config.PlatformAndroid, Version: "1.0"}

// mobileToken runs the mobile flow of a bank app instance for scope
// deletePrivilege (no check but the mandatory appAuthenticity).
func (e *env) mobileToken() string {
	t := e.t
	t.Helper()
	src, err := fixtures.FS.ReadFile("valid/com.example.bank-android-1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", e.srv.URL+api.ApplicationsPath("mfp"), strings.NewReader(string(src)))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth("admin", "admin-secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("apply: %v %v", resp, err)
	}
	resp.Body.Close()
	flow := &authztest.Flow{URL: e.srv.URL, Runtime: "mfp", Device: authztest.NewDevice(bankAndroid), Now: e.clock.Now, Issuer: e.srv.Issuer}
	tok, err := flow.AccessToken("deletePrivilege", "com.example.bank:/oauth")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestMobileToken: a token of the mobile runtime puts its application in
// the Principal.
func TestMobileToken(t *testing.T) {
	e := newEnv(t)
	tok := e.mobileToken()
	a := get(t, protected(t, e.off, "deletePrivilege"), "Bearer "+tok).want(t, 200, "")
	if a.body["AppID"] != "com.example.bank" || a.body["AppPlatform"] != "android" || a.body["AppVersion"] != "1.0" || a.body["DeviceID"] != "device-1" || a.body["ClientID"] == "" {
		t.Errorf("principal %v", a.body)
	}
	get(t, protected(t, e.off, "accessRestricted"), "Bearer "+tok).want(t, 403, `Bearer error="insufficient_scope", scope="accessRestricted"`)
}

// TestExpiryAndClockSkew: a token is accepted until 30 s (the leeway)
// past its expiry, and from 30 s before its iat.
func TestExpiryAndClockSkew(t *testing.T) {
	e := newEnv(t)
	tok := e.token("reader", "reader-secret", "orders.read")
	need := mustScope(t, "orders.read")
	behind := func(d time.Duration) *resource.Offline {
		return e.offline(resource.OfflineOptions{Now: func() time.Time { return e.clock.Now().Add(-d) }})
	}
	wantVerdict(t, behind(20*time.Second), tok, need, 200, "a resource server 20 s behind")
	wantVerdict(t, behind(time.Minute), tok, need, 401, "a resource server a minute behind (token from the future)")
	e.clock.Advance(time.Hour + 20*time.Second)
	wantVerdict(t, e.off, tok, need, 200, "20 s past expiry, within the leeway")
	e.clock.Advance(15 * time.Second)
	_, err := e.off.Verify(context.Background(), tok, need)
	if e, ok := err.(*resource.Error); !ok || e.Status != 401 || !strings.Contains(e.Reason, "expired") {
		t.Errorf("35 s past expiry: %v", err)
	}
}

// TestWrongIssuer: a token of another server or another runtime is
// refused, even when that server signs with the same key.
func TestWrongIssuer(t *testing.T) {
	e := newEnv(t)
	other := servertest.StartWith(t, servertest.Options{Now: e.clock.Now}, clients...)
	tok := clientToken(t, other.URL, "reader", "reader-secret", "orders.read")
	_, err := e.off.Verify(context.Background(), tok, nil)
	if re, ok := err.(*resource.Error); !ok || re.Status != 401 || !strings.Contains(re.Reason, "issued by") {
		t.Errorf("another server's token: %v", err)
	}
	otherRuntime := e.offline(resource.OfflineOptions{Issuer: e.srv.Issuer + api.AuthzPath("other")})
	wantVerdict(t, otherRuntime, e.token("reader", "reader-secret", "orders.read"), nil, 401, "another runtime's token")
}

// TestKeyRotationAndRetirement: a token of a new key verifies once the
// keys are refetched (at most once per 10 s however many unknown kids
// arrive); a retired key stops verifying at the next periodic refetch.
func TestKeyRotationAndRetirement(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	need := mustScope(t, "orders.read")
	old := e.token("reader", "reader-secret", "orders.read")
	if got := verdict(e.off, old, need); got != 200 || e.jwks.Load() != 1 {
		t.Fatalf("first token %d after %d JWKS requests", got, e.jwks.Load())
	}
	oldKid := e.signingKeys()[0].ID
	if _, err := oauth.Rotate(ctx, e.srv.Store); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Second) // scoped reads its keys again
	fresh := e.token("reader", "reader-secret", "orders.read")
	for i := range 50 {
		forged := accesstokentest.Sign(t, accesstokentest.Key(), fmt.Sprintf("kid-%d", i), accesstoken.Type,
			accesstokentest.Claims(e.issuer, "reader", "orders.read", e.clock.Now(), e.clock.Now().Add(time.Hour)))
		if got := verdict(e.off, forged, need); got != 401 {
			t.Fatalf("forged kid: %d", got)
		}
	}
	if got := verdict(e.off, fresh, need); got != 401 || e.jwks.Load() != 1 {
		t.Fatalf("within 10 s of the last fetch: new key's token %d, %d JWKS requests (want 401, 1)", got, e.jwks.Load())
	}
	e.clock.Advance(10 * time.Second)
	if verdict(e.off, fresh, need) != 200 || verdict(e.off, old, need) != 200 || e.jwks.Load() != 2 {
		t.Fatalf("after the refetch: new %d, old %d, %d JWKS requests", verdict(e.off, fresh, need), verdict(e.off, old, need), e.jwks.Load())
	}

	if _, err := oauth.Retire(ctx, e.srv.Store, oldKid); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Second)
	wantVerdict(t, e.off, old, need, 200, "before the periodic refetch the retired key still verifies (bounded by 5 min)")
	e.clock.Advance(5 * time.Minute)
	wantVerdict(t, e.off, old, need, 401, "retired key's token after the periodic refetch")
	if got := verdict(e.off, fresh, need); got != 200 || e.jwks.Load() != 3 {
		t.Errorf("new key's token %d after %d JWKS requests (want 200, 3)", got, e.jwks.Load())
	}
}

// TestSingleFetch: concurrent first requests share one JWKS fetch.
func TestSingleFetch(t *testing.T) {
	e := newEnv(t)
	tok := e.token("reader", "reader-secret", "orders.read")
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			wantVerdict(t, e.off, tok, nil, 200, "a concurrent first request")
		})
	}
	wg.Wait()
	if n := e.jwks.Load(); n != 1 {
		t.Errorf("%d JWKS requests for 20 concurrent first requests", n)
	}
}

// TestJWKSFailuresFailClosed: when the JWKS cannot be had (unreachable,
// an error, garbage, more than 1 MiB) no token passes: 503, until a
// fetch succeeds. Keys that cannot be refetched serve 10 min at most.
func TestJWKSFailuresFailClosed(t *testing.T) {
	e := newEnv(t)
	tok := e.token("reader", "reader-secret", "orders.read")
	for name, f := range map[string]func(http.ResponseWriter){
		"500":     func(w http.ResponseWriter) { http.Error(w, "down", 500) },
		"garbage": func(w http.ResponseWriter) { w.Write([]byte("<html>not json")) },
		"huge": func(w http.ResponseWriter) {
			w.Write([]byte(`{"keys": [`))
			w.Write([]byte(strings.Repeat(" ", 2<<20)))
			w.Write([]byte(`]}`))
		},
		"not a key set": func(w http.ResponseWriter) { w.Write([]byte(`{"kty": "RSA"}`)) },
	} {
		e.breakJWKS(f)
		off := e.offline(resource.OfflineOptions{})
		a := get(t, protected(t, off, ""), "Bearer "+tok)
		if a.status != 503 || a.challenge != "" || a.body["error"] != "unavailable" {
			t.Errorf("%s: %d %q %v", name, a.status, a.challenge, a.body)
		}
		if err := off.Start(context.Background()); err == nil {
			t.Errorf("%s: Start succeeded", name)
		}
	}
	unreachable := e.offline(resource.OfflineOptions{JWKSURL: "http://127.0.0.1:1/jwks"})
	wantVerdict(t, unreachable, tok, nil, 503, "unreachable")

	e.breakJWKS(nil)
	if got := verdict(e.off, tok, nil); got != 200 {
		t.Fatalf("scoped back: %d", got)
	}
	e.breakJWKS(func(w http.ResponseWriter) { http.Error(w, "down", 500) })
	e.clock.Advance(6 * time.Minute)
	wantVerdict(t, e.off, tok, nil, 200, "keys 6 min old that cannot be refetched")
	e.clock.Advance(5 * time.Minute)
	wantVerdict(t, e.off, tok, nil, 503, "keys 11 min old that cannot be refetched")
	e.breakJWKS(nil)
	e.clock.Advance(10 * time.Second)
	wantVerdict(t, e.off, tok, nil, 200, "JWKS back")
}

// TestNewOfflineOptions: what NewOffline refuses.
func TestNewOfflineOptions(t *testing.T) {
	for _, opt := range []resource.OfflineOptions{
		{},
		{Issuer: "127.0.0.1:9080/mfp/api/az/v1"},
		{Issuer: "http://127.0.0.1:9080/mfp/api/az/v1", Algorithms: []jose.SignatureAlgorithm{jose.HS256}},
	} {
		if _, err := resource.NewOffline(opt); err == nil {
			t.Errorf("NewOffline(%+v) succeeded", opt)
		}
	}
}

// wantVerdict fails t unless v answers want for token and scope.
func wantVerdict(t *testing.T, v resource.Verifier, token string, scope config.Scope, want int, what string) {
	t.Helper()
	if got := verdict(v, token, scope); got != want {
		t.Errorf("%s: %d, want %d", what, got, want)
	}
}

// TestJWKSHostileKeys: keys the library must not trust are skipped, even
// under the kid of a token: an RSA key under 2048 bits, a symmetric key
// (alg confusion), an encryption key, another algorithm.
func TestJWKSHostileKeys(t *testing.T) {
	e := newEnv(t)
	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	strong := accesstokentest.Key()
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now()
	claims := accesstokentest.Claims(e.issuer, "reader", "orders.read", now, now.Add(time.Hour))
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &weak.PublicKey, KeyID: "weak", Algorithm: "RS256", Use: "sig"},
		{Key: []byte("a shared secret of 32 bytes!!!!!"), KeyID: "oct", Algorithm: "HS256", Use: "sig"},
		{Key: &strong.PublicKey, KeyID: "enc", Algorithm: "RS256", Use: "enc"},
		{Key: &strong.PublicKey, KeyID: "rs512", Algorithm: "RS512", Use: "sig"},
		{Key: &strong.PublicKey, KeyID: "good", Algorithm: "RS256", Use: "sig"},
		{Key: &strong.PublicKey, KeyID: "twice", Algorithm: "RS256", Use: "sig"},
		{Key: &other.PublicKey, KeyID: "twice", Algorithm: "RS256", Use: "sig"},
	}}
	body, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	e.breakJWKS(func(w http.ResponseWriter) { w.Write(body) })
	for _, kid := range []string{"weak", "enc", "rs512", "twice"} { // "twice": two keys, so neither
		key := strong
		if kid == "weak" {
			key = weak
		}
		wantVerdict(t, e.off, accesstokentest.Sign(t, key, kid, accesstoken.Type, claims), nil, 401, "key "+kid)
	}
	hs := accesstokentest.Forge(map[string]any{"alg": "HS256", "typ": "at+jwt", "kid": "oct"}, claims, accesstokentest.HS256([]byte("a shared secret of 32 bytes!!!!!")))
	wantVerdict(t, e.off, hs, nil, 401, "symmetric key")
	wantVerdict(t, e.off, accesstokentest.Sign(t, strong, "good", accesstoken.Type, claims), nil, 200, "the one good key")
}

// TestSlowJWKSStallsNobody: when the keys are due for a refetch and the
// JWKS hangs, requests go on with the keys they have (still young enough)
// instead of waiting for the fetch; the HTTP client here would wait an hour.
func TestSlowJWKSStallsNobody(t *testing.T) {
	e := newEnv(t)
	tok := e.token("reader", "reader-secret", "orders.read")
	off := e.offline(resource.OfflineOptions{HTTPClient: &http.Client{Timeout: time.Hour}})
	wantVerdict(t, off, tok, nil, 200, "keys fetched")
	release := make(chan struct{})
	defer close(release)
	e.breakJWKS(func(http.ResponseWriter) { <-release })
	e.clock.Advance(6 * time.Minute)
	for range 3 {
		wantVerdict(t, off, tok, nil, 200, "stale keys while the JWKS hangs")
	}
}
