package storetest

import (
	"context"
	"testing"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/store"
)

// testDisableApplication: an application's state is its own, not a
// revision's: Head and Applications show it, an apply keeps it, a delete
// keeps it for the version created again, and only an existing
// application can be disabled.
func testDisableApplication(t *testing.T, s store.Store) {
	ctx := context.Background()
	off := store.AppState{Disabled: true, Message: "Mise à jour requise: install 2.0"}
	wantNotFound(t, "disable an unknown application", s.SetAppState(ctx, "mfp", bank, off))
	mustApply(t, s, request("mfp", bank, content(bank, 1), api.Any()))
	other := config.AppKey{ID: "com.example.other", Platform: config.PlatformIOS, Version: "1.0"}
	mustApply(t, s, request("mfp", other, content(other, 1), api.Any()))
	if err := s.SetAppState(ctx, "mfp", bank, off); err != nil {
		t.Fatal(err)
	}
	wantState(t, s, "disabled", bank, off)
	wantState(t, s, "the other application", other, store.AppState{})
	wantNotFound(t, "disable in another runtime", s.SetAppState(ctx, "other", bank, off))

	res := mustApply(t, s, request("mfp", bank, content(bank, 2), api.Any()))
	if res.Revision.State != off {
		t.Errorf("apply answers state %+v, want %+v", res.Revision.State, off)
	}
	wantState(t, s, "after an apply", bank, off)
	if err := s.SetAppState(ctx, "mfp", bank, store.AppState{}); err != nil {
		t.Fatal(err)
	}
	wantState(t, s, "enabled", bank, store.AppState{})
	if revs, err := s.Revisions(ctx, "mfp", bank); err != nil || len(revs) != 2 {
		t.Errorf("disabling and enabling changed the history: %+v %v", revs, err)
	}

	if err := s.SetAppState(ctx, "mfp", bank, off); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "mfp", bank, api.Any()); err != nil {
		t.Fatal(err)
	}
	wantNotFound(t, "enable a deleted application", s.SetAppState(ctx, "mfp", bank, store.AppState{}))
	mustApply(t, s, request("mfp", bank, content(bank, 3), api.Absent()))
	wantState(t, s, "created again after a delete", bank, off)
}

// wantState checks the state of key as Head and Applications return it.
func wantState(t *testing.T, s store.Store, what string, key config.AppKey, want store.AppState) {
	t.Helper()
	ctx := context.Background()
	head, err := s.Head(ctx, "mfp", key)
	if err != nil || head.State != want {
		t.Errorf("%s: head state %+v %v, want %+v", what, head.State, err, want)
	}
	apps, err := s.Applications(ctx, "mfp")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range apps {
		if a.Key == key && a.State != want {
			t.Errorf("%s: listed state %+v, want %+v", what, a.State, want)
		}
	}
}
