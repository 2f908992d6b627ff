package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/admin"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/authz"
)

// maxMobileBody bounds the JSON body of registration and preauthorization.
const maxMobileBody = 64 << 10

// MobileConfig configures the mobile runtimes of a Server.
type MobileConfig struct {
	// Users is the registry of the UserLogin check; nil leaves the
	// runtimes without that check.
	Users authz.UserRegistry
	// CustomChecks declares custom security checks: name → the built-in
	// check it runs (scoped --security-check NAME=TYPE).
	CustomChecks map[string]string
	// AllowUnknownChecks lets the apply endpoint store descriptors that
	// lead to checks the runtime lacks (development mode).
	AllowUnknownChecks bool
	// RefreshApps are the application ids whose clients get refresh
	// tokens, by runtime.
	RefreshApps map[string][]string
	// BcryptCost is the cost of enrolled PIN hashes; 0 means the default.
	BcryptCost int
}

// mobileChecks returns the built-in checks and the custom ones of cfg.
func mobileChecks(cfg MobileConfig, apps authz.Applications) (*authz.Checks, error) {
	checks := authz.BuiltinChecks(authz.Deps{Applications: apps, Users: cfg.Users, BcryptCost: cfg.BcryptCost})
	for _, name := range slices.Sorted(maps.Keys(cfg.CustomChecks)) {
		if err := checks.Alias(name, cfg.CustomChecks[name]); err != nil {
			return nil, err
		}
	}
	return checks, nil
}

// caches returns what the mobile runtimes read descriptors from, the
// admin service behind a cache that trusts what it read for
// authz.DescriptorTTL (by now) against changes made by other processes,
// and makes every change through the service clear the caches of this
// process at once: descriptors, clients and mobile clients of the token
// checks.
func (s *Server) caches(now func() time.Time) authz.Applications {
	apps := authz.NewDescriptorCache(s.svc, now)
	s.svc.Listen(admin.Listener{
		Application:  apps.Forget,
		Clients:      func(string) { s.clients.Clear() },
		MobileClient: s.forgetMobileClient,
	})
	return apps
}

// forgetMobileClient makes the caches of this process forget a mobile
// client of runtime, deleted.
func (s *Server) forgetMobileClient(runtime, id string) {
	if rt := s.mobile[runtime]; rt != nil {
		rt.ForgetClient(id)
	}
}

// mobileRuntimes builds the mobile runtime of every runtime of cfg: the
// checks, the store, the descriptors through apps (the admin service
// behind a cache), and tokens signed as the client-credentials ones, no
// longer than they.
func mobileRuntimes(cfg Config, apps authz.Applications, checks *authz.Checks, now func() time.Time) map[string]*authz.Runtime {
	runtimes := make(map[string]*authz.Runtime, len(cfg.Runtimes))
	for _, name := range cfg.Runtimes {
		runtimes[name] = &authz.Runtime{
			Name: name, Store: cfg.Store, Apps: apps, Checks: checks, Tokens: cfg.Tokens,
			RefreshApps: cfg.Mobile.RefreshApps[name], Users: cfg.Mobile.Users, MaxLifetime: cfg.Tokens.TTL, Now: now,
		}
	}
	return runtimes
}

// handleMetadata publishes the runtime's authorization-server metadata
// (RFC 8414): clients learn the issuer, the aud of their assertions, from
// it whatever address they reach the server by.
func (s *Server) handleMetadata(w http.ResponseWriter, r *http.Request) {
	name, ok := s.runtimeOf(w, r)
	if !ok {
		return
	}
	base := s.issuer
	w.Header().Set("Cache-Control", "public, max-age=300")
	writeJSON(w, http.StatusOK, api.Metadata{
		Issuer: s.issuerOf(name), AuthorizationEndpoint: base + api.AuthorizationPath(name), TokenEndpoint: base + api.TokenPath(name),
		JWKSURI: base + api.JWKSPath(name), IntrospectionEndpoint: base + api.IntrospectionPath(name),
		MobileRegistrationEndpoint:        base + api.RegistrationPath(name),
		GrantTypesSupported:               []string{"client_credentials", authz.GrantTypeCode, authz.GrantTypeRefresh, authz.GrantTypeJWTBearer},
		ResponseTypesSupported:            []string{"code"},
		TokenEndpointAuthMethodsSupported: []string{"client_secret_basic", "private_key_jwt"},
		TokenEndpointAuthSigningAlgs:      []string{"ES256", "RS256"},
	})
}

