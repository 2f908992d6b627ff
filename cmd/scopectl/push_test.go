package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/client"
	"github.com/scopectl/scopectl/sync/server/servertest"
)

// clone makes a second working copy of the project and pulls into it.
func clone(t *testing.T) (first, second string) {
	t.Helper()
	first, _ = os.Getwd()
	second = t.TempDir()
	t.Chdir(second)
	scopectl(t, "app", "pull", "--all").wantCode(t, exitOK)
	t.Chdir(first)
	return first, second
}

func edit(t *testing.T, path, old, new string) {
	t.Helper()
	s := readFile(t, path)
	if !strings.Contains(s, old) {
		t.Fatalf("%s has no %q", path, old)
	}
	os.WriteFile(path, []byte(strings.Replace(s, old, new, 1)), 0o644)
}

func history(t *testing.T, url string) []int64 {
	t.Helper()
	cl, _ := client.New(context.Background(), client.Options{URL: url, Runtime: "mfp", Login: "admin", Password: "admin-secret", Scope: "mfpmonitor"})
	revs, err := cl.Revisions(context.Background(), config.AppKey{ID: "com.example.bank", Platform: config.PlatformAndroid, Version: "1.0"})
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, r := range revs {
		out = append(out, r.Revision)
	}
	return out
}

func TestPushThenPullInAnotherClone(t *testing.T) {
	project(t)
	scopectl(t, "app", "pull", "--all").wantCode(t, exitOK)
	first, second := clone(t)
	edit(t, bankFile, `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 1800`)
	r := scopectl(t, "app", "push", bankFile).wantCode(t, exitOK)
	if !strings.Contains(r.stdout, "pushed to") || !strings.Contains(r.stdout, "replace /maxTokenExpiration: 3600 → 1800") {
		t.Errorf("push output %q", r.stdout)
	}
	r = scopectl(t, "app", "push").wantCode(t, exitOK) // everything: nothing left to do
	if r.stdout != "" || !strings.HasSuffix(r.stderr, ": 2 up to date\n") {
		t.Errorf("second push: stdout %q, stderr %q (want one summary line)", r.stdout, r.stderr)
	}
	t.Chdir(second)
	scopectl(t, "app", "pull").wantCode(t, exitOK)
	if !strings.Contains(readFile(t, bankFile), `"maxTokenExpiration": 1800`) {
		t.Error("the edit did not reach the second clone")
	}
	_ = first
}

func TestConcurrentEditsMergeOrConflict(t *testing.T) {
	url := project(t)
	scopectl(t, "app", "pull", "--all").wantCode(t, exitOK)
	first, second := clone(t)

	// Different keys: the second push merges, both edits survive.
	edit(t, bankFile, `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 1800`)
	scopectl(t, "app", "push", bankFile).wantCode(t, exitOK)
	t.Chdir(second)
	edit(t, bankFile, `"mandatoryScope": "appAuthenticity"`, `"mandatoryScope": "appAuthenticity deviceCheck"`)
	r := scopectl(t, "app", "push", bankFile).wantCode(t, exitOK)
	if !strings.Contains(r.stdout, "merged with changes made on the server") {
		t.Errorf("second push: %q", r.stdout)
	}
	merged := readFile(t, bankFile)
	if !strings.Contains(merged, `"maxTokenExpiration": 1800`) || !strings.Contains(merged, "deviceCheck") {
		t.Errorf("merged file lacks an edit:\n%s", merged)
	}

	// The same key: the later push exits 4 and the server keeps the first value.
	t.Chdir(first)
	scopectl(t, "app", "pull").wantCode(t, exitOK)
	edit(t, bankFile, `"maxTokenExpiration": 1800`, `"maxTokenExpiration": 900`)
	scopectl(t, "app", "push", bankFile).wantCode(t, exitOK)
	t.Chdir(second)
	edit(t, bankFile, `"maxTokenExpiration": 1800`, `"maxTokenExpiration": 60`)
	before := history(t, url)
	r = scopectl(t, "app", "push", bankFile).wantCode(t, exitConflict)
	if !strings.Contains(r.stdout, "/maxTokenExpiration: base 1800, local 60, server 900") {
		t.Errorf("conflict listing: %q", r.stdout)
	}
	if after := history(t, url); len(after) != len(before) {
		t.Errorf("a conflicting push stored a revision: %v → %v", before, after)
	}
	t.Chdir(first)
	scopectl(t, "app", "pull").wantCode(t, exitOK)
	if !strings.Contains(readFile(t, bankFile), `"maxTokenExpiration": 900`) {
		t.Error("the server did not keep the first value")
	}
}

func TestInvalidDescriptorIsNeverSent(t *testing.T) {
	url := project(t)
	scopectl(t, "app", "pull", "--all").wantCode(t, exitOK)
	edit(t, bankFile, `"maxTokenExpiration": 3600`, `"maxTokenExpiraton": 60`)
	before := history(t, url)
	r := scopectl(t, "app", "push").wantCode(t, exitFailed)
	if !strings.Contains(r.stderr, `unknown member "maxTokenExpiraton"`) || !strings.Contains(r.stderr, "nothing pushed") {
		t.Errorf("stderr %q", r.stderr)
	}
	if after := history(t, url); len(after) != len(before) {
		t.Error("an invalid descriptor reached the server")
	}
}

func TestPushDryRunAndUnreachable(t *testing.T) {
	url := project(t)
	scopectl(t, "app", "pull", "--all").wantCode(t, exitOK)
	edit(t, bankFile, `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 1800`)
	r := scopectl(t, "app", "push", "--dry-run", bankFile).wantCode(t, exitOK)
	if !strings.Contains(r.stdout, "would push") || len(history(t, url)) != 1 {
		t.Errorf("dry run: %q, history %v", r.stdout, history(t, url))
	}
	state := snapshot(t, ".")
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := "http://" + ln.Addr().String()
	ln.Close()
	scopectl(t, "app", "push", "--server", closed, bankFile).wantCode(t, exitServer)
	if after := snapshot(t, "."); after != state {
		t.Error("a push to an unreachable server changed local files or .scopectl/")
	}
}

// snapshot concatenates every file under dir, to compare before and after.
func snapshot(t *testing.T, dir string) string {
	var b strings.Builder
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(path)
			b.WriteString(path + "\n" + string(data))
		}
		return nil
	})
	return b.String()
}

// TestPushToSeveralServers: one file goes to dev and then production;
// each server keeps its own base, so a later change pushes cleanly to both.
func TestPushToSeveralServers(t *testing.T) {
	dev := project(t)
	prod := servertest.Start(t, servertest.Client{ID: "admin", Secret: "admin-secret", Scope: "mfpadmin"})
	scopectl(t, "app", "pull", "com.example.bank/android/1.0").wantCode(t, exitOK)
	r := scopectl(t, "app", "push", "--server", prod, bankFile).wantCode(t, exitOK) // created on prod
	if !strings.Contains(r.stdout, "revision 1") {
		t.Errorf("first push to prod: %q", r.stdout)
	}
	edit(t, bankFile, `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 1800`)
	scopectl(t, "app", "push", "--server", dev, bankFile).wantCode(t, exitOK)
	r = scopectl(t, "app", "push", "--server", prod, bankFile).wantCode(t, exitOK)
	if !strings.Contains(r.stdout, "revision 2") || !strings.Contains(r.stdout, "3600 → 1800") {
		t.Errorf("second push to prod: %q", r.stdout)
	}
	for _, url := range []string{dev, prod} {
		scopectl(t, "app", "diff", "--server", url, bankFile).wantCode(t, exitOK)
	}
}
