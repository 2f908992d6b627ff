package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/authz"
	"github.com/scopectl/scopectl/sync/store"
)

// mobileCases are the cases of the mobile runtime's storage
// (authz.Store), which Run runs after the others, in this order.
var mobileCases = []struct {
	name string
	test func(*testing.T, store.Store)
}{
	{"MobileClients", testMobileClients},
	{"CheckStates", testCheckStates},
	{"ConcurrentCheckStateUpdates", testConcurrentCheckStates},
	{"Grants", testGrants},
	{"ExpiredGrants", testExpiredGrants},
	{"ConcurrentTakeGrant", testConcurrentTakeGrant},
	{"ConcurrentAddGrant", testConcurrentAddGrant},
	{"SpendAssertion", testSpendAssertion},
	{"DeleteMobileClient", testDeleteMobileClient},
	{"MobileUnstorableText", testMobileUnstorableText},
}

// mobileClient returns a client of runtime mfp and app bank.
func mobileClient(id string) authz.Client {
	return authz.Client{
		ID: id, Runtime: "mfp", App: bank,
		PublicKey: []byte(`{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}`),
		Device:    authz.Device{ID: "device-" + id, Model: "Pixel 9", OS: "Android 16"},
		Created:   time.Date(2026, 3, 4, 5, 6, 7, 891234000, time.UTC),
	}
}

func mustAddMobileClient(t *testing.T, s store.Store, c authz.Client) {
	t.Helper()
	if err := s.AddMobileClient(context.Background(), c); err != nil {
		t.Fatalf("add mobile client %q: %v", c.ID, err)
	}
}

func testMobileClients(t *testing.T, s store.Store) {
	ctx := context.Background()
	want := mobileClient("c1")
	mustAddMobileClient(t, s, want)
	got, err := s.MobileClient(ctx, "mfp", "c1")
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("mobile client did not round-trip:\n got %+v %v\nwant %+v", got, err, want)
	}
	if err := s.AddMobileClient(ctx, mobileClient("c1")); config.ErrorKind(err) != config.KindConflict {
		t.Errorf("adding client c1 again: %v; want a conflict", err)
	}
	_, err = s.MobileClient(ctx, "other", "c1")
	wantNotFound(t, "client c1 in runtime other", err)
	_, err = s.MobileClient(ctx, "mfp", "c")
	wantNotFound(t, "client c", err)
	// The local time of a registration is stored as its instant, in UTC.
	local := mobileClient("c2")
	local.Created = time.Date(2026, 3, 4, 7, 6, 7, 891234567, time.FixedZone("CEST", 2*3600))
	mustAddMobileClient(t, s, local)
	got, _ = s.MobileClient(ctx, "mfp", "c2")
	if !got.Created.Equal(want.Created) || got.Created.Location() != time.UTC {
		t.Errorf("created %v, want %v", got.Created, want.Created)
	}
	if err := s.DeleteMobileClient(ctx, "mfp", "c1"); err != nil {
		t.Fatal(err)
	}
	_, err = s.MobileClient(ctx, "mfp", "c1")
	wantNotFound(t, "deleted client", err)
	wantNotFound(t, "second delete", s.DeleteMobileClient(ctx, "mfp", "c1"))
	if _, err := s.MobileClient(ctx, "mfp", "c2"); err != nil {
		t.Errorf("deleting c1 removed c2: %v", err)
	}
}

// setStates replaces the check states of client id with states.
func setStates(s store.Store, id string, states map[string]authz.CheckState) error {
	return s.UpdateCheckStates(context.Background(), "mfp", id, func(map[string]authz.CheckState) (map[string]authz.CheckState, error) {
		return states, nil
	})
}

// checkStates returns the check states of client id.
func checkStates(t *testing.T, s store.Store, id string) map[string]authz.CheckState {
	t.Helper()
	var out map[string]authz.CheckState
	err := s.UpdateCheckStates(context.Background(), "mfp", id, func(current map[string]authz.CheckState) (map[string]authz.CheckState, error) {
		out = current
		return current, nil
	})
	if err != nil {
		t.Fatalf("check states of %q: %v", id, err)
	}
	return out
}

