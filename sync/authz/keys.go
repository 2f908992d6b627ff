package authz

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"

	"github.com/go-jose/go-jose/v4"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/api"
)

// Algorithms are the signature algorithms a client may prove itself with:
// ES256 with a P-256 key, or RS256 with an RSA key of at least 2048 bits.
var Algorithms = []jose.SignatureAlgorithm{jose.ES256, jose.RS256}

// checkClientKey refuses a key that is not a public ES256 (P-256) or RS256
// (≥ 2048-bit) key, and returns its public JWK encoding for the store.
func checkClientKey(k *jose.JSONWebKey) ([]byte, error) {
	if k == nil || !k.Valid() || !k.IsPublic() {
		return nil, config.Errorf(config.KindInvalid, "the registration must be signed by a public JWK in its header (jwk)")
	}
	switch pub := k.Key.(type) {
	case *ecdsa.PublicKey:
		if pub.Curve != elliptic.P256() || k.Algorithm != "" && k.Algorithm != string(jose.ES256) {
			return nil, config.Errorf(config.KindInvalid, "an EC key must be P-256 for ES256")
		}
	case *rsa.PublicKey:
		if pub.N.BitLen() < api.MinClientRSABits || k.Algorithm != "" && k.Algorithm != string(jose.RS256) {
			return nil, config.Errorf(config.KindInvalid, "an RSA key must have at least %d bits, for RS256", api.MinClientRSABits)
		}
	default:
		return nil, config.Errorf(config.KindInvalid, "the key must be an EC P-256 or an RSA key")
	}
	return json.Marshal(k)
}

// parseClientKey reads a stored public JWK.
func parseClientKey(data []byte) (*jose.JSONWebKey, error) {
	var k jose.JSONWebKey
	if err := json.Unmarshal(data, &k); err != nil {
		return nil, err
	}
	return &k, nil
}

// algorithmOf returns the one algorithm k may sign with.
func algorithmOf(k *jose.JSONWebKey) jose.SignatureAlgorithm {
	if _, ok := k.Key.(*ecdsa.PublicKey); ok {
		return jose.ES256
	}
	return jose.RS256
}
