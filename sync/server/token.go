package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/admin"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/authz"
	"github.com/scopectl/scopectl/sync/oauth"
	"github.com/scopectl/scopectl/sync/store"
)

// oauthError is an RFC 6749 §5.2 error answer.
type oauthError struct {
	code string // invalid_request, invalid_client, invalid_scope, ...
	// err is the error_description, and gives the status and headers of
	// the answer as for any error (errorHeaders).
	err error
	// checks, for a mobile client whose security checks have not passed,
	// are their challenges and failures.
	checks *authz.Preauthorization
}

// oauthErrorBody is an error answer of the token endpoint (RFC 6749 §5.2)
// with, for a mobile client, the challenges or failures of its checks.
type oauthErrorBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
	*authz.Preauthorization
}

func writeOAuthError(w http.ResponseWriter, e *oauthError) {
	status := errorHeaders(w, e.err)
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, oauthErrorBody{Error: e.code, Description: e.err.Error(), Preauthorization: e.checks})
}

func newOAuthError(kind config.Kind, code, desc string) *oauthError {
	return &oauthError{code: code, err: &config.Error{Kind: kind, Message: desc}}
}

// handleToken is the client-credentials token endpoint (RFC 6749 §4.4).
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	runtime, ok := s.runtimeOf(w, r)
	if !ok {
		return
	}
	if err := parseForm(r); err != nil {
		writeOAuthError(w, newOAuthError(config.KindInvalid, "invalid_request", err.Error()))
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt == authz.GrantTypeCode || gt == authz.GrantTypeRefresh || gt == authz.GrantTypeJWTBearer {
		s.mobileToken(w, r, runtime)
		s.metrics.tokens.Observe(since(start))
		return
	}
	resp, oerr := s.issueToken(r, runtime)
	if oerr != nil {
		writeOAuthError(w, oerr)
		return
	}
	s.metrics.tokens.Observe(since(start))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) issueToken(r *http.Request, runtime string) (*api.Token, *oauthError) {
	if r.PostForm.Has("client_secret") {
		return nil, newOAuthError(config.KindInvalid, "invalid_request", "send client credentials with HTTP Basic authentication, not in the body")
	}
	client, err := s.authenticateClient(r, runtime)
	if err != nil {
		return nil, s.clientError(r, err)
	}
	switch gt := r.PostForm.Get("grant_type"); gt {
	case "client_credentials":
	case "":
		return nil, newOAuthError(config.KindInvalid, "invalid_request", "grant_type is required")
	default:
		return nil, newOAuthError(config.KindInvalid, "unsupported_grant_type", "grant_type must be client_credentials, authorization_code, refresh_token or "+authz.GrantTypeJWTBearer)
	}
	scope, err := oauth.Grant(client.AllowedScope, r.PostForm.Get("scope"))
	if err != nil {
		return nil, newOAuthError(config.KindInvalid, "invalid_scope", err.Error())
	}
	token, claims, err := s.tokens.Issue(r.Context(), s.issuerOf(runtime), client.ID, scope, client.SecretSetAt.UnixMicro())
	if err != nil {
		s.errLog.error(r.Context(), "issue token", err)
		return nil, newOAuthError(config.KindInternal, "server_error", "cannot issue a token")
	}
	return &api.Token{
		AccessToken: token, TokenType: "Bearer", Scope: claims.Scope,
		ExpiresIn: claims.Expiry.Time().Unix() - claims.IssuedAt.Time().Unix(),
	}, nil
}

// clientError is the answer to a client that did not authenticate.
func (s *Server) clientError(r *http.Request, err error) *oauthError {
	var th *throttledError
	switch {
	case errors.As(err, &th):
		return &oauthError{code: "temporarily_unavailable", err: err}
	case config.ErrorKind(err) == config.KindInternal:
		s.errLog.error(r.Context(), "authenticate client", err)
		return newOAuthError(config.KindInternal, "server_error", "the server cannot check credentials now")
	}
	return &oauthError{code: "invalid_client", err: err}
}

// parseForm reads an application/x-www-form-urlencoded body.
func parseForm(r *http.Request) error {
	if !hasMediaType(r, "application/x-www-form-urlencoded") {
		return errors.New("the body must be application/x-www-form-urlencoded")
	}
	r.Body = http.MaxBytesReader(nil, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return errors.New("the form body is larger than 64 KiB")
		}
		return errors.New("the form body cannot be read")
	}
	for name, values := range r.PostForm {
		if len(values) > 1 { // RFC 6749 §3.1: parameters must not be repeated
			return fmt.Errorf("parameter %s is given more than once", name)
		}
	}
	return nil
}

// authenticateClient checks HTTP Basic client credentials with exactly
// one bcrypt comparison (none when the secret verified before), also for
// an unknown client id, so that both answer in the same time. Attempts
// over the failure budget of their client id or address (throttle.go)
// are refused with a *throttledError before any secret is checked. A
// refusal carries the Basic challenge of the runtime.
func (s *Server) authenticateClient(r *http.Request, runtime string) (store.Client, error) {
	rawID, rawSecret, ok := r.BasicAuth()
	if !ok {
		return store.Client{}, basicChallenge(runtime, "client authentication with HTTP Basic is required")
	}
	return s.checkCredentials(r, runtime, basicCredential(rawID), basicCredential(rawSecret))
}