func testCheckStates(t *testing.T, s store.Store) {
	mustAddMobileClient(t, s, mobileClient("c1"))
	mustAddMobileClient(t, s, mobileClient("c2"))
	if got := checkStates(t, s, "c1"); len(got) != 0 {
		t.Errorf("a new client has check states %+v", got)
	}
	expires := time.Date(2026, 3, 4, 5, 6, 7, 123456000, time.UTC)
	want := map[string]authz.CheckState{
		"pinCode":   {State: authz.StateBlocked, Expires: expires, Attempts: 3},
		"userLogin": {State: authz.StateSuccess, Expires: expires, User: "alice", RememberUntil: expires.Add(time.Hour)},
	}
	if err := setStates(s, "c1", want); err != nil {
		t.Fatal(err)
	}
	if got := checkStates(t, s, "c1"); !reflect.DeepEqual(got, want) {
		t.Errorf("check states did not round-trip:\n got %+v\nwant %+v", got, want)
	}
	if got := checkStates(t, s, "c2"); len(got) != 0 {
		t.Errorf("states of c1 visible to c2: %+v", got)
	}
	refusedUpdatesChangeNothing(t, s, want)
	if err := setStates(s, "c1", nil); err != nil {
		t.Fatal(err)
	}
	if got := checkStates(t, s, "c1"); len(got) != 0 {
		t.Errorf("states after clearing them: %+v", got)
	}
	wantNotFound(t, "states of a missing client", setStates(s, "nobody", want))
}

// refusedUpdatesChangeNothing: an update that returns an error leaves
// client c1's states as want.
func refusedUpdatesChangeNothing(t *testing.T, s store.Store, want map[string]authz.CheckState) {
	refused := config.Errorf(config.KindConflict, "refused")
	err := s.UpdateCheckStates(context.Background(), "mfp", "c1", func(current map[string]authz.CheckState) (map[string]authz.CheckState, error) {
		current["pinCode"] = authz.CheckState{}
		return current, refused
	})
	if err != refused {
		t.Errorf("update error: %v; want the update's own error", err)
	}
	if got := checkStates(t, s, "c1"); !reflect.DeepEqual(got, want) {
		t.Errorf("a refused update changed the states: %+v", got)
	}
	if got, err := s.CheckStates(context.Background(), "mfp", "c1"); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("CheckStates: %+v, %v; want %+v", got, err, want)
	}
}

