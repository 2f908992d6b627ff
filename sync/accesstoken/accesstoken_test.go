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
	"github.com/scopectl/scopectl/sync/accesstoken/accesstokentest"
)

const issuer = "https://iss/mfp"

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
// *now, whose keys publish accesstokentest.Key as kid "k1".
func newVerifier(now *time.Time) (*accesstoken.Verifier, *keys) {
	ks := &keys{pub: map[string]*rsa.PublicKey{"k1": &accesstokentest.Key().PublicKey}}
	return &accesstoken.Verifier{Keys: ks, TTL: time.Hour, Now: func() time.Time { return *now }}, ks
}

// signedK1 is an access token of claims signed by the published key k1.
func signedK1(t *testing.T, claims map[string]any) string {
	return accesstokentest.Sign(t, accesstokentest.Key(), "k1", accesstoken.Type, claims)
}

// claims are the claims of a token of client admin issued at iat and
// expiring at exp (no iat if it is zero).
func claims(iat, exp time.Time) map[string]any {
	return accesstokentest.Claims(issuer, "admin", "mfpadmin", iat, exp)
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
	token := signedK1(t, c)
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
	token := signedK1(t, claims(now, now.Add(time.Hour)))
	if _, err := v.Verify(ctx, token, "https://iss/other"); config.ErrorKind(err) != config.KindUnauthorized ||
		!strings.Contains(err.Error(), "issued by https://iss/mfp, not by https://iss/other") {
		t.Errorf("a token of another issuer: %v; want refused, naming both issuers", err)
	}
	otherAud := claims(now, now.Add(time.Hour))
	otherAud["aud"] = "https://iss/other"
	wantRefused(t, v, "another audience", signedK1(t, otherAud), "issued by")
	noClient := claims(now, now.Add(time.Hour))
	delete(noClient, "client_id")
	wantRefused(t, v, "no client_id", signedK1(t, noClient), "names no client")
	wantRefused(t, v, "issued in the future", signedK1(t, claims(now.Add(time.Minute), now.Add(time.Hour))), "issued in the future")
	if _, err := v.Verify(ctx, signedK1(t, claims(now.Add(20*time.Second), now.Add(time.Hour))), issuer); err != nil {
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
	if _, err := v.Verify(context.Background(), signedK1(t, claims(now, now.Add(time.Hour))), issuer); err != nil {
		t.Fatalf("a token of the configured lifetime: %v", err)
	}
	for name, c := range map[string]map[string]any{
		"exp in 2100":                  claims(now, time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)),
		"exp - iat over the TTL":       claims(now.Add(-2*time.Hour), now.Add(10*time.Minute)),
		"exp beyond now + TTL":         claims(now.Add(20*time.Second), now.Add(time.Hour+time.Minute)),
		"one second over the lifetime": claims(now, now.Add(time.Hour+time.Second)),
	} {
		wantRefused(t, v, name, signedK1(t, c), "longer lifetime than this server issues (1h0m0s)")
	}
	wantRefused(t, v, "iat and exp both far ahead", signedK1(t, claims(now.Add(50*365*24*time.Hour), now.Add(50*365*24*time.Hour+time.Hour))), "issued in the future")
	wantRefused(t, v, "no iat", signedK1(t, claims(time.Time{}, now.Add(time.Minute))), "no iat")
}

