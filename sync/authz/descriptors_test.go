package authz_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/authz"
)

// headApps answers the head it holds, or not found, and counts the reads.
type headApps struct {
	head     *config.Descriptor
	disabled string // the message of a disabled application, if not ""
	reads    int
}

func (a *headApps) Descriptor(_ context.Context, runtime string, key config.AppKey) (*config.Descriptor, error) {
	a.reads++
	if a.disabled != "" {
		return nil, authz.ApplicationDisabled(runtime, key, a.disabled)
	}
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

// TestDescriptorCacheDisabledIsRefused: a disabled application is
// remembered as refused, like a deleted one, for DescriptorTTL (no store
// read per request), and an enable through this process (Forget) is seen
// at the next read.
func TestDescriptorCacheDisabledIsRefused(t *testing.T) {
	key := config.AppKey{ID: "com.example.bank", Platform: config.PlatformAndroid, Version: "1.0"}
	now := time.Now()
	apps := &headApps{head: &config.Descriptor{ApplicationKey: key}, disabled: "Update to 2.0"}
	cache := authz.NewDescriptorCache(apps, func() time.Time { return now })
	ctx := context.Background()
	for range 2 {
		_, err := cache.Descriptor(ctx, "mfp", key)
		if !errors.Is(err, authz.ErrDisabledApplication) || !errors.Is(err, authz.ErrUnknownApplication) || config.ErrorKind(err) != config.KindForbidden {
			t.Fatalf("disabled: %v, want a forbidden disabled application", err)
		}
		if want := "application com.example.bank/android/1.0 is disabled on runtime mfp: Update to 2.0"; err.Error() != want {
			t.Errorf("reason %q, want %q", err, want)
		}
	}
	if apps.reads != 1 {
		t.Errorf("%d reads of the store within a second, want 1", apps.reads)
	}
	apps.disabled = ""
	cache.Forget("mfp", key)
	if d, err := cache.Descriptor(ctx, "mfp", key); err != nil || d != apps.head {
		t.Fatalf("after the enable: %v, %v", d, err)
	}
}
