package server

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// TestThrottleMemoryIsBounded: an attacker sending failures (and some
// successes) with ever new client ids from ever new addresses fills each
// table up to its cap and no further; the most recent entries are kept.
func TestThrottleMemoryIsBounded(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	th := newThrottle(func() time.Time { return now })
	n := 5 * maxThrottleEntries
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var last *attempt
	for i := range n {
		last = th.attempt("mfp", fmt.Sprintf("random-id-%d", i), fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
		th.begin(last)
		th.end(last, false)
		th.begin(last)
		th.end(last, true) // trusted pairs and their buckets fill up too
		th.begin(last)
		th.end(last, false)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	for name, size := range map[string]int{
		"clients": th.clients.lru.len(), "addresses": th.addrs.lru.len(), "pairs": th.pairs.lru.len(), "trusted": th.trusted.len(),
	} {
		if size != maxThrottleEntries {
			t.Errorf("%s table holds %d entries after %d distinct ones; want the cap %d", name, size, n, maxThrottleEntries)
		}
	}
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 16<<20 {
		t.Errorf("the throttle grew the heap by %d MB", grown>>20)
	}
	if _, ok := th.clients.lru.get(last.client); !ok {
		t.Error("the most recent client was evicted")
	}
}

// TestRetryAfterIsWholeSeconds: Retry-After is rounded up, at least 1.
func TestRetryAfterIsWholeSeconds(t *testing.T) {
	for d, want := range map[time.Duration]int{time.Millisecond: 1, time.Second: 1, 1001 * time.Millisecond: 2, 0: 1} {
		if got := throttled(d).(*throttledError).retryAfter; got != want {
			t.Errorf("%v: Retry-After %d, want %d", d, got, want)
		}
	}
}

// TestThrottleAccounting: successes and cancelled checks (store down)
// consume nothing; a trusted pair's failures still count for its client
// id and address.
func TestThrottleAccounting(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	th := newThrottle(func() time.Time { return now })
	a := th.attempt("mfp", "c", "192.0.2.1")
	for range 3 * clientBurst {
		if th.begin(a) > 0 {
			t.Fatal("successes or cancelled checks used up the budget")
		}
		th.cancel(a)
		th.begin(a)
		th.end(a, true)
	}
	for range pairBurst { // trusted now: its own bucket, and the others count too
		if th.begin(a) > 0 {
			t.Fatal("the trusted pair has less than its budget")
		}
		th.end(a, false)
	}
	if th.begin(a) == 0 {
		t.Error("the trusted pair is not held to its budget")
	}
	other := th.attempt("mfp", "c", "192.0.2.2")
	if wait := th.begin(other); wait == 0 {
		t.Error("the trusted pair's failures did not count for the client id")
	}
}