// testConcurrentCheckStates: racing updates of one client's states take
// turns, so that no two spend the same attempt: n increments make n.
func testConcurrentCheckStates(t *testing.T, s store.Store) {
	mustAddMobileClient(t, s, mobileClient("c1"))
	const n = 16
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			err := s.UpdateCheckStates(context.Background(), "mfp", "c1", func(current map[string]authz.CheckState) (map[string]authz.CheckState, error) {
				st := current["pinCode"]
				st.State, st.Attempts = authz.StateAttempting, st.Attempts+1
				current["pinCode"] = st
				return current, nil
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := checkStates(t, s, "c1")["pinCode"].Attempts; got != n {
		t.Errorf("%d attempts counted after %d concurrent increments", got, n)
	}
}

// hashOf returns the hex SHA-256 of a grant's value.
func hashOf(value string) string {
	sum := sha256.Sum256([]byte(value))
	return hex.EncodeToString(sum[:])
}

// grant returns a code of client c1 of runtime mfp with value, expiring
// at expires.
func grant(value string, expires time.Time) authz.Grant {
	return authz.Grant{
		Hash: hashOf(value), Kind: authz.GrantCode, Runtime: "mfp", ClientID: "c1", App: bank,
		Scope: config.NewScope("accounts", "transfers"), Lifetime: 90 * time.Second,
		User: "alice", RedirectURI: "com.example.bank:/callback", Expires: expires,
	}
}

// keyOf names g for TakeGrant.
func keyOf(g authz.Grant) authz.GrantKey {
	return authz.GrantKey{Runtime: g.Runtime, ClientID: g.ClientID, Kind: g.Kind, Hash: g.Hash}
}

// codeKey names the code of client c1 of runtime mfp with value.
func codeKey(value string) authz.GrantKey {
	return authz.GrantKey{Runtime: "mfp", ClientID: "c1", Kind: authz.GrantCode, Hash: hashOf(value)}
}

func mustAddGrant(t *testing.T, s store.Store, g authz.Grant) {
	t.Helper()
	if err := s.AddGrant(context.Background(), g); err != nil {
		t.Fatalf("add grant: %v", err)
	}
}

func testGrants(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustAddMobileClient(t, s, mobileClient("c1"))
	code := grant("code-1", time.Now().Add(time.Hour).UTC().Truncate(time.Microsecond))
	mustAddGrant(t, s, code)
	refresh := grant("refresh-1", code.Expires.Add(24*time.Hour))
	refresh.Kind, refresh.RedirectURI, refresh.Scope = authz.GrantRefresh, "", config.NewScope()
	mustAddGrant(t, s, refresh)
	if err := s.AddGrant(ctx, code); config.ErrorKind(err) != config.KindConflict {
		t.Errorf("adding a grant with the same hash: %v; want a conflict", err)
	}
	wrongTakesFindNothing(t, s, code)
	if _, err := s.TakeGrant(ctx, keyOf(code), refresh); config.ErrorKind(err) != config.KindConflict {
		t.Errorf("taking a grant while spending a hash stored already: %v; want a conflict (and the grant kept)", err)
	}
	for _, want := range []authz.Grant{code, refresh} {
		if got, err := s.Grant(ctx, keyOf(want)); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("grant read:\n got %+v %v\nwant %+v", got, err, want)
		}
		got, err := s.TakeGrant(ctx, keyOf(want))
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("grant did not round-trip (or was destroyed by a wrong take):\n got %+v %v\nwant %+v", got, err, want)
		}
		_, err = s.TakeGrant(ctx, keyOf(want))
		wantNotFound(t, "a grant taken already", err)
		_, err = s.Grant(ctx, keyOf(want))
		wantNotFound(t, "a grant read once taken", err)
	}
	orphan := grant("code-2", code.Expires)
	orphan.ClientID = "nobody"
	wantNotFound(t, "a grant of a missing client", s.AddGrant(ctx, orphan))
	bad := grant("code-3", code.Expires)
	bad.Kind = "password"
	wantInvalid(t, "a grant of an unknown kind", s.AddGrant(ctx, bad))
}

// wrongTakesFindNothing: code, of client c1, is neither read nor taken
// (nor destroyed) by another runtime, another client or as another kind.
func wrongTakesFindNothing(t *testing.T, s store.Store, code authz.Grant) {
	ctx := context.Background()
	other, thief, asRefresh := keyOf(code), keyOf(code), keyOf(code)
	other.Runtime, thief.ClientID, asRefresh.Kind = "other", "c2", authz.GrantRefresh
	mustAddMobileClient(t, s, mobileClient("c2"))
	for what, key := range map[string]authz.GrantKey{"another runtime": other, "c2": thief, "a refresh token": asRefresh} {
		_, err := s.TakeGrant(ctx, key)
		wantNotFound(t, "the code of c1 taken by "+what, err)
		_, err = s.Grant(ctx, key)
		wantNotFound(t, "the code of c1 read by "+what, err)
	}
}

// testExpiredGrants: an expired grant is never returned, and it is gone
// once taken or once its client is given another code; an assertion id
// that expired is not spent (its assertion is no longer good).
func testExpiredGrants(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustAddMobileClient(t, s, mobileClient("c1"))
	past, future := time.Now().Add(-time.Minute), time.Now().Add(time.Hour)
	mustAddGrant(t, s, grant("old-1", past))
	_, err := s.Grant(ctx, codeKey("old-1"))
	wantNotFound(t, "an expired grant read", err)
	_, err = s.TakeGrant(ctx, codeKey("old-1"))
	wantNotFound(t, "an expired grant", err)
	mustAddGrant(t, s, grant("old-1", future)) // no conflict: the expired one is gone
	mustAddGrant(t, s, grant("old-2", past))
	mustAddGrant(t, s, grant("new", future))
	mustAddGrant(t, s, grant("old-2", future)) // no conflict: cleaned up when "new" was added
	jti := func(value string, expires time.Time) authz.Grant {
		g := grant(value, expires)
		g.Kind, g.RedirectURI = authz.GrantAssertion, ""
		return g
	}
	if err := s.AddGrant(ctx, jti("jti-1", past)); config.ErrorKind(err) != config.KindConflict {
		t.Errorf("an assertion id spent once it expired: %v; want a conflict", err)
	}
	mustAddGrant(t, s, jti("jti-1", future))
	if err := s.AddGrant(ctx, jti("jti-1", future)); config.ErrorKind(err) != config.KindConflict {
		t.Errorf("a live assertion id spent again: %v; want a conflict", err)
	}
	for _, value := range []string{"old-1", "old-2", "new"} {
		if _, err := s.TakeGrant(ctx, codeKey(value)); err != nil {
			t.Errorf("take %s: %v", value, err)
		}
	}
}

