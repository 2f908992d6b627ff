package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/scopectl/scopectl/sync/accesstoken/accesstokentest"
	"github.com/scopectl/scopectl/sync/oauth"
	"github.com/scopectl/scopectl/sync/server/servertest"
)

// signWithStoreKey signs claims with the active key of the store, as a
// local user who read the database file could.
func (e *env) signWithStoreKey(claims map[string]any) string {
	e.t.Helper()
	keys, err := e.store.SigningKeys(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return accesstokentest.SignPEM(e.t, keys[0].PrivatePEM, keys[0].ID, claims)
}

// TestStolenKeyCannotMintLongLivedTokens: an admin token signed with the
// real signing key (read from the database) but valid until 2100 is
// refused, as is one claiming more than the configured lifetime; the
// same token with an ordinary lifetime passes, so the lifetime is what
// is refused.
func TestStolenKeyCannotMintLongLivedTokens(t *testing.T) {
	e := newEnv(t)
	admin, err := e.store.Client(context.Background(), "mfp", "admin")
	if err != nil {
		t.Fatal(err)
	}
	iss := e.url + "/mfp/api/az/v1"
	now := time.Now()
	forge := func(iat, exp time.Time) string {
		c := accesstokentest.Claims(iss, "admin", "mfpadmin", iat, exp)
		c["sv"] = admin.SecretSetAt.UnixMicro()
		return e.signWithStoreKey(c)
	}
	e.do("GET", apps, bearer(forge(now, now.Add(time.Hour))), nil).want(t, 200)
	for name, token := range map[string]string{
		"exp in 2100":                forge(now, time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)),
		"two hours with a 1 h TTL":   forge(now, now.Add(2*time.Hour)),
		"backdated iat, far exp":     forge(now.Add(-100*time.Hour), now.Add(time.Hour+5*time.Minute)),
		"exp in 2100 and iat future": forge(time.Date(2099, 12, 31, 0, 0, 0, 0, time.UTC), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)),
	} {
		t.Run(name, func(t *testing.T) {
			r := e.do("GET", apps, bearer(token), nil).want(t, 401)
			if h := r.header.Get("WWW-Authenticate"); !strings.HasPrefix(h, `Bearer error="invalid_token"`) {
				t.Errorf("WWW-Authenticate %q", h)
			}
			r = e.do("GET", apps, bearer(token), nil).want(t, 401) // also once its signature is cached
		})
	}
}

// TestRetiredKeyRevokesTokensOnEveryInstance: two servers on one SQLite
// file; a token verified (and cached) by both is refused by both once its
// key is retired and oauth.KeyRefresh has passed on their clock. The
// retired key was the active one, so new tokens carry a new kid, which
// both accept, and the JWKS no longer lists the retired key.
func TestRetiredKeyRevokesTokensOnEveryInstance(t *testing.T) {
	clk := servertest.NewClock()
	a := newEnvWith(t, servertest.Options{Now: clk.Now})
	b := newEnvWith(t, servertest.Options{Now: clk.Now, DB: a.srv.DB, Issuer: a.url})
	tok := a.token("monitor", "monitor-secret", "mfpmonitor")
	for _, e := range []*env{a, b} {
		e.do("GET", apps, bearer(tok), nil).want(t, 200)
	}
	old := kidOf(t, tok)

	r, err := oauth.Retire(context.Background(), b.store, old)
	if err != nil || r.NewKey == "" || r.Key.Status != oauth.KeyActive {
		t.Fatalf("retire the active key: %+v %v", r, err)
	}
	clk.Advance(oauth.KeyRefresh + time.Millisecond)
	for name, e := range map[string]*env{"instance a": a, "instance b": b} {
		resp := e.do("GET", apps, bearer(tok), nil)
		if resp.status != 401 || !strings.Contains(resp.header.Get("WWW-Authenticate"), "retired key") {
			t.Errorf("%s: token of the retired key: %d %s %s", name, resp.status, resp.header.Get("WWW-Authenticate"), resp.body)
		}
	}
	fresh := a.token("monitor", "monitor-secret", "mfpmonitor")
	if kid := kidOf(t, fresh); kid != r.NewKey {
		t.Errorf("new token signed by %s, want the new key %s", kid, r.NewKey)
	}
	b.do("GET", apps, bearer(fresh), nil).want(t, 200)
	var jwks jose.JSONWebKeySet
	b.do("GET", "/mfp/api/az/v1/jwks", nil, nil).want(t, 200).json(t, &jwks)
	if len(jwks.Keys) != 1 || jwks.Keys[0].KeyID != r.NewKey {
		t.Errorf("JWKS after retiring %s: %+v", old, jwks.Keys)
	}
}

func kidOf(t *testing.T, token string) string {
	t.Helper()
	parsed, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	return parsed.Headers[0].KeyID
}

// TestRetiringAnOlderKeyKeepsTheActiveOne: retiring the previous key
// revokes its tokens only; the active key keeps signing and verifying.
func TestRetiringAnOlderKeyKeepsTheActiveOne(t *testing.T) {
	clk := servertest.NewClock()
	e := newEnvWith(t, servertest.Options{Now: clk.Now})
	before := e.token("monitor", "monitor-secret", "mfpmonitor")
	if _, err := oauth.Rotate(context.Background(), e.store); err != nil {
		t.Fatal(err)
	}
	clk.Advance(oauth.KeyRefresh + time.Millisecond)
	after := e.token("monitor", "monitor-secret", "mfpmonitor")
	if kidOf(t, after) == kidOf(t, before) {
		t.Fatal("the rotation was not picked up")
	}
	e.do("GET", apps, bearer(before), nil).want(t, 200)
	r, err := oauth.Retire(context.Background(), e.store, kidOf(t, before))
	if err != nil || r.NewKey != "" || r.Key.Status != oauth.KeyPublished {
		t.Fatalf("retire the previous key: %+v %v", r, err)
	}
	clk.Advance(oauth.KeyRefresh + time.Millisecond)
	e.do("GET", apps, bearer(before), nil).want(t, 401)
	e.do("GET", apps, bearer(after), nil).want(t, 200)
	if again := e.token("monitor", "monitor-secret", "mfpmonitor"); kidOf(t, again) != kidOf(t, after) {
		t.Error("retiring an older key changed the active key")
	}
}
