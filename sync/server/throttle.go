package server

import (
	"container/list"
	"fmt"
	"hash/maphash"
	"math"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/scopectl/scopectl/config"
)

// Failed client authentications (token endpoint, HTTP Basic on protected
// resources) are throttled with token buckets, without trusting any
// header for the address:
//
//   - per client id (and runtime): 10 failures, then 1 a second;
//   - per remote address (IPv4 address, IPv6 /64): 30 failures, then 3 a
//     second, so that one address cannot spray guesses over many ids;
//   - a client id that authenticated successfully from an address in the
//     last 24 hours is, from that address, only held to its own bucket of
//     10 failures then 1 a second: a flood of guesses against its id or
//     from its address does not lock a known client out.
//
// A request over budget is answered 429 with Retry-After before any
// secret is checked, so it costs no bcrypt work. Each attempt reserves
// one failure before its check (so that concurrent guesses cannot
// overdraw the budget) and gives it back when it succeeds. Every table is capped and forgets its least recently used
// entries first, so memory stays bounded whatever ids and addresses an
// attacker sends.
const (
	clientBurst, clientRate = 10, 1.0
	addrBurst, addrRate     = 30, 3.0
	pairBurst, pairRate     = clientBurst, clientRate
	trustedPairTTL          = 24 * time.Hour
	maxThrottleEntries      = 10000 // per table
)

// throttle counts failed authentications; safe for concurrent use.
type throttle struct {
	now  func() time.Time
	seed maphash.Seed

	mu      sync.Mutex
	clients buckets         // by runtime and client id
	addrs   buckets         // by remote address
	pairs   buckets         // by client and address, for trusted pairs
	trusted *lru[time.Time] // client and address -> last success
}

func newThrottle(now func() time.Time) *throttle {
	return &throttle{
		now: now, seed: maphash.MakeSeed(),
		clients: newBuckets(clientBurst, clientRate), addrs: newBuckets(addrBurst, addrRate),
		pairs: newBuckets(pairBurst, pairRate), trusted: newLRU[time.Time](maxThrottleEntries),
	}
}

// attempt is one authentication attempt, by its throttle keys.
type attempt struct {
	client, addr, pair uint64
	trusted            bool // the pair logged in before: only its own bucket applies
}

func (t *throttle) attempt(runtime, id, addr string) *attempt {
	client := runtime + "\x00" + id
	return &attempt{
		client: maphash.String(t.seed, client),
		addr:   maphash.String(t.seed, addr),
		pair:   maphash.String(t.seed, client+"\x00"+addr),
	}
}

// begin reserves one failure of a's budget before its secret is checked
// (so that concurrent attempts cannot overdraw it), or returns how long
// a must wait when the budget is spent.
func (t *throttle) begin(a *attempt) time.Duration {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	at, ok := t.trusted.get(a.pair)
	a.trusted = ok && now.Sub(*at) < trustedPairTTL
	if a.trusted {
		if wait := t.pairs.wait(a.pair, now); wait > 0 {
			return wait
		}
		t.pairs.take(a.pair, now)
		return 0
	}
	if wait := max(t.clients.wait(a.client, now), t.addrs.wait(a.addr, now)); wait > 0 {
		return wait
	}
	t.clients.take(a.client, now)
	t.addrs.take(a.addr, now)
	return 0
}

// cancel gives the reservation of a begun attempt back, when the check
// could not be made (the store failed): it is neither a success nor a
// failure.
func (t *throttle) cancel(a *attempt) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	if a.trusted {
		t.pairs.give(a.pair, now)
		return
	}
	t.clients.give(a.client, now)
	t.addrs.give(a.addr, now)
}

