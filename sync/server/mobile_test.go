package server_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/authz"
	"github.com/scopectl/scopectl/sync/authz/authztest"
	"github.com/scopectl/scopectl/sync/server/servertest"
	"github.com/scopectl/scopectl/sync/store"
	"github.com/scopectl/scopectl/sync/store/sqlite"
)

var bankAndroid = config.AppKey{ID: "com.example.bank", Platform: config.PlatformAndroid, Version: "1.0"}

const callback = "com.example.bank:/oauth"

// mobile is an app instance talking to a real scoped.
type mobile struct {
	e     *env
	clock *servertest.Clock
	dev   *authztest.Device
	flow  *authztest.Flow
}

// newMobile starts scoped with the bank application (accessRestricted →
// PinCodeAttempts with a 1200 s success, maxTokenExpiration 3600,
// mandatory appAuthenticity) and a registered instance of it.
func newMobile(t *testing.T, opt servertest.Options) *mobile {
	t.Helper()
	c := servertest.NewClock()
	opt.Now = c.Now
	e := newEnvWith(t, opt)
	e.apply(e.token("admin", "admin-secret", "mfpadmin"), fixture(t, "valid/com.example.bank-android-1.0.json"), nil).want(t, 201)
	m := instance(e, c)
	m.register(t)
	return m
}

// instance is a new, unregistered instance of the bank application.
func instance(e *env, c *servertest.Clock) *mobile {
	dev := authztest.NewDevice(bankAndroid)
	return &mobile{e: e, clock: c, dev: dev, flow: &authztest.Flow{URL: e.url, Runtime: "mfp", Device: dev, Now: c.Now, Issuer: e.srv.Issuer}}
}

func (m *mobile) issuer() string { return m.flow.Audience() }

func (m *mobile) register(t *testing.T) {
	t.Helper()
	r := m.answer(m.flow.Register()).want(t, 201)
	if m.dev.ID == "" || r.header.Get("Location") != "/mfp/api/registration/v1/clients/"+m.dev.ID {
		t.Fatalf("registration answered %s, Location %q", r.body, r.header.Get("Location"))
	}
}

// answer turns a Flow's answer into a response of these tests.
func (m *mobile) answer(a authztest.Answer, err error) response {
	if err != nil {
		m.e.t.Fatal(err)
	}
	return response{a.Status, a.Header, a.Body}
}

func (m *mobile) post(path string, body any) response {
	b, _ := json.Marshal(body)
	return m.e.do("POST", path, http.Header{"Content-Type": {"application/json"}}, strings.NewReader(string(b)))
}

// preauth runs the checks of scope with the given challenge responses.
func (m *mobile) preauth(scope string, responses map[string]any) response {
	return m.answer(m.flow.Preauthorize(scope, responses))
}

// authorize asks for a code; it does not follow the redirect.
func (m *mobile) authorize(scope string) response {
	return m.answer(m.flow.Authorize(scope, callback, "xyz"))
}

// code returns the code of a successful authorization.
func (m *mobile) code(t *testing.T, scope string) string {
	t.Helper()
	code, err := m.flow.Code(scope, callback)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// exchange posts a token request of grant with the given values.
func (m *mobile) exchange(grant string, values url.Values) response {
	return m.answer(m.flow.Exchange(grant, values))
}

// token runs authorization and the code exchange for scope.
func (m *mobile) token(t *testing.T, scope string) tokenAnswer {
	t.Helper()
	var tok tokenAnswer
	m.exchange("authorization_code", url.Values{"code": {m.code(t, scope)}, "redirect_uri": {callback}}).want(t, 200).json(t, &tok)
	return tok
}

type tokenAnswer struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	Scope        string `json:"scope"`
	RefreshToken string `json:"refresh_token"`
}

// passPIN enrols PIN 1234 for scope accessRestricted.
func (m *mobile) passPIN(t *testing.T) {
	t.Helper()
	var p struct {
		Successes  map[string]any
		Challenges map[string]map[string]any
	}
	m.preauth("accessRestricted", nil).want(t, 401).json(t, &p)
	if p.Challenges["PinCodeAttempts"]["enroll"] != true || p.Successes["appAuthenticity"] == nil {
		t.Fatalf("first preauthorization: %+v", p)
	}
	m.preauth("accessRestricted", map[string]any{"PinCodeAttempts": map[string]any{"pin": "1234"}}).want(t, 200)
}

