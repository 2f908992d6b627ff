// Package mobile plays an instance of a mobile application against the
// runtime of a scoped server (sync/authz), as an SDK would: its own ES256
// (or RS256) key, the signed registration, client assertions (RFC 7523),
// preauthorization with challenges, and the authorization-code flow. It
// serves scopectl app token, which proves what a descriptor does to the
// tokens of a real client.
package mobile

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/api"
)

// Instance is an app instance: its key, the application it is, and, once
// registered, its client id.
type Instance struct {
	Key crypto.Signer // a P-256 *ecdsa.PrivateKey (ES256) or an *rsa.PrivateKey (RS256)
	App config.AppKey
	ID  string // the client id; "" until registered
}

// NewInstance returns an unregistered instance of app with a new P-256 key.
func NewInstance(app config.AppKey) (*Instance, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	return &Instance{Key: key, App: app}, nil
}

// NewRSAInstance returns an unregistered instance of app with a new
// RSA-2048 key, which signs with RS256 as MobileFirst's SDKs did: scoped
// verifies its assertions in less than half the time of ES256 ones, the
// device signs them in about 15 times the time.
func NewRSAInstance(app config.AppKey) (*Instance, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	return &Instance{Key: key, App: app}, nil
}

// Registration returns the signed registration data: a compact JWS of the
// application and device, with the public key in its jwk header.
func (i *Instance) Registration(device map[string]string) (string, error) {
	payload, err := json.Marshal(map[string]any{
		"application": map[string]string{"id": i.App.ID, "clientPlatform": string(i.App.Platform), "version": i.App.Version},
		"device":      device,
	})
	if err != nil {
		return "", err
	}
	return i.sign(payload, &jose.SignerOptions{EmbedJWK: true})
}

// AssertionLifetime is how long the assertions of an instance are valid:
// within the 5 minutes scoped accepts, and long enough for a clock a few
// minutes off.
const AssertionLifetime = 4 * time.Minute

// Assertion returns a client assertion for audience (the runtime's
// authorization-server URL), issued at now, with a new jti.
func (i *Instance) Assertion(audience string, now time.Time) (string, error) {
	return i.SignClaims(jwt.Claims{
		Issuer: i.ID, Subject: i.ID, Audience: jwt.Audience{audience},
		IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(AssertionLifetime)), ID: randomID(),
	})
}

// SignClaims signs exactly claims with the instance's key.
func (i *Instance) SignClaims(claims jwt.Claims) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	return i.sign(payload, nil)
}

func (i *Instance) sign(payload []byte, opts *jose.SignerOptions) (string, error) {
	alg := jose.ES256
	if _, ok := i.Key.(*rsa.PrivateKey); ok {
		alg = jose.RS256
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: i.Key}, opts)
	if err != nil {
		return "", err
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

// stored is the form in which an instance is saved.
type stored struct {
	ClientID string `json:"clientId"`
	App      string `json:"application"`
	Key      string `json:"key"` // PKCS #8, PEM
}

// MarshalJSON saves the instance, its private key included: a file that
// holds it must be readable by its owner only.
func (i *Instance) MarshalJSON() ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(i.Key)
	if err != nil {
		return nil, err
	}
	key := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	return json.Marshal(stored{ClientID: i.ID, App: i.App.String(), Key: string(key)})
}

// UnmarshalJSON reads an instance saved by MarshalJSON.
func (i *Instance) UnmarshalJSON(data []byte) error {
	var s stored
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	app, err := config.ParseAppKey(s.App)
	if err != nil {
		return err
	}
	block, _ := pem.Decode([]byte(s.Key))
	if block == nil {
		return config.Errorf(config.KindInvalid, "the saved instance has no PEM key")
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	key, ok := parsed.(crypto.Signer)
	if err != nil || !ok || !usableKey(key) {
		return config.Errorf(config.KindInvalid, "the saved instance's key is not a P-256 key or an RSA key of %d to %d bits", api.MinClientRSABits, api.MaxClientRSABits)
	}
	if err := checkClientID(s.ClientID); err != nil {
		return err
	}
	*i = Instance{Key: key, App: app, ID: s.ClientID}
	return nil
}

// usableKey reports whether key is one scoped accepts from a client: a
// P-256 key, or an RSA key of api.MinClientRSABits to api.MaxClientRSABits.
func usableKey(key crypto.Signer) bool {
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		return k.Curve == elliptic.P256()
	case *rsa.PrivateKey:
		return api.MinClientRSABits <= k.N.BitLen() && k.N.BitLen() <= api.MaxClientRSABits
	}
	return false
}

// checkClientID refuses a client id that is not the base64url text scoped
// gives (it comes from a server, and is written to a file).
func checkClientID(id string) error {
	if id == "" || len(id) > 128 {
		return config.Errorf(config.KindInvalid, "the client id must have 1 to 128 characters")
	}
	if _, err := base64.RawURLEncoding.DecodeString(id); err != nil {
		return config.Errorf(config.KindInvalid, "the client id is not base64url text")
	}
	return nil
}

func randomID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
