// Package authztest drives the mobile authorization runtime in tests: an
// app instance (sync/mobile) whose signing cannot fail, assertions with
// any claims for forging, and Flow, which returns raw HTTP answers so that
// tests can check refusals.
package authztest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/mobile"
)

// Device is an app instance (a mobile.Instance) whose signing never fails
// in a test.
type Device struct {
	*mobile.Instance
}

// NewDevice returns an app instance of app with a fresh P-256 key.
func NewDevice(app config.AppKey) *Device {
	return &Device{must(mobile.NewInstance(app))}
}

// NewRSADevice returns an app instance of app with a fresh RSA-2048 key
// (RS256); making one takes a tenth of a second or more.
func NewRSADevice(app config.AppKey) *Device {
	return &Device{must(mobile.NewRSAInstance(app))}
}

// Registration returns the signed registration data: a compact JWS of the
// application and a test device, with the public key in its jwk header.
func (d *Device) Registration() string {
	return must(d.Instance.Registration(map[string]string{"id": "device-1", "model": "test", "os": "linux"}))
}

// Assertion returns a client assertion for audience (the runtime's issuer
// URL), valid from now for a minute, with a fresh jti.
func (d *Device) Assertion(audience string, now time.Time) string {
	return must(d.Instance.Assertion(audience, now))
}

// AssertionWith returns an assertion with exactly claims, signed by d.
func (d *Device) AssertionWith(claims jwt.Claims) string {
	return must(d.SignClaims(claims))
}

// must returns v, panicking on err: signing with a valid key in memory
// does not fail.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Flow drives the mobile runtime of one scoped over HTTP as an app
// instance does: registration, preauthorization, authorization, tokens.
type Flow struct {
	URL     string // the server's base URL
	Runtime string // e.g. "mfp"
	Device  *Device
	Now     func() time.Time // the clock of assertions; nil means time.Now
	// Issuer is the server's external base URL (scoped --issuer); "" means
	// URL.
	Issuer string
	// presigned are assertions signed ahead by Presign, sent before any
	// is signed at the time of a request.
	presigned []string
}

// Presign signs n assertions now, for the next n requests to send: a
// benchmark signs them before its clock starts, as a device signs on its
// own CPU, not on the server's.
func (f *Flow) Presign(n int) {
	for range n {
		f.presigned = append(f.presigned, f.Device.Assertion(f.Audience(), f.now()))
	}
}

// assertion returns the next presigned assertion, or signs one.
func (f *Flow) assertion() string {
	if len(f.presigned) == 0 {
		return f.Device.Assertion(f.Audience(), f.now())
	}
	a := f.presigned[0]
	f.presigned = f.presigned[1:]
	return a
}

// Answer is a finished HTTP exchange.
type Answer struct {
	Status int
	Header http.Header
	Body   string
}

// JSON decodes the body into v.
func (a Answer) JSON(v any) error { return json.Unmarshal([]byte(a.Body), v) }

// Audience is the runtime's authorization-server URL, the assertions' aud.
func (f *Flow) Audience() string {
	base := f.Issuer
	if base == "" {
		base = f.URL
	}
	return base + api.AuthzPath(f.Runtime)
}

func (f *Flow) now() time.Time {
	if f.Now == nil {
		return time.Now()
	}
	return f.Now()
}

// Register registers the device and sets its ID on a 201.
func (f *Flow) Register() (Answer, error) {
	a, err := f.postJSON(api.RegistrationPath(f.Runtime), map[string]any{"signedRegistrationData": f.Device.Registration()})
	if err == nil && a.Status == http.StatusCreated {
		var got struct{ ID string }
		err = a.JSON(&got)
		f.Device.ID = got.ID
	}
	return a, err
}

// Preauthorize runs the checks of scope with the given challenge
// responses, by check name.
func (f *Flow) Preauthorize(scope string, responses map[string]any) (Answer, error) {
	return f.postJSON(api.PreauthorizationPath(f.Runtime), map[string]any{
		"scope": scope, "client_assertion_type": AssertionType,
		"client_assertion": f.assertion(), "challengeResponse": responses,
	})
}

