// Package storetest is the conformance suite that every store.Store
// implementation must pass. Each implementation's tests call Run with a
// function that opens a fresh, empty store.
package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/store"
)

// Opener opens a fresh, empty store for one test; the suite closes it.
type Opener func(t *testing.T) store.Store

// Run runs the whole suite against stores from open.
func Run(t *testing.T, open Opener) {
	// A slice, not a map: the cases run in this order every time, so that
	// a failure that depends on the order reproduces.
	for _, tc := range append([]struct {
		name string
		test func(*testing.T, store.Store)
	}{
		{"ApplyAndRead", testApplyAndRead},
		{"UnchangedApplyAddsNothing", testUnchangedApply},
		{"Preconditions", testPreconditions},
		{"NotFound", testNotFound},
		{"Delete", testDelete},
		{"DisableApplication", testDisableApplication},
		{"RuntimesAreSeparate", testRuntimesAreSeparate},
		{"UnusualIdentifiers", testUnusualIdentifiers},
		{"ConcurrentIfMatchLosesNothing", testConcurrentIfMatch},
		{"Clients", testClients},
		{"SigningKeys", testSigningKeys},
		{"ConcurrentClientUpdates", testConcurrentClientUpdates},
		{"FirstSigningKeyOnce", testFirstSigningKeyOnce},
		{"RetireSigningKey", testRetireSigningKey},
		{"UnstorableText", testUnstorableText},
		{"Probe", testProbe},
	}, mobileCases...) {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() { s.Close() })
			tc.test(t, s)
		})
	}
}

var bank = config.AppKey{ID: "com.example.bank", Platform: config.PlatformAndroid, Version: "1.0"}

// content returns a distinct canonical descriptor for key.
func content(key config.AppKey, maxExp int64) []byte {
	return (&config.Descriptor{ApplicationKey: key, MaxTokenExpiration: maxExp}).Canonical()
}

func request(runtime string, key config.AppKey, body []byte, ifMatch api.Precondition) store.ApplyRequest {
	sum := sha256.Sum256(body)
	return store.ApplyRequest{
		Runtime: runtime, Key: key, Content: body, Hash: hex.EncodeToString(sum[:]),
		Summary: fmt.Sprintf("maxTokenExpiration set (%d bytes)", len(body)), Author: "admin", IfMatch: ifMatch,
	}
}

func mustApply(t *testing.T, s store.Store, req store.ApplyRequest) store.ApplyResult {
	t.Helper()
	res, err := s.Apply(context.Background(), req)
	if err != nil {
		t.Fatalf("apply %s: %v", req.Key, err)
	}
	return res
}

