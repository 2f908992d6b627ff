package server

import (
	"context"
	"sync"
	"time"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/accesstoken"
	"github.com/scopectl/scopectl/sync/store"
)

// clientTTL is how long a process trusts what it read about a client when
// checking tokens: removing a client, narrowing its scope or changing its
// secret revokes its tokens on every process within this time.
const clientTTL = time.Second

// lookupCache remembers recent lookups of one kind of client for token
// checks, found or not, for clientTTL, in bounded memory.
type lookupCache[V any] struct {
	mu      sync.Mutex
	entries map[[2]string]cachedLookup[V]
}

type cachedLookup[V any] struct {
	value V
	found bool
	at    time.Time
}

func (c *lookupCache[V]) forget() {
	c.mu.Lock()
	clear(c.entries)
	c.mu.Unlock()
}

// get returns the value of (runtime, id), from the cache when fresh, else
// from load; a KindNotFound error of load is a lookup that found nothing.
func (c *lookupCache[V]) get(runtime, id string, load func() (V, error)) (V, bool, error) {
	key := [2]string{runtime, id}
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok && time.Since(e.at) < clientTTL {
		return e.value, e.found, nil
	}
	v, err := load()
	found := err == nil
	if err != nil && config.ErrorKind(err) != config.KindNotFound {
		return v, false, err
	}
	c.mu.Lock()
	if c.entries == nil || len(c.entries) > 10000 {
		c.entries = make(map[[2]string]cachedLookup[V])
	}
	c.entries[key] = cachedLookup[V]{value: v, found: found, at: time.Now()}
	c.mu.Unlock()
	return v, found, nil
}

// lookupClient returns a confidential client, from the cache when fresh.
func (s *Server) lookupClient(ctx context.Context, runtime, id string) (store.Client, bool, error) {
	return s.clients.get(runtime, id, func() (store.Client, error) { return s.store.Client(ctx, runtime, id) })
}

// verifyToken checks a bearer token's signature and claims, then checks it
// against its client as it is now, and returns the claims and the granted
// scope: a confidential client must exist, must still have the secret the
// token was issued under, and must still be allowed every element the
// token grants; a mobile client must still be registered (deleting it
// revokes its tokens).
func (s *Server) verifyToken(ctx context.Context, runtime, token string) (accesstoken.Claims, config.Scope, error) {
	c, err := s.tokens.Verifier.Verify(ctx, token, s.issuerOf(runtime))
	if err != nil {
		return c, nil, err
	}
	granted, _ := config.ParseScope(c.Scope)
	if c.Mobile() {
		return c, granted, s.checkMobileClient(ctx, runtime, c)
	}
	return c, granted, s.checkConfidentialClient(ctx, runtime, c, granted)
}

func (s *Server) checkConfidentialClient(ctx context.Context, runtime string, c accesstoken.Claims, granted config.Scope) error {
	client, found, err := s.lookupClient(ctx, runtime, c.ClientID)
	switch {
	case err != nil:
		return err
	case !found:
		return config.Errorf(config.KindUnauthorized, "the client of this token no longer exists")
	case c.SecretVersion != client.SecretSetAt.UnixMicro():
		return config.Errorf(config.KindUnauthorized, "the client's secret changed after this token was issued")
	}
	if e, ok := client.AllowedScope.AllowsAll(granted); !ok {
		return config.Errorf(config.KindUnauthorized, "the client is no longer allowed scope %q", e)
	}
	return nil
}

func (s *Server) checkMobileClient(ctx context.Context, runtime string, c accesstoken.Claims) error {
	rt := s.mobile[runtime]
	if rt == nil {
		return config.Errorf(config.KindUnauthorized, "runtime %s has no mobile clients", runtime)
	}
	found, err := rt.Registered(ctx, c.ClientID)
	if err == nil && !found {
		return config.Errorf(config.KindUnauthorized, "the mobile client of this token is no longer registered")
	}
	return err
}
