package admin_test

import (
	"context"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/api"
)

// TestReadsOfAnUnknownPlatform: the service itself answers a lookup or a
// delete by a key with an unknown platform with a not-found error that
// names the platform, for every caller, not only the HTTP handlers.
func TestReadsOfAnUnknownPlatform(t *testing.T) {
	ctx := context.Background()
	svc := newEnv(t).svc
	key := config.AppKey{ID: "com.example.bank", Platform: "iphone", Version: "1.0"}
	_, head := svc.Head(ctx, "mfp", key)
	_, revs := svc.Revisions(ctx, "mfp", key)
	_, rev := svc.Revision(ctx, "mfp", key, 1)
	del := svc.Delete(ctx, "mfp", key, api.Any())
	for op, err := range map[string]error{"Head": head, "Revisions": revs, "Revision": rev, "Delete": del} {
		if config.ErrorKind(err) != config.KindNotFound || !strings.Contains(err.Error(), `unknown platform "iphone"`) {
			t.Errorf("%s: err = %v, want not found: unknown platform \"iphone\"", op, err)
		}
	}
}