func testApplyAndRead(t *testing.T, s store.Store) {
	ctx := context.Background()
	before := time.Now().Add(-time.Second)
	first := mustApply(t, s, request("mfp", bank, content(bank, 3600), api.Any()))
	if first.Revision.Number != 1 || first.Previous != nil || first.Unchanged {
		t.Fatalf("first apply: %+v", first)
	}
	second := mustApply(t, s, request("mfp", bank, content(bank, 7200), api.Revision(1)))
	if second.Revision.Number != 2 || second.Previous == nil || second.Previous.Number != 1 {
		t.Fatalf("second apply: %+v", second)
	}
	head, err := s.Head(ctx, "mfp", bank)
	if err != nil || head.Number != 2 || string(head.Content) != string(content(bank, 7200)) || head.Author != "admin" {
		t.Fatalf("head: %+v %v", head, err)
	}
	if head.Time.Before(before) || head.Time.After(time.Now().Add(time.Second)) || head.Time.Location() != time.UTC {
		t.Errorf("head time %v is not the apply time in UTC", head.Time)
	}
	sum := sha256.Sum256(head.Content)
	if head.Hash != hex.EncodeToString(sum[:]) {
		t.Errorf("hash %s does not match the content", head.Hash)
	}
	revs, err := s.Revisions(ctx, "mfp", bank)
	if err != nil || len(revs) != 2 || revs[0].Number != 1 || revs[1].Number != 2 || revs[0].Content != nil || revs[1].Summary == "" {
		t.Fatalf("revisions: %+v %v", revs, err)
	}
	old, err := s.Revision(ctx, "mfp", bank, 1)
	if err != nil || string(old.Content) != string(content(bank, 3600)) {
		t.Fatalf("revision 1: %+v %v", old, err)
	}
	for n, want := range map[int][]int64{1: {7200}, 2: {3600, 7200}, 50: {3600, 7200}} {
		latest, err := s.LatestRevisions(ctx, "mfp", bank, n)
		if err != nil || len(latest) != len(want) {
			t.Fatalf("latest %d revisions: %+v %v", n, latest, err)
		}
		for i, r := range latest {
			if r.Number != int64(len(revs)-len(want)+i+1) || string(r.Content) != string(content(bank, want[i])) || r.Summary == "" {
				t.Errorf("latest %d revisions, #%d: revision %d, summary %q, content %s", n, i, r.Number, r.Summary, r.Content)
			}
		}
	}
	if _, err := s.LatestRevisions(ctx, "mfp", bank, 0); config.ErrorKind(err) != config.KindInvalid {
		t.Errorf("latest 0 revisions: %v, want an invalid error", err)
	}
	other := config.AppKey{ID: "com.example.a", Platform: config.PlatformWeb, Version: "2.0"}
	mustApply(t, s, request("mfp", other, content(other, 60), api.Any()))
	apps, err := s.Applications(ctx, "mfp")
	if err != nil || len(apps) != 2 || apps[0].Key != other || apps[1].Key != bank || apps[1].Number != 2 {
		t.Fatalf("applications: %+v %v", apps, err)
	}
}

func testUnchangedApply(t *testing.T, s store.Store) {
	mustApply(t, s, request("mfp", bank, content(bank, 3600), api.Any()))
	res := mustApply(t, s, request("mfp", bank, content(bank, 3600), api.Revision(1)))
	if !res.Unchanged || res.Revision.Number != 1 {
		t.Fatalf("re-applying the same content: %+v", res)
	}
	revs, _ := s.Revisions(context.Background(), "mfp", bank)
	if len(revs) != 1 {
		t.Errorf("no-op apply added a revision: %d revisions", len(revs))
	}
}

func wantStale(t *testing.T, err error, current int64) {
	t.Helper()
	if got, ok := config.CurrentRevision(err); !ok || got != current {
		t.Fatalf("want a stale error with current revision %d, got %v", current, err)
	}
}

func testPreconditions(t *testing.T, s store.Store) {
	ctx := context.Background()
	_, err := s.Apply(ctx, request("mfp", bank, content(bank, 1), api.Revision(3)))
	wantStale(t, err, 0)
	mustApply(t, s, request("mfp", bank, content(bank, 1), api.Absent())) // create only
	_, err = s.Apply(ctx, request("mfp", bank, content(bank, 2), api.Absent()))
	wantStale(t, err, 1)
	mustApply(t, s, request("mfp", bank, content(bank, 2), api.Revision(1)))
	_, err = s.Apply(ctx, request("mfp", bank, content(bank, 3), api.Revision(1)))
	wantStale(t, err, 2)
	head, _ := s.Head(ctx, "mfp", bank)
	if string(head.Content) != string(content(bank, 2)) {
		t.Errorf("a stale apply changed the head: %s", head.Content)
	}
}

func wantNotFound(t *testing.T, what string, err error) {
	t.Helper()
	if config.ErrorKind(err) != config.KindNotFound {
		t.Errorf("%s: want a not_found error, got %v", what, err)
	}
}

