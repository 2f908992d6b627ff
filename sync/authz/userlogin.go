package authz

import (
	"context"
	"fmt"
	"time"

	"github.com/scopectl/scopectl/config"
)

// userLogin is the user-login check (config.CheckUserLogin), as the
// platform's UserAuthenticationSecurityCheck: the client answers a
// challenge with {"username", "password", "rememberMe"}, checked against
// a user registry, with the attempts of lifecycle. A login remembered
// (rememberMeDurationSec) passes again without credentials after its
// success expired, while its user is still registered.
type userLogin struct {
	users    UserRegistry
	defaults config.Properties
	limit    *failureLimiter // failed logins per user name, across clients
}

// credentials are a decoded answer to the user-login challenge.
type credentials struct {
	username, password string
	rememberMe         bool
}

// Evaluate passes a client in success or remembered, and otherwise
// challenges it or checks its answer.
func (c *userLogin) Evaluate(ctx context.Context, in Input) (Outcome, error) {
	s := in.State.Current(in.Now)
	l := newLifecycle(in.Properties, c.defaults)
	if out, ok := l.settled(s); ok {
		return out, nil
	}
	if out, ok, err := c.remembered(ctx, l, s, in.Now); ok || err != nil {
		return out, err
	}
	if in.Response == nil {
		return l.challenge(s, in.Now, ""), nil
	}
	cred, err := decodeCredentials(in.Response)
	if err != nil {
		return l.challenge(s, in.Now, err.Error()), nil
	}
	if until, refused := c.limit.refusedUntil(cred.username, in.Now); refused {
		return l.challenge(s, in.Now, "too many failed logins for this user; try again after "+until.UTC().Format(time.RFC3339)), nil
	}
	right, err := c.users.Authenticate(ctx, cred.username, cred.password)
	if err != nil {
		return Outcome{}, fmt.Errorf("user login: %w", err)
	}
	if !right {
		c.limit.fail(cred.username, in.Now)
	}
	if right {
		s.User, s.RememberUntil = cred.username, time.Time{}
		if cred.rememberMe {
			s.RememberUntil = in.Now.Add(seconds(in.Properties, c.defaults, "rememberMeDurationSec"))
		}
	}
	return l.attempt(s, in.Now, right, "wrong user name or password"), nil
}

// remembered passes a client whose login is still remembered at now and
// whose user is still registered, no longer than the login is remembered;
// ok is false otherwise.
func (c *userLogin) remembered(ctx context.Context, l lifecycle, s CheckState, now time.Time) (out Outcome, ok bool, err error) {
	if s.User == "" || !now.Before(s.RememberUntil) {
		return Outcome{}, false, nil
	}
	exists, err := c.users.Exists(ctx, s.User)
	if err != nil || !exists {
		return Outcome{}, false, err
	}
	out = l.succeed(s, now)
	if out.State.Expires.After(s.RememberUntil) {
		out.State.Expires = s.RememberUntil
	}
	return out, true, nil
}

func decodeCredentials(resp map[string]any) (credentials, error) {
	var cred credentials
	var err error
	if cred.username, err = stringField(resp, "username"); err != nil {
		return cred, err
	}
	if cred.password, err = stringField(resp, "password"); err != nil {
		return cred, err
	}
	cred.rememberMe, err = boolField(resp, "rememberMe")
	return cred, err
}
