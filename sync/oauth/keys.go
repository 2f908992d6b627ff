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
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/accesstoken"
	"github.com/scopectl/scopectl/sync/store"
)

// KeyStore is the part of the store that keeps signing keys.
type KeyStore interface {
	SigningKeys(ctx context.Context) ([]store.SigningKey, error)
	AddSigningKey(ctx context.Context, k store.SigningKey) error
	AddFirstSigningKey(ctx context.Context, k store.SigningKey) error
	RetireSigningKey(ctx context.Context, id string) error
}

// publishedKeys is how many of the newest keys may verify tokens and
// appear in the JWKS: the active one and the one before it, so tokens
// signed just before a rotation stay valid until they expire. A retired
// key among them is left out; an older key never comes back.
const publishedKeys = 2

// KeyRefresh is the longest a KeySet works with the keys it last read
// from the store: a rotation or a retirement made by any process (scoped
// keys rotate|retire) takes effect on every process within this time.
// It is the same bound as for client changes.
const KeyRefresh = time.Second

// KeySet holds the signing keys of a deployment, loaded from the store.
type KeySet struct {
	store KeyStore
	// Now returns the current time; tests may replace it before use.
	Now func() time.Time

	mu       sync.RWMutex
	keys     []signingKey // published, the active one first
	loadedAt time.Time
	reloadMu sync.Mutex // one reload at a time

	freshMu sync.Mutex
	next    *keyRead // the fresh read that callers arriving now share
}

// keyRead is one store read shared by the callers of fresh that arrived
// before it started.
type keyRead struct {
	done chan struct{} // closed when the read is over
	err  error
}

type signingKey struct {
	id   string
	priv *rsa.PrivateKey
	sign jose.Signer
}

// NewKeySet loads the keys of s, creating the first one if there is none
// (once, however many processes start together).
func NewKeySet(ctx context.Context, s KeyStore) (*KeySet, error) {
	ks := &KeySet{store: s, Now: time.Now}
	stored, err := ks.reload(ctx)
	if err != nil {
		return nil, err
	}
	if len(stored) == 0 {
		k, err := GenerateKey(time.Now())
		if err != nil {
			return nil, err
		}
		if err := s.AddFirstSigningKey(ctx, k); err != nil {
			return nil, err
		}
		if _, err := ks.reload(ctx); err != nil {
			return nil, err
		}
	}
	return ks, nil
}

// Rotate creates a new signing key in s; every process signs with it
// within KeyRefresh, and the previous key keeps verifying. It returns the
// new key id.
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

// KeyStatus is what a signing key does now.
type KeyStatus string

// The statuses of a signing key.
const (
	KeyActive      KeyStatus = "active"      // signs new tokens, verifies
	KeyPublished   KeyStatus = "published"   // verifies the tokens it signed; in the JWKS
	KeyUnpublished KeyStatus = "unpublished" // two newer keys exist: verifies nothing
	KeyRetired     KeyStatus = "retired"     // retired: verifies nothing, ever
)

// KeyInfo describes a signing key without its secret part.
type KeyInfo struct {
	ID      string
	Created time.Time
	Retired time.Time // zero unless Status is KeyRetired
	Status  KeyStatus
}

// ListKeys describes the signing keys of s, newest first.
func ListKeys(ctx context.Context, s KeyStore) ([]KeyInfo, error) {
	stored, err := s.SigningKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("load signing keys: %w", err)
	}
	status := statuses(stored)
	out := make([]KeyInfo, len(stored))
	for i, k := range stored {
		out[i] = KeyInfo{ID: k.ID, Created: k.Created, Retired: k.Retired, Status: status[i]}
	}
	return out, nil
}

// statuses classifies keys listed newest first: the publishedKeys newest
// that are not retired verify, and the first of them signs.
func statuses(keys []store.SigningKey) []KeyStatus {
	out := make([]KeyStatus, len(keys))
	active := false
	for i, k := range keys {
		switch {
		case !k.Retired.IsZero():
			out[i] = KeyRetired
		case i >= publishedKeys:
			out[i] = KeyUnpublished
		case !active:
			out[i], active = KeyActive, true
		default:
			out[i] = KeyPublished
		}
	}
	return out
}

// Retirement says what Retire did.
type Retirement struct {
	Key    KeyInfo // the key as it was before
	NewKey string  // the key added to sign instead, when Key was active
}

// Retire retires signing key id in s: within KeyRefresh no process
// accepts a token it signed, cached or not. When id is the active key, a
// new key is added first, which signs from then on. Retiring a retired
// key does nothing; an unknown id is a KindNotFound error.
func Retire(ctx context.Context, s KeyStore, id string) (Retirement, error) {
	keys, err := ListKeys(ctx, s)
	if err != nil {
		return Retirement{}, err
	}
	i := slices.IndexFunc(keys, func(k KeyInfo) bool { return k.ID == id })
	if i < 0 || !validKeyID(id) {
		return Retirement{}, config.Errorf(config.KindNotFound, "signing key %q does not exist (scoped keys list shows them)", id)
	}
	r := Retirement{Key: keys[i]}
	if r.Key.Status == KeyRetired {
		return r, nil
	}
	if i == 0 { // the newest key may not be retired: something must sign
		if r.NewKey, err = Rotate(ctx, s); err != nil {
			return r, err
		}
	}
	return r, s.RetireSigningKey(ctx, id)
}