// introspect returns what introspection says of token.
func (m *mobile) introspect(t *testing.T, token string) map[string]any {
	t.Helper()
	h := bearer(m.e.token("operator", "operator-secret", "authorization.introspect"))
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	var got map[string]any
	m.e.do("POST", "/mfp/api/az/v1/introspection", h, form(url.Values{"token": {token}})).want(t, 200).json(t, &got)
	return got
}

// TestMobileTokenObeysTheDescriptor: the token of a scope lives as long
// as the shortest success of its checks, capped by maxTokenExpiration, and
// a push that lowers maxTokenExpiration changes the next token at once.
func TestMobileTokenObeysTheDescriptor(t *testing.T) {
	forEachStore(t, func(t *testing.T, opt servertest.Options) {
		m := newMobile(t, opt)
		m.passPIN(t)
		tok := m.token(t, "accessRestricted")
		if tok.ExpiresIn != 1200 || tok.Scope != "accessRestricted" || tok.TokenType != "Bearer" || tok.RefreshToken != "" {
			t.Errorf("token %+v: want 1200 s (the PIN's success), scope accessRestricted, no refresh token", tok)
		}
		got := m.introspect(t, tok.AccessToken)
		if got["active"] != true || got["client_id"] != m.dev.ID || got["app_id"] != "com.example.bank" ||
			got["app_platform"] != "android" || got["app_version"] != "1.0" || got["scope"] != "accessRestricted" {
			t.Errorf("introspection %v", got)
		}

		admin := m.e.token("admin", "admin-secret", "mfpadmin")
		m.e.apply(admin, withMaxExp(t, fixture(t, "valid/com.example.bank-android-1.0.json"), "600"), nil).want(t, 200)
		if tok := m.token(t, "accessRestricted"); tok.ExpiresIn != 600 {
			t.Errorf("after a push of maxTokenExpiration 600 the token lives %d s", tok.ExpiresIn)
		}
		m.clock.Advance(1000 * time.Second)
		if tok := m.token(t, "accessRestricted"); tok.ExpiresIn != 200 {
			t.Errorf("200 s before the PIN's success ends, the token lives %d s", tok.ExpiresIn)
		}
		m.clock.Advance(200 * time.Second)
		m.authorize("accessRestricted").want(t, 403)
	})
}

