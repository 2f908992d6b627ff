package authz_test

import (
	"context"
	"testing"
	"time"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/authz"
)

// headApps answers the head it holds, or not found, and counts the reads.
type headApps struct {
	head  *config.Descriptor
	reads int
}

func (a *headApps) Descriptor(_ context.Context, runtime string, key config.AppKey) (*config.Descriptor, error) {
	a.reads++
	if a.head == nil {
		return nil, config.Errorf(config.KindNotFound, "no application %s on %s", key, runtime)
	}
	return a.head, nil
}

// TestDescriptorCacheSeesDeletionWithinTTL: another process deletes the
// application; within DescriptorTTL this process sees it deleted, and an
// application created again is seen within DescriptorTTL too (a remembered
// "not found" expires like a descriptor).
func TestDescriptorCacheSeesDeletionWithinTTL(t *testing.T) {
	key := config.AppKey{ID: "com.example.bank", Platform: config.PlatformAndroid, Version: "1.0"}
	now := time.Now()
	apps := &headApps{head: &config.Descriptor{ApplicationKey: key}}
	cache := authz.NewDescriptorCache(apps, func() time.Time { return now })
	ctx := context.Background()
	if _, err := cache.Descriptor(ctx, "mfp", key); err != nil {
		t.Fatal(err)
	}
	apps.head = nil // deleted through another process
	now = now.Add(authz.DescriptorTTL)
	if _, err := cache.Descriptor(ctx, "mfp", key); config.ErrorKind(err) != config.KindNotFound {
		t.Fatalf("1 s after the deletion: %v, want not found", err)
	}
	apps.head = &config.Descriptor{ApplicationKey: key} // created again
	if _, err := cache.Descriptor(ctx, "mfp", key); config.ErrorKind(err) != config.KindNotFound {
		t.Fatalf("within 1 s the deletion still holds, got %v", err)
	}
	now = now.Add(authz.DescriptorTTL)
	if d, err := cache.Descriptor(ctx, "mfp", key); err != nil || d != apps.head {
		t.Fatalf("1 s after the new apply: %v, %v", d, err)
	}
	if apps.reads != 3 {
		t.Errorf("%d reads of the store, want 3 (one per second of clock)", apps.reads)
	}
}

// TestDescriptorCacheForget: a change through this process (Forget) is
// seen at the next read.
func TestDescriptorCacheForget(t *testing.T) {
	key := config.AppKey{ID: "com.example.bank", Platform: config.PlatformAndroid, Version: "1.0"}
	apps := &headApps{}
	cache := authz.NewDescriptorCache(apps, time.Now)
	ctx := context.Background()
	if _, err := cache.Descriptor(ctx, "mfp", key); config.ErrorKind(err) != config.KindNotFound {
		t.Fatalf("before the apply: %v", err)
	}
	apps.head = &config.Descriptor{ApplicationKey: key}
	cache.Forget("mfp", key)
	if d, err := cache.Descriptor(ctx, "mfp", key); err != nil || d != apps.head {
		t.Fatalf("after the apply: %v, %v", d, err)
	}
}
