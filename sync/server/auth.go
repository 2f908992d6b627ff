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

// role is a MobileFirst administration role; each includes the ones below.
type role int

const (
	roleMonitor  role = iota // read-only
	roleOperator             // applications
	roleDeployer             // applications and confidential clients
	roleAdmin                // everything
)

// scope is the role's scope element.
func (r role) scope() string { return config.AdminRoles[len(config.AdminRoles)-1-int(r)] }

type callerKey struct{}

func callerOf(ctx context.Context) admin.Caller {
	c, _ := ctx.Value(callerKey{}).(admin.Caller)
	return c
}

// admin wraps an admin handler that needs role need.
func (s *Server) admin(need role, h http.HandlerFunc) http.HandlerFunc {
	return s.protect(need.scope(), h)
}

// protect wraps the handler of a protected resource: the runtime must
// exist, the caller must authenticate (Bearer token, or HTTP Basic with
// client credentials for curl users) and hold scope, else the answer
// is what RFC 6750 and the seeds say, naming scope as the one required.
func (s *Server) protect(scope string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		runtime, ok := s.runtimeOf(w, r)
		if !ok {
			return
		}
		c, ok := s.authenticate(w, r, runtime)
		if !ok {
			return
		}
		if !c.Has(scope) {
			s.writeError(w, r, insufficientScope(scope))
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, c)))
	}
}

// authenticate identifies the caller of a protected resource, or answers
// 401 and returns false. A bearer token goes through the resource-server
// library (sync/resource), as in any service that scoped's tokens
// protect: its parsing of the header and its answers are scoped's own.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, runtime string) (admin.Caller, bool) {
	header := r.Header.Get("Authorization")
	if scheme, _, _ := strings.Cut(header, " "); strings.EqualFold(scheme, "Basic") && len(header) <= maxAuthorizationHeader {
		return s.basicCaller(w, r, runtime)
	}
	token, err := resource.BearerToken(header)
	if err != nil {
		s.writeError(w, r, refusal(err))
		return admin.Caller{}, false
	}
	return s.bearerCaller(w, r, runtime, token)
}

// bearerCaller is the caller an access token names, or answers 401 (500
// when the token could not be checked) and returns false.
func (s *Server) bearerCaller(w http.ResponseWriter, r *http.Request, runtime, token string) (admin.Caller, bool) {
	claims, granted, err := s.verifyToken(r.Context(), runtime, token)
	switch {
	case config.ErrorKind(err) == config.KindInternal:
		s.writeError(w, r, err)
	case err != nil:
		s.writeError(w, r, invalidToken(err.Error()))
	case claims.Mobile(): // a descriptor may grant any element, so a mobile token holds no role
		return admin.Caller{ID: claims.ClientID}, true
	default:
		return admin.Caller{ID: claims.ClientID, Scope: granted}, true
	}
	return admin.Caller{}, false
}

// basicCaller is the client HTTP Basic credentials name, or answers 429
// (over the failure budget), 401 or 500 and returns false.
func (s *Server) basicCaller(w http.ResponseWriter, r *http.Request, runtime string) (admin.Caller, bool) {
	client, err := s.authenticateClient(r, runtime)
	if err != nil {
		s.writeError(w, r, err)
		return admin.Caller{}, false
	}
	return admin.Caller{ID: client.ID, Scope: client.AllowedScope, Patterns: true}, true
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

func invalidToken(msg string) error { return refusal(resource.InvalidToken(msg)) }

func insufficientScope(scope string) error {
	sc, _ := config.ParseScope(scope) // a role name
	return refusal(resource.InsufficientScope(sc))
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
