package authz

import (
	"context"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
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
	mu      sync.Mutex
	clients map[string]cachedClient // by client id
}

type cachedClient struct {
	client Client
	key    *jose.JSONWebKey
	at     time.Time
}

// ClientTTL is how long a runtime trusts a client it read.
const ClientTTL = time.Second

// get returns the client id names with its key, from the cache or else
// from load.
func (cc *clientCache) get(ctx context.Context, id string, now time.Time, load func(ctx context.Context, id string) (Client, error)) (Client, *jose.JSONWebKey, error) {
	cc.mu.Lock()
	e, ok := cc.clients[id]
	cc.mu.Unlock()
	if ok && now.Sub(e.at) < ClientTTL {
		return e.client, e.key, nil
	}
	c, err := load(ctx, id)
	if err != nil {
		return Client{}, nil, err
	}
	key, err := parseClientKey(c.PublicKey)
	if err != nil {
		return Client{}, nil, err
	}
	cc.mu.Lock()
	if cc.clients == nil || len(cc.clients) >= maxCachedClients {
		cc.clients = make(map[string]cachedClient)
	}
	cc.clients[id] = cachedClient{client: c, key: key, at: now}
	cc.mu.Unlock()
	return c, key, nil
}

// forget drops the client id names.
func (cc *clientCache) forget(id string) {
	cc.mu.Lock()
	delete(cc.clients, id)
	cc.mu.Unlock()
}