// AssertionType is the client_assertion_type of private_key_jwt.
const AssertionType = api.AssertionType

// GrantTypeJWTBearer is the grant_type of the JWT authorization grant.
const GrantTypeJWTBearer = api.GrantTypeJWTBearer

// Authorize asks for a code for scope, to be sent to redirectURI with
// state; it does not follow the redirect.
func (f *Flow) Authorize(scope, redirectURI, state string) (Answer, error) {
	q := url.Values{
		"response_type": {"code"}, "client_id": {f.Device.ID}, "redirect_uri": {redirectURI}, "scope": {scope}, "state": {state},
		"client_assertion_type": {AssertionType}, "client_assertion": {f.assertion()},
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(f.URL + api.AuthorizationPath(f.Runtime) + "?" + q.Encode())
	return finish(resp, err)
}

// Code returns the code of an authorization that redirected to
// redirectURI, or an error saying what came instead.
func (f *Flow) Code(scope, redirectURI string) (string, error) {
	a, err := f.Authorize(scope, redirectURI, "state-1")
	if err != nil {
		return "", err
	}
	loc, err := url.Parse(a.Header.Get("Location"))
	if a.Status != http.StatusFound || err != nil || loc.Query().Get("state") != "state-1" || loc.Query().Get("code") == "" {
		return "", fmt.Errorf("authorization answered %d, Location %q: %s", a.Status, a.Header.Get("Location"), a.Body)
	}
	return loc.Query().Get("code"), nil
}

// Exchange posts a token request of grant (authorization_code or
// refresh_token) with values, authenticated by a fresh assertion.
func (f *Flow) Exchange(grant string, values url.Values) (Answer, error) {
	values.Set("grant_type", grant)
	values.Set("client_assertion_type", AssertionType)
	values.Set("client_assertion", f.assertion())
	resp, err := http.Post(f.URL+api.TokenPath(f.Runtime), "application/x-www-form-urlencoded", strings.NewReader(values.Encode()))
	return finish(resp, err)
}

// BearerGrant asks the token endpoint for a token of scope with the JWT
// authorization grant (RFC 7523 §2.1): the client's assertion is the grant.
func (f *Flow) BearerGrant(scope string) (Answer, error) {
	values := url.Values{"grant_type": {api.GrantTypeJWTBearer}, "scope": {scope}, "assertion": {f.assertion()}}
	resp, err := http.Post(f.URL+api.TokenPath(f.Runtime), "application/x-www-form-urlencoded", strings.NewReader(values.Encode()))
	return finish(resp, err)
}

func (f *Flow) postJSON(path string, body any) (Answer, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return Answer{}, err
	}
	resp, err := http.Post(f.URL+path, "application/json", bytes.NewReader(b))
	return finish(resp, err)
}

func finish(resp *http.Response, err error) (Answer, error) {
	if err != nil {
		return Answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return Answer{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}, err
}

// AccessToken registers the device if it is not yet, runs the checks of
// scope (which must pass without a challenge), and exchanges a code for
// redirectURI: the access token of a mobile client, for tests of the
// services that accept it.
func (f *Flow) AccessToken(scope, redirectURI string) (string, error) {
	if f.Device.ID == "" {
		if a, err := f.Register(); err != nil || a.Status != http.StatusCreated {
			return "", fmt.Errorf("register: %d %s %v", a.Status, a.Body, err)
		}
	}
	if a, err := f.Preauthorize(scope, nil); err != nil || a.Status != http.StatusOK {
		return "", fmt.Errorf("preauthorize: %d %s %v", a.Status, a.Body, err)
	}
	code, err := f.Code(scope, redirectURI)
	if err != nil {
		return "", err
	}
	a, err := f.Exchange("authorization_code", url.Values{"code": {code}, "redirect_uri": {redirectURI}})
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err != nil || a.Status != http.StatusOK || a.JSON(&tok) != nil {
		return "", fmt.Errorf("exchange: %d %s %v", a.Status, a.Body, err)
	}
	return tok.AccessToken, nil
}
