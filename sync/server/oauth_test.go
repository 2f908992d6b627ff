package server_test

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/accesstoken/accesstokentest"
	"github.com/scopectl/scopectl/sync/oauth"
	"github.com/scopectl/scopectl/sync/server/servertest"
)

// TestStandardClientAndOfflineValidation: golang.org/x/oauth2 obtains a
// token, and the token validates offline against the JWKS with go-jose
// alone, with the claims RFC 9068 requires.
func TestStandardClientAndOfflineValidation(t *testing.T) {
	e := newEnv(t)
	token := e.token("test", "test-secret", "mfpadmin push.application.com.example")
	var jwks jose.JSONWebKeySet
	e.do("GET", "/mfp/api/az/v1/jwks", nil, nil).want(t, 200).json(t, &jwks)
	parsed, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	h := parsed.Headers[0]
	if h.KeyID == "" || h.ExtraHeaders[jose.HeaderType] != "at+jwt" || h.Algorithm != "RS256" {
		t.Fatalf("header %+v", h)
	}
	keys := jwks.Key(h.KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %s not in JWKS %+v", h.KeyID, jwks)
	}
	var claims struct {
		jwt.Claims
		ClientID string `json:"client_id"`
		Scope    string `json:"scope"`
	}
	if err := parsed.Claims(keys[0].Key, &claims); err != nil {
		t.Fatalf("offline validation: %v", err)
	}
	iss := e.url + "/mfp/api/az/v1"
	err = claims.Validate(jwt.Expected{Issuer: iss, AnyAudience: jwt.Audience{iss}, Time: time.Now()})
	if err != nil || claims.Subject != "test" || claims.ClientID != "test" || claims.ID == "" ||
		claims.Scope != "mfpadmin push.application.com.example" || claims.IssuedAt == nil {
		t.Errorf("claims %+v: %v", claims, err)
	}
}

func TestTokenEndpointSuccess(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", "/mfp/api/az/v1/token", http.Header{
		"Authorization": {"Basic dGVzdDp0ZXN0LXNlY3JldA=="}, // test:test-secret
		"Content-Type":  {"application/x-www-form-urlencoded"},
	}, form(url.Values{"grant_type": {"client_credentials"}, "scope": {"b a"}})).want(t, 200)
	var body map[string]any
	r.json(t, &body)
	if body["token_type"] != "Bearer" || body["scope"] != "a b" || body["expires_in"] != float64(3600) || body["access_token"] == "" {
		t.Errorf("body %v", body)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", r.header.Get("Cache-Control"))
	}
	// An empty scope is allowed: the token proves who the client is.
	e.token("monitor", "monitor-secret", "")
}

// TestTokenEndpointErrors: RFC 6749 §5.2 answers.
func TestTokenEndpointErrors(t *testing.T) {
	e := newEnv(t)
	formCT := "application/x-www-form-urlencoded"
	basic := func(id, secret string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
	}
	ok := url.Values{"grant_type": {"client_credentials"}}
	for _, tc := range []struct {
		name, auth, ct string
		body           url.Values
		status         int
		code           string
	}{
		{"wrong secret", basic("test", "nope"), formCT, ok, 401, "invalid_client"},
		{"unknown client", basic("ghost", "x"), formCT, ok, 401, "invalid_client"},
		{"no credentials", "", formCT, ok, 401, "invalid_client"},
		{"secret in body", "", formCT, url.Values{"grant_type": {"client_credentials"}, "client_id": {"test"}, "client_secret": {"test-secret"}}, 400, "invalid_request"},
		{"no grant type", basic("test", "test-secret"), formCT, url.Values{}, 400, "invalid_request"},
		{"password grant", basic("test", "test-secret"), formCT, url.Values{"grant_type": {"password"}}, 400, "unsupported_grant_type"},
		{"scope not allowed", basic("pusher", "pusher-secret"), formCT, url.Values{"grant_type": {"client_credentials"}, "scope": {"push.application.x mfpadmin"}}, 400, "invalid_scope"},
		{"bad scope characters", basic("test", "test-secret"), formCT, url.Values{"grant_type": {"client_credentials"}, "scope": {`a"b`}}, 400, "invalid_scope"},
		{"json body", basic("test", "test-secret"), "application/json", nil, 400, "invalid_request"},
		{"repeated parameter", basic("test", "test-secret"), formCT, url.Values{"grant_type": {"client_credentials"}, "scope": {"a", "b"}}, 400, "invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{"Content-Type": {tc.ct}}
			if tc.auth != "" {
				h.Set("Authorization", tc.auth)
			}
			r := e.do("POST", "/mfp/api/az/v1/token", h, form(tc.body)).want(t, tc.status)
			var body map[string]string
			r.json(t, &body)
			if body["error"] != tc.code || body["error_description"] == "" {
				t.Errorf("body %v, want error %s", body, tc.code)
			}
			if tc.code == "invalid_client" && !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Basic") {
				t.Errorf("WWW-Authenticate %q, want Basic", r.header.Get("WWW-Authenticate"))
			}
		})
	}
	e.do("POST", "/nosuchruntime/api/az/v1/token", nil, nil).want(t, 404)
	e.do("GET", "/mfp/api/az/v1/token", nil, nil).want(t, 405)
}

