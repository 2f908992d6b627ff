package admin_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/fixtures"
	"github.com/scopectl/scopectl/sync/admin"
	"github.com/scopectl/scopectl/sync/oauth"
	"github.com/scopectl/scopectl/sync/store/sqlite"
	"github.com/scopectl/scopectl/sync/store/sqlstore"
)

// env is a service on a new SQLite store, with the store and the secret
// verifier (bcrypt at its lowest cost) it was given.
type env struct {
	st      *sqlstore.Store
	secrets *oauth.SecretVerifier
	svc     *admin.Service
}

func newEnv(t *testing.T) env {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "scoped.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	v := oauth.NewSecretVerifier()
	v.Cost = bcrypt.MinCost
	return env{st: st, secrets: v, svc: admin.New(admin.Config{Store: st, Secrets: v})}
}

func bank(t *testing.T) []byte {
	t.Helper()
	src, err := fixtures.FS.ReadFile("valid/com.example.bank-android-1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// bankWithMaxExp60 is the bank sample with maxTokenExpiration 60 instead
// of 3600.
func bankWithMaxExp60(t *testing.T) []byte {
	t.Helper()
	return []byte(strings.Replace(string(bank(t)), `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 60`, 1))
}

var bankKey = config.AppKey{ID: "com.example.bank", Platform: "android", Version: "1.0"}