// TestMobileAttackerGetsNothing: replayed, forged or misdirected
// assertions, reused or stolen codes, and unpassed checks get no token.
func TestMobileAttackerGetsNothing(t *testing.T) {
	m := newMobile(t, servertest.Options{})
	m.passPIN(t)
	code := m.code(t, "accessRestricted")

	other := authztest.NewDevice(bankAndroid)
	other.ID = m.dev.ID // claims to be the client, but signs with another key
	forged := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {callback},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {other.Assertion(m.issuer(), m.clock.Now())}}
	wantOAuthError(t, m.e.do("POST", "/mfp/api/az/v1/token", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, form(forged)), 401, "invalid_client")

	wantOAuthError(t, m.exchange("authorization_code", url.Values{"code": {code}, "redirect_uri": {"com.evil:/x"}}), 400, "invalid_grant")
	wantOAuthError(t, m.exchange("authorization_code", url.Values{"code": {code}, "redirect_uri": {callback}}), 400, "invalid_grant") // spent by the try above

	assertion := m.dev.Assertion(m.issuer(), m.clock.Now())
	body := map[string]any{"scope": "accessRestricted", "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", "client_assertion": assertion}
	m.post("/mfp/api/az/v1/preauthorization", body).want(t, 200)
	m.post("/mfp/api/az/v1/preauthorization", body).want(t, 401) // replayed

	now := m.clock.Now()
	for name, claims := range map[string]jwt.Claims{
		"another audience": {Issuer: m.dev.ID, Subject: m.dev.ID, Audience: jwt.Audience{"https://evil.example/mfp/api/az/v1"}, Expiry: jwt.NewNumericDate(now.Add(time.Minute)), ID: "a1"},
		"expired":          {Issuer: m.dev.ID, Subject: m.dev.ID, Audience: jwt.Audience{m.issuer()}, Expiry: jwt.NewNumericDate(now.Add(-time.Minute)), ID: "a2"},
		"a day long":       {Issuer: m.dev.ID, Subject: m.dev.ID, Audience: jwt.Audience{m.issuer()}, Expiry: jwt.NewNumericDate(now.Add(24 * time.Hour)), ID: "a3"},
		"without jti":      {Issuer: m.dev.ID, Subject: m.dev.ID, Audience: jwt.Audience{m.issuer()}, Expiry: jwt.NewNumericDate(now.Add(time.Minute))},
		"unknown client":   {Issuer: "nobody", Subject: "nobody", Audience: jwt.Audience{m.issuer()}, Expiry: jwt.NewNumericDate(now.Add(time.Minute)), ID: "a4"},
	} {
		body["client_assertion"] = m.dev.AssertionWith(claims)
		if r := m.post("/mfp/api/az/v1/preauthorization", body); r.status != 401 {
			t.Errorf("assertion %s: status %d, want 401\n%s", name, r.status, r.body)
		}
	}

	// a signed assertion whose claims are swapped for others keeps its
	// signature, which no longer covers them
	signed := strings.Split(m.dev.Assertion(m.issuer(), now), ".")
	swapped := strings.Split(m.dev.AssertionWith(jwt.Claims{Issuer: m.dev.ID, Subject: m.dev.ID, Audience: jwt.Audience{m.issuer()},
		Expiry: jwt.NewNumericDate(now.Add(time.Minute)), ID: "a5"}), ".")
	body["client_assertion"] = signed[0] + "." + swapped[1] + "." + signed[2]
	if r := m.post("/mfp/api/az/v1/preauthorization", body); r.status != 401 || !strings.Contains(r.body, "signature does not verify") {
		t.Errorf("assertion with swapped claims: status %d, want 401\n%s", r.status, r.body)
	}

	fresh := instance(m.e, m.clock)
	fresh.register(t)
	r := fresh.authorize("accessRestricted").want(t, 403)
	if !strings.Contains(r.body, "PinCodeAttempts") {
		t.Errorf("authorization before the checks passed: %s", r.body)
	}
	var p struct{ Failures map[string]map[string]any }
	fresh.preauth("noSuchCheck", nil).want(t, 403).json(t, &p)
	if p.Failures["noSuchCheck"] == nil {
		t.Errorf("a scope of an unknown check: %+v", p)
	}
}

// TestMobileReplayedAssertion: an assertion used once is refused at the
// authorization and token endpoints as well, and a refused token request
// leaves the code to the client it was issued to.
func TestMobileReplayedAssertion(t *testing.T) {
	m := newMobile(t, servertest.Options{})
	m.passPIN(t)
	used := m.dev.Assertion(m.issuer(), m.clock.Now())
	m.post("/mfp/api/az/v1/preauthorization", map[string]any{
		"scope": "accessRestricted", "client_assertion_type": authztest.AssertionType, "client_assertion": used,
	}).want(t, 200)
	q := url.Values{"response_type": {"code"}, "client_id": {m.dev.ID}, "redirect_uri": {callback}, "scope": {"accessRestricted"},
		"client_assertion_type": {authztest.AssertionType}, "client_assertion": {used}}
	m.e.do("GET", "/mfp/api/az/v1/authorization?"+q.Encode(), nil, nil).want(t, 401)
	code := m.code(t, "accessRestricted")
	replay := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {callback},
		"client_assertion_type": {authztest.AssertionType}, "client_assertion": {used}}
	wantOAuthError(t, m.e.do("POST", "/mfp/api/az/v1/token", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, form(replay)), 401, "invalid_client")
	m.exchange("authorization_code", url.Values{"code": {code}, "redirect_uri": {callback}}).want(t, 200)
}

