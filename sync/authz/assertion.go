package authz

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/api"
)

// AssertionType is the client_assertion_type of a private_key_jwt client
// assertion (RFC 7523 §2.2).
const AssertionType = api.AssertionType

// Limits of a client assertion: it must expire within MaxAssertionLifetime
// of now, and clocks may differ by assertionLeeway.
const (
	MaxAssertionLifetime = 5 * time.Minute
	assertionLeeway      = 30 * time.Second
)

// GrantAssertion marks an assertion's jti as used until the assertion
// expires, so that a replayed assertion is refused on every instance.
const GrantAssertion GrantKind = "assertion"

// verify checks a client assertion (RFC 7523 §3): a JWT signed by the key
// the client registered, with iss and sub the client id, aud the runtime's
// issuer URL (or its token endpoint), an exp at most MaxAssertionLifetime
// ahead, and a jti. It returns the client and the grant that spends the
// jti, for the caller to store with its own writes in one transaction (a
// KindConflict from the store is then a replay: see replayed). Every
// request must store it: the client may come from a clientCache, and the
// store's refusal of a deleted client's grants is what refuses it. Every
// failure is a KindUnauthorized error that says no more than "invalid
// client assertion" and why in general terms.
func (rt *Runtime) verify(ctx context.Context, assertion, audience string) (Client, Grant, error) {
	tok, err := jwt.ParseSigned(assertion, Algorithms)
	if err != nil {
		return Client{}, Grant{}, unauthorized("it is not a JWT signed with ES256 or RS256")
	}
	var unverified jwt.Claims
	if err := tok.UnsafeClaimsWithoutVerification(&unverified); err != nil || unverified.Issuer == "" {
		return Client{}, Grant{}, unauthorized("it names no issuer")
	}
	c, key, err := rt.clients.get(ctx, unverified.Issuer, rt.now(), func(ctx context.Context, id string) (Client, error) {
		return rt.Store.MobileClient(ctx, rt.Name, id)
	})
	if config.ErrorKind(err) == config.KindNotFound {
		return Client{}, Grant{}, unauthorized("no such client")
	} else if err != nil {
		return Client{}, Grant{}, err
	}
	claims, err := verifyAssertion(tok, unverified, key, c.ID, audience, rt.now())
	if err != nil {
		return Client{}, Grant{}, err
	}
	return c, rt.spent(c, claims), nil
}

// verifyAssertion checks the signature of tok with the key of client id,
// then its claims, decoded before the signature was checked: the
// signature covers the very bytes they were decoded from.
func verifyAssertion(tok *jwt.JSONWebToken, claims jwt.Claims, key *jose.JSONWebKey, id, audience string, now time.Time) (jwt.Claims, error) {
	if len(tok.Headers) != 1 || tok.Headers[0].Algorithm != string(algorithmOf(key)) {
		return claims, unauthorized("its alg does not match the registered key")
	}
	if err := tok.Claims(key.Key); err != nil {
		return claims, unauthorized("its signature does not verify with the registered key")
	}
	// aud: the issuer, or its token endpoint (RFC 7523 §3 allows both)
	want := jwt.Expected{Issuer: id, Subject: id, AnyAudience: jwt.Audience{audience, audience + "/token"}, Time: now}
	if err := claims.ValidateWithLeeway(want, assertionLeeway); err != nil {
		return claims, unauthorized("its claims are wrong: " + err.Error())
	}
	switch {
	case claims.Expiry == nil || claims.ID == "":
		return claims, unauthorized("it needs exp and jti")
	case claims.Expiry.Time().After(now.Add(MaxAssertionLifetime)):
		return claims, unauthorized("it must expire within 5 minutes")
	}
	return claims, nil
}

// authenticate verifies a client assertion as verify does and spends its
// jti at once, for a request that spends nothing else: a replayed
// assertion is refused before the request does any work. It returns the
// client's check states as stored right after the spend, for its checks
// to run from (Store.SpendAssertion: one store call, not two).
func (rt *Runtime) authenticate(ctx context.Context, assertion, audience string) (Client, map[string]CheckState, error) {
	c, jti, err := rt.verify(ctx, assertion, audience)
	if err != nil {
		return Client{}, nil, err
	}
	states, err := rt.Store.SpendAssertion(ctx, jti)
	if config.ErrorKind(err) == config.KindNotFound {
		return Client{}, nil, unauthorized("no such client") // deleted meanwhile, or since it was cached
	} else if err != nil {
		return Client{}, nil, replayed(err)
	}
	return c, states, nil
}

// spent is the grant that records the assertion's jti until the
// assertion expires; storing it when it is recorded already (a
// KindConflict) means a replay.
func (rt *Runtime) spent(c Client, claims jwt.Claims) Grant {
	sum := sha256.Sum256([]byte(c.ID + "\x00" + claims.ID))
	return Grant{Hash: hex.EncodeToString(sum[:]), Kind: GrantAssertion, Runtime: rt.Name, ClientID: c.ID, App: c.App,
		Expires: claims.Expiry.Time().Add(assertionLeeway)}
}

// replayed answers the KindConflict of storing a spent jti as a replayed
// assertion; other errors are returned as they are.
func replayed(err error) error {
	if config.ErrorKind(err) == config.KindConflict {
		return unauthorized("it was used before (jti)")
	}
	return err
}

func unauthorized(why string) error {
	return config.Errorf(config.KindUnauthorized, "invalid client assertion: %s", why)
}
