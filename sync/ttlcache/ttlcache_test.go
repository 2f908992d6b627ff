package ttlcache_test

import (
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/ttlcache"
)

// lookups counts the loads of a fake lookup that answers from a map.
type lookups struct {
	data  map[string]int
	err   error
	loads int
}

func (l *lookups) load(key string) func() (int, error) {
	return func() (int, error) {
		l.loads++
		if l.err != nil {
			return 0, l.err
		}
		v, ok := l.data[key]
		if !ok {
			return 0, config.Errorf(config.KindNotFound, "no %s", key)
		}
		return v, nil
	}
}

// TestCacheServesWithinTTL: a lookup, found or not, is reused until TTL
// has passed, then made again and its new answer served.
func TestCacheServesWithinTTL(t *testing.T) {
	c := &ttlcache.Cache[string, int]{TTL: time.Second}
	l := &lookups{data: map[string]int{"a": 1}}
	t0 := time.Unix(1000, 0)
	for _, at := range []time.Duration{0, 999 * time.Millisecond} {
		if v, found, err := c.Get("a", t0.Add(at), l.load("a")); v != 1 || !found || err != nil {
			t.Fatalf("a at +%v: %d %v %v", at, v, found, err)
		}
		if _, found, err := c.Get("b", t0.Add(at), l.load("b")); found || err != nil {
			t.Fatalf("b at +%v: found %v, %v; want not found, no error", at, found, err)
		}
	}
	if l.loads != 2 {
		t.Errorf("%d loads within the TTL, want 2", l.loads)
	}
	l.data = map[string]int{"a": 2, "b": 3}
	if v, found, _ := c.Get("a", t0.Add(time.Second), l.load("a")); v != 2 || !found {
		t.Errorf("a after the TTL: %d %v, want the new value 2", v, found)
	}
	if v, found, _ := c.Get("b", t0.Add(time.Second), l.load("b")); v != 3 || !found {
		t.Errorf("b after the TTL: %d %v, want it found now", v, found)
	}
	if v, _, _ := c.Get("a", t0.Add(-time.Second), l.load("a")); v != 2 || l.loads != 5 {
		t.Errorf("a with the clock set back: %d after %d loads, want a new lookup", v, l.loads)
	}
}

// TestCacheDoesNotRememberFailures: a lookup that fails for another
// reason than not found is returned, and made again next time.
func TestCacheDoesNotRememberFailures(t *testing.T) {
	c := &ttlcache.Cache[string, int]{TTL: time.Second}
	l := &lookups{err: errors.New("connection reset")}
	now := time.Unix(1000, 0)
	for range 2 {
		if _, _, err := c.Get("a", now, l.load("a")); err == nil {
			t.Fatal("a failed lookup answered without an error")
		}
	}
	if l.loads != 2 {
		t.Errorf("%d loads, want 2: a failure must not be cached", l.loads)
	}
}

// TestCacheForgetClearAndBound: Forget and Clear make the next Get look
// up again, and a full cache starts over instead of growing.
func TestCacheForgetClearAndBound(t *testing.T) {
	c := &ttlcache.Cache[string, int]{TTL: time.Hour, Max: 2}
	l := &lookups{data: map[string]int{"a": 1, "b": 2, "c": 3}}
	now := time.Unix(1000, 0)
	get := func(key string) {
		if _, _, err := c.Get(key, now, l.load(key)); err != nil {
			t.Fatal(err)
		}
	}
	get("a")
	c.Forget("a")
	get("a")
	c.Clear()
	get("a")
	if l.loads != 3 {
		t.Fatalf("%d loads after Forget and Clear, want 3", l.loads)
	}
	get("b") // the cache holds a and b: full
	get("c") // starts over with c alone
	get("c")
	get("a")
	if l.loads != 6 {
		t.Errorf("%d loads, want 6: a full cache must start over", l.loads)
	}
}

// TestCacheConcurrentUse: goroutines that get, forget and clear at once,
// in a cache small enough to start over often, each get the value of the
// key they asked for (run with -race: the locks are what this checks).
func TestCacheConcurrentUse(t *testing.T) {
	c := &ttlcache.Cache[string, string]{TTL: time.Millisecond, Max: 4}
	start := time.Unix(1000, 0)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				key := strconv.Itoa((g + i) % 10)
				v, found, err := c.Get(key, start.Add(time.Duration(i)*time.Microsecond*300), func() (string, error) { return "v" + key, nil })
				if v != "v"+key || !found || err != nil {
					t.Errorf("Get(%s) = %q, %v, %v", key, v, found, err)
					return
				}
				switch i % 50 {
				case 0:
					c.Forget(key)
				case 25:
					c.Clear()
				}
			}
		})
	}
	wg.Wait()
}