// TestMobilePINBlocks: three wrong PINs block the check for
// blockedStateExpirationSec; then it asks again.
func TestMobilePINBlocks(t *testing.T) {
	m := newMobile(t, servertest.Options{})
	m.passPIN(t)
	m.clock.Advance(1201 * time.Second) // the success ends
	wrong := map[string]any{"PinCodeAttempts": map[string]any{"pin": "0000"}}
	m.preauth("accessRestricted", wrong).want(t, 401)
	m.preauth("accessRestricted", wrong).want(t, 401)
	var p struct{ Failures map[string]map[string]any }
	m.preauth("accessRestricted", wrong).want(t, 403).json(t, &p)
	if p.Failures["PinCodeAttempts"]["blockedUntil"] == nil {
		t.Fatalf("third wrong PIN: %+v", p)
	}
	m.preauth("accessRestricted", map[string]any{"PinCodeAttempts": map[string]any{"pin": "1234"}}).want(t, 403) // blocked, even with the right PIN
	m.clock.Advance(60 * time.Second)
	m.preauth("accessRestricted", map[string]any{"PinCodeAttempts": map[string]any{"pin": "1234"}}).want(t, 200)
}

// TestMobileRegistrationRefusals: unknown applications, bad signatures and
// deleted applications are refused with a reason.
func TestMobileRegistrationRefusals(t *testing.T) {
	m := newMobile(t, servertest.Options{})
	unknown := authztest.NewDevice(config.AppKey{ID: "com.example.nope", Platform: config.PlatformAndroid, Version: "1.0"})
	r := m.post("/mfp/api/registration/v1/self", map[string]any{"signedRegistrationData": unknown.Registration()}).want(t, 403)
	if !strings.Contains(r.body, "com.example.nope/android/1.0 is not registered") {
		t.Errorf("unknown application: %s", r.body)
	}
	reg := m.dev.Registration()
	parts := strings.Split(reg, ".")
	tampered := parts[0] + "." + parts[1] + "x." + parts[2]
	m.post("/mfp/api/registration/v1/self", map[string]any{"signedRegistrationData": tampered}).want(t, 400)
	m.post("/mfp/api/registration/v1/self", map[string]any{"signedRegistrationData": reg, "extra": 1}).want(t, 400)
	m.e.do("POST", "/mfp/api/registration/v1/self", nil, strings.NewReader("{}")).want(t, 415)

	m.passPIN(t)
	tok := m.token(t, "accessRestricted")
	admin := m.e.token("admin", "admin-secret", "mfpadmin")
	m.e.do("DELETE", bankPath, bearer(admin), nil).want(t, 204)
	m.preauth("accessRestricted", nil).want(t, 403)
	wantOAuthError(t, m.exchange("refresh_token", url.Values{"refresh_token": {"x"}}), 401, "invalid_client")
	if got := m.introspect(t, tok.AccessToken); got["active"] != true {
		t.Errorf("a token issued before the deletion stays valid until it expires: %v", got)
	}
}

// TestMobileTokenHoldsNoAdminRole: a descriptor may map any element to no
// check, even "mfpadmin"; the token it gives never opens the admin API.
func TestMobileTokenHoldsNoAdminRole(t *testing.T) {
	m := newMobile(t, servertest.Options{})
	admin := m.e.token("admin", "admin-secret", "mfpadmin")
	src := strings.Replace(fixture(t, "valid/com.example.bank-android-1.0.json"), `"deletePrivilege": ""`, `"deletePrivilege": "", "mfpadmin": ""`, 1)
	m.e.apply(admin, src, nil).want(t, 200)
	m.preauth("mfpadmin", nil).want(t, 200)
	tok := m.token(t, "mfpadmin")
	r := m.e.do("GET", apps, bearer(tok.AccessToken), nil).want(t, 403)
	if !strings.Contains(r.header.Get("WWW-Authenticate"), "insufficient_scope") {
		t.Errorf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
	}
}

