package authz

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/accesstoken"
	"github.com/scopectl/scopectl/sync/api"
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
	// GrantTypeJWTBearer is the JWT authorization grant (RFC 7523 §2.1):
	// the client's own assertion is the grant, good for a token of a scope
	// whose checks all stand in success, as an authorization code is. It
	// saves the authorization request and its code.
	GrantTypeJWTBearer = api.GrantTypeJWTBearer
)

// ErrInvalidGrant is in the chain of every error about a code or refresh
// token that is unknown, used, expired, or another client's: the token
// endpoint answers invalid_grant.
var ErrInvalidGrant = errors.New("invalid_grant")

// TokenRequest is a token request of a registered client.
type TokenRequest struct {
	GrantType    string
	Code         string       // authorization_code
	RedirectURI  string       // authorization_code: as in the authorization request
	RefreshToken string       // refresh_token
	Scope        config.Scope // jwt-bearer: the scope asked for
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
// maxTokenExpiration and MaxLifetime. The grant is read, the token signed,
// then the grant taken in one transaction with the assertion's jti and the
// successor refresh token: a refresh token is spent only by the token that
// replaces it, and a refusal, a lifetime under a second or a failure to
// sign or to store leaves it to the client. A code is spent by any answer
// (refused).
func (rt *Runtime) Token(ctx context.Context, req TokenRequest) (Token, error) {
	if req.GrantType == GrantTypeJWTBearer {
		return rt.bearerToken(ctx, req)
	}
	c, jti, err := rt.verify(ctx, req.Assertion, req.Audience)
	if err != nil {
		return Token{}, err
	}
	if _, err := rt.descriptor(ctx, c.App); err != nil {
		return Token{}, err // a deleted application's clients get nothing, their grants stay unspent
	}
	key, what, err := rt.grantKey(c, req)
	if err != nil {
		return Token{}, err
	}
	t, successor, err := rt.grantToken(ctx, c, req, key, what)
	if err != nil {
		return Token{}, rt.refused(ctx, key, jti, what, err)
	}
	if _, err := rt.Store.TakeGrant(ctx, key, append([]Grant{jti}, successor...)...); err != nil {
		return Token{}, grantError(err, what) // taken by another request meanwhile, or the assertion replayed
	}
	return t, nil
}

// bearerToken answers the JWT authorization grant: once its jti is spent,
// the checks of req.Scope run as a preauthorization without answers does
// (a success that lasts passes again, writing nothing), and a token is
// issued when every one passes, living until the first success ends,
// capped as a code's token. Otherwise the refusal (KindForbidden) carries
// the Preauthorization as its Details: the challenges to answer through
// preauthorization, or the failures. One request gets a token for a
// client whose checks stand, where the code flow takes three.
func (rt *Runtime) bearerToken(ctx context.Context, req TokenRequest) (Token, error) {
	c, read, err := rt.authenticate(ctx, req.Assertion, req.Audience)
	if err != nil {
		return Token{}, err
	}
	d, err := rt.descriptor(ctx, c.App)
	if err != nil {
		return Token{}, err
	}
	checks := rt.resolve(d, req.Scope).Checks
	p, states, err := rt.run(ctx, c, checks, nil, read)
	if err != nil {
		return Token{}, err
	}
	lifetime, user, err := rt.standing(d, checks, states)
	if refusal := (*config.Error)(nil); errors.As(err, &refusal) && refusal.Kind == config.KindForbidden {
		refusal.Details = p // what to answer, or why not
	}
	if err != nil {
		return Token{}, err
	}
	t, successor, err := rt.issue(ctx, c, req.Audience, req.Scope, user, lifetime)
	if err == nil && len(successor) > 0 {
		err = rt.Store.AddGrant(ctx, successor...)
	}
	if err != nil {
		return Token{}, err
	}
	return t, nil
}

// grantToken signs the token that the grant key names gives c and makes
// its successor refresh token, without spending the grant.
func (rt *Runtime) grantToken(ctx context.Context, c Client, req TokenRequest, key GrantKey, what string) (Token, []Grant, error) {
	g, err := rt.readGrant(ctx, key, what, req.RedirectURI)
	if err != nil {
		return Token{}, nil, err
	}
	lifetime, user, err := rt.grantLifetime(ctx, c, g)
	if err != nil {
		return Token{}, nil, err
	}
	return rt.issue(ctx, c, req.Audience, g.Scope, user, lifetime)
}

// refused answers a token request that gets no token (cause), spending
// the assertion's jti (a replayed assertion is told so). A code is spent
// all the same: it is good for one try, so a stolen code tried with the
// wrong redirect_uri is no use to anyone after. A refresh token stays, for
// a later request to spend.
func (rt *Runtime) refused(ctx context.Context, key GrantKey, jti Grant, what string, cause error) error {
	var err error
	if key.Kind == GrantCode {
		_, err = rt.Store.TakeGrant(ctx, key, jti)
	} else {
		err = rt.Store.AddGrant(ctx, jti)
	}
	if err != nil && config.ErrorKind(err) != config.KindNotFound {
		return grantError(err, what)
	}
	return cause
}

// grantKey names the code or refresh token of req, which must be c's, and
// says which it is ("code", "refresh token").
func (rt *Runtime) grantKey(c Client, req TokenRequest) (GrantKey, string, error) {
	kind, value, what := GrantCode, req.Code, "code"
	switch req.GrantType {
	case GrantTypeCode:
	case GrantTypeRefresh:
		kind, value, what = GrantRefresh, req.RefreshToken, "refresh token"
	default:
		return GrantKey{}, "", config.Errorf(config.KindInvalid, "unsupported grant_type %q", req.GrantType)
	}
	if value == "" {
		return GrantKey{}, "", invalidGrant("the %s is missing", what)
	}
	return GrantKey{Runtime: rt.Name, ClientID: c.ID, Kind: kind, Hash: hashValue(value)}, what, nil
}

// readGrant returns the grant key names, unexpired, and a code only for
// the redirect URI it was issued for.
func (rt *Runtime) readGrant(ctx context.Context, key GrantKey, what, redirectURI string) (Grant, error) {
	g, err := rt.Store.Grant(ctx, key)
	switch {
	case err != nil:
		return Grant{}, grantError(err, what)
	case !rt.now().Before(g.Expires): // kind and client: the store reads only key's
		return Grant{}, invalidGrant("the %s is unknown, used or expired", what)
	case key.Kind == GrantCode && g.RedirectURI != redirectURI:
		return Grant{}, invalidGrant("redirect_uri differs from the authorization request's")
	}
	return g, nil
}

// grantError answers a store's error about a grant (what): a conflict is
// the assertion's jti spent already, a grant not found is invalid_grant.
func grantError(err error, what string) error {
	switch config.ErrorKind(err) {
	case config.KindConflict:
		return replayed(err)
	case config.KindNotFound:
		return invalidGrant("the %s is unknown, used or expired", what)
	}
	return err
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
// makes a new refresh token: its grant is returned, for the caller to store.
func (rt *Runtime) issue(ctx context.Context, c Client, issuer string, scope config.Scope, user string, lifetime time.Duration) (Token, []Grant, error) {
	now := rt.now()
	if lifetime < time.Second {
		return Token{}, nil, config.Errorf(config.KindForbidden, "a security check's success has just ended; run preauthorization again")
	}
	claims := accesstoken.Claims{
		Issuer: issuer, Subject: cmp.Or(user, c.ID), Audience: jwt.Audience{issuer}, ClientID: c.ID, Scope: scope.String(), // sub: the resource owner (RFC 9068 §2.2)
		IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(lifetime)),
		AppID: c.App.ID, AppPlatform: string(c.App.Platform), AppVersion: c.App.Version, User: user, DeviceID: c.Device.ID,
	}
	access, err := rt.Tokens.Sign(ctx, claims)
	if err != nil {
		return Token{}, nil, err
	}
	expiresIn := claims.Expiry.Time().Unix() - claims.IssuedAt.Time().Unix() // as the token says, in whole seconds
	t := Token{AccessToken: access, TokenType: "Bearer", ExpiresIn: expiresIn, Scope: scope.String()}
	if !slices.Contains(rt.RefreshApps, c.App.ID) {
		return t, nil, nil
	}
	t.RefreshToken = randomValue()
	g := Grant{Hash: hashValue(t.RefreshToken), Kind: GrantRefresh, Runtime: rt.Name, ClientID: c.ID, App: c.App,
		Scope: scope, User: user, Expires: now.Add(RefreshLifetime)}
	return t, []Grant{g}, nil
}

func invalidGrant(format string, args ...any) error {
	e := config.Errorf(config.KindInvalid, format, args...)
	e.Err = ErrInvalidGrant
	return e
}
