package authz

import (
	"context"
	"sync"
	"time"

	"github.com/scopectl/scopectl/config"
)

// DescriptorTTL is how long a process trusts a descriptor it read, or the
// absence of one (or that the application is disabled): a push, a delete,
// a disable or an enable through another process reaches this process's
// runtime within this time (the clientTTL of the token checks is the
// same). One through this process reaches it at once, by Forget.
const DescriptorTTL = time.Second

// maxCachedDescriptors bounds the memory of a DescriptorCache: when it
// holds that many entries it starts again empty.
const maxCachedDescriptors = 10000

// DescriptorCache is an Applications that remembers what another one
// answered, found, not found or disabled, for DescriptorTTL, so that requests of an
// application that did not change read no store. Its methods are safe for
// concurrent use; the descriptors it returns are shared and must not be
// changed.
type DescriptorCache struct {
	apps Applications
	now  func() time.Time

	mu      sync.Mutex
	entries map[descriptorKey]cachedDescriptor
	// generation counts Forget calls: a read that began before one does
	// not fill the cache, so an apply is never hidden by the head it
	// replaced.
	generation uint64
}

type descriptorKey struct {
	runtime string
	app     config.AppKey
}

type cachedDescriptor struct {
	d   *config.Descriptor
	err error // the error of an application that does not exist or is disabled (refused)
	at  time.Time
}

// NewDescriptorCache returns a cache in front of apps whose entries age by
// now (time.Now when nil).
func NewDescriptorCache(apps Applications, now func() time.Time) *DescriptorCache {
	if now == nil {
		now = time.Now
	}
	return &DescriptorCache{apps: apps, now: now, entries: make(map[descriptorKey]cachedDescriptor)}
}

// Descriptor returns the descriptor of an application as apps answered it
// less than DescriptorTTL ago, else asks apps again. Errors other than
// those refusing the application (KindNotFound, ApplicationDisabled) are
// not remembered.
func (c *DescriptorCache) Descriptor(ctx context.Context, runtime string, key config.AppKey) (*config.Descriptor, error) {
	k := descriptorKey{runtime, key}
	c.mu.Lock()
	e, ok := c.entries[k]
	generation := c.generation
	c.mu.Unlock()
	now := c.now()
	if ok && now.Sub(e.at) < DescriptorTTL && !now.Before(e.at) {
		return e.d, e.err
	}
	d, err := c.apps.Descriptor(ctx, runtime, key)
	if err != nil && !isRefusal(err) {
		return nil, err
	}
	c.store(k, cachedDescriptor{d: d, err: err, at: now}, generation)
	return d, err
}

// store remembers e unless Forget ran since generation was read.
func (c *DescriptorCache) store(k descriptorKey, e cachedDescriptor, generation uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.generation != generation {
		return
	}
	if len(c.entries) >= maxCachedDescriptors {
		clear(c.entries)
	}
	c.entries[k] = e
}

// Forget drops what the cache knows of an application: the admin service
// calls it after an apply, a delete, a disable or an enable, so that this process obeys the
// change at the next request.
func (c *DescriptorCache) Forget(runtime string, key config.AppKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.generation++
	delete(c.entries, descriptorKey{runtime, key})
}