// TestMobileRefreshTokens: an application the server enables gets refresh
// tokens, rotated on use.
func TestMobileRefreshTokens(t *testing.T) {
	m := newMobile(t, servertest.Options{RefreshApps: []string{"com.example.bank"}})
	m.passPIN(t)
	first := m.token(t, "accessRestricted")
	if first.RefreshToken == "" {
		t.Fatal("no refresh token for an application that has them")
	}
	m.clock.Advance(2 * time.Hour) // the access token and the PIN's success are over
	var second tokenAnswer
	m.exchange("refresh_token", url.Values{"refresh_token": {first.RefreshToken}}).want(t, 200).json(t, &second)
	if second.AccessToken == "" || second.RefreshToken == "" || second.RefreshToken == first.RefreshToken || second.ExpiresIn != 1200 {
		t.Errorf("refreshed %+v", second)
	}
	wantOAuthError(t, m.exchange("refresh_token", url.Values{"refresh_token": {first.RefreshToken}}), 400, "invalid_grant")

	wrong := map[string]any{"PinCodeAttempts": map[string]any{"pin": "0000"}}
	m.preauth("accessRestricted", wrong).want(t, 401)
	m.preauth("accessRestricted", wrong).want(t, 401)
	m.preauth("accessRestricted", wrong).want(t, 403) // blocked for 60 s
	r := m.exchange("refresh_token", url.Values{"refresh_token": {second.RefreshToken}})
	wantOAuthError(t, r, 400, "invalid_grant")
	if !strings.Contains(r.body, "PinCodeAttempts is blocked until") {
		t.Errorf("refresh while the PIN is blocked: %s", r.body)
	}
}

// TestMobileRefreshNeedsTheNewChecks: a refresh token does not skip a check
// that a push added to its scope.
func TestMobileRefreshNeedsTheNewChecks(t *testing.T) {
	m := newMobile(t, servertest.Options{RefreshApps: []string{"com.example.bank"}})
	m.passPIN(t)
	tok := m.token(t, "accessRestricted")
	admin := m.e.token("admin", "admin-secret", "mfpadmin")
	stepUp := strings.Replace(fixture(t, "valid/com.example.bank-android-1.0.json"), `"accessRestricted": "PinCodeAttempts",`, `"accessRestricted": "PinCodeAttempts StepUp",`, 1)
	m.e.apply(admin, stepUp, nil).want(t, 200)
	r := m.exchange("refresh_token", url.Values{"refresh_token": {tok.RefreshToken}})
	wantOAuthError(t, r, 400, "invalid_grant")
	if !strings.Contains(r.body, "StepUp was added to the scope") {
		t.Errorf("refresh after a check was added: %s", r.body)
	}
}

func wantOAuthError(t *testing.T, r response, status int, code string) {
	t.Helper()
	var got struct{ Error string }
	if r.status != status || json.Unmarshal([]byte(r.body), &got) != nil || got.Error != code {
		t.Errorf("status %d %s, want %d %s", r.status, r.body, status, code)
	}
}

// TestApplyRefusesUnknownChecks: outside development mode, a descriptor
// that maps an element to a check the runtime lacks is refused with the
// position of the mapping; a declared custom check is accepted, and the
// runtime publishes its checks.
func TestApplyRefusesUnknownChecks(t *testing.T) {
	e := newEnvWith(t, servertest.Options{Production: true, CustomChecks: map[string]string{"StepUp": "PinCodeAttempts"}})
	admin := e.token("admin", "admin-secret", "mfpadmin")
	var body struct {
		Details []struct {
			Rule, Pointer, Message string
			Line, Column           int
		}
	}
	e.apply(admin, fixture(t, "valid/com.example.bank-web-1.0.json"), nil).want(t, 400).json(t, &body)
	if len(body.Details) != 1 || body.Details[0].Rule != "unknown-security-check" || body.Details[0].Pointer != "/scopeElementMapping/SSOUserValidation" ||
		body.Details[0].Line == 0 || !strings.Contains(body.Details[0].Message, `security checks "CredentialsValidation" and "LtpaBasedSSO", which`) {
		t.Errorf("findings %+v", body.Details)
	}
	e.apply(admin, fixture(t, "valid/com.example.custom-android-1.0.json"), nil).want(t, 201) // StepUp is declared

	var list struct {
		SecurityChecks []struct{ Name, Type string }
	}
	e.do("GET", "/mfp/api/az/v1/securitychecks", nil, nil).want(t, 200).json(t, &list)
	var got []string
	for _, c := range list.SecurityChecks {
		got = append(got, c.Name+"="+c.Type)
	}
	if want := "PinCodeAttempts=PinCodeAttempts StepUp=PinCodeAttempts appAuthenticity=appAuthenticity"; strings.Join(got, " ") != want {
		t.Errorf("published checks %v, want %s", got, want)
	}

	dev := newEnv(t) // development mode accepts any check, as the samples use custom ones
	dev.apply(dev.token("admin", "admin-secret", "mfpadmin"), fixture(t, "valid/com.example.bank-web-1.0.json"), nil).want(t, 201)
}

