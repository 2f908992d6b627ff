package resource

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/accesstoken"
)

// IntrospectScope is the scope element a client needs to call scoped's
// introspection endpoint.
const IntrospectScope = "authorization.introspect"

// maxIntrospection bounds what Online reads of one introspection answer;
// a longer answer is refused (fail closed), never cut.
const maxIntrospection = 1 << 20

// maxIntrospectedToken is the longest token Online sends for introspection, the
// longest Authorization header scoped accepts: a longer one is invalid
// without a round trip.
const maxIntrospectedToken = 8 << 10

// OnlineOptions configure an Online verifier.
type OnlineOptions struct {
	// IntrospectionURL is the runtime's RFC 7662 endpoint, for example
	// http://localhost:9080/mfp/api/az/v1/introspection.
	IntrospectionURL string
	// TokenURL is the runtime's token endpoint, where Online obtains its
	// own token (client credentials, HTTP Basic).
	TokenURL string
	// ClientID and ClientSecret are a confidential client allowed scope
	// element authorization.introspect.
	ClientID, ClientSecret string
	// HTTPClient makes every request; nil means a client with a 10 s
	// timeout.
	HTTPClient *http.Client
	// CacheSize bounds the answers remembered (active and inactive);
	// 0 means 10000.
	CacheSize int
	// CacheTTL is the longest an answer is remembered; an active token is
	// never remembered beyond its expiry. 0 means 60 s.
	CacheTTL time.Duration
	// Now is the clock of the cache and of expiry checks; nil means
	// time.Now.
	Now func() time.Time
}

// Online verifies tokens by asking scoped (RFC 7662 introspection), so a
// revoked token or client is refused within CacheTTL. It fails closed:
// when scoped cannot answer, Verify returns an error that is not an
// *Error (the middleware answers 503), never a Principal.
type Online struct {
	opt   OnlineOptions
	cc    clientcredentials.Config
	cache *answerCache

	mu     sync.Mutex // guards own and ownExp; held while renewing
	own    string     // Online's own access token
	ownExp time.Time  // its expiry, by opt.Now

	flightMu sync.Mutex
	flights  map[[sha256.Size]byte]*flight // introspections under way
	joined   atomic.Int64                  // Verify calls that waited for another's introspection
}

// flight is one introspection that concurrent Verify calls of the same
// token share.
type flight struct {
	done chan struct{}
	p    *Principal
	err  error
}

// NewOnline returns an Online verifier; it obtains its own token on the
// first Verify.
func NewOnline(opt OnlineOptions) (*Online, error) {
	for name, u := range map[string]string{"IntrospectionURL": opt.IntrospectionURL, "TokenURL": opt.TokenURL} {
		if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return nil, fmt.Errorf("resource: %s %q is not an http(s) URL", name, u)
		}
	}
	if opt.ClientID == "" {
		return nil, errors.New("resource: OnlineOptions.ClientID is required")
	}
	if opt.HTTPClient == nil {
		opt.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	opt.CacheSize = orDefault(opt.CacheSize, 10000)
	opt.CacheTTL = orDefault(opt.CacheTTL, time.Minute)
	if opt.Now == nil {
		opt.Now = time.Now
	}
	cc := clientcredentials.Config{
		ClientID: opt.ClientID, ClientSecret: opt.ClientSecret, TokenURL: opt.TokenURL,
		Scopes: []string{IntrospectScope}, AuthStyle: oauth2.AuthStyleInHeader,
	}
	return &Online{opt: opt, cc: cc, cache: newAnswerCache(opt.CacheSize), flights: map[[sha256.Size]byte]*flight{}}, nil
}

func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// Verify checks token with scoped, or with a remembered answer of scoped,
// and then that it grants scope.
func (o *Online) Verify(ctx context.Context, token string, scope config.Scope) (*Principal, error) {
	if token == "" {
		return nil, ErrNoToken
	}
	if len(token) > maxIntrospectedToken {
		return nil, InvalidToken("the token is too long")
	}
	key := accesstoken.Hash(token)
	now := o.opt.Now()
	p, ok := o.cache.get(key, now)
	if !ok {
		var err error
		if p, err = o.lookup(ctx, key, token); err != nil {
			return nil, err
		}
	}
	return grants(p, now, scope)
}

// lookup introspects token and caches the answer, once for all the
// concurrent calls of one token (a popular token whose entry expired
// costs one round trip, not one per request). The introspection runs
// without the first caller's cancellation, bounded by the HTTP client's
// timeout, since others may wait for it.
func (o *Online) lookup(ctx context.Context, key [sha256.Size]byte, token string) (*Principal, error) {
	o.flightMu.Lock()
	if f, ok := o.flights[key]; ok {
		o.flightMu.Unlock()
		o.joined.Add(1)
		select {
		case <-f.done:
			return f.p, f.err
		case <-ctx.Done():
			return nil, fmt.Errorf("resource: introspection: %w", ctx.Err())
		}
	}
	f := &flight{done: make(chan struct{})}
	o.flights[key] = f
	o.flightMu.Unlock()

	f.p, f.err = o.introspect(context.WithoutCancel(ctx), token)
	if f.err == nil {
		o.cache.put(key, f.p, o.opt.Now(), o.opt.CacheTTL)
	}
	o.flightMu.Lock()
	delete(o.flights, key)
	o.flightMu.Unlock()
	close(f.done)
	return f.p, f.err
}

// grants is the answer for a token scoped described as p (nil: inactive).
func grants(p *Principal, now time.Time, scope config.Scope) (*Principal, error) {
	if p == nil {
		return nil, InvalidToken("the token is not active")
	}
	if !p.Expiry.IsZero() && !now.Before(p.Expiry) {
		return nil, InvalidToken("the token has expired")
	}
	if err := CheckScope(p.Scope, scope); err != nil {
		return nil, err
	}
	cp := *p
	cp.Scope = slices.Clone(p.Scope) // a handler's change stays its own, not the cache's
	return &cp, nil
}

