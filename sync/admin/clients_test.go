package admin_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/admin"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/store"
)

// TestClientPolicy: the client-list policy, called without HTTP. A
// deployer may not grant a scope it does not hold (KindForbidden), no list
// may drop the caller or leave nobody with mfpadmin (KindConflict), and a
// refused list changes nothing; a list within the caller's scope is stored.
func TestClientPolicy(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	st, svc := e.st, e.svc
	first := []api.Client{
		{ID: "admin", Secret: "admin-secret-1", AllowedScope: "mfpadmin"},
		{ID: "deployer", Secret: "deployer-secret", AllowedScope: "mfpdeployer accessRestricted"},
	}
	if err := svc.ReplaceClients(ctx, "mfp", admin.Caller{ID: "admin", Scope: config.NewScope("mfpadmin")}, first); err != nil {
		t.Fatal(err)
	}
	deployer := admin.Caller{ID: "deployer", Scope: config.NewScope("mfpdeployer")}
	keep := []api.Client{{ID: "admin", AllowedScope: "mfpadmin"}, {ID: "deployer", AllowedScope: "mfpdeployer accessRestricted"}}

	for _, tc := range []struct {
		name   string
		caller admin.Caller
		add    []api.Client
		drop   bool
		want   config.Kind
	}{
		{"grants more than it has", deployer, []api.Client{{ID: "x", Secret: "x-secret-long", AllowedScope: "mfpadmin"}}, false, config.KindForbidden},
		{"drops itself", admin.Caller{ID: "deployer", Scope: config.NewScope("mfpadmin")}, nil, true, config.KindConflict},
		{"secret too short", deployer, []api.Client{{ID: "x", Secret: "short", AllowedScope: "mfpdeployer"}}, false, config.KindInvalid},
	} {
		list := append(append([]api.Client(nil), keep...), tc.add...)
		if tc.drop {
			list = list[:1]
		}
		if err := svc.ReplaceClients(ctx, "mfp", tc.caller, list); config.ErrorKind(err) != tc.want {
			t.Errorf("%s: err = %v, want %s", tc.name, err, tc.want)
		}
	}
	assertClients(t, st, "admin", "deployer")

	list := append(append([]api.Client(nil), keep...), api.Client{ID: "backend", Secret: "backend-secret", AllowedScope: "mfpdeployer"})
	if err := svc.ReplaceClients(ctx, "mfp", deployer, list); err != nil {
		t.Fatalf("a list within the deployer's scope: %v", err)
	}
	assertClients(t, st, "admin", "backend", "deployer")
}

func assertClients(t *testing.T, st store.Store, want ...string) {
	t.Helper()
	clients, err := st.Clients(context.Background(), "mfp")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range clients {
		ids = append(ids, c.ID)
	}
	if len(ids) != len(want) {
		t.Fatalf("stored clients %v, want %v", ids, want)
	}
	for i := range ids {
		if ids[i] != want[i] {
			t.Fatalf("stored clients %v, want %v", ids, want)
		}
	}
}

// TestCallerRole: a caller's role is the strongest its scope holds, the
// allowed scope's patterns included; a scope without one holds none.
func TestCallerRole(t *testing.T) {
	for _, tc := range []struct {
		scope    string
		patterns bool
		want     admin.Role
		ok       bool
	}{
		{"mfpadmin", false, admin.RoleAdmin, true},
		{"mfpoperator accessRestricted", false, admin.RoleOperator, true},
		{"mfpmonitor mfpdeployer", false, admin.RoleDeployer, true},
		{"*", true, admin.RoleAdmin, true},
		{"*", false, admin.RoleMonitor, false},
		{"accessRestricted", true, admin.RoleMonitor, false},
	} {
		c := admin.Caller{ID: "c", Scope: config.NewScope(strings.Fields(tc.scope)...), Patterns: tc.patterns}
		if got, ok := c.Role(); got != tc.want || ok != tc.ok {
			t.Errorf("%q (patterns %v): %v %v, want %v %v", tc.scope, tc.patterns, got.Scope(), ok, tc.want.Scope(), tc.ok)
		}
	}
}

// TestEditClientsKeepsConcurrentChanges: operators each adding a client at
// once through EditClients (as the console does) lose none of them: each
// edit runs on the list as stored when it is made.
func TestEditClientsKeepsConcurrentChanges(t *testing.T) {
	ctx := context.Background()
	svc := newEnv(t).svc
	caller := admin.Caller{ID: "admin", Scope: config.NewScope("mfpadmin")}
	if err := svc.ReplaceClients(ctx, "mfp", caller, []api.Client{{ID: "admin", Secret: "admin-secret-1", AllowedScope: "mfpadmin"}}); err != nil {
		t.Fatal(err)
	}
	const n = 12
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			err := svc.EditClients(ctx, "mfp", caller, func(current []store.Client) ([]api.Client, error) {
				list := []api.Client{{ID: fmt.Sprintf("c%d", i), Secret: "a-long-secret-1", AllowedScope: "mfpmonitor"}}
				for _, c := range current {
					list = append(list, api.Client{ID: c.ID, DisplayName: c.DisplayName, AllowedScope: c.AllowedScope.String()})
				}
				return list, nil
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got, err := svc.Clients(ctx, "mfp"); err != nil || len(got) != n+1 {
		t.Errorf("%d clients after %d concurrent additions and admin (%v)", len(got), n, err)
	}
}