// TestMobileChangesReachEveryInstance: two scoped processes on one store
// behind one issuer. A push to the other process governs this one's next
// token once this one's clock has advanced authz.DescriptorTTL (1 s: each
// process trusts a descriptor it read that long); a push to this process
// governs its next token at once. Removing a mapping removes its check.
func TestMobileChangesReachEveryInstance(t *testing.T) {
	forEachStore(t, func(t *testing.T, opt servertest.Options) {
		if opt.Store == nil {
			opt.DB = filepath.Join(t.TempDir(), "shared.db")
		}
		opt.Issuer = "https://scoped.example"
		m := newMobile(t, opt)
		other := newEnvWith(t, servertest.Options{Store: opt.Store, DB: opt.DB, Issuer: opt.Issuer, Now: m.clock.Now})
		m.passPIN(t)
		admin := other.token("admin", "admin-secret", "mfpadmin")
		other.apply(admin, withMaxExp(t, fixture(t, "valid/com.example.bank-android-1.0.json"), "300"), nil).want(t, 200)
		m.clock.Advance(authz.DescriptorTTL)
		if tok := m.token(t, "accessRestricted"); tok.ExpiresIn != 300 {
			t.Errorf("1 s after a push to the other instance, the token lives %d s, want 300", tok.ExpiresIn)
		}
		unmapped := strings.Replace(fixture(t, "valid/com.example.bank-android-1.0.json"), `"accessRestricted": "PinCodeAttempts",`, `"accessRestricted": "",`, 1)
		other.apply(admin, unmapped, nil).want(t, 200)
		m.clock.Advance(authz.DescriptorTTL)
		fresh := instance(m.e, m.clock)
		fresh.register(t)
		fresh.preauth("accessRestricted", nil).want(t, 200) // appAuthenticity only: no PIN asked any more
		if tok := fresh.token(t, "accessRestricted"); tok.ExpiresIn != 3600 {
			t.Errorf("without the PIN the token lives %d s, want appAuthenticity's 3600", tok.ExpiresIn)
		}
		m.e.apply(m.e.token("admin", "admin-secret", "mfpadmin"), withMaxExp(t, unmapped, "600"), nil).want(t, 200)
		if tok := fresh.token(t, "accessRestricted"); tok.ExpiresIn != 600 {
			t.Errorf("at once after a push to the same instance, the token lives %d s, want 600", tok.ExpiresIn)
		}
	})
}

// countingStore is a store that counts the head reads of descriptors.
type countingStore struct {
	store.Store
	heads atomic.Int64
}

func (s *countingStore) Head(ctx context.Context, runtime string, key config.AppKey) (store.Revision, error) {
	s.heads.Add(1)
	return s.Store.Head(ctx, runtime, key)
}

// TestMobileReadsDescriptorOncePerSecond: token flows of an application
// that does not change read its descriptor from the store at most once
// per second of the server's clock, not at every request.
func TestMobileReadsDescriptorOncePerSecond(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "scoped.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st := &countingStore{Store: db}
	m := newMobile(t, servertest.Options{Store: st})
	m.passPIN(t)
	st.heads.Store(0)
	const seconds, flows = 3, 10
	for range seconds {
		for range flows {
			m.preauth("accessRestricted", nil).want(t, 200)
			m.token(t, "accessRestricted")
		}
		m.clock.Advance(authz.DescriptorTTL)
	}
	if n := st.heads.Load(); n > seconds {
		t.Errorf("%d token flows over %d s of clock read the head %d times, want at most %d", seconds*flows, seconds, n, seconds)
	}
}

