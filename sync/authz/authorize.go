package authz

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"time"

	"github.com/scopectl/scopectl/config"
)

// CodeLifetime is how long an authorization code may be exchanged.
const CodeLifetime = time.Minute

// maxRedirectURI bounds the redirect_uri a code is issued for.
const maxRedirectURI = 2048

// AuthorizeRequest asks for an authorization code for Scope, for the client
// that signed Assertion, once every check of the scope has passed.
type AuthorizeRequest struct {
	ClientID    string // the client_id parameter: the assertion's client
	Assertion   string
	Audience    string
	Scope       config.Scope
	RedirectURI string
}

// Authorize issues an authorization code when every check that the scope
// resolves to (the mandatory scope's included) stands in success for the
// client now; otherwise it is a KindForbidden error naming the checks to
// pass through preauthorization. The code is good for one exchange within
// CodeLifetime, at the token endpoint, with the same redirect URI.
func (rt *Runtime) Authorize(ctx context.Context, req AuthorizeRequest) (string, error) {
	if err := checkRedirectURI(req.RedirectURI); err != nil {
		return "", err
	}
	c, jti, err := rt.verify(ctx, req.Assertion, req.Audience)
	if err != nil {
		return "", err
	}
	if req.ClientID != c.ID {
		return "", config.Errorf(config.KindInvalid, "client_id must be the client that signed the assertion")
	}
	lifetime, user, err := rt.passed(ctx, c, req.Scope)
	if err != nil {
		return "", err
	}
	code := randomValue()
	g := Grant{Hash: hashValue(code), Kind: GrantCode, Runtime: rt.Name, ClientID: c.ID, App: c.App, Scope: req.Scope,
		Lifetime: lifetime, User: user, RedirectURI: req.RedirectURI, Expires: rt.now().Add(CodeLifetime)}
	if err := rt.Store.AddGrant(ctx, jti, g); err != nil {
		return "", replayed(err) // a code is 32 random bytes: a conflict is the jti's
	}
	return code, nil
}

// passed checks that every check of scope, resolved through the head
// revision, stands in success for c now, as standing says.
func (rt *Runtime) passed(ctx context.Context, c Client, scope config.Scope) (time.Duration, string, error) {
	d, err := rt.descriptor(ctx, c.App)
	if err != nil {
		return 0, "", err
	}
	states, err := rt.Store.CheckStates(ctx, rt.Name, c.ID)
	if err != nil {
		return 0, "", err
	}
	return rt.standing(d, rt.resolve(d, scope).Checks, states)
}

// standing checks that every one of checks stands in success in states
// now, and returns how long a token may live: until the first of those
// successes ends, capped by the maxTokenExpiration of d and MaxLifetime.
// It also returns the user a user-login check authenticated, if any. A
// check that has not passed is a KindForbidden error naming it.
func (rt *Runtime) standing(d *config.Descriptor, checks []config.ResolvedCheck, states map[string]CheckState) (time.Duration, string, error) {
	now := rt.now()
	lifetime := rt.capLifetime(time.Duration(d.EffectiveMaxTokenExpiration()) * time.Second)
	var missing []string
	var user string
	for _, rc := range checks {
		s := states[rc.Name].Current(now)
		if _, known := rt.Checks.Lookup(rc.Name); !known || s.State != StateSuccess {
			missing = append(missing, rc.Name)
			continue
		}
		lifetime = min(lifetime, s.Expires.Sub(now))
		if s.User != "" {
			user = s.User
		}
	}
	if len(missing) > 0 {
		return 0, "", config.Errorf(config.KindForbidden, "security checks not passed: %s; run preauthorization for this scope first", config.NewScope(missing...))
	}
	return lifetime, user, nil
}

// capLifetime caps a token lifetime at MaxLifetime, when set.
func (rt *Runtime) capLifetime(d time.Duration) time.Duration {
	if rt.MaxLifetime > 0 {
		return min(d, rt.MaxLifetime)
	}
	return d
}

func checkRedirectURI(s string) error {
	u, err := url.Parse(s)
	if s == "" || len(s) > maxRedirectURI || err != nil || !u.IsAbs() || u.Fragment != "" {
		return config.Errorf(config.KindInvalid, "redirect_uri must be an absolute URI without a fragment, at most %d bytes", maxRedirectURI)
	}
	return nil
}

// hashValue returns the hex SHA-256 of a code or refresh token: the form
// in which the store keeps it.
func hashValue(v string) string {
	sum := sha256.Sum256([]byte(v))
	return hex.EncodeToString(sum[:])
}
