package admin_test

import (
	"context"
	"io/fs"
	"testing"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/fixtures"
	"github.com/scopectl/scopectl/sync/admin"
)

// TestSeedApplicationsOnce: seeding adds the descriptors a runtime lacks,
// and a second start adds none and stores no new revision.
func TestSeedApplicationsOnce(t *testing.T) {
	ctx := context.Background()
	st := newEnv(t).st
	samples, err := fs.Sub(fixtures.FS, "valid")
	if err != nil {
		t.Fatal(err)
	}
	n, err := admin.SeedApplications(ctx, st, "mfp", samples, "scoped --dev")
	if err != nil || n == 0 {
		t.Fatalf("first seed added %d (%v), want every sample", n, err)
	}
	if again, err := admin.SeedApplications(ctx, st, "mfp", samples, "scoped --dev"); err != nil || again != 0 {
		t.Fatalf("second seed added %d (%v), want 0", again, err)
	}
	heads, err := st.Applications(ctx, "mfp")
	if err != nil || len(heads) != n {
		t.Fatalf("%d applications (%v), want %d", len(heads), err, n)
	}
	for _, h := range heads {
		if h.Number != 1 {
			t.Errorf("%s is at revision %d after two seeds, want 1", h.Key, h.Number)
		}
	}
}

// TestRemoveDevClientOnlyWithDevSecret: the development client is removed
// only while it still has the well-known secret.
func TestRemoveDevClientOnlyWithDevSecret(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	st, v := e.st, e.secrets
	if err := admin.EnsureClient(ctx, st, v, "mfp", "test", "a-real-secret", config.NewScope("*")); err != nil {
		t.Fatal(err)
	}
	if removed, err := admin.RemoveDevClient(ctx, st, v, "mfp", "test", "dev-secret"); err != nil || removed {
		t.Fatalf("client with its own secret: removed=%v (%v), want kept", removed, err)
	}
	if err := admin.EnsureClient(ctx, st, v, "mfp", "test", "dev-secret", config.NewScope("*")); err != nil {
		t.Fatal(err)
	}
	if removed, err := admin.RemoveDevClient(ctx, st, v, "mfp", "test", "dev-secret"); err != nil || !removed {
		t.Fatalf("client with the dev secret: removed=%v (%v), want removed", removed, err)
	}
	if _, err := st.Client(ctx, "mfp", "test"); config.ErrorKind(err) != config.KindNotFound {
		t.Fatalf("after removal, Client = %v, want not found", err)
	}
}
