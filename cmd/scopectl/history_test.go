package main

import (
	"net"
	"os"
	"strings"
	"testing"
)

func TestHistoryAndRollback(t *testing.T) {
	project(t)
	scopectl(t, "app", "pull", "--all").wantCode(t, exitOK)
	edit(t, bankFile, `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 1800`)
	scopectl(t, "app", "push", bankFile).wantCode(t, exitOK)

	r := scopectl(t, "app", "history", bankFile).wantCode(t, exitOK)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 3 || !strings.Contains(lines[1], "admin") || !strings.Contains(lines[1], "created") ||
		!strings.Contains(lines[2], "replace /maxTokenExpiration: 3600 → 1800") {
		t.Errorf("history:\n%s", r.stdout)
	}
	if r := scopectl(t, "app", "history", "com.example.bank/android/1.0").wantCode(t, exitOK); r.stderr != "" {
		t.Errorf("history by key complains about a missing file: %q", r.stderr)
	}

	r = scopectl(t, "app", "rollback", "--to", "1", bankFile).wantCode(t, exitOK)
	if !strings.Contains(r.stdout, "revision 3") || !strings.Contains(readFile(t, bankFile), `"maxTokenExpiration": 3600`) {
		t.Errorf("rollback: %q\n%s", r.stdout, readFile(t, bankFile))
	}
	scopectl(t, "app", "diff").wantCode(t, exitOK) // the file and the server agree
	r = scopectl(t, "app", "rollback", "--to", "3", bankFile).wantCode(t, exitOK)
	if want := bankFile + ": already the same as revision 3 (head revision 3); nothing changed\n"; r.stdout != want {
		t.Errorf("rollback to the head: %q, want %q", r.stdout, want)
	}
	scopectl(t, "app", "rollback", "--to", "9", bankFile).wantCode(t, exitUsage)
	scopectl(t, "app", "history").wantCode(t, exitUsage)
}

// TestRollbackWithoutBase: a fresh copy that equals the server can roll
// back; one with edits is told how to get a base; an unreachable server
// is reported as such (exit 3), not as local edits.
func TestRollbackWithoutBase(t *testing.T) {
	url := project(t)
	scopectl(t, "app", "pull", "--all").wantCode(t, exitOK)
	serverEdit(t, url, `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 1800`)
	scopectl(t, "app", "pull").wantCode(t, exitOK)
	os.RemoveAll(".scopectl")
	scopectl(t, "app", "rollback", "--to", "1", bankFile).wantCode(t, exitOK)
	if !strings.Contains(readFile(t, bankFile), `"maxTokenExpiration": 3600`) {
		t.Error("not rolled back")
	}
	os.RemoveAll(".scopectl")
	edit(t, bankFile, `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 60`)
	r := scopectl(t, "app", "rollback", "--to", "2", bankFile).wantCode(t, exitConflict)
	if !strings.Contains(r.stderr, "run scopectl app pull "+bankFile) {
		t.Errorf("stderr %q", r.stderr)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := "http://" + ln.Addr().String()
	ln.Close()
	r = scopectl(t, "app", "rollback", "--server", closed, "--to", "2", bankFile).wantCode(t, exitServer)
	if !strings.Contains(r.stderr, "connection refused") {
		t.Errorf("down server: %q", r.stderr)
	}
}