// TestFormEncodedBasicCredentials: x/oauth2 form-encodes Basic
// credentials (RFC 6749 §2.3.1) and curl does not; both must work for a
// secret with characters that the encoding changes.
func TestFormEncodedBasicCredentials(t *testing.T) {
	e := newEnv(t)
	admin := e.token("admin", "admin-secret", "mfpadmin")
	secret := "p@ss+w/rd:é!&=?#"
	e.do("PUT", "/mfpadmin/management-apis/2.0/runtimes/mfp/confidentialclients", jsonHeader(admin), strings.NewReader(
		`{"clients":[{"id":"admin","allowedScope":"mfpadmin"},{"id":"odd","secret":"`+secret+`","allowedScope":"x"}]}`)).want(t, 200)
	e.token("odd", secret, "x") // form-encoded by x/oauth2
	raw := "Basic " + base64.StdEncoding.EncodeToString([]byte("odd:"+secret))
	e.do("POST", "/mfp/api/az/v1/token", http.Header{"Authorization": {raw}, "Content-Type": {"application/x-www-form-urlencoded"}},
		form(url.Values{"grant_type": {"client_credentials"}})).want(t, 200)
	e.do("PUT", "/mfpadmin/management-apis/2.0/runtimes/mfp/confidentialclients", jsonHeader(admin), strings.NewReader(
		`{"clients":[{"id":"admin","allowedScope":"mfpadmin"},{"id":"a:b","secret":"s","allowedScope":"x"}]}`)).want(t, 400)
}

// TestWildcardScopes: allowed scope "push.application.*" grants any
// element under it and nothing else.
func TestWildcardScopes(t *testing.T) {
	e := newEnv(t)
	e.token("pusher", "pusher-secret", "push.application.com.example.bank push.application.")
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("pusher:pusher-secret"))
	e.do("POST", "/mfp/api/az/v1/token", http.Header{"Authorization": {basic}, "Content-Type": {"application/x-www-form-urlencoded"}},
		form(url.Values{"grant_type": {"client_credentials"}, "scope": {"push.applicationX"}})).want(t, 400)
}

