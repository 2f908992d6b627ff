// Package accesstoken verifies the JWT access tokens scoped issues (RFC
// 9068): the signature (RS256, or other RSA algorithms a Verifier allows,
// by a published key named in the token's kid), the type (at+jwt) and the
// claims (issuer, audience, lifetime capped at the issuer's TTL, expiry
// and nbf, with clock skew tolerated).
// It imports neither the store nor the server: the public keys come
// through the PublicKeys interface, so that a resource server can verify
// tokens with the keys it fetched, as scoped does with the keys it stores.
package accesstoken

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"strings"
	"sync"
	"time"
	"unsafe"

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
	// NotBefore is optional; scoped sets none, other issuers may.
	NotBefore *jwt.NumericDate `json:"nbf,omitempty"`
	Expiry    *jwt.NumericDate `json:"exp"`
	ID        string           `json:"jti"`
	// SecretVersion identifies the client secret the token was issued
	// under (when it was set, in Unix microseconds); a token whose client
	// has another secret now is refused.
	SecretVersion int64 `json:"sv,omitempty"`
	// The mobile client's application and user, in the tokens of the
	// mobile runtime (sync/authz); empty in client-credentials tokens.
	AppID       string `json:"app_id,omitempty"`
	AppPlatform string `json:"app_platform,omitempty"`
	AppVersion  string `json:"app_version,omitempty"`
	User        string `json:"user,omitempty"`
	DeviceID    string `json:"device_id,omitempty"` // the device the mobile client registered
}

// Mobile reports whether the token was issued to a registered mobile
// client (sync/authz) rather than to a confidential client.
func (c Claims) Mobile() bool { return c.AppID != "" }

// Type is the typ header of an access token (RFC 9068 §2.1).
const Type = "at+jwt"

// Leeway is the clock skew tolerated between the issuer and the verifier.
const Leeway = 30 * time.Second

// PublicKeys gives the public keys that may verify tokens now.
type PublicKeys interface {
	// PublicKey returns the public key named kid if it is published now.
	PublicKey(ctx context.Context, kid string) (*rsa.PublicKey, bool)
}

// Verifier verifies access tokens against the keys Keys publishes.
type Verifier struct {
	Keys PublicKeys
	// TTL is the longest lifetime a token may claim to be accepted (the
	// lifetime the issuer gives its tokens): a token whose exp is more
	// than TTL after its iat, or more than TTL (plus Leeway) from now, is
	// refused even if a published key signed it.
	TTL time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Leeway is the clock skew tolerated; 0 means the package's Leeway.
	Leeway time.Duration
	// Algorithms are the RSA signature algorithms accepted (RS256, PS256,
	// …); nil means RS256 only.
	Algorithms []jose.SignatureAlgorithm

	mu       sync.Mutex
	verified map[[sha256.Size]byte]verifiedToken // tokens whose signature checked out
}

// verifiedToken is a token whose signature checked out, and the key that
// signed it: it stays accepted only while that very key is published under
// its kid (an issuer that replaces a key under the same kid revokes it).
type verifiedToken struct {
	claims Claims
	kid    string
	key    *rsa.PublicKey
}

// maxVerifiedTokens bounds the cache of verified tokens.
const maxVerifiedTokens = 50000

// Verify checks a token's signature (RS256 only, by a key published now
// and named in its kid), type, issuer, audience and lifetime, and returns
// its claims. A token verified before is not checked again, but its key
// must still be published: a retired key's tokens are refused as soon as
// Keys stops publishing it. Every failure is a KindUnauthorized error.
func (v *Verifier) Verify(ctx context.Context, token, issuer string) (Claims, error) {
	sum := Hash(token)
	v.mu.Lock()
	vt, ok := v.verified[sum]
	v.mu.Unlock()
	switch {
	case !ok:
		var err error
		if vt, err = v.verifySignature(ctx, token); err != nil {
			return Claims{}, err
		}
		v.remember(sum, vt)
	case !v.publishes(ctx, vt.kid, vt.key):
		v.mu.Lock()
		delete(v.verified, sum)
		v.mu.Unlock()
		return Claims{}, errUnknownKey
	}
	if err := CheckLeeway(vt.claims, issuer, v.TTL, v.leeway(), v.now()); err != nil {
		return Claims{}, err
	}
	return vt.claims, nil
}

var errUnknownKey = invalid("the token was signed by an unknown or retired key")

func (v *Verifier) now() time.Time {
	if v.Now == nil {
		return time.Now()
	}
	return v.Now()
}

func (v *Verifier) leeway() time.Duration {
	if v.Leeway == 0 {
		return Leeway
	}
	return v.Leeway
}

func (v *Verifier) algorithms() []jose.SignatureAlgorithm {
	if v.Algorithms == nil {
		return []jose.SignatureAlgorithm{jose.RS256}
	}
	return v.Algorithms
}

