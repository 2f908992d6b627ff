package accesstoken_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/accesstoken"
)

const issuer = "https://iss/mfp"

// testKey is the RSA key of these tests, generated once: generating one
// takes a few hundred milliseconds.
var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// keys publishes public keys by kid, as a resource server's copy of a
// JWKS would; tests change it while verifiers use it.
type keys struct {
	mu  sync.Mutex
	pub map[string]*rsa.PublicKey
}

func (k *keys) PublicKey(_ context.Context, kid string) (*rsa.PublicKey, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	pub, ok := k.pub[kid]
	return pub, ok
}

func (k *keys) unpublish(kid string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.pub, kid)
}

// newVerifier returns a verifier of tokens living an hour, at the clock
// *now, whose keys publish testKey as kid "k1".
func newVerifier(now *time.Time) (*accesstoken.Verifier, *keys) {
	ks := &keys{pub: map[string]*rsa.PublicKey{"k1": &testKey().PublicKey}}
	return &accesstoken.Verifier{Keys: ks, TTL: time.Hour, Now: func() time.Time { return *now }}, ks
}

// sign signs claims with priv under kid, with typ header typ.
func sign(t *testing.T, priv *rsa.PrivateKey, kid, typ string, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: priv, KeyID: kid}},
		(&jose.SignerOptions{}).WithType(jose.ContentType(typ)))
	if err != nil {
		t.Fatal(err)
	}
	token, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// claims are the claims of a token of client admin issued at iat and
// expiring at exp (no iat if it is zero).
func claims(iat, exp time.Time) map[string]any {
	c := map[string]any{"iss": issuer, "aud": issuer, "sub": "admin", "client_id": "admin",
		"scope": "mfpadmin", "jti": "j", "exp": exp.Unix()}
	if !iat.IsZero() {
		c["iat"] = iat.Unix()
	}
	return c
}

// wantRefused verifies token twice (the second time its signature is
// cached) and wants it refused as unauthorized, with why in the message.
func wantRefused(t *testing.T, v *accesstoken.Verifier, name, token, why string) {
	t.Helper()
	for attempt := range 2 {
		_, err := v.Verify(context.Background(), token, issuer)
		if config.ErrorKind(err) != config.KindUnauthorized || !strings.Contains(err.Error(), why) {
			t.Errorf("%s (attempt %d): %v; want refused as unauthorized, saying %q", name, attempt, err, why)
		}
	}
}

// TestVerifyAcceptsAndReturnsClaims: a token signed by a published key,
// of the right type, issuer, audience and lifetime is accepted, also once
// cached, and its claims are returned.
func TestVerifyAcceptsAndReturnsClaims(t *testing.T) {
	now := time.Now()
	v, _ := newVerifier(&now)
	c := claims(now, now.Add(time.Hour))
	c["sv"] = 42
	token := sign(t, testKey(), "k1", accesstoken.Type, c)
	for attempt := range 2 {
		got, err := v.Verify(context.Background(), token, issuer)
		if err != nil {
			t.Fatalf("attempt %d: %v", attempt, err)
		}
		if got.ClientID != "admin" || got.Subject != "admin" || got.Scope != "mfpadmin" || got.SecretVersion != 42 ||
			got.Issuer != issuer || !got.Audience.Contains(issuer) || got.Expiry.Time().Unix() != now.Add(time.Hour).Unix() {
			t.Errorf("attempt %d: claims %+v", attempt, got)
		}
	}
}

// TestVerifyChecksClaims: the issuer and audience must be the verifier's
// issuer, the token must name a client, must not be expired or issued in
// the future beyond the clock skew; within it, it is accepted.
func TestVerifyChecksClaims(t *testing.T) {
	now := time.Now()
	v, _ := newVerifier(&now)
	ctx := context.Background()
	token := sign(t, testKey(), "k1", accesstoken.Type, claims(now, now.Add(time.Hour)))
	if _, err := v.Verify(ctx, token, "https://iss/other"); config.ErrorKind(err) != config.KindUnauthorized ||
		!strings.Contains(err.Error(), "issued by https://iss/mfp, not by https://iss/other") {
		t.Errorf("a token of another issuer: %v; want refused, naming both issuers", err)
	}
	otherAud := claims(now, now.Add(time.Hour))
	otherAud["aud"] = "https://iss/other"
	wantRefused(t, v, "another audience", sign(t, testKey(), "k1", accesstoken.Type, otherAud), "issued by")
	noClient := claims(now, now.Add(time.Hour))
	delete(noClient, "client_id")
	wantRefused(t, v, "no client_id", sign(t, testKey(), "k1", accesstoken.Type, noClient), "names no client")
	wantRefused(t, v, "issued in the future", sign(t, testKey(), "k1", accesstoken.Type,
		claims(now.Add(time.Minute), now.Add(time.Hour))), "issued in the future")
	if _, err := v.Verify(ctx, sign(t, testKey(), "k1", accesstoken.Type, claims(now.Add(20*time.Second), now.Add(time.Hour))), issuer); err != nil {
		t.Errorf("a token issued 20 s ahead (within the clock skew): %v", err)
	}

	now = now.Add(time.Hour + 20*time.Second)
	if _, err := v.Verify(ctx, token, issuer); err != nil {
		t.Errorf("20 s after its exp (within the clock skew): %v", err)
	}
	now = now.Add(time.Minute)
	wantRefused(t, v, "expired", token, "has expired")
}

