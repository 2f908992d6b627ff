package api_test

import (
	"testing"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/api"
)

// TestKindOfInvertsStatus: every kind survives the trip to a status and
// back, so the client reads answers with the server's own table.
func TestKindOfInvertsStatus(t *testing.T) {
	for kind, status := range api.Status {
		if got := api.KindOf(status); got != kind {
			t.Errorf("%s → %d → %s", kind, status, got)
		}
	}
	for status, want := range map[int]config.Kind{429: config.KindUnavailable, 502: config.KindUnavailable, 418: config.KindInternal} {
		if got := api.KindOf(status); got != want {
			t.Errorf("%d → %s, want %s", status, got, want)
		}
	}
}
