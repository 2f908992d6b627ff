package main

import (
	"os"
	"strings"
	"testing"
)

// Regressions for problems found in review of the sync commands.

// TestRollbackNeverLosesWork: rollback refuses over unpushed edits, and
// otherwise rolls back against the server's current head even when a
// colleague pushed since this copy's base.
func TestRollbackNeverLosesWork(t *testing.T) {
	project(t)
	scopectl(t, "app", "pull", "--all").wantCode(t, exitOK)
	first, second := clone(t)
	t.Chdir(second)
	edit(t, bankFile, `"displayName": "Example Bank"`, `"displayName": "Renamed"`)
	scopectl(t, "app", "push", bankFile).wantCode(t, exitOK) // revision 2 by a colleague
	t.Chdir(first)
	edit(t, bankFile, `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 1800`)
	r := scopectl(t, "app", "rollback", "--to", "1", bankFile).wantCode(t, exitConflict)
	if !strings.Contains(r.stderr, "local edits that were never pushed") || !strings.Contains(readFile(t, bankFile), "1800") {
		t.Fatalf("rollback over local edits: %q", r.stderr)
	}
	edit(t, bankFile, `"maxTokenExpiration": 1800`, `"maxTokenExpiration": 3600`) // back to the base
	r = scopectl(t, "app", "rollback", "--to", "1", bankFile).wantCode(t, exitOK)
	if !strings.Contains(r.stdout, "revision 3") || !strings.Contains(readFile(t, bankFile), `"displayName": "Example Bank"`) {
		t.Errorf("rollback after a colleague's push: %q", r.stdout)
	}
	scopectl(t, "app", "diff").wantCode(t, exitOK)
	r = scopectl(t, "app", "rollback", bankFile)
	if r.code != exitUsage {
		t.Errorf("rollback without --to: exit %d, %q", r.code, r.stderr)
	}
}

// TestPullAfterPushingAHandFormattedFile: a pushed file that is not in
// canonical form is not taken for an unpushed edit.
func TestPullAfterPushingAHandFormattedFile(t *testing.T) {
	project(t)
	scopectl(t, "app", "pull", "--all").wantCode(t, exitOK)
	compact := strings.Join(strings.Fields(readFile(t, bankFile)), " ")
	compact = strings.Replace(compact, `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 1800`, 1)
	os.WriteFile(bankFile, []byte(compact), 0o644)
	scopectl(t, "app", "push", bankFile).wantCode(t, exitOK)
	scopectl(t, "app", "pull").wantCode(t, exitOK)
	if !strings.Contains(readFile(t, bankFile), "\n  \"maxTokenExpiration\": 1800\n") {
		t.Errorf("pull did not bring the canonical form:\n%s", readFile(t, bankFile))
	}
}

func TestOnlyProjectFilesArePushed(t *testing.T) {
	project(t)
	scopectl(t, "app", "pull", "--all").wantCode(t, exitOK)
	os.WriteFile("backup.json", []byte(readFile(t, bankFile)), 0o644)
	r := scopectl(t, "app", "push", "backup.json").wantCode(t, exitUsage)
	if !strings.Contains(r.stderr, "only the project's file") {
		t.Errorf("push of a copy: %q", r.stderr)
	}
	os.Rename(bankFile, "mobilefirst/bank.json")
	r = scopectl(t, "app", "pull").wantCode(t, exitUsage)
	if !strings.Contains(r.stderr, "name it com.example.bank-android-1.0.json") {
		t.Errorf("misnamed file: %q", r.stderr)
	}
}

func TestCredentialsInURLAreRefusedAndNotEchoed(t *testing.T) {
	useProfiles(t)
	r := scopectl(t, "server", "add", "--url", "http://admin:s3cretpw@127.0.0.1:9", "--login", "a", "--password", "p", "x").wantCode(t, exitUsage)
	if strings.Contains(r.stderr, "s3cretpw") || !strings.Contains(r.stderr, "holds credentials") {
		t.Errorf("stderr %q", r.stderr)
	}
	r = scopectl(t, "app", "pull", "--all", "--server", "http://admin:s3cretpw@127.0.0.1:9").wantCode(t, exitUsage)
	if strings.Contains(r.stderr, "s3cretpw") {
		t.Errorf("password echoed: %q", r.stderr)
	}
}

// TestRollbackInAFreshClone: rollback finds the base of a copy without
// base state as pull and push do, from the file or its git HEAD version: an
// edit is refused as unpushed, and a file without edits rolls back even
// when the server has moved since it was committed.
func TestRollbackInAFreshClone(t *testing.T) {
	url, team := committedProject(t)
	mine := t.TempDir()
	team.git("clone", "-q", team.dir, mine)
	t.Chdir(mine)
	serverEdit(t, url, `"displayName": "Example Bank"`, `"displayName": "Renamed on the server"`)

	edit(t, bankFile, `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 60`)
	r := scopectl(t, "app", "rollback", "--to", "1", bankFile).wantCode(t, exitConflict)
	if !strings.Contains(r.stderr, "local edits that were never pushed") || !strings.Contains(readFile(t, bankFile), `"maxTokenExpiration": 60`) {
		t.Fatalf("rollback over an edit in a fresh clone: %q", r.stderr)
	}
	edit(t, bankFile, `"maxTokenExpiration": 60`, `"maxTokenExpiration": 3600`)
	r = scopectl(t, "app", "rollback", "--to", "1", bankFile).wantCode(t, exitOK)
	if !strings.Contains(r.stdout, "revision 3") || serverBank(t, url) != readFile(t, bankFile) || !strings.Contains(serverBank(t, url), `"displayName": "Example Bank"`) {
		t.Errorf("rollback of a file without edits: %q\n%s", r.stdout, serverBank(t, url))
	}
}