// introspectionAnswer is the answer of scoped's introspection endpoint.
type introspectionAnswer struct {
	Active      bool   `json:"active"`
	Scope       string `json:"scope"`
	ClientID    string `json:"client_id"`
	Subject     string `json:"sub"`
	Expiry      int64  `json:"exp"`
	AppID       string `json:"app_id"`
	AppPlatform string `json:"app_platform"`
	AppVersion  string `json:"app_version"`
	User        string `json:"user"`
	DeviceID    string `json:"device_id"`
}

// introspect asks scoped about token: nil for an inactive token. When
// scoped refuses Online's own token (401: expired or revoked), Online
// renews it once and asks again.
func (o *Online) introspect(ctx context.Context, token string) (*Principal, error) {
	own, err := o.ownToken(ctx, "")
	if err != nil {
		return nil, err
	}
	status, body, err := o.post(ctx, own, token)
	if err == nil && status == http.StatusUnauthorized {
		if own, err = o.ownToken(ctx, own); err != nil {
			return nil, err
		}
		status, body, err = o.post(ctx, own, token)
	}
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("resource: introspection answered HTTP %d", status)
	}
	return introspectedPrincipal(body)
}

// introspectedPrincipal reads an introspection answer.
func introspectedPrincipal(body []byte) (*Principal, error) {
	var in introspectionAnswer
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, fmt.Errorf("resource: introspection answer is not JSON: %w", err)
	}
	if !in.Active {
		return nil, nil
	}
	scope, err := config.ParseScope(in.Scope)
	if err != nil {
		return nil, fmt.Errorf("resource: introspection answered an invalid scope: %w", err)
	}
	p := &Principal{
		ClientID: in.ClientID, Subject: in.Subject, Scope: scope,
		AppID: in.AppID, AppPlatform: in.AppPlatform, AppVersion: in.AppVersion, User: in.User, DeviceID: in.DeviceID,
	}
	if in.Expiry > 0 {
		p.Expiry = time.Unix(in.Expiry, 0)
	}
	return p, nil
}

// post sends one introspection request and returns the status and body.
func (o *Online) post(ctx context.Context, own, token string) (int, []byte, error) {
	form := url.Values{"token": {token}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.opt.IntrospectionURL, strings.NewReader(form))
	if err != nil {
		return 0, nil, fmt.Errorf("resource: introspection request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+own)
	resp, err := o.opt.HTTPClient.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("resource: introspection: %w", err)
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	n, err := io.Copy(&body, io.LimitReader(resp.Body, maxIntrospection+1))
	switch {
	case err != nil:
		return 0, nil, fmt.Errorf("resource: read introspection answer: %w", err)
	case n > maxIntrospection:
		return 0, nil, errors.New("resource: introspection answer is larger than 1 MiB")
	}
	return resp.StatusCode, body.Bytes(), nil
}

// ownToken returns Online's own token, obtaining a new one when there is
// none, it is about to expire, or it is stale (the one scoped refused).
func (o *Online) ownToken(ctx context.Context, stale string) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := o.opt.Now()
	if o.own != "" && o.own != stale && now.Before(o.ownExp) {
		return o.own, nil
	}
	tok, err := o.cc.Token(context.WithValue(ctx, oauth2.HTTPClient, o.opt.HTTPClient))
	if err != nil {
		return "", fmt.Errorf("resource: obtain the introspection client's token: %w", err)
	}
	o.own, o.ownExp = tok.AccessToken, now.Add(time.Hour)
	if !tok.Expiry.IsZero() { // renewed 10 s before it expires
		o.ownExp = now.Add(time.Until(tok.Expiry) - 10*time.Second)
	}
	return o.own, nil
}

// answerCache remembers introspection answers by the SHA-256 of the
// token, so the cache holds no token. It is bounded: when full, an
// arbitrary entry makes room.
type answerCache struct {
	mu      sync.RWMutex
	size    int
	entries map[[sha256.Size]byte]cachedAnswer
}

type cachedAnswer struct {
	p     *Principal // nil: inactive
	until time.Time
}

func newAnswerCache(size int) *answerCache {
	return &answerCache{size: size, entries: make(map[[sha256.Size]byte]cachedAnswer)}
}

func (c *answerCache) get(key [sha256.Size]byte, now time.Time) (*Principal, bool) {
	c.mu.RLock()
	a, ok := c.entries[key]
	c.mu.RUnlock()
	if !ok || !now.Before(a.until) {
		return nil, false
	}
	return a.p, true
}

// put remembers p until now+ttl, and never beyond the token's expiry.
func (c *answerCache) put(key [sha256.Size]byte, p *Principal, now time.Time, ttl time.Duration) {
	until := now.Add(ttl)
	if p != nil && !p.Expiry.IsZero() && p.Expiry.Before(until) {
		until = p.Expiry
	}
	if !now.Before(until) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[key]; !ok && len(c.entries) >= c.size {
		c.evict(now)
	}
	c.entries[key] = cachedAnswer{p: p, until: until}
}

// evict removes the expired entries met in a short scan, or else one
// arbitrary entry (Go's map order is random).
func (c *answerCache) evict(now time.Time) {
	scanned, removed := 0, 0
	for k, a := range c.entries {
		if !now.Before(a.until) {
			delete(c.entries, k)
			removed++
		}
		if scanned++; scanned == 64 {
			break
		}
	}
	if removed == 0 {
		for k := range c.entries {
			delete(c.entries, k)
			return
		}
	}
}
