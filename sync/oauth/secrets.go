package oauth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/scopectl/scopectl/config"
)

// MaxSecretLength is the longest client secret accepted: bcrypt reads at
// most 72 bytes, and a longer secret must not silently lose its tail.
const MaxSecretLength = 72

// DefaultCost is the bcrypt cost of stored secrets.
const DefaultCost = 10

// CheckSecret reports whether secret may be set as a client secret: 1 to
// MaxSecretLength bytes of UTF-8 without '%', white space or control
// characters. Basic credentials may arrive form-urlencoded (RFC 6749
// §2.3.1) or raw; without '%' and spaces a secret reads the same both
// ways, so exactly one candidate is ever checked (see the server's rule).
func CheckSecret(secret string) error {
	switch {
	case secret == "" || len(secret) > MaxSecretLength:
		return config.Errorf(config.KindInvalid, "a client secret must be 1 to %d bytes long", MaxSecretLength)
	case !utf8.ValidString(secret):
		return config.Errorf(config.KindInvalid, "a client secret must be UTF-8 text")
	case strings.ContainsFunc(secret, func(r rune) bool { return r == '%' || unicode.IsSpace(r) || unicode.IsControl(r) }):
		return config.Errorf(config.KindInvalid, "a client secret may not contain '%%', spaces or control characters (HTTP Basic credentials are form-encoded, which gives them meaning)")
	}
	return nil
}

// SecretVerifier checks client secrets against their stored bcrypt hashes.
// A secret that verified once is remembered as an HMAC under a random
// per-process key, bound to the stored hash it matched: later checks cost
// one HMAC and a constant-time compare, a changed secret (new hash) is
// verified afresh, and neither secrets nor plain digests stay in memory.
//
// At most half the CPUs (at least one) run bcrypt at a time, so that a
// flood of wrong secrets leaves CPU to everything else; checks answered
// from the cache never wait for them.
type SecretVerifier struct {
	// Cost is the bcrypt cost of the hashes Hash makes and of the dummy
	// hash that unknown clients are checked against: DefaultCost, unless
	// a test lowers it (bcrypt.MinCost) before first use.
	Cost int

	key         [32]byte
	dummyOnce   sync.Once
	dummy       []byte        // a hash to burn the same time on unknown clients
	bcryptSlots chan struct{} // semaphore of concurrent bcrypt comparisons
	comparisons atomic.Int64
	mu          sync.RWMutex
	entries     map[string]verified // client id -> last verified secret
}

type verified struct {
	storedHash string
	mac        [sha256.Size]byte
}

// maxVerifiedEntries bounds the cache; it is cleared when full.
const maxVerifiedEntries = 10000

// NewSecretVerifier returns a verifier with a fresh random key.
func NewSecretVerifier() *SecretVerifier {
	v := &SecretVerifier{
		Cost:        DefaultCost,
		entries:     make(map[string]verified),
		bcryptSlots: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)/2)),
	}
	if _, err := rand.Read(v.key[:]); err != nil {
		panic("oauth: no randomness: " + err.Error())
	}
	return v
}

// Hash returns the bcrypt hash (cost v.Cost) to store for a client secret
// that CheckSecret accepts.
func (v *SecretVerifier) Hash(secret string) (string, error) {
	if err := CheckSecret(secret); err != nil {
		return "", err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(secret), v.Cost)
	if err != nil {
		return "", &config.Error{Kind: config.KindInternal, Message: "cannot hash the secret", Err: err}
	}
	return string(h), nil
}

// Verify reports whether secret matches storedHash for client id. It
// makes at most one bcrypt comparison, none when the secret verified
// before against the same hash.
func (v *SecretVerifier) Verify(id, secret, storedHash string) bool {
	mac := v.mac(id, secret)
	if hash, ok := v.remembered(id, mac); ok && hash == storedHash {
		return true
	}
	if len(secret) > MaxSecretLength {
		return v.Reject(secret) // as slow as a wrong secret
	}
	if !v.compare([]byte(storedHash), secret) {
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

// Remembers reports whether secret verified before for client id, and
// against which stored hash: one HMAC and a constant-time compare, never
// a bcrypt comparison. The caller must check that the hash is still the
// client's (a changed secret has a new one).
func (v *SecretVerifier) Remembers(id, secret string) (storedHash string, ok bool) {
	return v.remembered(id, v.mac(id, secret))
}

func (v *SecretVerifier) remembered(id string, mac [sha256.Size]byte) (string, bool) {
	v.mu.RLock()
	e, ok := v.entries[id]
	v.mu.RUnlock()
	if !ok || !hmac.Equal(e.mac[:], mac[:]) {
		return "", false
	}
	return e.storedHash, true
}

// Reject spends the time of one bcrypt comparison and returns false, so
// that an unknown client id answers as slowly as a wrong secret.
func (v *SecretVerifier) Reject(secret string) bool {
	v.dummyOnce.Do(func() {
		v.dummy, _ = bcrypt.GenerateFromPassword([]byte("dummy secret"), v.Cost)
	})
	v.compare(v.dummy, secret)
	return false
}

// Comparisons returns how many bcrypt comparisons v has made: the work a
// caller (or an attacker) made the server do.
func (v *SecretVerifier) Comparisons() int64 { return v.comparisons.Load() }

// compare runs one bcrypt comparison when a slot is free.
func (v *SecretVerifier) compare(hash []byte, secret string) bool {
	v.bcryptSlots <- struct{}{}
	defer func() { <-v.bcryptSlots }()
	v.comparisons.Add(1)
	return bcrypt.CompareHashAndPassword(hash, []byte(secret)) == nil
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
