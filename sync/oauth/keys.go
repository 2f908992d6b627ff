package oauth

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/scopectl/scopectl/sync/store"
)

// KeyStore is the part of the store that keeps signing keys.
type KeyStore interface {
	SigningKeys(ctx context.Context) ([]store.SigningKey, error)
	AddSigningKey(ctx context.Context, k store.SigningKey) error
	AddFirstSigningKey(ctx context.Context, k store.SigningKey) error
}

// publishedKeys is how many of the newest keys verify tokens and appear in
// the JWKS: the active one and the one before it, so tokens signed just
// before a rotation stay valid until they expire.
const publishedKeys = 2

// keyRefresh is how often a KeySet re-reads the store, so that a rotation
// made by another process (scoped keys rotate) is picked up.
const keyRefresh = 30 * time.Second

// KeySet holds the signing keys of a deployment, loaded from the store.
type KeySet struct {
	store KeyStore
	now   func() time.Time

	mu       sync.RWMutex
	keys     []signingKey // newest first, at most publishedKeys
	loadedAt time.Time
	reloadMu sync.Mutex // one reload at a time
}

type signingKey struct {
	id   string
	priv *rsa.PrivateKey
	sign jose.Signer
}

// NewKeySet loads the keys of s, creating the first one if there is none
// (once, however many processes start together).
func NewKeySet(ctx context.Context, s KeyStore) (*KeySet, error) {
	ks := &KeySet{store: s, now: time.Now}
	if err := ks.reload(ctx); err != nil {
		return nil, err
	}
	if len(ks.keys) == 0 {
		k, err := GenerateKey(time.Now())
		if err != nil {
			return nil, err
		}
		if err := s.AddFirstSigningKey(ctx, k); err != nil {
			return nil, err
		}
		if err := ks.reload(ctx); err != nil {
			return nil, err
		}
	}
	return ks, nil
}

// Rotate creates a new signing key in s; it signs from the next refresh
// on, and the previous key keeps verifying. It returns the new key id.
func Rotate(ctx context.Context, s KeyStore) (string, error) {
	k, err := GenerateKey(time.Now())
	if err != nil {
		return "", err
	}
	if err := s.AddSigningKey(ctx, k); err != nil {
		return "", err
	}
	return k.ID, nil
}

// GenerateKey creates an RSA-2048 signing key whose id is its RFC 7638
// thumbprint.
func GenerateKey(now time.Time) (store.SigningKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return store.SigningKey{}, fmt.Errorf("generate signing key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return store.SigningKey{}, fmt.Errorf("encode signing key: %w", err)
	}
	thumb, err := (&jose.JSONWebKey{Key: &priv.PublicKey}).Thumbprint(crypto.SHA256)
	if err != nil {
		return store.SigningKey{}, fmt.Errorf("signing key thumbprint: %w", err)
	}
	return store.SigningKey{
		ID:         base64.RawURLEncoding.EncodeToString(thumb),
		PrivatePEM: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
		Created:    now.UTC(),
	}, nil
}

func (ks *KeySet) reload(ctx context.Context) error {
	stored, err := ks.store.SigningKeys(ctx)
	if err != nil {
		return fmt.Errorf("load signing keys: %w", err)
	}
	if len(stored) == 0 && len(ks.keys) > 0 {
		return fmt.Errorf("load signing keys: the store has none")
	}
	var keys []signingKey
	for _, sk := range stored[:min(len(stored), publishedKeys)] {
		k, err := parseKey(sk)
		if err != nil {
			return err
		}
		keys = append(keys, k)
	}
	ks.mu.Lock()
	ks.keys, ks.loadedAt = keys, ks.now()
	ks.mu.Unlock()
	return nil
}

func parseKey(sk store.SigningKey) (signingKey, error) {
	block, _ := pem.Decode(sk.PrivatePEM)
	if block == nil {
		return signingKey{}, fmt.Errorf("signing key %s: not PEM", sk.ID)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return signingKey{}, fmt.Errorf("signing key %s: %w", sk.ID, err)
	}
	priv, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return signingKey{}, fmt.Errorf("signing key %s: not an RSA key", sk.ID)
	}
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: priv, KeyID: sk.ID}},
		(&jose.SignerOptions{}).WithType("at+jwt"))
	if err != nil {
		return signingKey{}, fmt.Errorf("signing key %s: %w", sk.ID, err)
	}
	return signingKey{id: sk.ID, priv: priv, sign: signer}, nil
}

// refreshIfStale re-reads the store when the keys are older than
// keyRefresh, or (force) when a token names an unknown key id, at most
// once a second.
func (ks *KeySet) refreshIfStale(ctx context.Context, force bool) {
	stale := func() bool {
		ks.mu.RLock()
		defer ks.mu.RUnlock()
		age := ks.now().Sub(ks.loadedAt)
		return age > keyRefresh || (force && age > time.Second)
	}
	if !stale() || !ks.reloadMu.TryLock() {
		return // fresh, or another request is reloading
	}
	defer ks.reloadMu.Unlock()
	if stale() && ks.reload(ctx) != nil {
		ks.mu.Lock()
		ks.loadedAt = ks.now() // keep serving with the keys we have; retry later
		ks.mu.Unlock()
	}
}

func (ks *KeySet) active(ctx context.Context) (signingKey, error) {
	ks.refreshIfStale(ctx, false)
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	if len(ks.keys) == 0 {
		return signingKey{}, fmt.Errorf("no signing key")
	}
	return ks.keys[0], nil
}

func (ks *KeySet) public(ctx context.Context, kid string) (*rsa.PublicKey, bool) {
	for attempt := range 2 {
		ks.mu.RLock()
		for _, k := range ks.keys {
			if k.id == kid {
				ks.mu.RUnlock()
				return &k.priv.PublicKey, true
			}
		}
		ks.mu.RUnlock()
		if attempt == 0 {
			ks.refreshIfStale(ctx, true)
		}
	}
	return nil, false
}

// JWKS returns the public keys that verify tokens, newest first.
func (ks *KeySet) JWKS(ctx context.Context) jose.JSONWebKeySet {
	ks.refreshIfStale(ctx, false)
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	var set jose.JSONWebKeySet
	for _, k := range ks.keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: &k.priv.PublicKey, KeyID: k.id, Algorithm: string(jose.RS256), Use: "sig"})
	}
	return set
}