func testNotFound(t *testing.T, s store.Store) {
	ctx := context.Background()
	_, err := s.Head(ctx, "mfp", bank)
	wantNotFound(t, "head", err)
	_, err = s.Revisions(ctx, "mfp", bank)
	wantNotFound(t, "revisions", err)
	_, err = s.Revision(ctx, "mfp", bank, 1)
	wantNotFound(t, "revision", err)
	_, err = s.LatestRevisions(ctx, "mfp", bank, 1)
	wantNotFound(t, "latest revisions", err)
	wantNotFound(t, "delete", s.Delete(ctx, "mfp", bank, api.Any()))
	_, err = s.Client(ctx, "mfp", "nobody")
	wantNotFound(t, "client", err)
	apps, err := s.Applications(ctx, "mfp")
	if err != nil || len(apps) != 0 {
		t.Errorf("empty store lists %+v %v", apps, err)
	}
}

func testDelete(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustApply(t, s, request("mfp", bank, content(bank, 1), api.Any()))
	mustApply(t, s, request("mfp", bank, content(bank, 2), api.Any()))
	wantStale(t, s.Delete(ctx, "mfp", bank, api.Revision(1)), 2)
	if err := s.Delete(ctx, "mfp", bank, api.Revision(2)); err != nil {
		t.Fatal(err)
	}
	_, err := s.Head(ctx, "mfp", bank)
	wantNotFound(t, "head after delete", err)
	wantNotFound(t, "second delete", s.Delete(ctx, "mfp", bank, api.Any()))
	if apps, _ := s.Applications(ctx, "mfp"); len(apps) != 0 {
		t.Errorf("deleted application still listed: %+v", apps)
	}
	if revs, err := s.Revisions(ctx, "mfp", bank); err != nil || len(revs) != 2 {
		t.Errorf("history lost on delete: %+v %v", revs, err)
	}
	if revs, err := s.LatestRevisions(ctx, "mfp", bank, 5); err != nil || len(revs) != 2 || string(revs[1].Content) != string(content(bank, 2)) {
		t.Errorf("latest revisions after delete: %d revisions (%v); want revisions 1 and 2, with their content", len(revs), err)
	}
	_, err = s.Apply(ctx, request("mfp", bank, content(bank, 3), api.Revision(2))) // an ETag from before the delete
	wantStale(t, err, 0)
	// Re-created, it goes on numbering: an old ETag never matches new content.
	res := mustApply(t, s, request("mfp", bank, content(bank, 3), api.Absent()))
	if res.Revision.Number != 3 || res.Previous != nil {
		t.Errorf("re-created application: %+v", res)
	}
}

func testRuntimesAreSeparate(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustApply(t, s, request("mfp", bank, content(bank, 1), api.Any()))
	mustApply(t, s, request("other", bank, content(bank, 2), api.Any()))
	a, _ := s.Head(ctx, "mfp", bank)
	b, _ := s.Head(ctx, "other", bank)
	if a.Number != 1 || b.Number != 1 || string(a.Content) == string(b.Content) {
		t.Errorf("runtimes share state: %+v %+v", a, b)
	}
	replaceClients(t, s, "mfp", []store.Client{{ID: "c", SecretHash: "h"}})
	if _, err := s.Client(ctx, "other", "c"); config.ErrorKind(err) != config.KindNotFound {
		t.Errorf("client of runtime mfp visible in runtime other: %v", err)
	}
}

