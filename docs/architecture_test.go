package docs_test

import (
	"maps"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/scopectl/scopectl/"

// TestDependencyRule: the dependency rule of docs/architecture.md holds.
// Everything points inward to config; the wire contract and the token
// checks import no server, store or client code; no library package
// imports a command; the client never imports the server.
func TestDependencyRule(t *testing.T) {
	forbidden := map[string][]string{
		"config":           {"schema", "sync/", "cmd/"},
		"sync/api":         {"schema", "sync/", "cmd/"},
		"sync/accesstoken": {"schema", "sync/", "cmd/"},
		"sync/client":      {"sync/server", "sync/store", "sync/oauth", "cmd/"},
		"sync/transfer":    {"sync/server", "sync/store", "cmd/"},
		"sync/server":      {"sync/client", "sync/transfer", "cmd/"},
		"sync/admin":       {"sync/server", "sync/client", "sync/transfer", "cmd/"},
		"sync/store":       {"sync/server", "sync/oauth", "cmd/"},
		"sync/oauth":       {"sync/server", "cmd/"},
		"sync/authz":       {"sync/server", "sync/store", "sync/oauth", "sync/admin", "sync/client", "sync/transfer", "cmd/"},
		"sync/mobile":      {"sync/server", "sync/store", "sync/oauth", "sync/admin", "sync/authz", "cmd/"},
		"sync/workspace":   {"sync/transfer", "sync/client", "cmd/"},
		"sync/resource":    {"schema", "sync/server", "sync/store", "sync/oauth", "sync/admin", "sync/authz", "cmd/"},
		"sync/console":     {"sync/server", "sync/client", "sync/transfer", "sync/oauth", "sync/mobile", "cmd/"},
	}
	deps := listDeps(t, slices.Collect(maps.Keys(forbidden)))
	for pkg, bad := range forbidden {
		if _, ok := deps[pkg]; !ok {
			t.Errorf("go list did not list %s", pkg)
		}
		for _, rel := range deps[pkg] {
			for _, b := range bad {
				if strings.HasPrefix(rel, b) {
					t.Errorf("%s depends on %s", pkg, rel)
				}
			}
		}
	}
}

// listDeps returns the packages of this module that each of pkgs (paths
// relative to the module root) depends on, directly or not, relative to
// the module root: one go list for all of them.
func listDeps(t *testing.T, pkgs []string) map[string][]string {
	t.Helper()
	args := []string{"list", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`}
	for _, pkg := range pkgs {
		args = append(args, "../"+pkg)
	}
	out, err := exec.Command("go", args...).Output()
	if err != nil {
		t.Fatalf("go list %v: %v", pkgs, err)
	}
	deps := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, ok := strings.CutPrefix(fields[0], module)
		if !ok {
			t.Fatalf("go list listed %s, not a package of %s", fields[0], module)
		}
		deps[pkg] = []string{}
		for _, dep := range fields[1:] {
			if rel, ok := strings.CutPrefix(dep, module); ok {
				deps[pkg] = append(deps[pkg], rel)
			}
		}
	}
	return deps
}

// TestServiceKnowsNoHTTP: the admin service, which the console and the
// runtime call too, and the mobile runtime import neither net/http nor
// the server.
func TestServiceKnowsNoHTTP(t *testing.T) {
	for _, pkg := range []string{"sync/admin", "sync/authz"} {
		out, err := exec.Command("go", "list", "-f", `{{join .Imports "\n"}}`, "../"+pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", pkg, err)
		}
		for _, imp := range strings.Fields(string(out)) {
			if imp == "net/http" || imp == module+"sync/server" {
				t.Errorf("%s imports %s", pkg, imp)
			}
		}
	}
}
