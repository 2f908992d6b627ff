package sqlite_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/authz"
	"github.com/scopectl/scopectl/sync/store/sqlite"
)

// TestSpentAssertionIdsAreSwept: a client's expired assertion ids go, one
// spend in 16 at random sweeping them, whatever jtis the client picks;
// an expired record of a hash spent again is replaced, not a conflict.
func TestSpentAssertionIdsAreSwept(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "scoped.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	app := config.AppKey{ID: "com.example.bank", Platform: config.PlatformAndroid, Version: "1.0"}
	if err := s.AddMobileClient(ctx, authz.Client{ID: "c1", Runtime: "mfp", App: app, PublicKey: []byte(`{}`), Created: now}); err != nil {
		t.Fatal(err)
	}
	spend := func(jti string) error {
		sum := sha256.Sum256([]byte(jti))
		_, err := s.SpendAssertion(ctx, authz.Grant{Hash: hex.EncodeToString(sum[:]), Kind: authz.GrantAssertion,
			Runtime: "mfp", ClientID: "c1", App: app, Expires: now.Add(time.Minute)})
		return err
	}
	for i := range 100 {
		if err := spend(fmt.Sprint("early-", i)); err != nil {
			t.Fatal(err)
		}
	}
	now = now.Add(2 * time.Minute) // the first 100 have expired
	if err := spend("early-0"); err != nil {
		t.Errorf("an expired id's hash spent again: %v", err)
	}
	// jtis a client picked so that no hash ends in "0", which once decided
	// the sweep; (15/16)^300: about one run in 250 million sees none now
	for i, n := 0, 0; n < 300; i++ {
		jti := fmt.Sprint("late-", i)
		if sum := sha256.Sum256([]byte(jti)); sum[len(sum)-1]&0x0f == 0 {
			continue
		}
		if err := spend(jti); err != nil {
			t.Fatal(err)
		}
		n++
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var expired, all int
	err = db.QueryRow(`SELECT count(*) FILTER (WHERE expires_at <= ?), count(*) FROM mobile_spent_assertions`, now.UnixMicro()).Scan(&expired, &all)
	if err != nil || expired != 0 || all != 301 {
		t.Errorf("%d expired ids and %d in all after 301 spends since they expired (%v): want 0 and 301", expired, all, err)
	}
}