func testUnusualIdentifiers(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, id := range []string{"..", "a'b\"c", "x; DROP TABLE revisions; --", "日本.アプリ", "a/b", `\`, "%_"} {
		key := config.AppKey{ID: id, Platform: config.PlatformIOS, Version: "1.0"}
		mustApply(t, s, request("rt'", key, content(key, 5), api.Any()))
		head, err := s.Head(ctx, "rt'", key)
		if err != nil || head.Key != key {
			t.Errorf("id %q: %+v %v", id, head.Key, err)
		}
	}
	apps, _ := s.Applications(ctx, "rt'")
	if len(apps) != 7 {
		t.Errorf("%d applications, want 7", len(apps))
	}
	// LIKE-style wildcards must not match other ids.
	if _, err := s.Head(ctx, "rt'", config.AppKey{ID: "%", Platform: config.PlatformIOS, Version: "1.0"}); config.ErrorKind(err) != config.KindNotFound {
		t.Errorf("%% matched another application: %v", err)
	}
}

// testConcurrentIfMatch: racing read-modify-write applies never lose an
// update: each lands as exactly one revision or fails as stale.
func testConcurrentIfMatch(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustApply(t, s, request("mfp", bank, content(bank, 1), api.Any()))
	const writers, attempts = 8, 10
	var landed acknowledged
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for a := range attempts {
				if !readModifyWrite(t, s, int64(1000+w*attempts+a), &landed) {
					return
				}
			}
		})
	}
	wg.Wait()
	revs, err := s.Revisions(ctx, "mfp", bank)
	if err != nil {
		t.Fatal(err)
	}
	if len(revs) != len(landed.numbers)+1 {
		t.Errorf("%d revisions stored, %d applies acknowledged (+1 initial)", len(revs), len(landed.numbers))
	}
	for i, r := range revs {
		if r.Number != int64(i+1) {
			t.Fatalf("revision numbers have a gap: %+v", revs)
		}
	}
	if len(landed.numbers) == 0 {
		t.Error("no concurrent apply landed")
	}
}

// acknowledged records the revision numbers applies were acknowledged
// with; safe for concurrent use.
type acknowledged struct {
	mu      sync.Mutex
	numbers map[int64]bool
}

// add records n, reporting a number acknowledged twice.
func (a *acknowledged) add(t *testing.T, n int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.numbers == nil {
		a.numbers = map[int64]bool{}
	}
	if a.numbers[n] {
		t.Errorf("revision %d landed twice", n)
	}
	a.numbers[n] = true
}

// readModifyWrite reads the head of bank and applies a new content under
// If-Match of it; a stale answer is expected, any other error reported
// (and false returned).
func readModifyWrite(t *testing.T, s store.Store, maxExp int64, landed *acknowledged) bool {
	ctx := context.Background()
	head, err := s.Head(ctx, "mfp", bank)
	if err != nil {
		t.Error(err)
		return false
	}
	res, err := s.Apply(ctx, request("mfp", bank, content(bank, maxExp), api.Revision(head.Number)))
	switch {
	case config.ErrorKind(err) == config.KindStale:
	case err != nil:
		t.Error(err)
		return false
	default:
		landed.add(t, res.Revision.Number)
	}
	return true
}

func testClients(t *testing.T, s store.Store) {
	ctx := context.Background()
	scope := config.NewScope("push.application.*", "mfpadmin")
	setAt := time.Date(2026, 5, 6, 7, 8, 9, 123456000, time.UTC)
	clients := []store.Client{
		{ID: "zeta", DisplayName: "Zeta", SecretHash: "$2a$10$z", SecretSetAt: setAt, AllowedScope: scope},
		{ID: "alpha", DisplayName: "Alpha", SecretHash: "$2a$10$a", AllowedScope: config.NewScope()},
	}
	replaceClients(t, s, "mfp", clients)
	got, err := s.Clients(ctx, "mfp")
	if err != nil || len(got) != 2 || got[0].ID != "alpha" || got[1].ID != "zeta" {
		t.Fatalf("clients: %+v %v", got, err)
	}
	if got[1].AllowedScope.String() != scope.String() || got[1].SecretHash != "$2a$10$z" || got[1].DisplayName != "Zeta" || !got[1].SecretSetAt.Equal(setAt) {
		t.Errorf("client did not round-trip: %+v", got[1])
	}
	err = s.UpdateClients(ctx, "mfp", func(current []store.Client) ([]store.Client, error) {
		if len(current) != 2 || current[0].ID != "alpha" {
			t.Errorf("update sees %+v", current)
		}
		current[0].DisplayName, current[0].SecretHash = "Alpha 2", "h2"
		return current, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Client(ctx, "mfp", "alpha")
	if err != nil || c.DisplayName != "Alpha 2" || c.SecretHash != "h2" {
		t.Errorf("put client: %+v %v", c, err)
	}
	replaceClients(t, s, "mfp", clients[:1])
	if got, _ := s.Clients(ctx, "mfp"); len(got) != 1 || got[0].ID != "zeta" {
		t.Errorf("replace did not drop alpha: %+v", got)
	}
}

func testSigningKeys(t *testing.T, s store.Store) {
	ctx := context.Background()
	base := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
	for i := range 3 {
		k := store.SigningKey{ID: fmt.Sprintf("k%d", i), PrivatePEM: []byte("pem"), Created: base.Add(time.Duration(i) * time.Hour)}
		if err := s.AddSigningKey(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	keys, err := s.SigningKeys(ctx)
	if err != nil || len(keys) != 3 || keys[0].ID != "k2" || keys[2].ID != "k0" {
		t.Fatalf("keys: %+v %v", keys, err)
	}
	if !keys[2].Created.Equal(base) || string(keys[0].PrivatePEM) != "pem" || !keys[0].Retired.IsZero() {
		t.Errorf("key did not round-trip: %+v", keys[2])
	}
	if err := s.AddSigningKey(ctx, store.SigningKey{ID: "k0", PrivatePEM: []byte("x"), Created: base}); err == nil {
		t.Error("duplicate key id accepted")
	}
}

// testFirstSigningKeyOnce: processes that start together on an empty store
// create one first key between them.
func testFirstSigningKeyOnce(t *testing.T, s store.Store) {
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() {
			k := store.SigningKey{ID: fmt.Sprintf("first%d", i), PrivatePEM: []byte("pem"), Created: time.Now()}
			if err := s.AddFirstSigningKey(ctx, k); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	keys, err := s.SigningKeys(ctx)
	if err != nil || len(keys) != 1 {
		t.Fatalf("%d first keys stored (%v); want exactly one", len(keys), err)
	}
	if err := s.AddFirstSigningKey(ctx, store.SigningKey{ID: "late", PrivatePEM: []byte("pem"), Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if keys, _ := s.SigningKeys(ctx); len(keys) != 1 {
		t.Errorf("a later first key was stored too: %d keys", len(keys))
	}
}

// testRetireSigningKey: a retired key stays listed, marked with the time
// it was retired; the newest key cannot be retired (something must sign),
// an unknown one is not found, and retiring twice keeps the first time.
func testRetireSigningKey(t *testing.T, s store.Store) {
	ctx := context.Background()
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i, id := range []string{"k0", "k'1", "k2"} {
		k := store.SigningKey{ID: id, PrivatePEM: []byte("pem"), Created: base.Add(time.Duration(i) * time.Hour)}
		if err := s.AddSigningKey(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RetireSigningKey(ctx, "k2"); config.ErrorKind(err) != config.KindConflict {
		t.Errorf("retiring the newest key: %v; want a conflict", err)
	}
	for _, id := range []string{"nope", "k", "k%", ""} {
		if err := s.RetireSigningKey(ctx, id); config.ErrorKind(err) != config.KindNotFound {
			t.Errorf("retiring unknown key %q: %v; want not_found", id, err)
		}
	}
	before := time.Now().Add(-time.Second)
	if err := s.RetireSigningKey(ctx, "k'1"); err != nil {
		t.Fatal(err)
	}
	keys, err := s.SigningKeys(ctx)
	if err != nil || len(keys) != 3 || keys[1].ID != "k'1" {
		t.Fatalf("keys after retiring: %+v %v", keys, err)
	}
	retired := keys[1].Retired
	if retired.Before(before) || retired.After(time.Now().Add(time.Second)) || retired.Location() != time.UTC {
		t.Errorf("retired at %v, want now in UTC", retired)
	}
	if !keys[0].Retired.IsZero() || !keys[2].Retired.IsZero() {
		t.Errorf("other keys marked retired: %+v", keys)
	}
	if err := s.RetireSigningKey(ctx, "k'1"); err != nil {
		t.Errorf("retiring again: %v", err)
	}
	if keys, _ := s.SigningKeys(ctx); !keys[1].Retired.Equal(retired) {
		t.Errorf("retiring again moved the time from %v to %v", retired, keys[1].Retired)
	}
}

func replaceClients(t *testing.T, s store.Store, runtime string, clients []store.Client) {
	t.Helper()
	err := s.UpdateClients(context.Background(), runtime, func([]store.Client) ([]store.Client, error) { return clients, nil })
	if err != nil {
		t.Fatal(err)
	}
}

// testConcurrentClientUpdates: racing read-modify-write updates of the
// client list neither fail nor lose an update, and a failing update
// changes nothing.
func testConcurrentClientUpdates(t *testing.T, s store.Store) {
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Go(func() {
			err := s.UpdateClients(ctx, "mfp", func(current []store.Client) ([]store.Client, error) {
				return append(current, store.Client{ID: fmt.Sprintf("c%02d", i), SecretHash: "h"}), nil
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got, _ := s.Clients(ctx, "mfp")
	if len(got) != 12 {
		t.Errorf("%d clients after 12 concurrent additions", len(got))
	}
	err := s.UpdateClients(ctx, "mfp", func([]store.Client) ([]store.Client, error) {
		return nil, config.Errorf(config.KindConflict, "refused")
	})
	if config.ErrorKind(err) != config.KindConflict {
		t.Errorf("update error: %v", err)
	}
	if got, _ := s.Clients(ctx, "mfp"); len(got) != 12 {
		t.Errorf("a refused update changed the list: %d clients", len(got))
	}
}

// unstorable are texts that PostgreSQL cannot hold (NUL, invalid UTF-8),
// as they arrive from a client: a Basic client id, a %00 or %ff in a path.
var unstorable = []string{"a\x00b", "\x00", "\xff", "caf\xe9", "\xed\xa0\x80", "com.example.bank\x00"}

// testUnstorableText: such a text never exists in any store. Looking it
// up finds nothing (not_found, an empty list), writing it is invalid,
// and neither is an internal error nor leaves the store unusable.
func testUnstorableText(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustApply(t, s, request("mfp", bank, content(bank, 1), api.Any()))
	replaceClients(t, s, "mfp", []store.Client{{ID: "c", SecretHash: "h"}})
	if err := s.AddSigningKey(ctx, store.SigningKey{ID: "k", PrivatePEM: []byte("pem"), Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range unstorable {
		unstorableApplications(t, s, bad)
		unstorableLookups(t, s, bad)
		unstorableWrites(t, s, bad)
	}
	// Nothing was written, and the store still works.
	if revs, err := s.Revisions(ctx, "mfp", bank); err != nil || len(revs) != 1 {
		t.Errorf("revisions after the refused writes: %+v %v", revs, err)
	}
	if clients, err := s.Clients(ctx, "mfp"); err != nil || len(clients) != 1 {
		t.Errorf("clients after the refused writes: %+v %v", clients, err)
	}
	if keys, err := s.SigningKeys(ctx); err != nil || len(keys) != 1 {
		t.Errorf("signing keys after the refused writes: %+v %v", keys, err)
	}
	mustApply(t, s, request("mfp", bank, content(bank, 4), api.Revision(1)))
}

// unstorableApplications: applications whose key or runtime holds bad
// are not found, and applying one is invalid.
func unstorableApplications(t *testing.T, s store.Store, bad string) {
	ctx := context.Background()
	keys := []config.AppKey{
		{ID: bad, Platform: bank.Platform, Version: bank.Version},
		{ID: bank.ID, Platform: config.Platform(bad), Version: bank.Version},
		{ID: bank.ID, Platform: bank.Platform, Version: bad},
	}
	for _, key := range keys {
		for _, rt := range []string{"mfp", bad} {
			_, err := s.Head(ctx, rt, key)
			wantNotFound(t, fmt.Sprintf("head %q %q", rt, key), err)
			_, err = s.Revisions(ctx, rt, key)
			wantNotFound(t, fmt.Sprintf("revisions %q %q", rt, key), err)
			_, err = s.Revision(ctx, rt, key, 1)
			wantNotFound(t, fmt.Sprintf("revision %q %q", rt, key), err)
			wantNotFound(t, fmt.Sprintf("delete %q %q", rt, key), s.Delete(ctx, rt, key, api.Any()))
			wantNotFound(t, fmt.Sprintf("disable %q %q", rt, key), s.SetAppState(ctx, rt, key, store.AppState{Disabled: true}))
			wantInvalid(t, fmt.Sprintf("apply %q %q", rt, key), applyErr(s, request(rt, key, content(key, 2), api.Any())))
		}
	}
}

// unstorableLookups: runtimes, clients and keys named bad are not found.
func unstorableLookups(t *testing.T, s store.Store, bad string) {
	ctx := context.Background()
	if apps, err := s.Applications(ctx, bad); err != nil || len(apps) != 0 {
		t.Errorf("applications of runtime %q: %+v %v", bad, apps, err)
	}
	if clients, err := s.Clients(ctx, bad); err != nil || len(clients) != 0 {
		t.Errorf("clients of runtime %q: %+v %v", bad, clients, err)
	}
	_, err := s.Client(ctx, "mfp", bad)
	wantNotFound(t, fmt.Sprintf("client %q", bad), err)
	_, err = s.Client(ctx, bad, "c")
	wantNotFound(t, fmt.Sprintf("client c of runtime %q", bad), err)
	wantNotFound(t, fmt.Sprintf("retire key %q", bad), s.RetireSigningKey(ctx, bad))

}

// unstorableWrites: an author, summary, client or key holding bad is
// invalid.
func unstorableWrites(t *testing.T, s store.Store, bad string) {
	ctx := context.Background()
	req := request("mfp", bank, content(bank, 3), api.Any())
	req.Author = bad
	wantInvalid(t, fmt.Sprintf("apply by author %q", bad), applyErr(s, req))
	req = request("mfp", bank, content(bank, 3), api.Any())
	req.Summary = bad
	wantInvalid(t, fmt.Sprintf("apply with summary %q", bad), applyErr(s, req))
	for _, c := range []store.Client{{ID: bad, SecretHash: "h"}, {ID: "d", DisplayName: bad, SecretHash: "h"}} {
		err := s.UpdateClients(ctx, "mfp", func(current []store.Client) ([]store.Client, error) { return append(current, c), nil })
		wantInvalid(t, fmt.Sprintf("add client %+v", c), err)
	}
	wantInvalid(t, fmt.Sprintf("clients of runtime %q", bad), s.UpdateClients(ctx, bad, func(c []store.Client) ([]store.Client, error) { return c, nil }))
	wantInvalid(t, fmt.Sprintf("add key %q", bad), s.AddSigningKey(ctx, store.SigningKey{ID: bad, PrivatePEM: []byte("pem"), Created: time.Now()}))
	wantInvalid(t, fmt.Sprintf("disable with message %q", bad), s.SetAppState(ctx, "mfp", bank, store.AppState{Disabled: true, Message: bad}))
	if head, err := s.Head(ctx, "mfp", bank); err != nil || head.State.Disabled {
		t.Errorf("application after a refused disable: %+v %v", head.State, err)
	}
}

func applyErr(s store.Store, req store.ApplyRequest) error {
	_, err := s.Apply(context.Background(), req)
	return err
}

func wantInvalid(t *testing.T, what string, err error) {
	t.Helper()
	if config.ErrorKind(err) != config.KindInvalid {
		t.Errorf("%s: want an invalid error, got %v", what, err)
	}
}

// testProbe: the write probe succeeds on a working store, again and
// again, and changes nothing the store's other methods return.
func testProbe(t *testing.T, s store.Store) {
	ctx := context.Background()
	for range 3 {
		if err := s.Probe(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if apps, err := s.Applications(ctx, "mfp"); err != nil || len(apps) != 0 {
		t.Errorf("applications after probes: %+v %v", apps, err)
	}
}
