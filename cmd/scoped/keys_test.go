package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/scopectl/scopectl/sync/oauth"
	"github.com/scopectl/scopectl/sync/store"
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

// newKeyDB returns an SQLite database with its first signing key, and
// that key's id.
func newKeyDB(t *testing.T) (string, string) {
	t.Helper()
	db := filepath.Join(t.TempDir(), "scoped.db")
	ctx := context.Background()
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ks, err := oauth.NewKeySet(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	return db, ks.JWKS(ctx).Keys[0].KeyID
}

func runScoped(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(append([]string{"scoped"}, args...), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// TestKeysRetire: retiring the active key creates a new active key and
// says so; `keys list` then shows the old key retired; a second retire
// says it was retired already.
func TestKeysRetire(t *testing.T) {
	db, first := newKeyDB(t)
	code, out, errOut := runScoped("keys", "retire", "--db", "sqlite:"+db, "--", first)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "new signing key ") || lines[1] != "retired signing key "+first+"; running servers refuse every token it signed within 1 s" {
		t.Fatalf("output %q", out)
	}
	newKey := strings.Fields(lines[0])[3]
	newKey = strings.TrimSuffix(newKey, ";")

	code, out, _ = runScoped("keys", "list", "--db", "sqlite:"+db)
	rows := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(rows) != 3 || strings.Fields(rows[0])[0] != "KID" {
		t.Fatalf("list: exit %d\n%s", code, out)
	}
	if f := strings.Fields(rows[1]); f[0] != newKey || f[2] != "active" {
		t.Errorf("first row %q, want %s active", rows[1], newKey)
	}
	if f := strings.Fields(rows[2]); f[0] != first || len(f) != 4 || f[2] != "retired" {
		t.Errorf("second row %q, want %s retired TIME", rows[2], first)
	}

	code, out, _ = runScoped("keys", "retire", "--db", "sqlite:"+db, "--", first) // 1 id in 64 starts with '-'
	if code != 0 || !strings.HasPrefix(out, "signing key "+first+" was already retired at ") {
		t.Errorf("retire again: exit %d, %q", code, out)
	}
}

// TestKeysRetireErrors: an unknown key id, or no key id, is a usage error
// (exit 2) with a clear message; nothing changes.
func TestKeysRetireErrors(t *testing.T) {
	db, first := newKeyDB(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"nope"}, `scoped: signing key "nope" does not exist (scoped keys list shows them)`},
		{[]string{"bad\x1b[31m"}, `scoped: signing key "bad\x1b[31m" does not exist (scoped keys list shows them)`},
		{nil, "scoped: keys retire takes one key id (scoped keys list shows them), got 0 arguments"},
		{[]string{"--", first, first}, "scoped: keys retire takes one key id (scoped keys list shows them), got 2 arguments"},
		{[]string{"-dash"}, "scoped: flag provided but not defined: -dash (a key id that starts with '-' goes after --: scoped keys retire --db DB -- KID)"},
	} {
		code, out, errOut := runScoped(append([]string{"keys", "retire", "--db", "sqlite:" + db}, tc.args...)...)
		if code != 2 || strings.TrimSpace(errOut) != tc.want || out != "" {
			t.Errorf("retire %q: exit %d, stdout %q, stderr %q; want exit 2, %q", tc.args, code, out, errOut, tc.want)
		}
	}
	code, out, _ := runScoped("keys", "list", "--db", "sqlite:"+db)
	if code != 0 || strings.Count(out, "\n") != 2 || !strings.Contains(out, first+"  ") || !strings.Contains(out, "active") {
		t.Errorf("keys changed: %s", out)
	}
}

// TestKeysRetireLeadingDash: key ids are base64url and may start with
// '-'; after -- such an id is a key id, not a flag.
func TestKeysRetireLeadingDash(t *testing.T) {
	db, first := newKeyDB(t)
	ctx := context.Background()
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := st.SigningKeys(ctx)
	older := store.SigningKey{ID: "-older", PrivatePEM: keys[0].PrivatePEM, Created: keys[0].Created.Add(-time.Hour)}
	if err := st.AddSigningKey(ctx, older); err != nil {
		t.Fatal(err)
	}
	st.Close()
	code, out, errOut := runScoped("keys", "retire", "--db", "sqlite:"+db, "--", "-older")
	if code != 0 || out != "retired signing key -older; running servers refuse every token it signed within 1 s\n" {
		t.Fatalf("exit %d, %q %q", code, out, errOut)
	}
	_, out, _ = runScoped("keys", "list", "--db", "sqlite:"+db)
	if !strings.Contains(out, first+"  ") || !regexp.MustCompile(`(?m)^-older +\S+ +retired `).MatchString(out) {
		t.Errorf("list:\n%s", out)
	}
}

// TestKeysFlagsAfterArguments: `scoped keys retire KID --db DB`, as the
// issue and the docs spell it, works like --db before the key id.
func TestKeysFlagsAfterArguments(t *testing.T) {
	db, first := newKeyDB(t)
	for strings.HasPrefix(first, "-") { // such an id needs -- (TestKeysRetire covers that)
		db, first = newKeyDB(t)
	}
	code, out, errOut := runScoped("keys", "retire", first, "--db", "sqlite:"+db)
	if code != 0 || !strings.Contains(out, "retired signing key "+first) {
		t.Fatalf("keys retire KID --db: exit %d, %q %q", code, out, errOut)
	}
	if code, out, _ := runScoped("keys", "list", "--db", "sqlite:"+db); code != 0 || !strings.Contains(out, first) || !strings.Contains(out, "retired") {
		t.Errorf("keys list --db after the subcommand: exit %d, %q", code, out)
	}
}