// handleSecurityChecks publishes the security checks of a runtime, with
// their types and defaults: what scopectl app validate --known-checks and
// app explain --known-checks read.
func (s *Server) handleSecurityChecks(w http.ResponseWriter, r *http.Request) {
	rt, ok := s.mobileOf(w, r)
	if !ok {
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=60")
	writeJSON(w, http.StatusOK, api.SecurityChecks{SecurityChecks: rt.Checks.List()})
}

// mobileRoutes registers the mobile runtime's endpoints; runtime is the
// path wildcard.
func (s *Server) mobileRoutes(runtime string) {
	s.handle("POST "+api.RegistrationPath(runtime), s.handleRegistration)
	s.handle("POST "+api.PreauthorizationPath(runtime), s.handlePreauthorization)
	s.handle("GET "+api.AuthorizationPath(runtime), s.handleAuthorization)
	s.handle("GET "+api.SecurityChecksPath(runtime), s.handleSecurityChecks)
	s.handle("GET "+api.MetadataPath(runtime), s.handleMetadata)
}

// mobileOf returns the mobile runtime named in the path, or answers 404.
func (s *Server) mobileOf(w http.ResponseWriter, r *http.Request) (*authz.Runtime, bool) {
	name, ok := s.runtimeOf(w, r)
	if !ok {
		return nil, false
	}
	rt := s.mobile[name]
	if rt == nil {
		s.writeError(w, r, config.Errorf(config.KindNotFound, "runtime %s has no mobile runtime", name))
		return nil, false
	}
	return rt, true
}

// handleRegistration registers an app instance: 201 with its client id,
// and its Location.
func (s *Server) handleRegistration(w http.ResponseWriter, r *http.Request) {
	rt, ok := s.mobileOf(w, r)
	if !ok {
		return
	}
	var req struct {
		SignedRegistrationData string `json:"signedRegistrationData"`
	}
	if err := decodeMobileBody(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := rt.Register(r.Context(), req.SignedRegistrationData)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", api.MobileClientPath(rt.Name, c.ID))
	writeJSON(w, http.StatusCreated, map[string]string{"id": c.ID})
}

// preauthRequest is the body of a preauthorization request.
type preauthRequest struct {
	Scope               string                    `json:"scope"`
	ClientAssertionType string                    `json:"client_assertion_type"`
	ClientAssertion     string                    `json:"client_assertion"`
	ChallengeResponse   map[string]map[string]any `json:"challengeResponse"`
}

// handlePreauthorization runs the checks of a scope: 200 when all passed,
// 401 with the challenges to answer, 403 with the failures.
func (s *Server) handlePreauthorization(w http.ResponseWriter, r *http.Request) {
	rt, ok := s.mobileOf(w, r)
	if !ok {
		return
	}
	var req preauthRequest
	if err := decodeMobileBody(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	scope, err := assertionScope(req.ClientAssertionType, req.Scope)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := rt.Preauthorize(r.Context(), authz.PreauthRequest{
		Assertion: req.ClientAssertion, Audience: s.issuerOf(rt.Name), Scope: scope, Responses: req.ChallengeResponse,
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, preauthStatus(p), p)
}

func preauthStatus(p authz.Preauthorization) int {
	switch {
	case len(p.Failures) > 0:
		return http.StatusForbidden
	case len(p.Challenges) > 0:
		return http.StatusUnauthorized
	}
	return http.StatusOK
}

// handleAuthorization issues an authorization code to a client that passed
// the checks of the scope, redirecting to its redirect_uri (RFC 6749
// §4.1.2). Errors are JSON answers, never redirects.
func (s *Server) handleAuthorization(w http.ResponseWriter, r *http.Request) {
	rt, ok := s.mobileOf(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	if q.Get("response_type") != "code" {
		s.writeError(w, r, config.Errorf(config.KindInvalid, "response_type must be code"))
		return
	}
	scope, err := assertionScope(q.Get("client_assertion_type"), q.Get("scope"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	code, err := rt.Authorize(r.Context(), authz.AuthorizeRequest{
		ClientID: q.Get("client_id"), Assertion: q.Get("client_assertion"), Audience: s.issuerOf(rt.Name), Scope: scope, RedirectURI: q.Get("redirect_uri"),
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, withQuery(q.Get("redirect_uri"), url.Values{"code": {code}, "state": nonEmpty(q.Get("state"))}), http.StatusFound)
}

// mobileToken answers the token endpoint's authorization_code and
// refresh_token grants, whose client authenticates with an assertion.
func (s *Server) mobileToken(w http.ResponseWriter, r *http.Request, runtime string) {
	rt := s.mobile[runtime]
	if rt == nil {
		writeOAuthError(w, newOAuthError(config.KindInvalid, "unsupported_grant_type", "runtime "+runtime+" has no mobile runtime"))
		return
	}
	req, err := mobileTokenRequest(r.PostForm)
	if err != nil {
		writeOAuthError(w, newOAuthError(config.KindInvalid, "invalid_request", err.Error()))
		return
	}
	req.Audience = s.issuerOf(runtime)
	t, err := rt.Token(r.Context(), req)
	if err != nil {
		writeOAuthError(w, s.mobileTokenError(r, err))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, t)
}

// mobileTokenRequest reads a mobile client's token request: the
// assertion is the grant of the JWT authorization grant (assertion, with
// a scope), and authenticates the client of the others (client_assertion).
func mobileTokenRequest(form url.Values) (authz.TokenRequest, error) {
	req := authz.TokenRequest{GrantType: form.Get("grant_type")}
	if req.GrantType == authz.GrantTypeJWTBearer {
		if form.Has("client_assertion") {
			return req, config.Errorf(config.KindInvalid, "send the assertion of the %s grant once, as assertion", authz.GrantTypeJWTBearer)
		}
		scope, err := config.ParseScope(form.Get("scope"))
		if err != nil {
			return req, config.Errorf(config.KindInvalid, "scope: %v", err)
		}
		req.Assertion, req.Scope = form.Get("assertion"), scope
		return req, nil
	}
	if form.Get("client_assertion_type") != authz.AssertionType {
		return req, config.Errorf(config.KindInvalid, "client_assertion_type must be %s", authz.AssertionType)
	}
	req.Code, req.RedirectURI, req.RefreshToken = form.Get("code"), form.Get("redirect_uri"), form.Get("refresh_token")
	req.Assertion = form.Get("client_assertion")
	return req, nil
}

// mobileTokenError turns a runtime error into the token endpoint's
// answer (RFC 6749 §5.2).
func (s *Server) mobileTokenError(r *http.Request, err error) *oauthError {
	kind := config.ErrorKind(err)
	switch {
	case errors.Is(err, authz.ErrUnknownApplication):
		return newOAuthError(config.KindUnauthorized, "invalid_client", err.Error())
	case errors.Is(err, authz.ErrInvalidGrant) || kind == config.KindForbidden:
		e := newOAuthError(config.KindInvalid, "invalid_grant", err.Error())
		if refusal := (*config.Error)(nil); errors.As(err, &refusal) {
			if p, ok := refusal.Details.(authz.Preauthorization); ok {
				e.checks = &p
			}
		}
		return e
	case kind == config.KindUnauthorized:
		return newOAuthError(config.KindUnauthorized, "invalid_client", err.Error())
	case kind == config.KindInvalid:
		return newOAuthError(config.KindInvalid, "invalid_request", err.Error())
	}
	s.errLog.error(r.Context(), "mobile token", err)
	return newOAuthError(config.KindInternal, "server_error", "cannot issue a token")
}

// assertionScope checks the client_assertion_type and parses the scope.
func assertionScope(assertionType, scope string) (config.Scope, error) {
	if assertionType != authz.AssertionType {
		return nil, config.Errorf(config.KindInvalid, "client_assertion_type must be %s", authz.AssertionType)
	}
	sc, err := config.ParseScope(scope)
	if err != nil {
		return nil, config.Errorf(config.KindInvalid, "scope: %v", err)
	}
	return sc, nil
}

// decodeMobileBody decodes a JSON body of at most maxMobileBody bytes into
// v, refusing unknown members.
func decodeMobileBody(r *http.Request, v any) error {
	body, err := readJSONBody(r, maxMobileBody)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return config.Errorf(config.KindInvalid, "the body is not the expected JSON object: %v", err)
	}
	return nil
}

// withQuery appends params to uri's query.
func withQuery(uri string, params url.Values) string {
	u, _ := url.Parse(uri) // checked by the runtime
	q := u.Query()
	for k, vs := range params {
		for _, v := range vs {
			q.Add(k, v)
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