// TestVerifyCapsTheLifetime: a token signed by a published key is refused
// when its exp lies beyond the verifier's TTL (from now, or from its
// iat), or when it has no iat.
func TestVerifyCapsTheLifetime(t *testing.T) {
	now := time.Now()
	v, _ := newVerifier(&now)
	if _, err := v.Verify(context.Background(), sign(t, testKey(), "k1", accesstoken.Type, claims(now, now.Add(time.Hour))), issuer); err != nil {
		t.Fatalf("a token of the configured lifetime: %v", err)
	}
	for name, c := range map[string]map[string]any{
		"exp in 2100":                  claims(now, time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)),
		"exp - iat over the TTL":       claims(now.Add(-2*time.Hour), now.Add(10*time.Minute)),
		"exp beyond now + TTL":         claims(now.Add(20*time.Second), now.Add(time.Hour+time.Minute)),
		"one second over the lifetime": claims(now, now.Add(time.Hour+time.Second)),
	} {
		wantRefused(t, v, name, sign(t, testKey(), "k1", accesstoken.Type, c), "longer lifetime than this server issues (1h0m0s)")
	}
	wantRefused(t, v, "iat and exp both far ahead", sign(t, testKey(), "k1", accesstoken.Type,
		claims(now.Add(50*365*24*time.Hour), now.Add(50*365*24*time.Hour+time.Hour))), "issued in the future")
	wantRefused(t, v, "no iat", sign(t, testKey(), "k1", accesstoken.Type, claims(time.Time{}, now.Add(time.Minute))), "no iat")
}

// TestVerifyChecksSignatureTypeAndKey: only RS256 access tokens (typ
// at+jwt) signed by the published key their kid names are accepted; a
// token verified before is refused once its key is no longer published.
func TestVerifyChecksSignatureTypeAndKey(t *testing.T) {
	now := time.Now()
	v, ks := newVerifier(&now)
	ctx := context.Background()
	c := claims(now, now.Add(time.Hour))
	wantRefused(t, v, "typ JWT", sign(t, testKey(), "k1", "JWT", c), "typ must be at+jwt")
	wantRefused(t, v, "unknown kid", sign(t, testKey(), "k2", accesstoken.Type, c), "unknown or retired key")
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	wantRefused(t, v, "another key under kid k1", sign(t, other, "k1", accesstoken.Type, c), "signature is invalid")
	hs, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte("0123456789abcdef0123456789abcdef")},
		(&jose.SignerOptions{}).WithType(accesstoken.Type).WithHeader("kid", "k1"))
	if err != nil {
		t.Fatal(err)
	}
	hsToken, err := jwt.Signed(hs).Claims(c).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	wantRefused(t, v, "HS256", hsToken, "not signed with RS256")
	wantRefused(t, v, "not a JWT", "not.a.token", "malformed")

	token := sign(t, testKey(), "k1", accesstoken.Type, c)
	if _, err := v.Verify(ctx, token, issuer); err != nil {
		t.Fatalf("a token of the published key: %v", err)
	}
	ks.unpublish("k1")
	wantRefused(t, v, "its key no longer published (signature cached)", token, "unknown or retired key")
}

// TestMaxLifetime: a TTL is rounded up to whole seconds, the unit of iat
// and exp, so that tokens of a TTL of 1.5 s are accepted.
func TestMaxLifetime(t *testing.T) {
	for ttl, want := range map[time.Duration]time.Duration{
		time.Hour: time.Hour, 1500 * time.Millisecond: 2 * time.Second, time.Nanosecond: time.Second,
	} {
		if got := accesstoken.MaxLifetime(ttl); got != want {
			t.Errorf("MaxLifetime(%s) = %s; want %s", ttl, got, want)
		}
	}
}
