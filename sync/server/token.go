package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/oauth"
	"github.com/scopectl/scopectl/sync/store"
)

// oauthError is an RFC 6749 §5.2 error answer.
type oauthError struct {
	status int
	code   string // invalid_request, invalid_client, invalid_scope, ...
	desc   string
}

func (e *oauthError) Error() string { return e.code + ": " + e.desc }

func writeOAuthError(w http.ResponseWriter, runtime string, e *oauthError) {
	if e.code == "invalid_client" {
		w.Header().Set("WWW-Authenticate", `Basic realm="`+runtime+`"`)
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, e.status, map[string]string{"error": e.code, "error_description": e.desc})
}

// handleToken is the client-credentials token endpoint (RFC 6749 §4.4).
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	runtime, ok := s.runtimeOf(w, r)
	if !ok {
		return
	}
	resp, oerr := s.issueToken(r, runtime)
	if oerr != nil {
		writeOAuthError(w, runtime, oerr)
		return
	}
	s.metrics.tokens.Observe(since(start))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) issueToken(r *http.Request, runtime string) (*api.Token, *oauthError) {
	if err := parseForm(r); err != nil {
		return nil, &oauthError{http.StatusBadRequest, "invalid_request", err.Error()}
	}
	if r.PostForm.Has("client_secret") {
		return nil, &oauthError{http.StatusBadRequest, "invalid_request", "send client credentials with HTTP Basic authentication, not in the body"}
	}
	client, err := s.authenticateClient(r, runtime)
	if config.ErrorKind(err) == config.KindInternal {
		s.log.ErrorContext(r.Context(), "authenticate client", "err", err)
		return nil, &oauthError{http.StatusInternalServerError, "server_error", "the server cannot check credentials now"}
	}
	if err != nil {
		return nil, &oauthError{http.StatusUnauthorized, "invalid_client", err.Error()}
	}
	switch gt := r.PostForm.Get("grant_type"); gt {
	case "client_credentials":
	case "":
		return nil, &oauthError{http.StatusBadRequest, "invalid_request", "grant_type is required"}
	default:
		return nil, &oauthError{http.StatusBadRequest, "unsupported_grant_type", "only client_credentials is supported"}
	}
	scope, err := oauth.Grant(client.AllowedScope, r.PostForm.Get("scope"))
	if err != nil {
		return nil, &oauthError{http.StatusBadRequest, "invalid_scope", err.Error()}
	}
	token, claims, err := s.tokens.Issue(r.Context(), s.issuerOf(runtime), client.ID, scope, client.SecretSetAt.UnixMicro())
	if err != nil {
		s.log.ErrorContext(r.Context(), "issue token", "err", err)
		return nil, &oauthError{http.StatusInternalServerError, "server_error", "cannot issue a token"}
	}
	return &api.Token{
		AccessToken: token, TokenType: "Bearer", Scope: claims.Scope,
		ExpiresIn: claims.Expiry.Time().Unix() - claims.IssuedAt.Time().Unix(),
	}, nil
}

// parseForm reads an application/x-www-form-urlencoded body.
func parseForm(r *http.Request) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
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

// authenticateClient checks HTTP Basic client credentials in constant
// time per client; an unknown id costs as much as a wrong secret.
func (s *Server) authenticateClient(r *http.Request, runtime string) (store.Client, error) {
	rawID, rawSecret, ok := r.BasicAuth()
	if !ok {
		return store.Client{}, config.Errorf(config.KindUnauthorized, "client authentication with HTTP Basic is required")
	}
	id, secrets := formDecoded(rawID), []string{formDecoded(rawSecret)}
	if secrets[0] != rawSecret {
		secrets = append(secrets, rawSecret)
	}
	client, found, err := s.lookupClient(r.Context(), runtime, id)
	switch {
	case err == nil && !found:
		for _, secret := range secrets { // as slow as checking a known client
			s.secrets.Reject(secret)
		}
	case err != nil:
		return store.Client{}, err
	default:
		for _, secret := range secrets {
			if s.secrets.Verify(id, secret, client.SecretHash) {
				return client, nil
			}
		}
	}
	return store.Client{}, config.Errorf(config.KindUnauthorized, "invalid client credentials")
}

// formDecoded undoes the application/x-www-form-urlencoded encoding that
// RFC 6749 §2.3.1 applies to Basic client credentials (and that
// golang.org/x/oauth2 sends). Clients such as curl send them raw, so a
// value that does not decode is taken as it is, and a secret that differs
// once decoded is also tried raw.
func formDecoded(s string) string {
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
}

// introspectScope is the scope element a caller of introspection needs.
const introspectScope = "authorization.introspect"

// handleIntrospection is the RFC 7662 endpoint, protected by scope
// element authorization.introspect (see routes).
func (s *Server) handleIntrospection(w http.ResponseWriter, r *http.Request) {
	runtime := r.PathValue("runtime")
	if err := parseForm(r); err != nil {
		writeOAuthError(w, runtime, &oauthError{http.StatusBadRequest, "invalid_request", err.Error()})
		return
	}
	token := r.PostForm.Get("token")
	if token == "" {
		writeOAuthError(w, runtime, &oauthError{http.StatusBadRequest, "invalid_request", "token is required"})
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
	}
}

// handleJWKS publishes the keys that verify this server's tokens.
func (s *Server) handleJWKS(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.runtimeOf(w, r); !ok {
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(s.tokens.Keys.JWKS(r.Context()))
}
