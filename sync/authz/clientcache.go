package authz

import (
	"context"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/ttlcache"
)

// maxCachedClients bounds a clientCache: when full it starts over.
const maxCachedClients = 10000

// clientCache remembers registered clients with their parsed public keys
// for ClientTTL, so that an assertion is checked without a store read or
// a JWK parse. A client never changes once registered; a deleted one may
// stay cached (Forget drops it at once), and gets nothing from it: every
// request spends its assertion's jti in the store, which refuses the
// grants of a client it no longer has. The TTL only makes such a refusal
// read as the other instances' (invalid_client) within a second.
type clientCache struct {
	once    sync.Once
	entries *ttlcache.Cache[string, cachedClient] // by client id
}

type cachedClient struct {
	client Client
	key    *jose.JSONWebKey
}

// ClientTTL is how long a runtime trusts a client it read.
const ClientTTL = time.Second

// get returns the client id names with its key, from the cache or else
// from load; a client that load did not find (KindNotFound) is
// remembered as such, and is a KindNotFound error.
func (cc *clientCache) get(ctx context.Context, id string, now time.Time, load func(ctx context.Context, id string) (Client, error)) (Client, *jose.JSONWebKey, error) {
	e, found, err := cc.cache().Get(id, now, func() (cachedClient, error) {
		c, err := load(ctx, id)
		if err != nil {
			return cachedClient{}, err
		}
		key, err := parseClientKey(c.PublicKey)
		if err != nil {
			return cachedClient{}, err
		}
		return cachedClient{client: c, key: key}, nil
	})
	switch {
	case err != nil:
		return Client{}, nil, err
	case !found:
		return Client{}, nil, config.Errorf(config.KindNotFound, "no mobile client %s", id)
	}
	return e.client, e.key, nil
}

// cache returns the entries, made on first use: a Runtime's zero
// clientCache is ready.
func (cc *clientCache) cache() *ttlcache.Cache[string, cachedClient] {
	cc.once.Do(func() { cc.entries = &ttlcache.Cache[string, cachedClient]{TTL: ClientTTL, Max: maxCachedClients} })
	return cc.entries
}

// forget drops the client id names.
func (cc *clientCache) forget(id string) { cc.cache().Forget(id) }
