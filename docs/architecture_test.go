package docs_test

import (
	"os/exec"
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
	}
	for pkg, bad := range forbidden {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "../"+pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			rel, ok := strings.CutPrefix(dep, module)
			if !ok || rel == pkg {
				continue
			}
			for _, b := range bad {
				if strings.HasPrefix(rel, b) {
					t.Errorf("%s depends on %s", pkg, rel)
				}
			}
		}
	}
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
