package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/client"
)

// serverEdit changes the server's bank descriptor as another user would.
func serverEdit(t *testing.T, url string, replace ...string) {
	t.Helper()
	ctx := context.Background()
	cl, err := client.New(ctx, client.Options{URL: url, Runtime: "mfp", Login: "admin", Password: "admin-secret", Scope: "mfpadmin"})
	if err != nil {
		t.Fatal(err)
	}
	content, rev, err := cl.Descriptor(ctx, bankKey)
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.NewReplacer(replace...).Replace(string(content))
	if changed == string(content) {
		t.Fatalf("server descriptor has none of %q", replace)
	}
	if _, err := cl.Apply(ctx, []byte(changed), api.Revision(rev), false); err != nil {
		t.Fatal(err)
	}
}

// serverBank returns the server's bank descriptor.
func serverBank(t *testing.T, url string) string {
	t.Helper()
	ctx := context.Background()
	cl, _ := client.New(ctx, client.Options{URL: url, Runtime: "mfp", Login: "admin", Password: "admin-secret", Scope: "mfpmonitor"})
	content, _, err := cl.Descriptor(ctx, bankKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(content)
}

func wantIn(t *testing.T, what, s string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			t.Errorf("%s lacks %q:\n%s", what, p, s)
		}
	}
}

// committedProject starts a server, pulls every application into a git
// repository in the current directory and commits them; clones of it
// are fresh copies, without base state.
func committedProject(t *testing.T) (url string, team *gitRepo) {
	t.Helper()
	url = project(t)
	team = newGitRepo(t)
	scopectl(t, "app", "pull", "--all").wantCode(t, exitOK)
	team.git("add", "-A")
	team.git("commit", "-q", "-m", "pulled")
	return url, team
}

// TestFreshCloneMergesAndPushes: in a fresh clone (.scopectl/ is not in
// git, so there is no recorded base), a file with an edit is merged with a
// change the server got meanwhile to another member: the git HEAD version
// is a server revision, so it serves as the base, for pull and for push.
// A file without edits simply takes the server's version.
func TestFreshCloneMergesAndPushes(t *testing.T) {
	url, team := committedProject(t)
	mine, colleague := t.TempDir(), t.TempDir()
	team.git("clone", "-q", team.dir, mine)
	team.git("clone", "-q", team.dir, colleague)
	t.Chdir(mine)
	if _, err := os.Stat(".scopectl"); err == nil {
		t.Fatal("the clone has base state")
	}

	edit(t, bankFile, `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 60`)
	serverEdit(t, url, `"displayName": "Example Bank"`, `"displayName": "Bank, renamed on the server"`)
	r := scopectl(t, "app", "pull", bankFile).wantCode(t, exitOK)
	wantIn(t, "pull output", r.stdout, "merged "+bankFile+": your edits and the server's revision 2")
	wantIn(t, "merged file", readFile(t, bankFile), `"maxTokenExpiration": 60`, `"displayName": "Bank, renamed on the server"`)
	scopectl(t, "app", "fmt", "--check", bankFile).wantCode(t, exitOK)
	r = scopectl(t, "app", "push", bankFile).wantCode(t, exitOK)
	wantIn(t, "push output", r.stdout, "pushed to", "revision 3", "replace /maxTokenExpiration: 3600 → 60")

	// Push alone merges too, in another fresh clone.
	t.Chdir(colleague)
	edit(t, bankFile, `"maxAttempts": 3`, `"maxAttempts": 5`)
	r = scopectl(t, "app", "push", bankFile).wantCode(t, exitOK)
	wantIn(t, "colleague's push", r.stdout, "merged with changes made on the server and pushed", "revision 4")
	wantIn(t, "server", serverBank(t, url), `"maxTokenExpiration": 60`, `"displayName": "Bank, renamed on the server"`, `"maxAttempts": 5`)
	if readFile(t, bankFile) != serverBank(t, url) {
		t.Error("the merged push was not written back")
	}

	// No edits, no base: the file equals revision 1, so it takes revision 4.
	t.Chdir(team.dir)
	os.RemoveAll(".scopectl")
	r = scopectl(t, "app", "pull").wantCode(t, exitOK)
	wantIn(t, "pull without edits", r.stdout, "pulled "+bankFile)
	if readFile(t, bankFile) != serverBank(t, url) {
		t.Error("the file without edits did not take the server's version")
	}
}

