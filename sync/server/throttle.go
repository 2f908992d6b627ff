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
// overdraw the budget) and gives it back when it succeeds; an attempt
// that finds the budget held only by such reservations waits for them to
// settle instead of being refused, so that a client's own concurrent
// first logins are not answered 429. Every table is capped and forgets its least recently used
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
	settled *sync.Cond      // on mu: a reservation was settled
	clients buckets         // by runtime and client id
	addrs   buckets         // by remote address
	pairs   buckets         // by client and address, for trusted pairs
	trusted *lru[time.Time] // client and address -> last success
}

func newThrottle(now func() time.Time) *throttle {
	t := &throttle{
		now: now, seed: maphash.MakeSeed(),
		clients: newBuckets(clientBurst, clientRate), addrs: newBuckets(addrBurst, addrRate),
		pairs: newBuckets(pairBurst, pairRate), trusted: newLRU[time.Time](maxThrottleEntries),
	}
	t.settled = sync.NewCond(&t.mu)
	return t
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
// a must wait when the budget is spent, as admit says.
func (t *throttle) begin(a *attempt) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if wait := t.admitLocked(a); wait > 0 {
		return wait
	}
	now := t.now()
	if a.trusted {
		t.pairs.reserve(a.pair, now)
		return 0
	}
	t.clients.reserve(a.client, now)
	t.addrs.reserve(a.addr, now)
	return 0
}

// admit returns how long a must wait for its budget to hold one failure
// more, without reserving it: for a check that cannot fail (a secret
// verified before), which must still be within budget, or the answer
// would tell right guesses from wrong ones past it. While the budget is
// held only by the reservations of attempts being checked, admit waits
// for them to settle (each within a secret check), so that a client's
// own concurrent requests are not refused.
func (t *throttle) admit(a *attempt) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.admitLocked(a)
}

func (t *throttle) admitLocked(a *attempt) time.Duration {
	for {
		wait, settling := t.waitLocked(a, t.now())
		if wait == 0 || !settling {
			return wait
		}
		t.settled.Wait()
	}
}

// waitLocked returns how long a must wait for a free slot of its budget,
// and whether reservations being settled may free one sooner.
func (t *throttle) waitLocked(a *attempt, now time.Time) (time.Duration, bool) {
	at, ok := t.trusted.get(a.pair)
	a.trusted = ok && now.Sub(*at) < trustedPairTTL
	if a.trusted {
		return t.pairs.wait(a.pair, now)
	}
	cw, cs := t.clients.wait(a.client, now)
	aw, as := t.addrs.wait(a.addr, now)
	return max(cw, aw), (cw == 0 || cs) && (aw == 0 || as)
}

// cancel gives the reservation of a begun attempt back, when the check
// could not be made (the store failed): it is neither a success nor a
// failure.
func (t *throttle) cancel(a *attempt) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	defer t.settled.Broadcast()
	t.releaseLocked(a, now, true)
}

// end settles a begun attempt: a success gives the reservation back and
// trusts the pair; a failure of a trusted pair also counts for its
// client id and address.
func (t *throttle) end(a *attempt, ok bool) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	defer t.settled.Broadcast()
	t.releaseLocked(a, now, ok)
	switch {
	case ok:
		t.trustLocked(a, now)
	case a.trusted:
		t.clients.spend(a.client, now)
		t.addrs.spend(a.addr, now)
	}
}

// releaseLocked ends the reservation of a begun attempt, giving its
// failure back when free; the caller wakes the attempts waiting.
func (t *throttle) releaseLocked(a *attempt, now time.Time, free bool) {
	if a.trusted {
		t.pairs.release(a.pair, now, free)
		return
	}
	t.clients.release(a.client, now, free)
	t.addrs.release(a.addr, now, free)
}

// trust records a success of a's client from its address.
func (t *throttle) trust(a *attempt) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.trustLocked(a, now)
}

func (t *throttle) trustLocked(a *attempt, now time.Time) {
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
	tokens   float64 // failures allowed now, reservations taken out
	reserved int     // reservations not settled yet
	at       time.Time
}

func newBuckets(burst, rate float64) buckets {
	return buckets{burst: burst, rate: rate, lru: newLRU[bucket](maxThrottleEntries)}
}

func (bs buckets) level(b *bucket, now time.Time) float64 {
	return min(bs.burst, b.tokens+max(0, now.Sub(b.at).Seconds())*bs.rate)
}

// wait returns how long until the bucket of key holds one token (an
// unknown key has a full bucket), and whether settling its reservations
// may give one back sooner.
func (bs buckets) wait(key uint64, now time.Time) (time.Duration, bool) {
	b, ok := bs.lru.get(key)
	if !ok {
		return 0, false
	}
	if level := bs.level(b, now); level < 1 {
		return time.Duration((1 - level) / bs.rate * float64(time.Second)), b.reserved > 0
	}
	return 0, false
}

// reserve takes one token out of the bucket of key (created full) for an
// attempt being checked.
func (bs buckets) reserve(key uint64, now time.Time) {
	b := bs.spend(key, now)
	b.reserved++
}

// spend takes one token out of the bucket of key, created full: a
// failure.
func (bs buckets) spend(key uint64, now time.Time) *bucket {
	b, ok := bs.lru.get(key)
	if !ok {
		b = bs.lru.add(key, bucket{tokens: bs.burst, at: now})
	}
	b.tokens, b.at = max(0, bs.level(b, now)-1), now
	return b
}

// release settles a reservation of the bucket of key, if it is still
// there, giving its token back when free (the attempt did not fail).
func (bs buckets) release(key uint64, now time.Time, free bool) {
	b, ok := bs.lru.get(key)
	if !ok {
		return
	}
	b.reserved = max(0, b.reserved-1)
	if free {
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
