package config_test

import (
	"fmt"
	"testing"

	"github.com/scopectl/scopectl/config"
)

// TestCurrentRevision: a stale error carries the revision it met through
// any wrapping, and no other error claims one.
func TestCurrentRevision(t *testing.T) {
	stale := &config.Error{Kind: config.KindStale, Message: "changed", Details: config.StaleDetails{CurrentRevision: 4}}
	if got, ok := config.CurrentRevision(fmt.Errorf("push: %w", stale)); !ok || got != 4 {
		t.Errorf("wrapped stale error: %d, %v", got, ok)
	}
	if _, ok := config.CurrentRevision(config.Errorf(config.KindConflict, "no")); ok {
		t.Error("a conflict claims a current revision")
	}
}