// validKeyID reports whether id can be a key id (an RFC 7638 thumbprint
// in base64url), so that no odd byte reaches the database.
func validKeyID(id string) bool {
	return id != "" && len(id) <= 128 && !strings.ContainsFunc(id, func(r rune) bool {
		return !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	})
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

// reload reads the keys from the store and keeps the published ones; it
// returns what it read. With keys in the store but none published (all
// retired), nothing verifies or signs until a new key is added. Callers
// hold reloadMu (or are NewKeySet, which has ks to itself).
func (ks *KeySet) reload(ctx context.Context) ([]store.SigningKey, error) {
	stored, err := ks.store.SigningKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("load signing keys: %w", err)
	}
	ks.mu.RLock()
	old := ks.keys
	ks.mu.RUnlock()
	if len(stored) == 0 && len(old) > 0 {
		return nil, fmt.Errorf("load signing keys: the store has none")
	}
	var keys []signingKey
	for i, st := range statuses(stored) {
		if st != KeyActive && st != KeyPublished {
			continue
		}
		k, err := reuseOrParse(old, stored[i])
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	ks.mu.Lock()
	ks.keys, ks.loadedAt = keys, ks.Now()
	ks.mu.Unlock()
	return stored, nil
}

// reuseOrParse returns sk from the keys published before, parsed once
// when it was first read (an RSA key takes a while to check), or parses
// it.
func reuseOrParse(published []signingKey, sk store.SigningKey) (signingKey, error) {
	if i := slices.IndexFunc(published, func(k signingKey) bool { return k.id == sk.ID }); i >= 0 {
		return published[i], nil
	}
	return parseKey(sk)
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
		(&jose.SignerOptions{}).WithType(accesstoken.Type))
	if err != nil {
		return signingKey{}, fmt.Errorf("signing key %s: %w", sk.ID, err)
	}
	return signingKey{id: sk.ID, priv: priv, sign: signer}, nil
}

// refreshIfStale re-reads the store when the keys are older than
// KeyRefresh. One request reloads; the others go on with the keys they
// have, which are at most that much older.
func (ks *KeySet) refreshIfStale(ctx context.Context) {
	ks.refreshIfOlder(ctx, KeyRefresh)
}

// refreshIfOlder re-reads the store when the keys are older than maxAge.
func (ks *KeySet) refreshIfOlder(ctx context.Context, maxAge time.Duration) {
	stale := func() bool {
		ks.mu.RLock()
		defer ks.mu.RUnlock()
		age := ks.Now().Sub(ks.loadedAt)
		return age < 0 || age > maxAge
	}
	if !stale() || !ks.reloadMu.TryLock() {
		return // fresh, or another request is reloading
	}
	defer ks.reloadMu.Unlock()
	if !stale() {
		return
	}
	if _, err := ks.reload(ctx); err != nil {
		ks.mu.Lock()
		ks.loadedAt = ks.Now() // keep serving with the keys we have; retry later
		ks.mu.Unlock()
	}
}

// active returns the key that signs now. Unlike verification it reads
// the store every time (fresh), so that a key that scoped keys retire has
// retired never signs another token once the command has returned, on
// any process.
func (ks *KeySet) active(ctx context.Context) (signingKey, error) {
	if err := ks.fresh(ctx); err != nil {
		return signingKey{}, err
	}
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	if len(ks.keys) == 0 {
		return signingKey{}, fmt.Errorf("no signing key: every key is retired; run scoped keys rotate")
	}
	return ks.keys[0], nil
}

// fresh re-reads the keys with a store read that starts after fresh was
// called, so it sees every change committed before. Callers that arrive
// while a read runs share the next one: under load the store sees one
// read at a time, not one per token, and a caller waits for two reads at
// most. The shared read is not cancelled with the caller that makes it;
// the others stop waiting when their own ctx ends.
func (ks *KeySet) fresh(ctx context.Context) error {
	ks.freshMu.Lock()
	r, first := ks.next, ks.next == nil
	if first {
		r = &keyRead{done: make(chan struct{})}
		ks.next = r
	}
	ks.freshMu.Unlock()
	if !first {
		select {
		case <-r.done:
			return r.err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	ks.reloadMu.Lock() // the read before this one ends
	defer ks.reloadMu.Unlock()
	ks.freshMu.Lock()
	ks.next = nil // from now on, callers wait for the read after this one
	ks.freshMu.Unlock()
	_, r.err = ks.reload(context.WithoutCancel(ctx))
	close(r.done)
	return r.err
}

// unknownKeyReload is how often at most a token signed by a key this
// process does not know makes it re-read the keys: another process may
// have just created the key (it signs at once), and forged key ids must
// not turn every request into a store read.
const unknownKeyReload = 100 * time.Millisecond

// PublicKey returns the public key of kid if kid is published now; it
// makes KeySet the accesstoken.PublicKeys of scoped's own tokens.
func (ks *KeySet) PublicKey(ctx context.Context, kid string) (*rsa.PublicKey, bool) {
	ks.refreshIfStale(ctx)
	if pub, ok := ks.lookup(kid); ok {
		return pub, true
	}
	ks.refreshIfOlder(ctx, unknownKeyReload)
	return ks.lookup(kid)
}

// lookup returns the public key of kid among the keys last read.
func (ks *KeySet) lookup(kid string) (*rsa.PublicKey, bool) {
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	for _, k := range ks.keys {
		if k.id == kid {
			return &k.priv.PublicKey, true
		}
	}
	return nil, false
}

// JWKS returns the public keys that verify tokens, newest first.
func (ks *KeySet) JWKS(ctx context.Context) jose.JSONWebKeySet {
	ks.refreshIfStale(ctx)
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	for _, k := range ks.keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: &k.priv.PublicKey, KeyID: k.id, Algorithm: string(jose.RS256), Use: "sig"})
	}
	return set
}
