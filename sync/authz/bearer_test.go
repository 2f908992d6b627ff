package authz_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/accesstoken/accesstokentest"
	"github.com/scopectl/scopectl/sync/authz"
	"github.com/scopectl/scopectl/sync/authz/authztest"
	"github.com/scopectl/scopectl/sync/oauth"
	"github.com/scopectl/scopectl/sync/store"
)

// signing gives rt the tokens of a deployment: signed with a key kept in
// its store, as scoped's.
func signing(t *testing.T, rt *authz.Runtime) *authz.Runtime {
	ctx := context.Background()
	st := rt.Store.(oauth.KeyStore)
	if err := st.AddFirstSigningKey(ctx, store.SigningKey{ID: "k1", PrivatePEM: accesstokentest.KeyPEM(), Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	keys, err := oauth.NewKeySet(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	rt.Tokens = oauth.NewTokens(keys, time.Hour)
	return rt
}

// countingStore counts the check-state updates of a real store.
type countingStore struct {
	authz.Store
	updates atomic.Int32
}

func (s *countingStore) UpdateCheckStates(ctx context.Context, runtime, id string, update func(map[string]authz.CheckState) (map[string]authz.CheckState, error)) error {
	s.updates.Add(1)
	return s.Store.UpdateCheckStates(ctx, runtime, id, update)
}

// bearerToken asks rt for a token of scope with the JWT authorization
// grant, signed by dev.
func bearerToken(rt *authz.Runtime, dev *authztest.Device, scope string) (authz.Token, error) {
	return rt.Token(context.Background(), authz.TokenRequest{
		GrantType: authz.GrantTypeJWTBearer, Scope: config.NewScope(scope), Assertion: dev.Assertion(audience, time.Now()), Audience: audience,
	})
}

// TestStandingChecksWriteNothing: once a client's checks stand in success,
// preauthorizing again or asking for a token stores no check state: a
// flow then writes only the jti of its assertions.
func TestStandingChecksWriteNothing(t *testing.T) {
	rt := signing(t, sqliteRuntime(t, nil))
	counted := &countingStore{Store: rt.Store}
	rt.Store = counted
	dev := client(t, rt)
	if p, err := preauthorize(rt, dev, "free", nil); err != nil || !p.Passed() {
		t.Fatalf("first preauthorization: %+v, %v", p, err)
	}
	if n := counted.updates.Load(); n != 1 {
		t.Fatalf("the first preauthorization stored the states %d times, want 1", n)
	}
	if p, err := preauthorize(rt, dev, "free", nil); err != nil || !p.Passed() {
		t.Fatalf("second preauthorization: %+v, %v", p, err)
	}
	if tok, err := bearerToken(rt, dev, "free"); err != nil || tok.ExpiresIn != 60 {
		t.Fatalf("token: %+v, %v; want one of 60 s, the check's success", tok, err)
	}
	if n := counted.updates.Load(); n != 1 {
		t.Errorf("%d state updates after a preauthorization and a token whose checks stood; want none", n-1)
	}
}

// TestDeletedClientRefusedByAnotherInstance: an instance that read a
// client before another instance deleted it refuses the client's next
// request all the same (the store refuses its jti), within its cache.
func TestDeletedClientRefusedByAnotherInstance(t *testing.T) {
	first := signing(t, sqliteRuntime(t, nil))
	second := &authz.Runtime{Name: first.Name, Store: first.Store, Apps: first.Apps, Checks: first.Checks, Tokens: first.Tokens}
	dev := client(t, first)
	if _, err := bearerToken(second, dev, "free"); err != nil {
		t.Fatalf("a token from the other instance: %v", err)
	}
	if err := first.Store.DeleteMobileClient(context.Background(), first.Name, dev.ID); err != nil {
		t.Fatal(err)
	}
	_, err := bearerToken(second, dev, "free")
	if config.ErrorKind(err) != config.KindUnauthorized {
		t.Errorf("a deleted client's token request on an instance that knew it: %v; want unauthorized", err)
	}
	if _, err := preauthorize(second, dev, "free", nil); config.ErrorKind(err) != config.KindUnauthorized {
		t.Errorf("a deleted client's preauthorization on an instance that knew it: %v; want unauthorized", err)
	}
}

// TestBearerGrantReplayed: an assertion gets one answer.
func TestBearerGrantReplayed(t *testing.T) {
	rt := signing(t, sqliteRuntime(t, nil))
	dev := client(t, rt)
	req := authz.TokenRequest{GrantType: authz.GrantTypeJWTBearer, Scope: config.NewScope("free"), Assertion: dev.Assertion(audience, time.Now()), Audience: audience}
	if _, err := rt.Token(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if _, err := rt.Token(context.Background(), req); config.ErrorKind(err) != config.KindUnauthorized {
		t.Errorf("the same assertion again: %v; want unauthorized", err)
	}
}
