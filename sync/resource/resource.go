// Package resource protects any Go service with the access tokens of a
// scoped runtime, as seed 001's token-validation module does: it checks a
// token (signature, expiration, scope, in that order), answers 401 or 403
// with the WWW-Authenticate header that tells the client which scope is
// needed, and puts the client's identity in the request's context. It
// verifies tokens offline, against the runtime's JWKS (Offline), or online,
// through its introspection endpoint (Online). For clients, RequiredScope
// reads a 403's scope and Transport obtains a token for it and retries.
//
// It imports neither scoped's store nor its server: a resource server
// needs only this package, sync/accesstoken and sync/api.
package resource

import (
	"context"
	"time"

	"github.com/scopectl/scopectl/config"
)

// Verifier checks an access token and returns who presented it. An
// invalid, expired or unverifiable token is a *Error of status 401; a
// valid token without scope a *Error of status 403. Other errors mean the
// token could not be checked now (the online verifier's authorization
// server unreachable): the middleware answers 503, never 200.
type Verifier interface {
	Verify(ctx context.Context, token string, scope config.Scope) (*Principal, error)
}

// Principal is the client a valid token was issued to, as seed 001's
// context object: the client, its application and user when the token
// comes from the mobile runtime, and what the token grants.
type Principal struct {
	ClientID    string
	Subject     string
	AppID       string // "" for a confidential client
	AppPlatform string
	AppVersion  string
	User        string // "" when no user-login check ran
	DeviceID    string // the device a mobile client registered, if it named one
	Scope       config.Scope
	Expiry      time.Time
}

type principalKey struct{}

// NewContext returns ctx carrying p.
func NewContext(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the Principal the middleware put in ctx.
func FromContext(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(*Principal)
	return p, ok
}

// Error is a refusal of a token: the status (401 or 403) and the
// WWW-Authenticate challenge a resource server answers with (RFC 6750 §3).
type Error struct {
	Status int    // 401 or 403
	Code   string // "" (no token), "invalid_token" or "insufficient_scope"
	Scope  string // the scope required, for insufficient_scope
	Reason string // for the error_description and logs
}

func (e *Error) Error() string {
	if e.Reason == "" {
		return e.Code
	}
	return e.Reason
}

// Challenge returns the WWW-Authenticate value of e: `Bearer` alone for a
// missing token, with error (and error_description) for an invalid one,
// with error and scope for a missing scope, as scoped answers.
func (e *Error) Challenge() string {
	switch e.Code {
	case "":
		return "Bearer"
	case "insufficient_scope":
		return `Bearer error="insufficient_scope", scope="` + e.Scope + `"`
	}
	return `Bearer error="` + e.Code + `", error_description="` + headerSafe(e.Reason) + `"`
}

// headerSafe keeps a message within the quoted-string of a header.
func headerSafe(s string) string {
	out := []rune(s)
	for i, r := range out {
		if r == '"' || r == '\\' || r < 0x20 || r > 0x7e {
			out[i] = '\''
		}
	}
	return string(out)
}

// Refusals of tokens, as the middleware answers them.
var (
	ErrNoToken = &Error{Status: 401, Reason: "an access token is required"}
)

// InvalidToken is the 401 of a token that fails a check.
func InvalidToken(reason string) *Error {
	return &Error{Status: 401, Code: "invalid_token", Reason: reason}
}

// InsufficientScope is the 403 of a valid token without the scope.
func InsufficientScope(scope config.Scope) *Error {
	return &Error{Status: 403, Code: "insufficient_scope", Scope: scope.String(), Reason: "this resource requires scope " + scope.String()}
}

// CheckScope returns InsufficientScope unless the granted scope of a token
// holds every element of required, by scoped's own rule for its resources
// (config.Scope.HasRole): granted elements are taken literally (a granted
// "*" is only an element named "*"; wildcards act when a scope is granted,
// not when it is used), and an admin role holds the roles below it.
func CheckScope(granted, required config.Scope) error {
	for _, e := range required {
		if !granted.HasRole(e) {
			return InsufficientScope(required)
		}
	}
	return nil
}