// TestVerifyChecksSignatureTypeAndKey: only RS256 access tokens (typ
// at+jwt) signed by the published key their kid names are accepted; a
// token verified before is refused once its key is no longer published.
func TestVerifyChecksSignatureTypeAndKey(t *testing.T) {
	now := time.Now()
	v, ks := newVerifier(&now)
	ctx := context.Background()
	c := claims(now, now.Add(time.Hour))
	wantRefused(t, v, "typ JWT", accesstokentest.Sign(t, accesstokentest.Key(), "k1", "JWT", c), "typ must be at+jwt")
	wantRefused(t, v, "unknown kid", accesstokentest.Sign(t, accesstokentest.Key(), "k2", accesstoken.Type, c), "unknown or retired key")
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	wantRefused(t, v, "another key under kid k1", accesstokentest.Sign(t, other, "k1", accesstoken.Type, c), "signature is invalid")
	hsToken := accesstokentest.Forge(map[string]any{"alg": "HS256", "typ": accesstoken.Type, "kid": "k1"}, c, accesstokentest.HS256([]byte("0123456789abcdef0123456789abcdef")))
	wantRefused(t, v, "HS256", hsToken, "not signed with RS256")
	wantRefused(t, v, "not a JWT", "not.a.token", "malformed")

	token := signedK1(t, c)
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

// TestVerifyLeewayNotBeforeAndAlgorithms: a Verifier's own Leeway
// replaces the 30 s, a future nbf is refused beyond it, and Algorithms
// widens the RS256-only default.
func TestVerifyLeewayNotBeforeAndAlgorithms(t *testing.T) {
	now := time.Now()
	v, _ := newVerifier(&now)
	v.Leeway = 5 * time.Second
	wantRefused(t, v, "issued 20 s ahead, leeway 5 s", signedK1(t, claims(now.Add(20*time.Second), now.Add(time.Hour))), "issued in the future")
	nbf := claims(now, now.Add(time.Hour))
	nbf["nbf"] = now.Add(time.Minute).Unix()
	wantRefused(t, v, "nbf a minute ahead", signedK1(t, nbf), "not valid yet")
	nbf["nbf"] = now.Add(3 * time.Second).Unix()
	if _, err := v.Verify(context.Background(), signedK1(t, nbf), issuer); err != nil {
		t.Errorf("nbf within the leeway: %v", err)
	}

	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.PS256, Key: jose.JSONWebKey{Key: accesstokentest.Key(), KeyID: "k1"}},
		(&jose.SignerOptions{}).WithType(accesstoken.Type))
	if err != nil {
		t.Fatal(err)
	}
	ps256, err := jwt.Signed(signer).Claims(claims(now, now.Add(time.Hour))).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	wantRefused(t, v, "PS256 by default", ps256, "not signed with RS256")
	v.Algorithms = []jose.SignatureAlgorithm{jose.RS256, jose.PS256}
	if _, err := v.Verify(context.Background(), ps256, issuer); err != nil {
		t.Errorf("PS256 allowed: %v", err)
	}
}

// TestVerifyKeyReplacedUnderItsKid: an issuer that publishes another key
// under the same kid revokes the tokens of the old one, cached ones too.
func TestVerifyKeyReplacedUnderItsKid(t *testing.T) {
	now := time.Now()
	v, ks := newVerifier(&now)
	token := signedK1(t, claims(now, now.Add(time.Hour)))
	if _, err := v.Verify(context.Background(), token, issuer); err != nil {
		t.Fatal(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ks.mu.Lock()
	ks.pub["k1"] = &other.PublicKey
	ks.mu.Unlock()
	if _, err := v.Verify(context.Background(), token, issuer); err == nil || !strings.Contains(err.Error(), "unknown or retired key") {
		t.Errorf("a cached token of a key replaced under its kid: %v; want refused", err)
	}
	wantRefused(t, v, "the same token, no longer cached", token, "signature is invalid")
}

// TestVerifyAcceptsLongTyp: RFC 9068 §4 names the type at+jwt or
// application/at+jwt, in any case.
func TestVerifyAcceptsLongTyp(t *testing.T) {
	now := time.Now()
	v, _ := newVerifier(&now)
	for _, typ := range []string{"application/at+jwt", "AT+JWT"} {
		token := accesstokentest.Sign(t, accesstokentest.Key(), "k1", typ, claims(now, now.Add(time.Hour)))
		if _, err := v.Verify(context.Background(), token, issuer); err != nil {
			t.Errorf("typ %s: %v", typ, err)
		}
	}
	wantRefused(t, v, "typ JWT", accesstokentest.Sign(t, accesstokentest.Key(), "k1", "JWT", claims(now, now.Add(time.Hour))), "typ must be at+jwt")
}
