package oauth_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scopectl/scopectl/config"
	"golang.org/x/crypto/bcrypt"

	"github.com/scopectl/scopectl/sync/accesstoken/accesstokentest"
	"github.com/scopectl/scopectl/sync/oauth"
	"github.com/scopectl/scopectl/sync/store"
	"github.com/scopectl/scopectl/sync/store/sqlite"
)

func TestGrant(t *testing.T) {
	allowed := config.NewScope("push.application.*", "messages.write")
	for _, tc := range []struct {
		requested, want string
		kind            config.Kind
	}{
		{"", "", ""},
		{"messages.write push.application.com.x", "messages.write push.application.com.x", ""},
		{"push.application.a push.application.a", "push.application.a", ""},
		{"messages.read", "", config.KindForbidden},
		{"push.applicationX", "", config.KindForbidden},
		{`a"b`, "", config.KindInvalid},
	} {
		got, err := oauth.Grant(allowed, tc.requested)
		if config.ErrorKind(err) != tc.kind || (err == nil && got.String() != tc.want) {
			t.Errorf("Grant(%q) = %q, %v; want %q, kind %q", tc.requested, got, err, tc.want, tc.kind)
		}
	}
	// Administration roles include the roles below them.
	admin := config.NewScope("mfpadmin")
	if got, err := oauth.Grant(admin, "mfpoperator mfpmonitor"); err != nil || got.String() != "mfpmonitor mfpoperator" {
		t.Errorf("mfpadmin client asking for lower roles: %q %v", got, err)
	}
	if _, err := oauth.Grant(config.NewScope("mfpmonitor"), "mfpoperator"); config.ErrorKind(err) != config.KindForbidden {
		t.Errorf("mfpmonitor client granted mfpoperator: %v", err)
	}
	if _, err := oauth.Grant(admin, "push.application.x"); config.ErrorKind(err) != config.KindForbidden {
		t.Errorf("a role is not a wildcard: %v", err)
	}
	if got, err := oauth.Grant(config.NewScope("*"), "anything at.all"); err != nil || got.String() != "anything at.all" {
		t.Errorf("lone * must allow everything: %q %v", got, err)
	}
}

func TestSecretVerifier(t *testing.T) {
	v := oauth.NewSecretVerifier()
	v.Cost = bcrypt.MinCost
	hash, err := v.Hash("s3cret")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(hash, "s3cret") {
		t.Fatal("hash contains the secret")
	}
	for i := range 3 { // the first check runs bcrypt, later ones hit the cache
		before := v.Comparisons()
		if !v.Verify("c", "s3cret", hash) {
			t.Fatalf("check %d: right secret refused", i)
		}
		if n, want := v.Comparisons()-before, int64(max(0, 1-i)); n != want {
			t.Errorf("check %d: %d bcrypt comparisons", i, n)
		}
		before = v.Comparisons()
		if v.Verify("c", "s3cret!", hash) || v.Verify("d", "s3cret", "other-hash") || v.Reject("s3cret") {
			t.Fatalf("check %d: wrong secret accepted", i)
		}
		if n := v.Comparisons() - before; n != 3 {
			t.Errorf("check %d: %d bcrypt comparisons for 3 wrong secrets", i, n)
		}
	}
	newHash, _ := v.Hash("rotated")
	if v.Verify("c", "s3cret", newHash) {
		t.Error("the cached old secret passed against the new hash")
	}
	if !v.Verify("c", "rotated", newHash) {
		t.Error("new secret refused")
	}
	if cost, _ := bcrypt.Cost([]byte(hash)); cost != bcrypt.MinCost {
		t.Errorf("cost %d, want the verifier's", cost)
	}
	if prod, _ := oauth.NewSecretVerifier().Hash("s3cret"); !strings.HasPrefix(prod, "$2a$10$") {
		t.Errorf("production hash %q is not bcrypt cost 10", prod)
	}
}

