package authz

import (
	"context"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/scopectl/scopectl/config"
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
	key    *jose.JSONWebKey // nil: the client was not found
	at     time.Time
}

// ClientTTL is how long a runtime trusts a client it read.
const ClientTTL = time.Second

// get returns the client id names with its key, from the cache or else
// from load; a client that load did not find (KindNotFound) is
// remembered as such, and is a KindNotFound error.
func (cc *clientCache) get(ctx context.Context, id string, now time.Time, load func(ctx context.Context, id string) (Client, error)) (Client, *jose.JSONWebKey, error) {
	cc.mu.Lock()
	e, ok := cc.clients[id]
	cc.mu.Unlock()
	if !ok || now.Sub(e.at) >= ClientTTL {
		var err error
		if e, err = cc.load(ctx, id, now, load); err != nil {
			return Client{}, nil, err
		}
	}
	if e.key == nil {
		return Client{}, nil, config.Errorf(config.KindNotFound, "no mobile client %s", id)
	}
	return e.client, e.key, nil
}

// load reads a client with load and caches what it found, or that it
// found nothing.
func (cc *clientCache) load(ctx context.Context, id string, now time.Time, load func(ctx context.Context, id string) (Client, error)) (cachedClient, error) {
	c, err := load(ctx, id)
	e := cachedClient{client: c, at: now}
	switch {
	case config.ErrorKind(err) == config.KindNotFound:
	case err != nil:
		return e, err
	default:
		if e.key, err = parseClientKey(c.PublicKey); err != nil {
			return e, err
		}
	}
	cc.mu.Lock()
	if cc.clients == nil || len(cc.clients) >= maxCachedClients {
		cc.clients = make(map[string]cachedClient)
	}
	cc.clients[id] = e
	cc.mu.Unlock()
	return e, nil
}

// forget drops the client id names.
func (cc *clientCache) forget(id string) {
	cc.mu.Lock()
	delete(cc.clients, id)
	cc.mu.Unlock()
}