// testConcurrentAddGrant: calls of AddGrant at once, which a store may
// write in one transaction, each get their own answer: a call whose jti
// was spent already, or whose client is missing, stores none of its
// grants, and takes nothing from the others. Half the calls spend a jti
// alone, half with a code.
func testConcurrentAddGrant(t *testing.T, s store.Store) {
	for _, id := range []string{"c1", "c2", "c3"} {
		mustAddMobileClient(t, s, mobileClient(id))
	}
	spent := func(i int, client string) authz.Grant {
		g := grant(fmt.Sprintf("jti-%d", i), time.Now().Add(time.Hour))
		g.Kind, g.ClientID, g.RedirectURI = authz.GrantAssertion, client, ""
		return g
	}
	const calls = 24
	for i := 0; i < calls; i += 3 {
		mustAddGrant(t, s, spent(i, "c1")) // call i replays it
	}
	codes := make([]authz.Grant, calls)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range calls {
		client := []string{"c1", "c2", "c3"}[i%3]
		if i%4 == 1 {
			client = "nobody"
		}
		codes[i] = grant(fmt.Sprintf("code-%d", i), time.Now().Add(time.Hour))
		codes[i].ClientID = client
		wg.Go(func() {
			<-start
			grants := []authz.Grant{spent(i, client)}
			if i%2 == 0 { // odd calls spend a jti alone, as nearly every request does
				grants = append(grants, codes[i])
			}
			err := s.AddGrant(context.Background(), grants...)
			switch want := addOutcome(i); {
			case want == config.KindInternal && err != nil, want != config.KindInternal && config.ErrorKind(err) != want:
				t.Errorf("call %d (client %s): %v; want %s", i, client, err, want)
			}
		})
	}
	close(start)
	wg.Wait()
	for i, code := range codes {
		_, err := s.Grant(context.Background(), keyOf(code))
		if stored := err == nil; stored != (i%2 == 0 && addOutcome(i) == config.KindInternal) {
			t.Errorf("code of call %d stored: %v (%v)", i, stored, err)
		}
		if addOutcome(i) == config.KindInternal { // its jti is spent now
			if err := s.AddGrant(context.Background(), spent(i, code.ClientID)); config.ErrorKind(err) != config.KindConflict {
				t.Errorf("jti of call %d spent again: %v; want a conflict", i, err)
			}
		}
	}
}

// addOutcome is the kind of error call i of testConcurrentAddGrant gets:
// not found for a missing client, a conflict for a replayed jti, and
// KindInternal standing for none.
func addOutcome(i int) config.Kind {
	switch {
	case i%4 == 1:
		return config.KindNotFound
	case i%3 == 0:
		return config.KindConflict
	}
	return config.KindInternal
}