// TestProtectedResourceAnswers: the 401 and 403 answers of the seeds and
// RFC 6750, for every kind of bad token.
func TestProtectedResourceAnswers(t *testing.T) {
	e := newEnv(t)
	good := e.token("monitor", "monitor-secret", "mfpmonitor")
	parts := strings.Split(good, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var claims map[string]any
	json.Unmarshal(payload, &claims)

	tampered := claims
	tampered["scope"] = "mfpadmin"
	tb, _ := json.Marshal(tampered)
	tamperedToken := parts[0] + "." + base64.RawURLEncoding.EncodeToString(tb) + "." + parts[2]

	var jwks jose.JSONWebKeySet
	e.do("GET", "/mfp/api/az/v1/jwks", nil, nil).json(t, &jwks)
	pub := jwks.Keys[0].Key.(*rsa.PublicKey)
	pubJWK, _ := json.Marshal(jwks.Keys[0])
	hs256 := map[string]any{"alg": "HS256", "typ": "at+jwt", "kid": jwks.Keys[0].KeyID}
	hsWithPublicKey := accesstokentest.Forge(hs256, claims, accesstokentest.HS256(pubJWK))
	hsWithModulus := accesstokentest.Forge(hs256, claims, accesstokentest.HS256(pub.N.Bytes()))
	algNone := accesstokentest.Forge(map[string]any{"alg": "none", "typ": "at+jwt"}, claims, func([]byte) []byte { return nil })
	unknownKid := accesstokentest.Forge(map[string]any{"alg": "RS256", "typ": "at+jwt", "kid": "nope"}, claims, func([]byte) []byte { return []byte("sig") })

	expiredTokens := oauth.NewTokens(e.keys, time.Hour)
	expiredTokens.Now = func() time.Time { return time.Now().Add(-2 * time.Hour) }
	scope, _ := config.ParseScope("mfpmonitor")
	monitor, _ := e.store.Client(context.Background(), "mfp", "monitor")
	sv := monitor.SecretSetAt.UnixMicro()
	expired, _, err := expiredTokens.Issue(context.Background(), e.url+"/mfp/api/az/v1", "monitor", scope, sv)
	if err != nil {
		t.Fatal(err)
	}
	otherRuntime, _, _ := e.tokens.Issue(context.Background(), e.url+"/other/api/az/v1", "monitor", scope, sv)

	for name, auth := range map[string]string{
		"expired":                      "Bearer " + expired,
		"tampered payload":             "Bearer " + tamperedToken,
		"alg none":                     "Bearer " + algNone,
		"HS256 with the public JWK":    "Bearer " + hsWithPublicKey,
		"HS256 with the RSA modulus":   "Bearer " + hsWithModulus,
		"unknown kid":                  "Bearer " + unknownKid,
		"garbage":                      "Bearer not.a.jwt",
		"issued for another runtime":   "Bearer " + otherRuntime,
		"Authorization header > 8 KiB": "Bearer " + strings.Repeat("a", 9000),
		"unknown scheme":               "Digest x",
	} {
		t.Run(name, func(t *testing.T) {
			r := e.do("GET", apps, http.Header{"Authorization": {auth}}, nil).want(t, 401)
			if h := r.header.Get("WWW-Authenticate"); !strings.HasPrefix(h, `Bearer error="invalid_token"`) {
				t.Errorf("WWW-Authenticate %q", h)
			}
			if strings.Contains(r.body, "mfpadmin") && name == "tampered payload" {
				t.Errorf("tampered token accepted: %s", r.body)
			}
		})
	}
	r := e.do("GET", apps, nil, nil).want(t, 401)
	if r.header.Get("WWW-Authenticate") != "Bearer" || r.body != `{"error":"unauthorized","message":"an access token is required"}`+"\n" {
		t.Errorf("no token: WWW-Authenticate %q, want Bearer; body %s", r.header.Get("WWW-Authenticate"), r.body)
	}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("monitor:wrong"))
	r = e.do("GET", apps, http.Header{"Authorization": {basic}}, nil).want(t, 401)
	if h := r.header.Get("WWW-Authenticate"); h != `Basic realm="mfp"` || !strings.HasPrefix(r.body, `{"error":"unauthorized","message":`) {
		t.Errorf("wrong Basic secret: WWW-Authenticate %q, body %s", h, r.body)
	}
	e.do("GET", apps, bearer(good), nil).want(t, 200)
	r = e.do("POST", apps, jsonHeader(good), strings.NewReader(fixture(t, "valid/com.example.minimal-android-1.0.json"))).want(t, 403)
	if h := r.header.Get("WWW-Authenticate"); h != `Bearer error="insufficient_scope", scope="mfpoperator"` {
		t.Errorf("403 WWW-Authenticate %q", h)
	}
	// A token with an empty scope learns the required scope from the 403.
	empty := e.token("monitor", "monitor-secret", "")
	r = e.do("GET", apps, bearer(empty), nil).want(t, 403)
	if !strings.Contains(r.header.Get("WWW-Authenticate"), `scope="mfpmonitor"`) {
		t.Errorf("403 WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
	}
}

func TestIntrospection(t *testing.T) {
	e := newEnv(t)
	caller := e.token("operator", "operator-secret", "authorization.introspect")
	subject := e.token("test", "test-secret", "accessRestricted")
	h := bearer(caller)
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	var got map[string]any
	e.do("POST", "/mfp/api/az/v1/introspection", h, form(url.Values{"token": {subject}})).want(t, 200).json(t, &got)
	if got["active"] != true || got["client_id"] != "test" || got["scope"] != "accessRestricted" || got["token_type"] != "Bearer" || got["exp"] == nil {
		t.Errorf("introspection %v", got)
	}
	got = nil
	e.do("POST", "/mfp/api/az/v1/introspection", h, form(url.Values{"token": {subject + "x"}})).want(t, 200).json(t, &got)
	if len(got) != 1 || got["active"] != false {
		t.Errorf("bad token introspected as %v", got)
	}
	e.do("POST", "/mfp/api/az/v1/introspection", h, form(url.Values{})).want(t, 400)

	noScope := bearer(e.token("monitor", "monitor-secret", "mfpmonitor"))
	noScope.Set("Content-Type", "application/x-www-form-urlencoded")
	r := e.do("POST", "/mfp/api/az/v1/introspection", noScope, form(url.Values{"token": {subject}})).want(t, 403)
	if !strings.Contains(r.header.Get("WWW-Authenticate"), `scope="authorization.introspect"`) {
		t.Errorf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
	}
	e.do("POST", "/mfp/api/az/v1/introspection", nil, form(url.Values{"token": {subject}})).want(t, 401)
}

// TestKeyRotationKeepsPreviousKey: after a rotation, tokens signed with the
// previous key still validate and both keys are published.
func TestKeyRotationKeepsPreviousKey(t *testing.T) {
	clk := servertest.NewClock()
	e := newEnvWith(t, servertest.Options{Now: clk.Now})
	before := e.token("monitor", "monitor-secret", "mfpmonitor")
	if _, err := oauth.Rotate(context.Background(), e.store); err != nil {
		t.Fatal(err)
	}
	// A token that names the new key makes the server re-read its keys.
	fresh, err := oauth.NewKeySet(context.Background(), e.store)
	if err != nil {
		t.Fatal(err)
	}
	scope, _ := config.ParseScope("mfpmonitor")
	monitor, _ := e.store.Client(context.Background(), "mfp", "monitor")
	after, _, err := oauth.NewTokens(fresh, time.Hour).Issue(context.Background(), e.url+"/mfp/api/az/v1", "monitor", scope, monitor.SecretSetAt.UnixMicro())
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(oauth.KeyRefresh + time.Millisecond) // keys are re-read at most once a second
	e.do("GET", apps, bearer(after), nil).want(t, 200)
	e.do("GET", apps, bearer(before), nil).want(t, 200)
	var jwks jose.JSONWebKeySet
	e.do("GET", "/mfp/api/az/v1/jwks", nil, nil).json(t, &jwks)
	if len(jwks.Keys) != 2 || jwks.Keys[0].KeyID == jwks.Keys[1].KeyID {
		t.Errorf("JWKS after rotation: %d keys", len(jwks.Keys))
	}
}

// TestTokensFollowTheirClient: removing a client, narrowing its scope or
// changing its secret revokes the tokens it already has (within a second,
// on every process).
func TestTokensFollowTheirClient(t *testing.T) {
	e := newEnv(t)
	path := "/mfpadmin/management-apis/2.0/runtimes/mfp/confidentialclients"
	admin := e.token("admin", "admin-secret", "mfpadmin")
	put := func(clients string) {
		e.do("PUT", path, jsonHeader(admin), strings.NewReader(`{"clients":[{"id":"admin","allowedScope":"mfpadmin authorization.introspect"},`+clients+`]}`)).want(t, 200)
	}
	put(`{"id":"a","secret":"a-secret","allowedScope":"mfpoperator"},{"id":"b","secret":"b-secret","allowedScope":"mfpoperator"},{"id":"c","secret":"c-secret","allowedScope":"mfpoperator"}`)
	ta := e.token("a", "a-secret", "mfpoperator")
	tb := e.token("b", "b-secret", "mfpoperator")
	tc := e.token("c", "c-secret", "mfpoperator")
	for _, tok := range []string{ta, tb, tc} {
		e.do("GET", apps, bearer(tok), nil).want(t, 200)
	}
	put(`{"id":"b","allowedScope":"mfpmonitor"},{"id":"c","secret":"new-secret","allowedScope":"mfpoperator"}`)
	for name, tok := range map[string]string{"removed client": ta, "narrowed scope": tb, "changed secret": tc} {
		r := e.do("GET", apps, bearer(tok), nil)
		if r.status != 401 || !strings.Contains(r.header.Get("WWW-Authenticate"), "invalid_token") {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
	e.do("GET", apps, bearer(e.token("c", "new-secret", "mfpoperator")), nil).want(t, 200)
	caller := bearer(e.token("admin", "admin-secret", "authorization.introspect"))
	caller.Set("Content-Type", "application/x-www-form-urlencoded")
	var got map[string]any
	e.do("POST", "/mfp/api/az/v1/introspection", caller, form(url.Values{"token": {ta}})).want(t, 200).json(t, &got)
	if got["active"] != false {
		t.Errorf("token of a removed client introspects as %v", got)
	}
}