// TestMobileClientDeletionRevokes: deleting a registered client (operator
// role) revokes its access and refresh tokens at once.
func TestMobileClientDeletionRevokes(t *testing.T) {
	m := newMobile(t, servertest.Options{RefreshApps: []string{"com.example.bank"}})
	m.passPIN(t)
	tok := m.token(t, "accessRestricted")
	path := "/mfpadmin/management-apis/2.0/runtimes/mfp/mobileclients/" + m.dev.ID
	m.e.do("DELETE", path, bearer(m.e.token("monitor", "monitor-secret", "mfpmonitor")), nil).want(t, 403)
	operator := bearer(m.e.token("operator", "operator-secret", "mfpoperator"))
	m.e.do("DELETE", path, operator, nil).want(t, 204)
	if got := m.introspect(t, tok.AccessToken); got["active"] != false {
		t.Errorf("the deleted client's access token: %v", got)
	}
	wantOAuthError(t, m.exchange("refresh_token", url.Values{"refresh_token": {tok.RefreshToken}}), 401, "invalid_client")
	m.e.do("DELETE", path, operator, nil).want(t, 404)
}

// TestMetadata: the runtime publishes its issuer and endpoints (RFC
// 8414), so a client that reaches it by another address signs assertions
// for the right aud.
func TestMetadata(t *testing.T) {
	e := newEnvWith(t, servertest.Options{Issuer: "https://scoped.example"})
	var m map[string]any
	e.do("GET", "/.well-known/oauth-authorization-server/mfp/api/az/v1", nil, nil).want(t, 200).json(t, &m)
	if m["issuer"] != "https://scoped.example/mfp/api/az/v1" || m["token_endpoint"] != "https://scoped.example/mfp/api/az/v1/token" ||
		m["mfp_registration_endpoint"] != "https://scoped.example/mfp/api/registration/v1/self" || m["registration_endpoint"] != nil {
		t.Errorf("metadata %v", m)
	}
	e.do("GET", "/.well-known/oauth-authorization-server/nope/api/az/v1", nil, nil).want(t, 404)
}

// TestMobileReplayRecordSurvivesAnotherClient: a client that knows another
// client's spent assertion (its jti) cannot erase the record of it by
// presenting "id\x00jti" as a code: the assertion stays refused.
func TestMobileReplayRecordSurvivesAnotherClient(t *testing.T) {
	m := newMobile(t, servertest.Options{})
	assertion := m.dev.Assertion(m.issuer(), m.clock.Now())
	body := map[string]any{"scope": "", "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", "client_assertion": assertion}
	m.post("/mfp/api/az/v1/preauthorization", body).want(t, 200)

	payload, _ := base64.RawURLEncoding.DecodeString(strings.Split(assertion, ".")[1])
	var claims struct{ JTI string }
	json.Unmarshal(payload, &claims)
	attacker := instance(m.e, m.clock)
	attacker.register(t)
	wantOAuthError(t, attacker.exchange("authorization_code", url.Values{"code": {m.dev.ID + "\x00" + claims.JTI}, "redirect_uri": {callback}}), 400, "invalid_grant")
	m.post("/mfp/api/az/v1/preauthorization", body).want(t, 401) // still a replay
}

// TestMobileAssertionAudiences: an assertion may name the issuer or its
// token endpoint (RFC 7523 §3); an authorization request's client_id must
// be the assertion's client.
func TestMobileAssertionAudiences(t *testing.T) {
	m := newMobile(t, servertest.Options{})
	now := m.clock.Now()
	tokenAud := m.dev.AssertionWith(jwt.Claims{Issuer: m.dev.ID, Subject: m.dev.ID, Audience: jwt.Audience{m.issuer() + "/token"},
		Expiry: jwt.NewNumericDate(now.Add(time.Minute)), ID: "t1"})
	body := map[string]any{"scope": "", "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", "client_assertion": tokenAud}
	m.post("/mfp/api/az/v1/preauthorization", body).want(t, 200)

	other := instance(m.e, m.clock)
	other.register(t)
	q := url.Values{"response_type": {"code"}, "client_id": {other.dev.ID}, "redirect_uri": {callback}, "scope": {""},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {m.dev.Assertion(m.issuer(), now)}}
	r := m.e.do("GET", "/mfp/api/az/v1/authorization?"+q.Encode(), nil, nil).want(t, 400)
	if !strings.Contains(r.body, "client_id must be the client that signed the assertion") {
		t.Errorf("client_id of another client: %s", r.body)
	}
}