// testSpendAssertion: spending an assertion id returns the client's
// check states as stored, and only once; a missing client spends nothing.
// Spends racing a states update each see the states before or after it.
func testSpendAssertion(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustAddMobileClient(t, s, mobileClient("c1"))
	jti := func(value, client string) authz.Grant {
		g := grant(value, time.Now().Add(time.Hour))
		g.Kind, g.ClientID, g.RedirectURI = authz.GrantAssertion, client, ""
		return g
	}
	if got, err := s.SpendAssertion(ctx, jti("a1", "c1")); err != nil || len(got) != 0 {
		t.Fatalf("spend of a client without states: %+v %v", got, err)
	}
	expires := time.Date(2026, 3, 4, 5, 6, 7, 123456000, time.UTC)
	before := map[string]authz.CheckState{"pinCode": {State: authz.StateSuccess, Expires: expires}}
	after := map[string]authz.CheckState{"pinCode": {State: authz.StateBlocked, Expires: expires, Attempts: 3}}
	if err := setStates(s, "c1", before); err != nil {
		t.Fatal(err)
	}
	if got, err := s.SpendAssertion(ctx, jti("a2", "c1")); err != nil || !reflect.DeepEqual(got, before) {
		t.Errorf("spend: states %+v %v; want %+v", got, err, before)
	}
	if _, err := s.SpendAssertion(ctx, jti("a2", "c1")); config.ErrorKind(err) != config.KindConflict {
		t.Errorf("a replayed spend: %v; want a conflict", err)
	}
	if _, err := s.SpendAssertion(ctx, jti("a3", "nobody")); config.ErrorKind(err) != config.KindNotFound {
		t.Errorf("a spend of a missing client: %v; want not found", err)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			got, err := s.SpendAssertion(ctx, jti(fmt.Sprintf("race-%d", i), "c1"))
			if err != nil || !reflect.DeepEqual(got, before) && !reflect.DeepEqual(got, after) {
				t.Errorf("racing spend %d: states %+v %v", i, got, err)
			}
		})
	}
	if err := setStates(s, "c1", after); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if got, err := s.SpendAssertion(ctx, jti("a4", "c1")); err != nil || !reflect.DeepEqual(got, after) {
		t.Errorf("spend after an update: states %+v %v; want %+v", got, err, after)
	}
}

