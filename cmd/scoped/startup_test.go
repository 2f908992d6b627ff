package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStartupRefusals: each mistake a newcomer makes at start-up is a
// clear message and a usage or unavailable exit status, before any
// database is created.
func TestStartupRefusals(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { busy.Close() }) // after the parallel subtests
	empty := filepath.Join(t.TempDir(), "empty-secret")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		code int
		want []string
	}{
		{"busy port", []string{"SCOPED_ADMIN_SECRET=a-strong-admin-secret"}, []string{"--addr", busy.Addr().String()},
			3, []string{"in use", "--addr"}},
		{"busy port in dev mode", nil, []string{"--dev", "--addr", busy.Addr().String()}, 3, []string{"in use"}},
		{"short admin secret", []string{"SCOPED_ADMIN_SECRET=short-secret"}, nil, 2, []string{"12 characters", "at least 16"}},
		{"admin secret with a space", []string{"SCOPED_ADMIN_SECRET=a strong admin secret"}, nil, 2, []string{"spaces"}},
		{"empty secret file", nil, []string{"--admin-secret-file", empty}, 2, []string{empty + " is empty"}},
		{"stray argument", nil, []string{"--dev", "stray"}, 2, []string{`unexpected argument "stray"`}},
		{"security check without type", nil, []string{"--dev", "--security-check", "StepUp"}, 2, []string{"write NAME=TYPE"}},
		{"security check of an unknown type", nil, []string{"--dev", "--security-check", "StepUp=Face"}, 2,
			[]string{`unknown security check type "Face"; the types are PinCodeAttempts, appAuthenticity`}},
		{"UserLogin without users", nil, []string{"--dev", "--security-check", "SSO=UserLogin"}, 2, []string{"UserLogin needs --users FILE"}},
		{"security check named like a built-in", nil, []string{"--dev", "--security-check", "appAuthenticity=PinCodeAttempts"}, 2, []string{"exists already"}},
		{"missing user registry", nil, []string{"--dev", "--users", "/nonexistent/users"}, 2, []string{"--users: cannot read the user registry /nonexistent/users"}},
		{"refresh apps of an unserved runtime", nil, []string{"--dev", "--refresh-token-apps", "other=com.a"}, 2, []string{`runtime "other" is not served`}},
		{"refresh app with a bad id", nil, []string{"--dev", "--refresh-token-apps", "com.a;-x"}, 2, []string{`application id "-x"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := filepath.Join(t.TempDir(), "scoped.db")
			args := append([]string{"--addr", "127.0.0.1:0", "--db", "sqlite:" + db}, tc.args...)
			p := launch(t, "scoped", baseEnv(tc.env...), args...)
			if code := p.waitExit(t, startTimeout); code != tc.code {
				t.Errorf("exit status %d, want %d", code, tc.code)
			}
			stderr := p.stderr.String()
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not say %q:\n%s", w, stderr)
				}
			}
			if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "msg=listening") {
				t.Errorf("stderr:\n%s", stderr)
			}
			if _, err := os.Stat(db); !os.IsNotExist(err) {
				t.Errorf("the database was created (%v)", err)
			}
		})
	}
}

// TestDevBannerIsABox: every line of the development banner is closed
// by its '*' at the same column, whatever the admin credentials say.
func TestDevBannerIsABox(t *testing.T) {
	t.Parallel()
	for _, admin := range []string{"admin/admin", "admin (with the given secret)"} {
		lines := strings.Split(strings.Trim(devBanner(admin), "\n"), "\n")
		for _, l := range lines {
			if !strings.HasSuffix(l, "*") || len(l) != len(lines[0]) {
				t.Errorf("banner line %q is not closed at column %d:\n%s", l, len(lines[0]), devBanner(admin))
			}
		}
	}
}

// TestVersion: scoped --version names the module version and the Go
// toolchain, on stdout, with status 0.
func TestVersion(t *testing.T) {
	t.Parallel()
	p := launch(t, "scoped --version", baseEnv(), "--version")
	if code := p.waitExit(t, startTimeout); code != 0 {
		t.Fatalf("exit status %d; stderr:\n%s", code, p.stderr.String())
	}
	if out := p.stdout.String(); !strings.HasPrefix(out, "scoped version ") || !strings.Contains(out, "go1.") {
		t.Errorf("scoped --version printed %q", out)
	}
}