// TestCheckSecret: what may be set as a client secret. '%' and spaces
// would read differently form-decoded and raw.
func TestCheckSecret(t *testing.T) {
	for _, ok := range []string{"x", "a+b/c@d:e!", "Sp€cial!$&=?#;,'~*()", strings.Repeat("x", oauth.MaxSecretLength)} {
		if err := oauth.CheckSecret(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"", strings.Repeat("x", oauth.MaxSecretLength+1), "a b", "50%off", "a%41", "tab\t", "nul\x00", "line\n", "nbsp\u00a0", "\xff\xfe"} {
		err := oauth.CheckSecret(bad)
		if config.ErrorKind(err) != config.KindInvalid {
			t.Errorf("%q: %v; want invalid", bad, err)
		}
		if bad != "" && err != nil && strings.Contains(err.Error(), bad) {
			t.Errorf("the message repeats the secret: %v", err)
		}
	}
}

// BenchmarkVerifyCachedSecret is the cost of a secret check after the
// first (bcrypt) one: what the token endpoint pays per request.
func BenchmarkVerifyCachedSecret(b *testing.B) {
	v := oauth.NewSecretVerifier()
	hash, _ := v.Hash("s3cret")
	v.Verify("c", "s3cret", hash)
	for b.Loop() {
		if !v.Verify("c", "s3cret", hash) {
			b.Fatal("refused")
		}
	}
}

// BenchmarkVerifySecretBcrypt is the cost of a secret check without the
// cache, for comparison.
func BenchmarkVerifySecretBcrypt(b *testing.B) {
	v := oauth.NewSecretVerifier()
	for b.Loop() {
		v.Reject("s3cret")
	}
}

func newTokens(t testing.TB) *oauth.Tokens {
	tokens, _ := newTokensAndStore(t)
	return tokens
}

func newTokensAndStore(t testing.TB) (*oauth.Tokens, store.Store) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "k.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.AddFirstSigningKey(context.Background(), testKey()); err != nil {
		t.Fatal(err)
	}
	keys, err := oauth.NewKeySet(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	return oauth.NewTokens(keys, time.Hour), st
}

// testKey is the first signing key of every test store, made an hour ago
// of accesstokentest.Key: generating an RSA key takes a few hundred
// milliseconds. Rotations still make new keys.
func testKey() store.SigningKey {
	return store.SigningKey{ID: "test-key", PrivatePEM: accesstokentest.KeyPEM(), Created: time.Now().Add(-time.Hour)}
}

func TestVerifyChecksClaims(t *testing.T) {
	tokens := newTokens(t)
	ctx := context.Background()
	tok, claims, err := tokens.Issue(ctx, "https://iss/mfp", "client", config.NewScope("b", "a"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if claims.Scope != "a b" || claims.Expiry.Time().Sub(claims.IssuedAt.Time()) != time.Hour {
		t.Errorf("claims %+v", claims)
	}
	if _, err := tokens.Verify(ctx, tok, "https://iss/mfp"); err != nil {
		t.Fatalf("fresh token: %v", err)
	}
	if _, err := tokens.Verify(ctx, tok, "https://iss/other"); config.ErrorKind(err) != config.KindUnauthorized {
		t.Errorf("other issuer accepted: %v", err)
	}
	tokens.Now = func() time.Time { return time.Now().Add(time.Hour + time.Minute) }
	if _, err := tokens.Verify(ctx, tok, "https://iss/mfp"); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("expired token (cached signature) accepted: %v", err)
	}
}

// BenchmarkSignRS256 is the ceiling of the token endpoint: RS256 signing
// alone, on all cores.
func BenchmarkSignRS256(b *testing.B) {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	digest := sha256.Sum256([]byte("header.payload"))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
		}
	})
}

// BenchmarkIssue issues signed access tokens on all cores.
func BenchmarkIssue(b *testing.B) {
	tokens := newTokens(b)
	scope := config.NewScope("mfpadmin")
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, err := tokens.Issue(context.Background(), "https://iss/mfp", "client", scope, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
}
