package server

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/admin"
	"github.com/scopectl/scopectl/sync/resource"
)

// The administration roles the routes need.
const (
	roleMonitor  = admin.RoleMonitor
	roleOperator = admin.RoleOperator
	roleDeployer = admin.RoleDeployer
)

type callerKey struct{}

func callerOf(ctx context.Context) admin.Caller {
	c, _ := ctx.Value(callerKey{}).(admin.Caller)
	return c
}

// admin wraps an admin handler that needs role need.
func (s *Server) admin(need admin.Role, h http.HandlerFunc) http.HandlerFunc {
	return s.protect(need.Scope(), h)
}

// protect wraps the handler of a protected resource: the runtime must
// exist, the caller must authenticate (Bearer token, or HTTP Basic with
// client credentials for curl users) and hold scope, else the answer
// is what RFC 6750 and the seeds say, naming scope as the one required.
// A bearer token is checked as by any service that scoped's tokens
// protect: resource.VerifyRequest with scoped's own Verifier.
func (s *Server) protect(scope string, h http.HandlerFunc) http.HandlerFunc {
	need := config.Scope{scope}
	return func(w http.ResponseWriter, r *http.Request) {
		runtime, ok := s.runtimeOf(w, r)
		if !ok {
			return
		}
		c, err := s.authenticate(r, runtime, need)
		if err != nil {
			s.writeError(w, r, refusal(err))
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, c)))
	}
}

// authenticate identifies the caller of a protected resource and checks
// that it holds need: HTTP Basic client credentials, or a bearer token
// through the resource-server library (sync/resource).
func (s *Server) authenticate(r *http.Request, runtime string, need config.Scope) (admin.Caller, error) {
	header := r.Header.Get("Authorization")
	if scheme, _, _ := strings.Cut(header, " "); strings.EqualFold(scheme, "Basic") && len(header) <= maxAuthorizationHeader {
		c, err := s.basicCaller(r, runtime)
		if err == nil && !c.Has(need[0]) {
			err = resource.InsufficientScope(need)
		}
		return c, err
	}
	p, err := resource.VerifyRequest(r, tokenVerifier{s: s, runtime: runtime}, need)
	if err != nil {
		return admin.Caller{}, err
	}
	return admin.Caller{ID: p.ClientID, Scope: p.Scope}, nil
}

// tokenVerifier is scoped's own resource.Verifier: a token's signature
// and claims as any resource server checks them (accesstoken.Verifier over
// the keys in hand), then its client as it is now (verifyToken). A mobile
// client's token holds no role: a descriptor may grant any element.
type tokenVerifier struct {
	s       *Server
	runtime string
}

// Verify implements resource.Verifier; a token that could not be checked
// (the store failing) is the store's error, answered 500.
func (v tokenVerifier) Verify(ctx context.Context, token string, need config.Scope) (*resource.Principal, error) {
	claims, granted, err := v.s.verifyToken(ctx, v.runtime, token)
	switch {
	case config.ErrorKind(err) == config.KindInternal:
		return nil, err
	case err != nil:
		return nil, resource.InvalidToken(err.Error())
	case claims.Mobile():
		granted = nil
	}
	if err := resource.CheckScope(granted, need); err != nil {
		return nil, err
	}
	return &resource.Principal{ClientID: claims.ClientID, Subject: claims.Subject, Scope: granted, Expiry: claims.Expiry.Time()}, nil
}

// basicCaller is the client HTTP Basic credentials name, or the error of
// a refusal: 429 over the failure budget, 401, or 500.
func (s *Server) basicCaller(r *http.Request, runtime string) (admin.Caller, error) {
	client, err := s.authenticateClient(r, runtime)
	if err != nil {
		return admin.Caller{}, err
	}
	return admin.Caller{ID: client.ID, Scope: client.AllowedScope, Patterns: true}, nil
}

// challengeError is an authentication or authorization failure with the
// WWW-Authenticate challenge its answer carries (RFC 9110 §11.6.1,
// RFC 6750 §3); writeError sends both.
type challengeError struct {
	err       *config.Error
	challenge string
}

func (e *challengeError) Error() string { return e.err.Error() }
func (e *challengeError) Unwrap() error { return e.err }

// challenge returns the error of kind (unauthorized or forbidden) whose
// answer carries the WWW-Authenticate header value header.
func challenge(kind config.Kind, header, msg string) error {
	return &challengeError{err: &config.Error{Kind: kind, Message: msg}, challenge: header}
}

// basicChallenge is the 401 refusal of HTTP Basic client credentials
// for runtime.
func basicChallenge(runtime, msg string) error {
	return challenge(config.KindUnauthorized, `Basic realm="`+runtime+`"`, msg)
}

// refusal is a refusal of sync/resource as an error of the server's kinds,
// with the library's WWW-Authenticate challenge.
func refusal(err error) error {
	var e *resource.Error
	if !errors.As(err, &e) {
		return err
	}
	kind := config.KindUnauthorized
	if e.Status == http.StatusForbidden {
		kind = config.KindForbidden
	}
	return challenge(kind, e.Challenge(), e.Error())
}
