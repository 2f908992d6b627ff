package oauth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/scopectl/scopectl/config"
)

// Claims are the claims of an access token (RFC 9068 §2.2).
type Claims struct {
	Issuer   string           `json:"iss"`
	Subject  string           `json:"sub"`
	Audience jwt.Audience     `json:"aud"`
	ClientID string           `json:"client_id"`
	Scope    string           `json:"scope"`
	IssuedAt *jwt.NumericDate `json:"iat"`
	Expiry   *jwt.NumericDate `json:"exp"`
	ID       string           `json:"jti"`
	// SecretVersion identifies the client secret the token was issued
	// under (when it was set, in Unix microseconds); a token whose client
	// has another secret now is refused.
	SecretVersion int64 `json:"sv,omitempty"`
}

// Tokens issues and verifies the access tokens of one deployment.
type Tokens struct {
	Keys *KeySet
	// TTL is the lifetime of issued tokens, and the longest lifetime a
	// token may claim to be accepted: a token whose exp is more than TTL
	// after its iat, or more than TTL (plus clock skew) from now, is
	// refused even if a published key signed it.
	TTL time.Duration
	// Now returns the current time; tests may replace it.
	Now func() time.Time

	mu       sync.Mutex
	verified map[[sha256.Size]byte]verifiedToken // tokens whose signature checked out
}

// verifiedToken is a token whose signature checked out, and the key that
// signed it: it stays accepted only while that key is published.
type verifiedToken struct {
	claims Claims
	kid    string
}

// maxVerifiedTokens bounds the cache of verified tokens.
const maxVerifiedTokens = 50000

// leeway tolerates clock skew between scoped processes.
const leeway = 30 * time.Second

// NewTokens returns a Tokens that signs with keys and issues tokens valid
// for ttl.
func NewTokens(keys *KeySet, ttl time.Duration) *Tokens {
	return &Tokens{Keys: keys, TTL: ttl, Now: time.Now, verified: make(map[[sha256.Size]byte]verifiedToken)}
}

// Issue returns a signed access token for clientID with scope, issued by
// and for issuer (the runtime's authorization-server URL), under the
// client secret identified by secretVersion.
func (t *Tokens) Issue(ctx context.Context, issuer, clientID string, scope config.Scope, secretVersion int64) (string, Claims, error) {
	now := t.Now()
	c := Claims{
		Issuer: issuer, Subject: clientID, Audience: jwt.Audience{issuer}, ClientID: clientID,
		Scope: scope.String(), IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(t.TTL)),
		ID: newTokenID(), SecretVersion: secretVersion,
	}
	key, err := t.Keys.active(ctx)
	if err != nil {
		return "", Claims{}, err
	}
	token, err := jwt.Signed(key.sign).Claims(c).Serialize()
	if err != nil {
		return "", Claims{}, fmt.Errorf("sign token: %w", err)
	}
	return token, c, nil
}

func newTokenID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Verify checks a token's signature (RS256 only, by a key published now
// and named in its kid), type, issuer, audience and lifetime, and returns
// its claims. A token verified before is not checked again, but its key
// must still be published: a retired key's tokens are refused within
// KeyRefresh. Every failure is a KindUnauthorized error.
func (t *Tokens) Verify(ctx context.Context, token, issuer string) (Claims, error) {
	sum := sha256.Sum256([]byte(token))
	t.mu.Lock()
	v, ok := t.verified[sum]
	t.mu.Unlock()
	switch {
	case !ok:
		var err error
		if v, err = t.verifySignature(ctx, token); err != nil {
			return Claims{}, err
		}
		t.remember(sum, v)
	case !t.Keys.publishes(ctx, v.kid):
		t.mu.Lock()
		delete(t.verified, sum)
		t.mu.Unlock()
		return Claims{}, errUnknownKey
	}
	if err := t.checkClaims(v.claims, issuer); err != nil {
		return Claims{}, err
	}
	return v.claims, nil
}

var errUnknownKey = invalid("the token was signed by an unknown or retired key")

func (t *Tokens) remember(sum [sha256.Size]byte, v verifiedToken) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.verified) >= maxVerifiedTokens {
		clear(t.verified)
	}
	t.verified[sum] = v
}

func invalid(format string, args ...any) error {
	return config.Errorf(config.KindUnauthorized, format, args...)
}

func (t *Tokens) verifySignature(ctx context.Context, token string) (verifiedToken, error) {
	parsed, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return verifiedToken{}, invalid("the access token is malformed or not signed with RS256")
	}
	h := parsed.Headers[0]
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); typ != "at+jwt" {
		return verifiedToken{}, invalid("the token is not an access token (typ must be at+jwt)")
	}
	pub, ok := t.Keys.public(ctx, h.KeyID)
	if !ok {
		return verifiedToken{}, errUnknownKey
	}
	var c Claims
	if err := parsed.Claims(pub, &c); err != nil {
		return verifiedToken{}, invalid("the token signature is invalid")
	}
	return verifiedToken{claims: c, kid: h.KeyID}, nil
}

func (t *Tokens) checkClaims(c Claims, issuer string) error {
	now := t.Now()
	switch {
	case c.Expiry == nil || now.After(c.Expiry.Time().Add(leeway)):
		return invalid("the access token has expired")
	case c.IssuedAt == nil:
		return invalid("the access token has no iat")
	case c.IssuedAt.Time().After(now.Add(leeway)):
		return invalid("the access token was issued in the future")
	case c.Expiry.Time().Sub(c.IssuedAt.Time()) > t.maxLifetime() || c.Expiry.Time().After(now.Add(t.maxLifetime()+leeway)):
		return invalid("the access token claims a longer lifetime than this server issues (%s)", t.TTL)
	case c.Issuer != issuer || !c.Audience.Contains(issuer):
		return invalid("the access token was issued by %s, not by %s (another runtime, or processes with different --issuer)", c.Issuer, issuer)
	case c.ClientID == "":
		return invalid("the access token names no client")
	}
	return nil
}

// maxLifetime is TTL rounded up to whole seconds, the unit of iat and exp.
func (t *Tokens) maxLifetime() time.Duration {
	return (t.TTL + time.Second - 1).Truncate(time.Second)
}