// checkCredentials checks a confidential client's id and secret, sent by
// the peer of r, throttled (throttle.go) whichever way they came: HTTP
// Basic, or the console's sign-in form.
func (s *Server) checkCredentials(r *http.Request, runtime, id, secret string) (store.Client, error) {
	a := s.throttle.attempt(runtime, id, remoteAddress(r))
	if client, ok := s.rememberedClient(r.Context(), runtime, id, secret); ok {
		if wait := s.throttle.admit(a); wait > 0 {
			return store.Client{}, throttled(wait)
		}
		s.throttle.trust(a)
		return client, nil
	}
	if wait := s.throttle.begin(a); wait > 0 {
		return store.Client{}, throttled(wait)
	}
	client, err := s.checkClient(r.Context(), runtime, id, secret)
	if config.ErrorKind(err) == config.KindInternal {
		s.throttle.cancel(a)
		return client, err
	}
	s.throttle.end(a, err == nil)
	if err != nil {
		return client, basicChallenge(runtime, err.Error())
	}
	return client, nil
}

// rememberedClient returns the client when secret is the one that
// verified before for it and still is its secret: a check that costs no
// bcrypt and cannot fail, so the attempt needs to be within its budget
// (throttle.admit) but reserves no share of it. Throttling reserves a failure for each attempt while
// its secret is checked; were a remembered secret held to that, more than
// 10 concurrent requests of one client would get 429 without a single
// failure. Only an id whose secret this process remembers is looked up.
func (s *Server) rememberedClient(ctx context.Context, runtime, id, secret string) (store.Client, bool) {
	hash, ok := s.secrets.Remembers(id, secret)
	if !ok {
		return store.Client{}, false
	}
	client, found, err := s.lookupClient(ctx, runtime, id)
	if err != nil || !found || client.SecretHash != hash {
		return store.Client{}, false
	}
	return client, true
}

// checkClient returns the client if secret is its secret.
func (s *Server) checkClient(ctx context.Context, runtime, id, secret string) (store.Client, error) {
	client, found, err := store.Client{}, false, error(nil)
	if admin.ValidClientID(id) { // others cannot exist: no store lookup
		client, found, err = s.lookupClient(ctx, runtime, id)
	}
	switch {
	case err != nil:
		return store.Client{}, err
	case found && s.secrets.Verify(id, secret, client.SecretHash):
		return client, nil
	case !found:
		s.secrets.Reject(secret) // as slow as checking a known client
	}
	return store.Client{}, config.Errorf(config.KindUnauthorized, "invalid client credentials")
}

// basicCredential is the one reading of a Basic client id or secret.
// RFC 6749 §2.3.1 form-urlencodes them (golang.org/x/oauth2 does), curl
// sends them raw. A value with a '%' is decoded ('+' becomes a space); a
// value without one is taken as it is ('+' stays '+'), as is a value that
// does not decode. Client ids and secrets may not contain '%' or spaces,
// so both encodings of every valid secret read the same.
func basicCredential(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	if d, err := url.QueryUnescape(s); err == nil {
		return d
	}
	return s
}

type introspection struct {
	Active    bool   `json:"active"`
	Scope     string `json:"scope,omitempty"`
	ClientID  string `json:"client_id,omitempty"`
	Subject   string `json:"sub,omitempty"`
	TokenType string `json:"token_type,omitempty"`
	Expiry    int64  `json:"exp,omitempty"`
	IssuedAt  int64  `json:"iat,omitempty"`
	Issuer    string `json:"iss,omitempty"`
	Audience  string `json:"aud,omitempty"`
	ID        string `json:"jti,omitempty"`
	// The mobile client's application and user (sync/authz tokens).
	AppID       string `json:"app_id,omitempty"`
	AppPlatform string `json:"app_platform,omitempty"`
	AppVersion  string `json:"app_version,omitempty"`
	User        string `json:"user,omitempty"`
	DeviceID    string `json:"device_id,omitempty"`
}

// introspectScope is the scope element a caller of introspection needs.
const introspectScope = "authorization.introspect"

// handleIntrospection is the RFC 7662 endpoint, protected by scope
// element authorization.introspect (see routes).
func (s *Server) handleIntrospection(w http.ResponseWriter, r *http.Request) {
	runtime := r.PathValue("runtime")
	if err := parseForm(r); err != nil {
		writeOAuthError(w, newOAuthError(config.KindInvalid, "invalid_request", err.Error()))
		return
	}
	token := r.PostForm.Get("token")
	if token == "" {
		writeOAuthError(w, newOAuthError(config.KindInvalid, "invalid_request", "token is required"))
		return
	}
	writeJSON(w, http.StatusOK, s.introspect(r.Context(), runtime, token))
}

func (s *Server) introspect(ctx context.Context, runtime, token string) introspection {
	if len(token) > maxAuthorizationHeader {
		return introspection{}
	}
	claims, _, err := s.verifyToken(ctx, runtime, token)
	if err != nil {
		return introspection{}
	}
	return introspection{
		Active: true, Scope: claims.Scope, ClientID: claims.ClientID, Subject: claims.Subject, TokenType: "Bearer",
		Expiry: claims.Expiry.Time().Unix(), IssuedAt: claims.IssuedAt.Time().Unix(),
		Issuer: claims.Issuer, Audience: strings.Join(claims.Audience, " "), ID: claims.ID,
		AppID: claims.AppID, AppPlatform: claims.AppPlatform, AppVersion: claims.AppVersion, User: claims.User, DeviceID: claims.DeviceID,
	}
}

// handleJWKS publishes the keys that verify this server's tokens.
func (s *Server) handleJWKS(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.runtimeOf(w, r); !ok {
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(s.tokens.KeySet().JWKS(r.Context()))
}
