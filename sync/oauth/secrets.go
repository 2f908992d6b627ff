package oauth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"sync"

	"golang.org/x/crypto/bcrypt"

	"github.com/scopectl/scopectl/config"
)

// MaxSecretLength is the longest client secret accepted: bcrypt reads at
// most 72 bytes, and a longer secret must not silently lose its tail.
const MaxSecretLength = 72

// secretCost is the bcrypt cost of stored secrets.
const secretCost = 10

// HashSecret returns the bcrypt hash to store for a client secret.
func HashSecret(secret string) (string, error) {
	if secret == "" || len(secret) > MaxSecretLength {
		return "", config.Errorf(config.KindInvalid, "a client secret must be 1 to %d bytes long", MaxSecretLength)
	}
	h, err := bcrypt.GenerateFromPassword([]byte(secret), secretCost)
	if err != nil {
		return "", &config.Error{Kind: config.KindInternal, Message: "cannot hash the secret", Err: err}
	}
	return string(h), nil
}

// SecretVerifier checks client secrets against their stored bcrypt hashes.
// A secret that verified once is remembered as an HMAC under a random
// per-process key, bound to the stored hash it matched: later checks cost
// one HMAC and a constant-time compare, a changed secret (new hash) is
// verified afresh, and neither secrets nor plain digests stay in memory.
type SecretVerifier struct {
	key     [32]byte
	dummy   []byte // a hash to burn the same time on unknown clients
	mu      sync.RWMutex
	entries map[string]verified // client id -> last verified secret
}

type verified struct {
	storedHash string
	mac        [sha256.Size]byte
}

// maxVerifiedEntries bounds the cache; it is cleared when full.
const maxVerifiedEntries = 10000

// NewSecretVerifier returns a verifier with a fresh random key.
func NewSecretVerifier() *SecretVerifier {
	v := &SecretVerifier{entries: make(map[string]verified)}
	if _, err := rand.Read(v.key[:]); err != nil {
		panic("oauth: no randomness: " + err.Error())
	}
	v.dummy, _ = bcrypt.GenerateFromPassword([]byte("dummy secret"), secretCost)
	return v
}

// Verify reports whether secret matches storedHash for client id.
func (v *SecretVerifier) Verify(id, secret, storedHash string) bool {
	mac := v.mac(id, secret)
	v.mu.RLock()
	e, ok := v.entries[id]
	v.mu.RUnlock()
	if ok && e.storedHash == storedHash && hmac.Equal(e.mac[:], mac[:]) {
		return true
	}
	if len(secret) > MaxSecretLength {
		return v.Reject(secret) // as slow as a wrong secret
	}
	if bcrypt.CompareHashAndPassword([]byte(storedHash), []byte(secret)) != nil {
		return false
	}
	v.mu.Lock()
	if len(v.entries) >= maxVerifiedEntries {
		clear(v.entries)
	}
	v.entries[id] = verified{storedHash: storedHash, mac: mac}
	v.mu.Unlock()
	return true
}

// Reject spends the time of one bcrypt comparison and returns false, so
// that an unknown client id answers as slowly as a wrong secret.
func (v *SecretVerifier) Reject(secret string) bool {
	_ = bcrypt.CompareHashAndPassword(v.dummy, []byte(secret))
	return false
}

func (v *SecretVerifier) mac(id, secret string) [sha256.Size]byte {
	h := hmac.New(sha256.New, v.key[:])
	h.Write([]byte(id))
	h.Write([]byte{0})
	h.Write([]byte(secret))
	var out [sha256.Size]byte
	h.Sum(out[:0])
	return out
}