// testConcurrentTakeGrant: of the instances taking one grant at once,
// exactly one gets it, the others find nothing.
func testConcurrentTakeGrant(t *testing.T, s store.Store) {
	mustAddMobileClient(t, s, mobileClient("c1"))
	const grants, takers = 10, 6
	for i := range grants {
		mustAddGrant(t, s, grant(fmt.Sprintf("code-%d", i), time.Now().Add(time.Hour)))
	}
	for i := range grants {
		var won atomic.Int32
		var wg sync.WaitGroup
		for range takers {
			wg.Go(func() {
				_, err := s.TakeGrant(context.Background(), codeKey(fmt.Sprintf("code-%d", i)))
				switch {
				case err == nil:
					won.Add(1)
				case config.ErrorKind(err) != config.KindNotFound:
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if n := won.Load(); n != 1 {
			t.Errorf("grant %d taken %d times by %d concurrent takers; want once", i, n, takers)
		}
	}
}

// testDeleteMobileClient: deleting a client revokes its grants and forgets
// its check states, and nothing of another client.
func testDeleteMobileClient(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, id := range []string{"c1", "c2"} {
		mustAddMobileClient(t, s, mobileClient(id))
		if err := setStates(s, id, map[string]authz.CheckState{"pinCode": {State: authz.StateAttempting, Attempts: 2}}); err != nil {
			t.Fatal(err)
		}
		g := grant("code-"+id, time.Now().Add(time.Hour))
		g.ClientID = id
		mustAddGrant(t, s, g)
	}
	if err := s.DeleteMobileClient(ctx, "mfp", "c1"); err != nil {
		t.Fatal(err)
	}
	_, err := s.TakeGrant(ctx, codeKey("code-c1"))
	wantNotFound(t, "the grant of a deleted client", err)
	mustAddMobileClient(t, s, mobileClient("c1")) // the same id again: a new client
	if got := checkStates(t, s, "c1"); len(got) != 0 {
		t.Errorf("a deleted client's states came back: %+v", got)
	}
	if got := checkStates(t, s, "c2"); got["pinCode"].Attempts != 2 {
		t.Errorf("deleting c1 changed the states of c2: %+v", got)
	}
	c2 := codeKey("code-c2")
	c2.ClientID = "c2"
	if _, err := s.TakeGrant(ctx, c2); err != nil {
		t.Errorf("deleting c1 revoked the grant of c2: %v", err)
	}
}

// testMobileUnstorableText: a client or grant named with a text no store
// can hold does not exist, and writing one (or a check state holding one)
// is invalid, writes nothing and is no internal error.
func testMobileUnstorableText(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustAddMobileClient(t, s, mobileClient("c1"))
	states := map[string]authz.CheckState{"pinCode": {State: authz.StateAttempting, Attempts: 1}}
	if err := setStates(s, "c1", states); err != nil {
		t.Fatal(err)
	}
	for _, bad := range unstorable {
		unstorableMobileLookups(t, s, bad)
		unstorableMobileWrites(t, s, bad)
	}
	// Nothing was written, and the store still works.
	if got := checkStates(t, s, "c1"); !reflect.DeepEqual(got, states) {
		t.Errorf("states after the refused writes: %+v", got)
	}
	_, err := s.MobileClient(ctx, "mfp", "d")
	wantNotFound(t, "a client whose device was refused", err)
	_, err = s.TakeGrant(ctx, codeKey("refused"))
	wantNotFound(t, "a refused grant", err)
	mustAddGrant(t, s, grant("code", time.Now().Add(time.Hour)))
}

// unstorableMobileLookups: clients and grants named bad, or of a runtime
// named bad, are not found; an update of their states is not called.
func unstorableMobileLookups(t *testing.T, s store.Store, bad string) {
	ctx := context.Background()
	for _, rt := range []struct{ runtime, id string }{{"mfp", bad}, {bad, "c1"}} {
		what := fmt.Sprintf("client %q of runtime %q", rt.id, rt.runtime)
		_, err := s.MobileClient(ctx, rt.runtime, rt.id)
		wantNotFound(t, what, err)
		wantNotFound(t, "delete "+what, s.DeleteMobileClient(ctx, rt.runtime, rt.id))
		err = s.UpdateCheckStates(ctx, rt.runtime, rt.id, func(map[string]authz.CheckState) (map[string]authz.CheckState, error) {
			t.Errorf("update of the states of %s called", what)
			return nil, nil
		})
		wantNotFound(t, "states of "+what, err)
		_, err = s.TakeGrant(ctx, authz.GrantKey{Runtime: rt.runtime, ClientID: "c1", Kind: authz.GrantCode, Hash: bad})
		wantNotFound(t, fmt.Sprintf("grant %q of runtime %q", bad, rt.runtime), err)
	}
}

// unstorableMobileWrites: a client, a check state or a grant holding bad
// is invalid.
func unstorableMobileWrites(t *testing.T, s store.Store, bad string) {
	ctx := context.Background()
	clients := []func(*authz.Client){
		func(c *authz.Client) { c.Runtime = bad }, func(c *authz.Client) { c.ID = bad },
		func(c *authz.Client) { c.App.Version = bad }, func(c *authz.Client) { c.PublicKey = []byte(bad) },
		func(c *authz.Client) { c.Device.Model = bad }, func(c *authz.Client) { c.Device.OS = bad },
	}
	for i, change := range clients {
		c := mobileClient("d")
		change(&c)
		wantInvalid(t, fmt.Sprintf("client with bad text %d %q", i, bad), s.AddMobileClient(ctx, c))
	}
	for i, st := range []map[string]authz.CheckState{{bad: {}}, {"userLogin": {User: bad}}} {
		wantInvalid(t, fmt.Sprintf("check state %d with %q", i, bad), setStates(s, "c1", st))
	}
	grants := []func(*authz.Grant){
		func(g *authz.Grant) { g.Hash = bad }, func(g *authz.Grant) { g.Runtime = bad },
		func(g *authz.Grant) { g.ClientID = bad }, func(g *authz.Grant) { g.App.ID = bad },
		func(g *authz.Grant) { g.Scope = config.Scope{bad} }, func(g *authz.Grant) { g.RedirectURI = bad },
		func(g *authz.Grant) { g.User = bad },
	}
	for i, change := range grants {
		g := grant("refused", time.Now().Add(time.Hour))
		change(&g)
		wantInvalid(t, fmt.Sprintf("grant with bad text %d %q", i, bad), s.AddGrant(ctx, g))
	}
}