// TestConflictMarkersThenPush: the same member changed on both sides is
// left between conflict markers and listed (exit 4); validate names the
// marker line; after resolving, push applies on top of the server's
// revision that pull recorded (here merging a change made meanwhile).
func TestConflictMarkersThenPush(t *testing.T) {
	url := project(t)
	scopectl(t, "app", "pull", "--all").wantCode(t, exitOK)
	edit(t, bankFile, `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 60`)
	edit(t, bankFile, `"mandatoryScope": "appAuthenticity"`, `"mandatoryScope": "appAuthenticity localScope"`)
	serverEdit(t, url, `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 900`, `"blockedStateExpirationSec": 60`, `"blockedStateExpirationSec": 120`)

	r := scopectl(t, "app", "pull").wantCode(t, exitConflict)
	wantIn(t, "pull output", r.stdout, "merged "+bankFile+" with the server's revision 2; 1 conflict marked in the file:", "  /maxTokenExpiration: local 60, server 900")
	wantIn(t, "pull error", r.stderr, "1 file merged with conflicts", "delete the marker lines", "scopectl app push")
	got := readFile(t, bankFile)
	want := strings.Replace(bankCanonical(t, `"blockedStateExpirationSec": 60`, `"blockedStateExpirationSec": 120`, `"mandatoryScope": "appAuthenticity"`, `"mandatoryScope": "appAuthenticity localScope"`),
		"  \"maxTokenExpiration\": 3600\n", "<<<<<<< local\n  \"maxTokenExpiration\": 60\n=======\n  \"maxTokenExpiration\": 900\n>>>>>>> server revision 2\n", 1)
	if got != want {
		t.Fatalf("file with conflicts:\n%s\nwant:\n%s", got, want)
	}

	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"app", "validate", bankFile}, exitFailed},
		{[]string{"app", "push", bankFile}, exitFailed},
		{[]string{"app", "fmt", bankFile}, exitUsage},
		{[]string{"app", "diff", bankFile}, exitUsage},
	} {
		r = scopectl(t, tc.args...).wantCode(t, tc.code)
		wantIn(t, tc.args[1], r.stdout+r.stderr, bankFile+":20:1: error: unresolved merge conflict: keep one side and delete the markers")
	}
	r = scopectl(t, "app", "pull").wantCode(t, exitUsage) // not again over the markers
	wantIn(t, "second pull", r.stderr, "20:1: unresolved merge conflict")
	r = scopectl(t, "app", "pull", "com.example.bank/android/1.0").wantCode(t, exitConflict)
	wantIn(t, "second pull by name", r.stderr, "20:1: unresolved merge conflict", "pull --force")
	if readFile(t, bankFile) != got {
		t.Fatal("a second pull changed the file with conflicts")
	}

	// Keep the local side; meanwhile the server changes something else.
	edit(t, bankFile, "<<<<<<< local\n  \"maxTokenExpiration\": 60\n=======\n  \"maxTokenExpiration\": 900\n>>>>>>> server revision 2\n", "  \"maxTokenExpiration\": 60\n")
	scopectl(t, "app", "validate", bankFile).wantCode(t, exitOK)
	serverEdit(t, url, `"displayName": "Example Bank"`, `"displayName": "Renamed"`)
	r = scopectl(t, "app", "push", bankFile).wantCode(t, exitOK)
	wantIn(t, "push", r.stdout, "merged with changes made on the server and pushed", "revision 4")
	wantIn(t, "server", serverBank(t, url), `"maxTokenExpiration": 60`, `"displayName": "Renamed"`, `"blockedStateExpirationSec": 120`, "localScope")
}

// TestPullThreeWayWithOldBase: a copy with edits and an old recorded base
// gets the server's changes to other members, keeps its edits, and pushes
// with If-Match of the revision it merged.
func TestPullThreeWayWithOldBase(t *testing.T) {
	url := project(t)
	scopectl(t, "app", "pull", "--all").wantCode(t, exitOK)
	edit(t, bankFile, `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 60`)
	r := scopectl(t, "app", "pull").wantCode(t, exitOK)
	wantIn(t, "pull without news", r.stdout, "kept "+bankFile)
	serverEdit(t, url, `"maxAttempts": 3`, `"maxAttempts": 5`)
	serverEdit(t, url, `"displayName": "Example Bank"`, `"displayName": "Renamed"`)
	r = scopectl(t, "app", "pull").wantCode(t, exitOK)
	wantIn(t, "pull", r.stdout, "merged "+bankFile+": your edits and the server's revision 3")
	want := bankCanonical(t, `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 60`, `"maxAttempts": 3`, `"maxAttempts": 5`, `"displayName": "Example Bank"`, `"displayName": "Renamed"`)
	if got := readFile(t, bankFile); got != want {
		t.Errorf("merged:\n%s\nwant:\n%s", got, want)
	}
	r = scopectl(t, "app", "push", bankFile).wantCode(t, exitOK)
	wantIn(t, "push", r.stdout, "pushed to", "revision 4 (1 change)")
}

// TestPullTwoWayWithoutBase: a file with no recorded base that equals no
// server revision (written by hand, outside git) is merged two-way: every
// member that differs from the server is a conflict, none is lost.
func TestPullTwoWayWithoutBase(t *testing.T) {
	url := project(t)
	scopectl(t, "app", "pull", "--all").wantCode(t, exitOK)
	os.RemoveAll(".scopectl")
	edit(t, bankFile, `"displayName": "Example Bank"`, `"displayName": "Mine"`)
	serverEdit(t, url, `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 900`)
	r := scopectl(t, "app", "push", bankFile).wantCode(t, exitConflict)
	wantIn(t, "push advice", r.stderr, "nothing tells which version it was based on", "run scopectl app pull "+bankFile)
	r = scopectl(t, "app", "pull", "com.example.bank/android/1.0").wantCode(t, exitConflict)
	wantIn(t, "pull", r.stdout, "2 conflicts", `/displayName: local "Mine", server "Example Bank"`, "/maxTokenExpiration: local 3600, server 900")
	wantIn(t, "file", readFile(t, bankFile), "<<<<<<< local\n  \"displayName\": \"Mine\",\n=======\n  \"displayName\": \"Example Bank\",\n>>>>>>> server revision 2\n",
		"<<<<<<< local\n  \"maxTokenExpiration\": 3600\n=======\n  \"maxTokenExpiration\": 900\n>>>>>>> server revision 2\n")
}
