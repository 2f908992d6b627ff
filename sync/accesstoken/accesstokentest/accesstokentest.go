// Package accesstokentest makes access tokens for tests the way a foreign
// issuer or an attacker could: signed by any RSA key under any kid and
// type, or with any header and signature at all. It holds the one RSA
// key of the tests that need a key but not a particular one.
package accesstokentest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/scopectl/scopectl/sync/accesstoken"
)

// Key returns the RSA-2048 key of the test binary, generated on first use
// (generating one takes a few hundred milliseconds, more under -race).
var Key = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic("accesstokentest: generate key: " + err.Error())
	}
	return k
})

// KeyPEM returns Key in PKCS #8 PEM, the form in which the store keeps
// signing keys.
func KeyPEM() []byte {
	der, err := x509.MarshalPKCS8PrivateKey(Key())
	if err != nil {
		panic("accesstokentest: encode key: " + err.Error())
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// Claims returns the claims of an access token for client with scope,
// issued by and for issuer at iat (no iat when it is zero) and expiring
// at exp. Tests change the map to make the token they need.
func Claims(issuer, client, scope string, iat, exp time.Time) map[string]any {
	c := map[string]any{"iss": issuer, "aud": issuer, "sub": client, "client_id": client,
		"scope": scope, "jti": "test-token", "exp": exp.Unix()}
	if !iat.IsZero() {
		c["iat"] = iat.Unix()
	}
	return c
}

// Sign returns claims signed RS256 by priv, naming kid, with typ as the
// typ header (accesstoken.Type for an access token).
func Sign(t testing.TB, priv *rsa.PrivateKey, kid, typ string, claims any) string {
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

// SignPEM returns an access token of claims signed by the PKCS #8 PEM
// RSA key privatePEM under kid: what someone who read a signing key from
// the store could make.
func SignPEM(t testing.TB, privatePEM []byte, kid string, claims any) string {
	t.Helper()
	block, _ := pem.Decode(privatePEM)
	if block == nil {
		t.Fatal("the signing key is not PEM")
	}
	priv, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, ok := priv.(*rsa.PrivateKey)
	if !ok {
		t.Fatalf("the signing key is a %T, not an RSA key", priv)
	}
	return Sign(t, rsaKey, kid, accesstoken.Type, claims)
}

// Forge returns the compact JWS of header and payload with the signature
// sign makes of its signing input: tokens that no JOSE library would
// sign, such as alg none, or HS256 keyed with a public key.
func Forge(header, payload any, sign func(input []byte) []byte) string {
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			panic("accesstokentest: " + err.Error())
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	input := enc(header) + "." + enc(payload)
	return input + "." + base64.RawURLEncoding.EncodeToString(sign([]byte(input)))
}

// HS256 returns the signer of Forge for alg HS256 with key: the HMAC
// SHA-256 of the signing input.
func HS256(key []byte) func(input []byte) []byte {
	return func(input []byte) []byte {
		m := hmac.New(sha256.New, key)
		m.Write(input)
		return m.Sum(nil)
	}
}
