package authz

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/accesstoken"
)

// TokenIssuer signs access tokens with the deployment's active key, the
// same tokens, JWKS and introspection as the client-credentials grant.
type TokenIssuer interface {
	// Sign signs c as an RFC 9068 access token; it sets the token id.
	Sign(ctx context.Context, c accesstoken.Claims) (string, error)
}

// RefreshLifetime is how long a refresh token may be used (once).
const RefreshLifetime = 30 * 24 * time.Hour

// The grant types of the token endpoint that the runtime answers.
const (
	GrantTypeCode    = "authorization_code"
	GrantTypeRefresh = "refresh_token"
)

// ErrInvalidGrant is in the chain of every error about a code or refresh
// token that is unknown, used, expired, or another client's: the token
// endpoint answers invalid_grant.
var ErrInvalidGrant = errors.New("invalid_grant")

// TokenRequest is a token request of a registered client.
type TokenRequest struct {
	GrantType    string
	Code         string // authorization_code
	RedirectURI  string // authorization_code: as in the authorization request
	RefreshToken string // refresh_token
	Assertion    string
	Audience     string // the runtime's issuer URL: the assertion's aud and the token's iss
}

// Token is the answer of the token endpoint (RFC 6749 §5.1).
type Token struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	Scope        string `json:"scope"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

// Token exchanges a code or a refresh token for an access token. The scope
// is resolved again through the head revision, so a push takes effect at
// the next token: with a code every check must still stand in success and
// the token lives until the first success ends; with a refresh token it
// lives as long as config.Resolve says. Both are capped by
// maxTokenExpiration and MaxLifetime. A code is spent by the request
// that presents it, whatever the answer; a refresh token only by the
// token that replaces it: when no token is issued (a refusal, a lifetime
// under a second, a failure to sign or to store its successor), it is
// restored.
func (rt *Runtime) Token(ctx context.Context, req TokenRequest) (Token, error) {
	c, jti, err := rt.verify(ctx, req.Assertion, req.Audience)
	if err != nil {
		return Token{}, err
	}
	if _, err := rt.descriptor(ctx, c.App); err != nil {
		return Token{}, err // a deleted application's clients get nothing, their grants stay unspent
	}
	g, err := rt.takeGrant(ctx, c, req, jti)
	if err != nil {
		return Token{}, err
	}
	t, err := rt.exchange(ctx, c, req.Audience, g)
	if err != nil && g.Kind == GrantRefresh {
		return Token{}, rt.restore(ctx, g, err)
	}
	return t, err
}

// exchange issues the token of a grant that was taken.
func (rt *Runtime) exchange(ctx context.Context, c Client, issuer string, g Grant) (Token, error) {
	lifetime, user, err := rt.grantLifetime(ctx, c, g)
	if err != nil {
		return Token{}, err
	}
	return rt.issue(ctx, c, issuer, g.Scope, user, lifetime)
}

// restore stores again a refresh token taken for a token that could not be
// issued (cause), even when the request was canceled: TakeGrant cannot
// return it to the store in the same transaction, since what it holds
// (scope, user) decides the token. A restore that fails loses the refresh
// token, an internal error; one whose client is gone is not a failure.
func (rt *Runtime) restore(ctx context.Context, g Grant, cause error) error {
	err := rt.Store.AddGrant(context.WithoutCancel(ctx), g)
	if err == nil || config.ErrorKind(err) == config.KindNotFound {
		return cause
	}
	msg := fmt.Sprintf("restore a refresh token of client %s (not issued: %v): %v", g.ClientID, cause, err)
	return &config.Error{Kind: config.KindInternal, Message: msg, Err: err} // internal: users see neither cause
}

// takeGrant spends the code or refresh token of req, which must be c's,
// and the assertion's jti with it.
func (rt *Runtime) takeGrant(ctx context.Context, c Client, req TokenRequest, jti Grant) (Grant, error) {
	kind, value, what := GrantCode, req.Code, "code"
	switch req.GrantType {
	case GrantTypeCode:
	case GrantTypeRefresh:
		kind, value, what = GrantRefresh, req.RefreshToken, "refresh token"
	default:
		return Grant{}, config.Errorf(config.KindInvalid, "unsupported grant_type %q", req.GrantType)
	}
	if value == "" {
		return Grant{}, invalidGrant("the %s is missing", what)
	}
	g, err := rt.Store.TakeGrant(ctx, GrantKey{Runtime: rt.Name, ClientID: c.ID, Kind: kind, Hash: hashValue(value)}, jti)
	switch {
	case config.ErrorKind(err) == config.KindConflict:
		return Grant{}, replayed(err)
	case config.ErrorKind(err) == config.KindNotFound:
		return Grant{}, invalidGrant("the %s is unknown, used or expired", what)
	case err != nil:
		return Grant{}, err
	case g.Kind != kind || g.ClientID != c.ID || !rt.now().Before(g.Expires):
		return Grant{}, invalidGrant("the %s is unknown, used or expired", what)
	case kind == GrantCode && g.RedirectURI != req.RedirectURI:
		return Grant{}, invalidGrant("redirect_uri differs from the authorization request's")
	}
	return g, nil
}

// grantLifetime recomputes a grant's token lifetime from the head revision.
func (rt *Runtime) grantLifetime(ctx context.Context, c Client, g Grant) (time.Duration, string, error) {
	if g.Kind == GrantCode {
		lifetime, user, err := rt.passed(ctx, c, g.Scope)
		return min(lifetime, g.Lifetime), user, err
	}
	if !slices.Contains(rt.RefreshApps, c.App.ID) {
		return 0, "", invalidGrant("refresh tokens are no longer enabled for %s", c.App.ID)
	}
	d, err := rt.descriptor(ctx, c.App)
	if err != nil {
		return 0, "", err
	}
	r := rt.resolve(d, g.Scope)
	if err := rt.refreshable(ctx, c, g, r.Checks); err != nil {
		return 0, "", err
	}
	return rt.capLifetime(time.Duration(r.Lifetime.Seconds) * time.Second), g.User, nil
}

// refreshable refuses a refresh when a check of the scope, as the head
// revision resolves it, is blocked now or has never run for the client (a
// push added it), or when the token's user has left the registry: a
// refresh token stands for checks passed, not for checks skipped.
func (rt *Runtime) refreshable(ctx context.Context, c Client, g Grant, checks []config.ResolvedCheck) error {
	states, err := rt.Store.CheckStates(ctx, rt.Name, c.ID)
	if err != nil {
		return err
	}
	now := rt.now()
	for _, rc := range checks {
		s, ran := states[rc.Name]
		switch {
		case !ran:
			return invalidGrant("security check %s was added to the scope; run preauthorization", rc.Name)
		case s.Current(now).State == StateBlocked:
			return invalidGrant("security check %s is blocked until %s", rc.Name, s.Expires.UTC().Format(time.RFC3339))
		}
	}
	if g.User != "" && rt.Users != nil {
		if ok, err := rt.Users.Exists(ctx, g.User); err != nil || !ok {
			return cmp.Or(err, invalidGrant("user %q is no longer registered", g.User))
		}
	}
	return nil
}

// issue signs the access token and, for the applications that have them,
// a new refresh token.
func (rt *Runtime) issue(ctx context.Context, c Client, issuer string, scope config.Scope, user string, lifetime time.Duration) (Token, error) {
	now := rt.now()
	if lifetime < time.Second {
		return Token{}, config.Errorf(config.KindForbidden, "a security check's success has just ended; run preauthorization again")
	}
	claims := accesstoken.Claims{
		Issuer: issuer, Subject: cmp.Or(user, c.ID), Audience: jwt.Audience{issuer}, ClientID: c.ID, Scope: scope.String(), // sub: the resource owner (RFC 9068 §2.2)
		IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(lifetime)),
		AppID: c.App.ID, AppPlatform: string(c.App.Platform), AppVersion: c.App.Version, User: user,
	}
	access, err := rt.Tokens.Sign(ctx, claims)
	if err != nil {
		return Token{}, err
	}
	expiresIn := claims.Expiry.Time().Unix() - claims.IssuedAt.Time().Unix() // as the token says, in whole seconds
	t := Token{AccessToken: access, TokenType: "Bearer", ExpiresIn: expiresIn, Scope: scope.String()}
	if slices.Contains(rt.RefreshApps, c.App.ID) {
		t.RefreshToken = randomValue()
		g := Grant{Hash: hashValue(t.RefreshToken), Kind: GrantRefresh, Runtime: rt.Name, ClientID: c.ID, App: c.App,
			Scope: scope, User: user, Expires: now.Add(RefreshLifetime)}
		if err := rt.Store.AddGrant(ctx, g); err != nil {
			return Token{}, err
		}
	}
	return t, nil
}

func invalidGrant(format string, args ...any) error {
	e := config.Errorf(config.KindInvalid, format, args...)
	e.Err = ErrInvalidGrant
	return e
}