// end settles a begun attempt: a success gives the reservation back and
// trusts the pair; a failure of a trusted pair also counts for its
// client id and address.
func (t *throttle) end(a *attempt, ok bool) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case ok && a.trusted:
		t.pairs.give(a.pair, now)
	case ok:
		t.clients.give(a.client, now)
		t.addrs.give(a.addr, now)
	case a.trusted:
		t.clients.take(a.client, now)
		t.addrs.take(a.addr, now)
	}
	if !ok {
		return
	}
	if at, found := t.trusted.get(a.pair); found {
		*at = now
		return
	}
	t.trusted.add(a.pair, now)
}

// buckets are token buckets of allowed failures by key, each holding up
// to burst tokens and refilled at rate tokens a second.
type buckets struct {
	burst, rate float64
	lru         *lru[bucket]
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newBuckets(burst, rate float64) buckets {
	return buckets{burst: burst, rate: rate, lru: newLRU[bucket](maxThrottleEntries)}
}

func (bs buckets) level(b *bucket, now time.Time) float64 {
	return min(bs.burst, b.tokens+max(0, now.Sub(b.at).Seconds())*bs.rate)
}

// wait returns how long until the bucket of key holds one token; an
// unknown key has a full bucket.
func (bs buckets) wait(key uint64, now time.Time) time.Duration {
	b, ok := bs.lru.get(key)
	if !ok {
		return 0
	}
	if level := bs.level(b, now); level < 1 {
		return time.Duration((1 - level) / bs.rate * float64(time.Second))
	}
	return 0
}

// take removes one token from the bucket of key, creating it full.
func (bs buckets) take(key uint64, now time.Time) {
	b, ok := bs.lru.get(key)
	if !ok {
		b = bs.lru.add(key, bucket{tokens: bs.burst, at: now})
	}
	b.tokens, b.at = max(0, bs.level(b, now)-1), now
}

// give returns one token to the bucket of key, if it is still there.
func (bs buckets) give(key uint64, now time.Time) {
	if b, ok := bs.lru.get(key); ok {
		b.tokens, b.at = min(bs.burst, bs.level(b, now)+1), now
	}
}

// throttledError refuses an authentication attempt over its budget: an
// unavailable error whose answer is 429 with the wait in Retry-After and
// in the details (errorHeaders).
type throttledError struct {
	err        *config.Error
	retryAfter int // whole seconds, at least 1
}

func (e *throttledError) Error() string { return e.err.Error() }
func (e *throttledError) Unwrap() error { return e.err }

// throttled returns the error of an attempt that must wait.
func throttled(wait time.Duration) error {
	seconds := max(1, int(math.Ceil(wait.Seconds())))
	return &throttledError{retryAfter: seconds, err: &config.Error{
		Kind:    config.KindUnavailable,
		Message: fmt.Sprintf("too many failed client authentications; try again in %d s", seconds),
		Details: map[string]int{"retryAfter": seconds},
	}}
}

// remoteAddress is the throttling key of a request's peer: its IP address
// (the IPv6 /64 it is in, as one host may hold all of it), from the
// connection only; headers such as X-Forwarded-For are not trusted.
func remoteAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	if ip = ip.Unmap(); ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

// lru is a map of at most max entries that drops the least recently used
// entry to make room. Not safe for concurrent use.
type lru[V any] struct {
	max     int
	order   *list.List // of *lruEntry[V], most recent first
	entries map[uint64]*list.Element
}

type lruEntry[V any] struct {
	key uint64
	val V
}

func newLRU[V any](max int) *lru[V] {
	return &lru[V]{max: max, order: list.New(), entries: make(map[uint64]*list.Element)}
}

// get returns the value of key, now the most recently used.
func (c *lru[V]) get(key uint64) (*V, bool) {
	e, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return &e.Value.(*lruEntry[V]).val, true
}

// add inserts key (absent) with v, dropping the oldest entry when full.
func (c *lru[V]) add(key uint64, v V) *V {
	if c.order.Len() >= c.max {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.entries, oldest.Value.(*lruEntry[V]).key)
	}
	e := &lruEntry[V]{key: key, val: v}
	c.entries[key] = c.order.PushFront(e)
	return &e.val
}

func (c *lru[V]) len() int { return c.order.Len() }
