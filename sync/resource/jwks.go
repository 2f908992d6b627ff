package resource

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"golang.org/x/sync/singleflight"
)

// Limits on a JWKS answer, which is treated as hostile.
const (
	maxJWKSBytes = 1 << 20 // 1 MiB
	maxJWKSKeys  = 100
	minRSABits   = 2048
)

// errNoKeys is the cause of a refusal to verify when no key set fresh
// enough was ever fetched.
var errNoKeys = errors.New("no key set fetched yet")

// keyCache holds the public keys of a JWKS endpoint. It is the
// accesstoken.PublicKeys of Offline: it fetches on first use, refetches
// when the keys are older than refresh or a kid is unknown, never more
// often than once per minInterval, one fetch at a time, and stops
// answering (fail closed) when its keys are older than maxAge.
// staleWait is how long a request with usable but stale keys waits for
// their refetch before it goes on with them.
const staleWait = 200 * time.Millisecond

type keyCache struct {
	url         string
	client      *http.Client
	timeout     time.Duration
	refresh     time.Duration
	minInterval time.Duration
	maxAge      time.Duration
	algs        []jose.SignatureAlgorithm
	now         func() time.Time

	flight singleflight.Group

	mu        sync.RWMutex
	keys      map[string]*rsa.PublicKey // nil until a fetch succeeded
	fetchedAt time.Time                 // of the keys
	attempted time.Time                 // the last fetch, successful or not
	lastErr   error                     // of the last fetch
}

// fetchReport carries a fetch failure from PublicKey, whose signature
// has no error, back to Offline.Verify through the context.
type fetchReport struct{ err error }

type reportKey struct{}

func report(ctx context.Context, err error) {
	if r, ok := ctx.Value(reportKey{}).(*fetchReport); ok {
		r.err = err
	}
}

// PublicKey returns the key named kid, refetching the set when it is
// stale or kid is unknown (within the rate limit). A failure to obtain a
// usable set is reported through ctx.
func (k *keyCache) PublicKey(ctx context.Context, kid string) (*rsa.PublicKey, bool) {
	keys, err := k.current(ctx)
	if err != nil {
		report(ctx, err)
		return nil, false
	}
	if pub, ok := keys[kid]; ok {
		return pub, true
	}
	if err := k.fetch(ctx); err != nil {
		report(ctx, err)
		return nil, false
	}
	k.mu.RLock()
	defer k.mu.RUnlock()
	pub, ok := k.keys[kid]
	return pub, ok
}

// current returns the keys, refetched first when older than refresh; it
// fails when the keys it has are older than maxAge (or there are none)
// and a fetch did not succeed.
func (k *keyCache) current(ctx context.Context) (map[string]*rsa.PublicKey, error) {
	k.mu.RLock()
	keys, age := k.keys, k.now().Sub(k.fetchedAt)
	k.mu.RUnlock()
	if keys != nil && age < k.refresh {
		return keys, nil
	}
	wait := ctx
	if keys != nil && age <= k.maxAge {
		// stale but usable: wait briefly for the refetch (it goes on without
		// us), then serve what there is, so a slow JWKS stalls nobody
		var cancel context.CancelFunc
		wait, cancel = context.WithTimeout(ctx, staleWait)
		defer cancel()
	}
	fetchErr := k.fetch(wait)
	k.mu.RLock()
	defer k.mu.RUnlock()
	if k.keys == nil || k.now().Sub(k.fetchedAt) > k.maxAge {
		if fetchErr == nil {
			fetchErr = k.lastErr
		}
		if fetchErr == nil {
			fetchErr = errNoKeys
		}
		return nil, fmt.Errorf("the keys of %s cannot be fetched: %w", k.url, fetchErr)
	}
	return k.keys, nil
}

// fetch reads the JWKS unless a fetch started less than minInterval ago;
// callers arriving during a fetch share it, each waiting no longer than
// its own ctx. It returns the error of the fetch it made or shared (nil
// when rate-limited).
func (k *keyCache) fetch(ctx context.Context) error {
	ch := k.flight.DoChan("jwks", func() (any, error) {
		now := k.now()
		k.mu.Lock()
		if !k.attempted.IsZero() && now.Sub(k.attempted) < k.minInterval {
			k.mu.Unlock()
			return nil, nil
		}
		k.attempted = now
		k.mu.Unlock()
		keys, err := k.get(ctx)
		k.mu.Lock()
		defer k.mu.Unlock()
		k.lastErr = err
		if err == nil {
			k.keys, k.fetchedAt = keys, now
		}
		return nil, err
	})
	select {
	case r := <-ch:
		return r.Err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// get makes the HTTP request. It is not cancelled with the caller that
// started it (others may share it), but bounded by timeout.
func (k *keyCache) get(ctx context.Context) (map[string]*rsa.PublicKey, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), k.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := k.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", k.url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", k.url, err)
	}
	if len(body) > maxJWKSBytes {
		return nil, fmt.Errorf("GET %s: the key set is larger than %d bytes", k.url, maxJWKSBytes)
	}
	return parseJWKS(body, k.algs)
}

// parseJWKS returns the RSA signature keys of a JWKS document by kid. A
// document that is not a key set is an error; a key this package cannot
// use (another type or use, an algorithm not allowed, fewer than 2048
// bits, no kid) is skipped, and a kid named by two usable keys verifies nothing.
func parseJWKS(body []byte, algs []jose.SignatureAlgorithm) (map[string]*rsa.PublicKey, error) {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || doc.Keys == nil {
		return nil, errors.New("the answer is not a JSON Web Key Set")
	}
	if len(doc.Keys) > maxJWKSKeys {
		return nil, fmt.Errorf("the key set has more than %d keys", maxJWKSKeys)
	}
	keys := make(map[string]*rsa.PublicKey, len(doc.Keys))
	twice := map[string]bool{}
	for _, raw := range doc.Keys {
		kid, pub, ok := usableKey(raw, algs)
		if _, seen := keys[kid]; ok && seen {
			twice[kid] = true
		} else if ok {
			keys[kid] = pub
		}
	}
	for kid := range twice { // ambiguous: which key does a token of that kid mean?
		delete(keys, kid)
	}
	return keys, nil
}

// usableKey parses one JWK and reports whether it may verify tokens.
func usableKey(raw json.RawMessage, algs []jose.SignatureAlgorithm) (string, *rsa.PublicKey, bool) {
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(raw); err != nil || jwk.KeyID == "" || !jwk.IsPublic() {
		return "", nil, false
	}
	pub, ok := jwk.Key.(*rsa.PublicKey)
	switch {
	case !ok, pub.N.BitLen() < minRSABits:
		return "", nil, false
	case jwk.Use != "" && jwk.Use != "sig":
		return "", nil, false
	case jwk.Algorithm != "" && !slices.Contains(algs, jose.SignatureAlgorithm(jwk.Algorithm)):
		return "", nil, false
	}
	return jwk.KeyID, pub, true
}
