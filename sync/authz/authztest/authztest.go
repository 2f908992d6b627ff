// Package authztest is a mobile client for tests of the authorization
// runtime: an app instance with its own ES256 key that signs its
// registration and its client assertions (RFC 7523) as a real SDK would.
package authztest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/scopectl/scopectl/config"
)

// Device is an app instance: its key, the application it claims to be and,
// once registered, its client id.
type Device struct {
	Key *ecdsa.PrivateKey
	App config.AppKey
	ID  string // the client id, set after registration
}

// NewDevice returns an app instance of app with a fresh P-256 key.
func NewDevice(app config.AppKey) *Device {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return &Device{Key: key, App: app}
}

// Registration returns the signed registration data: a compact JWS of the
// application and device, with the public key in its jwk header.
func (d *Device) Registration() string {
	payload, _ := json.Marshal(map[string]any{
		"application": map[string]string{"id": d.App.ID, "clientPlatform": string(d.App.Platform), "version": d.App.Version},
		"device":      map[string]string{"id": "device-1", "model": "test", "os": "linux"},
	})
	return d.sign(payload, &jose.SignerOptions{EmbedJWK: true})
}

// Assertion returns a client assertion for audience (the runtime's issuer
// URL), valid from now for a minute, with a fresh jti.
func (d *Device) Assertion(audience string, now time.Time) string {
	return d.AssertionWith(jwt.Claims{
		Issuer: d.ID, Subject: d.ID, Audience: jwt.Audience{audience},
		IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(time.Minute)), ID: randomID(),
	})
}

// AssertionWith returns an assertion with exactly claims, signed by d.
func (d *Device) AssertionWith(claims jwt.Claims) string {
	payload, _ := json.Marshal(claims)
	return d.sign(payload, nil)
}

func (d *Device) sign(payload []byte, opts *jose.SignerOptions) string {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: d.Key}, opts)
	if err != nil {
		panic(err)
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		panic(err)
	}
	s, err := obj.CompactSerialize()
	if err != nil {
		panic(err)
	}
	return s
}

func randomID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
