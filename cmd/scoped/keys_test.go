package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/sync/oauth"
	"github.com/scopectl/scopectl/sync/store/sqlite"
)

// TestKeysRotate: `scoped keys rotate` adds a signing key that becomes
// the active one, and the previous key stays published in the JWKS.
func TestKeysRotate(t *testing.T) {
	db := filepath.Join(t.TempDir(), "scoped.db")
	ctx := context.Background()
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	ks, err := oauth.NewKeySet(ctx, st) // creates the first key
	if err != nil {
		t.Fatal(err)
	}
	first := ks.JWKS(ctx).Keys[0].KeyID
	st.Close()

	var stdout, stderr bytes.Buffer
	if code := run([]string{"scoped", "keys", "rotate", "--db", "sqlite:" + db}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	st, _ = sqlite.Open(ctx, db)
	defer st.Close()
	ks, err = oauth.NewKeySet(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	keys := ks.JWKS(ctx).Keys
	if len(keys) != 2 || keys[1].KeyID != first || !strings.Contains(stdout.String(), keys[0].KeyID) {
		t.Errorf("after rotate: JWKS %v, output %q; want the new key first and %s kept", keys, stdout.String(), first)
	}
}

func TestBadDatabaseFlag(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"scoped", "keys", "rotate", "--db", "mysql://x"}, &stdout, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "use sqlite:PATH or postgres://") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}
