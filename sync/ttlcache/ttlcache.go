// Package ttlcache remembers lookups, found or not, for a fixed time in
// bounded memory: what spares scoped a store read per request for data
// that a change may take a moment to reach (a client removed, a secret
// changed), on every process alike.
package ttlcache

import (
	"sync"
	"time"

	"github.com/scopectl/scopectl/config"
)

// Cache maps keys to what a lookup returned less than TTL ago. It holds
// at most Max entries (10,000 when Max is 0 or less) and starts over when
// full. The
// zero value, with TTL set, is ready to use; a Cache is safe for
// concurrent use.
type Cache[K comparable, V any] struct {
	TTL time.Duration
	Max int

	mu      sync.RWMutex
	entries map[K]entry[V]
}

type entry[V any] struct {
	value V
	found bool
	at    time.Time
}

// defaultMax bounds a Cache whose Max is 0 or less.
const defaultMax = 10000

// Get returns the value of key and whether a lookup found it, from the
// cache when the lookup was made less than TTL before now, else from load.
// A config.KindNotFound error of load is a lookup that found nothing and
// is remembered as such; another error is returned, and not remembered.
func (c *Cache[K, V]) Get(key K, now time.Time, load func() (V, error)) (V, bool, error) {
	c.mu.RLock()
	e, ok := c.entries[key]
	c.mu.RUnlock()
	if age := now.Sub(e.at); ok && age >= 0 && age < c.TTL {
		return e.value, e.found, nil
	}
	v, err := load()
	found := err == nil
	if err != nil && config.ErrorKind(err) != config.KindNotFound {
		return v, false, err
	}
	c.mu.Lock()
	if c.entries == nil || len(c.entries) >= c.max() {
		c.entries = make(map[K]entry[V])
	}
	c.entries[key] = entry[V]{value: v, found: found, at: now}
	c.mu.Unlock()
	return v, found, nil
}

func (c *Cache[K, V]) max() int {
	if c.Max <= 0 {
		return defaultMax
	}
	return c.Max
}

// Forget drops key: its next Get looks it up.
func (c *Cache[K, V]) Forget(key K) {
	c.mu.Lock()
	delete(c.entries, key)
	c.mu.Unlock()
}

// Clear drops every entry.
func (c *Cache[K, V]) Clear() {
	c.mu.Lock()
	clear(c.entries)
	c.mu.Unlock()
}
