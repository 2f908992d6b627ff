package server_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/authz/authztest"
	"github.com/scopectl/scopectl/sync/server/servertest"
)

// bearerGrant asks for a token of scope with the JWT authorization grant.
func (m *mobile) bearerGrant(scope string) response {
	return m.answer(m.flow.BearerGrant(scope))
}

// TestMobileBearerGrant: the JWT authorization grant runs the checks of
// its scope itself; a client whose checks pass gets the token a code would
// give, in one request, and one that must answer a challenge is told
// which, without a token.
func TestMobileBearerGrant(t *testing.T) {
	forEachStore(t, func(t *testing.T, opt servertest.Options) {
		m := newMobile(t, opt)
		var refused struct {
			Error      string
			Successes  map[string]any
			Challenges map[string]map[string]any
		}
		m.bearerGrant("accessRestricted").want(t, 400).json(t, &refused)
		if refused.Error != "invalid_grant" || refused.Challenges["PinCodeAttempts"]["enroll"] != true || refused.Successes["appAuthenticity"] == nil {
			t.Fatalf("a token before the PIN was enrolled: %+v", refused)
		}
		m.preauth("accessRestricted", map[string]any{"PinCodeAttempts": map[string]any{"pin": "1234"}}).want(t, 200)
		var tok tokenAnswer
		m.bearerGrant("accessRestricted").want(t, 200).json(t, &tok)
		if tok.ExpiresIn != 1200 || tok.Scope != "accessRestricted" || tok.RefreshToken != "" {
			t.Errorf("token %+v: want 1200 s (the PIN's success), no refresh token", tok)
		}
		if got := m.introspect(t, tok.AccessToken); got["active"] != true || got["client_id"] != m.dev.ID {
			t.Errorf("introspection of the token: %v", got)
		}
		m.clock.Advance(1000 * time.Second)
		if m.bearerGrant("accessRestricted").want(t, 200).json(t, &tok); tok.ExpiresIn != 200 {
			t.Errorf("200 s before the PIN's success ends, the token lives %d s", tok.ExpiresIn)
		}
	})
}

// TestMobileBearerGrantRefusals: a replayed assertion, an assertion sent
// twice, another client's, or a deleted client's gets no token.
func TestMobileBearerGrantRefusals(t *testing.T) {
	m := newMobile(t, servertest.Options{RefreshApps: []string{"com.example.bank"}})
	m.passPIN(t)
	post := func(v url.Values) response {
		return m.e.do("POST", "/mfp/api/az/v1/token", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, form(v))
	}
	used := m.dev.Assertion(m.issuer(), m.clock.Now())
	grant := url.Values{"grant_type": {authztest.GrantTypeJWTBearer}, "scope": {"accessRestricted"}, "assertion": {used}}
	var tok tokenAnswer
	post(grant).want(t, 200).json(t, &tok)
	if tok.RefreshToken == "" {
		t.Error("no refresh token for an application that has them")
	}
	wantOAuthError(t, post(grant), 401, "invalid_client") // replayed

	twice := url.Values{"grant_type": {authztest.GrantTypeJWTBearer}, "scope": {"accessRestricted"},
		"assertion": {m.dev.Assertion(m.issuer(), m.clock.Now())}, "client_assertion": {m.dev.Assertion(m.issuer(), m.clock.Now())}}
	wantOAuthError(t, post(twice), 400, "invalid_request")

	other := instance(m.e, m.clock)
	other.register(t)
	wantOAuthError(t, other.bearerGrant("accessRestricted"), 400, "invalid_grant") // its PIN is not enrolled

	m.bearerGrant("accessRestricted").want(t, 200) // cached by the runtime now
	path := "/mfpadmin/management-apis/2.0/runtimes/mfp/mobileclients/" + m.dev.ID
	m.e.do("DELETE", path, bearer(m.e.token("operator", "operator-secret", "mfpoperator")), nil).want(t, 204)
	wantOAuthError(t, m.bearerGrant("accessRestricted"), 401, "invalid_client")
}

// TestMobileRS256Client: an app instance with an RSA key registers, runs
// its checks and gets tokens as one with a P-256 key does; an assertion
// in its name signed with another key, or with ES256, is refused.
func TestMobileRS256Client(t *testing.T) {
	m := newMobile(t, servertest.Options{})
	dev := authztest.NewRSADevice(bankAndroid)
	r := &mobile{e: m.e, clock: m.clock, dev: dev, flow: &authztest.Flow{URL: m.e.url, Runtime: "mfp", Device: dev, Now: m.clock.Now, Issuer: m.e.srv.Issuer}}
	r.register(t)
	r.passPIN(t)
	var tok tokenAnswer
	r.bearerGrant("accessRestricted").want(t, 200).json(t, &tok)
	if got := r.introspect(t, tok.AccessToken); got["active"] != true || got["client_id"] != dev.ID {
		t.Errorf("introspection of the RS256 client's token: %v", got)
	}
	forged := m.dev.AssertionWith(jwt.Claims{Issuer: dev.ID, Subject: dev.ID, Audience: jwt.Audience{r.issuer()},
		Expiry: jwt.NewNumericDate(m.clock.Now().Add(time.Minute)), ID: "forged-1"}) // ES256, by another instance's key
	grant := url.Values{"grant_type": {authztest.GrantTypeJWTBearer}, "scope": {"accessRestricted"}, "assertion": {forged}}
	wantOAuthError(t, m.e.do("POST", "/mfp/api/az/v1/token", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, form(grant)), 401, "invalid_client")
}

// TestRegistrationRefusesWeakOrCostlyKeys: a registration whose key is an
// RSA key under 2048 or over 4096 bits, or an EC key off P-256, is
// refused before its signature is checked. A 16,384-bit key, which
// crypto/rsa would take, would make each of its assertions 64 times as
// costly to verify; go-jose refuses moduli over jose.MaxRSAModulusBits
// (4096) as it reads the key, and this test fails if that ever changes.
func TestRegistrationRefusesWeakOrCostlyKeys(t *testing.T) {
	m := newMobile(t, servertest.Options{})
	weak, _ := rsa.GenerateKey(rand.Reader, 1024)
	huge := new(big.Int).SetBit(big.NewInt(1), 6143, 1) // a public key only: it signs nothing here
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	payload := b64(`{"application":{"id":"com.example.bank","clientPlatform":"android","version":"1.0"},"device":{"id":"d1"}}`)
	for name, key := range map[string]struct {
		alg, why string
		pub      any
	}{
		"RSA 1024": {"RS256", "at least 2048 bits", &weak.PublicKey},
		"RSA 6144": {"RS256", "must be a compact JWS", &rsa.PublicKey{N: huge, E: 65537}}, // go-jose does not read it
		"EC P-384": {"ES256", "must be P-256", &p384.PublicKey},
	} {
		jwk, err := json.Marshal(jose.JSONWebKey{Key: key.pub})
		if err != nil {
			t.Fatal(err)
		}
		signed := b64(`{"alg":"`+key.alg+`","jwk":`+string(jwk)+`}`) + "." + payload + "." + b64("not a signature")
		r := m.post(api.RegistrationPath("mfp"), map[string]any{"signedRegistrationData": signed})
		if r.status != 400 || !strings.Contains(r.body, key.why) {
			t.Errorf("registration with an %s key: %d %s", name, r.status, r.body)
		}
	}
}
