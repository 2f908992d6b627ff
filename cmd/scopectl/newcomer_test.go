package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHistoryNeedsOnlyTheKey: history of a file whose other members are
// invalid works; a missing file says so, not "cannot compare".
func TestHistoryNeedsOnlyTheKey(t *testing.T) {
	project(t)
	scopectl(t, "app", "pull", "--all").wantCode(t, exitOK)
	edit(t, bankFile, `"maxTokenExpiration": 3600`, `"maxTokenExpiration": -5`)
	r := scopectl(t, "app", "history", bankFile).wantCode(t, exitOK)
	if !strings.Contains(r.stdout, "created") {
		t.Errorf("history of a file with an invalid value:\n%s%s", r.stdout, r.stderr)
	}
	r = scopectl(t, "app", "history", "missing.json").wantCode(t, exitUsage)
	if r.stderr != "scopectl: missing.json: no such file (name a descriptor FILE or APPID/PLATFORM/VERSION)\n" {
		t.Errorf("missing file: %q", r.stderr)
	}
}

// TestFlagsAfterArgumentsOnServerCommands: the command lines of the docs,
// flags after the arguments, against a real scoped.
func TestFlagsAfterArgumentsOnServerCommands(t *testing.T) {
	url := project(t)
	t.Setenv("SCOPECTL_SERVER", "")
	scopectl(t, "server", "add", "dev", "--url", url, "--login", "admin", "--password-file", writeTemp(t, "admin-secret\n")).wantCode(t, exitOK)
	scopectl(t, "app", "pull", "com.example.bank/android/1.0", "--server", "dev").wantCode(t, exitOK)
	edit(t, bankFile, `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 1800`)
	scopectl(t, "app", "push", bankFile, "--server", "dev", "--yes").wantCode(t, exitOK)
	var revs []map[string]any
	r := scopectl(t, "app", "history", bankFile, "--server", "dev", "--format", "json").wantCode(t, exitOK)
	if err := json.Unmarshal([]byte(r.stdout), &revs); err != nil || len(revs) != 2 || revs[1]["revision"] != float64(2) {
		t.Fatalf("history --format json: %v\n%s", err, r.stdout)
	}
	scopectl(t, "app", "rollback", bankFile, "--to", "1", "--server", "dev").wantCode(t, exitOK)
	if !strings.Contains(readFile(t, bankFile), `"maxTokenExpiration": 3600`) {
		t.Error("rollback --to 1 after the file did not roll back")
	}
}

// writeTemp writes content to a new file and returns its path.
func writeTemp(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestPushAndPullReports: a push of many files prints only what changed
// and one summary line; --format json reports every file; off a terminal
// there is no progress line.
func TestPushAndPullReports(t *testing.T) {
	project(t)
	r := scopectl(t, "app", "pull", "--all").wantCode(t, exitOK)
	if r.stderr != "2 applications from "+os.Getenv("SCOPECTL_SERVER")+": 2 pulled\n" {
		t.Errorf("pull summary: %q", r.stderr)
	}
	edit(t, bankFile, `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 1800`)
	r = scopectl(t, "app", "push").wantCode(t, exitOK)
	if strings.Count(r.stdout, "\n") != 2 || !strings.Contains(r.stdout, "pushed to") || strings.Contains(r.stdout, "up to date") {
		t.Errorf("push stdout: %q", r.stdout)
	}
	if !strings.HasSuffix(r.stderr, ": 1 pushed, 1 up to date\n") || strings.ContainsAny(r.stderr, "\r\x1b") {
		t.Errorf("push stderr: %q", r.stderr)
	}
	var pushed struct {
		Server string
		Files  []struct {
			File, Application, Result string
			Revision                  int64
			Changes                   []map[string]any
		}
	}
	edit(t, bankFile, `"maxTokenExpiration": 1800`, `"maxTokenExpiration": 900`)
	r = scopectl(t, "app", "push", "--format", "json").wantCode(t, exitOK)
	if err := json.Unmarshal([]byte(r.stdout), &pushed); err != nil || len(pushed.Files) != 2 || r.stderr != "" {
		t.Fatalf("push --format json: %v\n%s%s", err, r.stdout, r.stderr)
	}
	if f := pushed.Files[0]; f.Application != "com.example.bank/android/1.0" || f.Result != "applied" || f.Revision != 3 || len(f.Changes) != 1 || f.Changes[0]["path"] != "/maxTokenExpiration" {
		t.Errorf("push --format json, first file: %+v", f)
	}
	var pulled struct{ Files []map[string]any }
	r = scopectl(t, "app", "pull", "--format", "json").wantCode(t, exitOK)
	if err := json.Unmarshal([]byte(r.stdout), &pulled); err != nil || len(pulled.Files) != 2 || pulled.Files[0]["outcome"] != "unchanged" || pulled.Files[0]["revision"] != float64(3) {
		t.Errorf("pull --format json: %v\n%s", err, r.stdout)
	}
}