// Hash is the SHA-256 of token, the key under which verified tokens are
// remembered (never the tokens themselves). It hashes the string's bytes
// in place: []byte(token) would copy the token, most of a kilobyte, to the
// heap on every request; SHA-256 only reads its input.
func Hash(token string) [sha256.Size]byte {
	return sha256.Sum256(unsafe.Slice(unsafe.StringData(token), len(token)))
}

// publishes reports whether kid is published now with key. The key set
// hands out the same pointer while a key stays loaded, so the comparison
// of the moduli (two 256-byte copies, a tenth of an introspection's
// handler time) runs only when it does not.
func (v *Verifier) publishes(ctx context.Context, kid string, key *rsa.PublicKey) bool {
	pub, ok := v.Keys.PublicKey(ctx, kid)
	return ok && (pub == key || pub.Equal(key))
}

func (v *Verifier) remember(sum [sha256.Size]byte, vt verifiedToken) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.verified == nil || len(v.verified) >= maxVerifiedTokens {
		v.verified = make(map[[sha256.Size]byte]verifiedToken)
	}
	v.verified[sum] = vt
}

func invalid(format string, args ...any) error {
	return config.Errorf(config.KindUnauthorized, format, args...)
}

func (v *Verifier) verifySignature(ctx context.Context, token string) (verifiedToken, error) {
	algs := v.algorithms()
	parsed, err := jose.ParseSignedCompact(token, algs)
	if err != nil {
		return verifiedToken{}, invalid("the access token is malformed or not signed with %s", algNames(algs))
	}
	h := parsed.Signatures[0].Header
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); !isAccessTokenType(typ) {
		return verifiedToken{}, invalid("the token is not an access token (typ must be at+jwt)")
	}
	pub, ok := v.Keys.PublicKey(ctx, h.KeyID)
	if !ok {
		return verifiedToken{}, errUnknownKey
	}
	payload, err := parsed.Verify(pub)
	if err != nil {
		return verifiedToken{}, invalid("the token signature is invalid")
	}
	// The payload is decoded only once its signature checked out
	// (decodeClaims: a fast path for scoped's claims, else encoding/json).
	c, err := decodeClaims(payload)
	if err != nil {
		return verifiedToken{}, invalid("the token's claims are not a JSON object of claims")
	}
	return verifiedToken{claims: c, kid: h.KeyID, key: pub}, nil
}

func algNames(algs []jose.SignatureAlgorithm) string {
	names := make([]string, len(algs))
	for i, a := range algs {
		names[i] = string(a)
	}
	return strings.Join(names, " or ")
}

// CheckLeeway checks the claims of a token whose signature checked out,
// at time now, tolerating leeway of clock skew: it is not expired, was not
// issued (nor made valid, nbf) in the future, claims no longer lifetime
// than ttl, was issued by and for issuer, and names a client. A failure is
// a KindUnauthorized error.
func CheckLeeway(c Claims, issuer string, ttl, leeway time.Duration, now time.Time) error {
	maxLifetime := MaxLifetime(ttl)
	switch {
	case c.Expiry == nil || now.After(c.Expiry.Time().Add(leeway)):
		return invalid("the access token has expired")
	case c.IssuedAt == nil:
		return invalid("the access token has no iat")
	case c.IssuedAt.Time().After(now.Add(leeway)):
		return invalid("the access token was issued in the future")
	case c.NotBefore != nil && c.NotBefore.Time().After(now.Add(leeway)):
		return invalid("the access token is not valid yet (nbf)")
	case c.Expiry.Time().Sub(c.IssuedAt.Time()) > maxLifetime || c.Expiry.Time().After(now.Add(maxLifetime+leeway)):
		return invalid("the access token claims a longer lifetime than this server issues (%s)", ttl)
	case c.Issuer != issuer || !c.Audience.Contains(issuer):
		return invalid("the access token was issued by %s, not by %s (another runtime, or processes with different --issuer)", c.Issuer, issuer)
	case c.ClientID == "":
		return invalid("the access token names no client")
	}
	return nil
}

// MaxLifetime is the longest lifetime a token of an issuer whose tokens
// live ttl may claim: ttl rounded up to whole seconds, the unit of iat
// and exp.
func MaxLifetime(ttl time.Duration) time.Duration {
	return (ttl + time.Second - 1).Truncate(time.Second)
}

// isAccessTokenType reports whether typ names an access token: at+jwt, or
// application/at+jwt, in any case (RFC 9068 §4, RFC 7515 §4.1.9).
func isAccessTokenType(typ string) bool {
	typ = strings.ToLower(typ)
	return strings.TrimPrefix(typ, "application/") == Type
}

// UnverifiedClaims decodes the claims of a token WITHOUT checking its
// signature or any claim: for showing a person what a server gave (as
// scopectl app token does), never for deciding anything. Verifier.Verify
// is the check.
func UnverifiedClaims(token string) (Claims, error) {
	parsed, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512})
	if err != nil {
		return Claims{}, invalid("the access token is malformed")
	}
	return decodeClaims(parsed.UnsafePayloadWithoutVerification())
}
