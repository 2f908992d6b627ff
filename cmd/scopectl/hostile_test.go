package main

import (
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/fixtures"
	"github.com/scopectl/scopectl/schema"
	"github.com/scopectl/scopectl/sync/api"
)

// answer is what the hostile server sends for one request.
type answer struct {
	status int    // 200 when 0
	etag   string // none when ""
	body   string
}

// evilServer answers the token endpoint and the admin API like scoped,
// with whatever a test wants in the answers: a broken or malicious server.
type evilServer struct {
	URL  string
	mu   sync.Mutex
	apps []api.Application
	// answers by path below the runtime's applications, such as
	// "com.example.bank/android/1.0/descriptor"
	answers map[string]answer
	posts   int // apply requests received
	// applyAnswer answers apply requests when set; else they fail (500).
	applyAnswer *answer
}

// evil starts a hostile server and points scopectl at it from a fresh
// project directory.
func evil(t *testing.T) *evilServer {
	t.Helper()
	useProfiles(t)
	e := &evilServer{answers: map[string]answer{}}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	e.URL = srv.URL
	t.Chdir(t.TempDir())
	t.Setenv("SCOPECTL_LOGIN", "admin")
	t.Setenv("SCOPECTL_PASSWORD", "admin-secret")
	t.Setenv("SCOPECTL_SERVER", e.URL)
	return e
}

func (e *evilServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	prefix := api.Base + "/runtimes/mfp/applications"
	switch {
	case r.URL.Path == "/mfp/api/az/v1/token":
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"x","token_type":"Bearer","expires_in":3600}`)
	case r.Method == http.MethodPost && e.applyAnswer != nil:
		e.posts++
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(e.applyAnswer.status)
		io.WriteString(w, e.applyAnswer.body)
	case r.Method == http.MethodPost:
		e.posts++
		w.WriteHeader(http.StatusInternalServerError)
	case r.URL.Path == prefix:
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(api.ApplicationList{Applications: e.apps})
	default:
		a, ok := e.answers[strings.TrimPrefix(r.URL.Path, prefix+"/")]
		if !ok {
			a = answer{status: http.StatusNotFound, body: `{"error":"not_found","message":"no such application"}`}
		}
		if a.etag != "" {
			w.Header().Set("ETag", a.etag)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(cmpStatus(a.status))
		io.WriteString(w, a.body)
	}
}

// created lists what is below the test's temporary directories in dir,
// other than those directories themselves.
func created(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if rel, _ := filepath.Rel(dir, path); err == nil && rel != "." && strings.Contains(rel, string(filepath.Separator)) || !d.IsDir() {
			out = append(out, path)
		}
		return nil
	})
	return out
}

func cmpStatus(s int) int {
	if s == 0 {
		return http.StatusOK
	}
	return s
}

func (e *evilServer) set(path string, a answer) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.answers[path] = a
}

func (e *evilServer) list(keys ...config.AppKey) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.apps = nil
	for _, k := range keys {
		e.apps = append(e.apps, api.Application{ID: k.ID, Platform: string(k.Platform), Version: k.Version, Revision: 1})
	}
}

func (e *evilServer) applies() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.posts
}

var (
	bankKey  = config.AppKey{ID: "com.example.bank", Platform: config.PlatformAndroid, Version: "1.0"}
	otherKey = config.AppKey{ID: "com.example.unsorted", Platform: config.PlatformWeb, Version: "1.0"}
)

// canonical returns the canonical form of a valid fixture, with the
// replacements old → new applied to it first.
func canonical(t *testing.T, fixture string, replace ...string) string {
	t.Helper()
	src, err := fs.ReadFile(fixtures.FS, fixture)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.NewReplacer(replace...).Replace(string(src))
	r := schema.Validate([]byte(s))
	if !r.Valid() {
		t.Fatalf("%s after %q is invalid: %v", fixture, replace, r.Diagnostics)
	}
	return string(r.Descriptor.Canonical())
}

func bankCanonical(t *testing.T, replace ...string) string {
	return canonical(t, "valid/com.example.bank-android-1.0.json", replace...)
}

// serve makes the hostile server hold content as revision rev of key.
func (e *evilServer) serve(key config.AppKey, rev int, content string) {
	e.set(key.String()+"/descriptor", answer{etag: `"` + itoa(rev) + `"`, body: content})
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestPullRefusesKeysThatLeaveTheProject: application keys from the
// server that would name a file outside mobilefirst/ are refused (exit 3)
// and nothing is written, anywhere.
func TestPullRefusesKeysThatLeaveTheProject(t *testing.T) {
	for _, key := range []config.AppKey{
		{ID: "com.example", Platform: config.PlatformAndroid, Version: "1.0/../../.vscode/tasks"},
		{ID: "../../x", Platform: config.PlatformWeb, Version: "1"},
		{ID: "com.example", Platform: "android/../../..", Version: "1"},
	} {
		t.Run(key.String(), func(t *testing.T) {
			e := evil(t)
			e.list(bankKey, key)
			e.serve(bankKey, 1, bankCanonical(t))
			content := strings.Replace(bankCanonical(t), `"version": "1.0"`, `"version": "`+key.Version+`"`, 1)
			e.set(key.String()+"/descriptor", answer{etag: `"1"`, body: content})
			wd, _ := os.Getwd()
			r := scopectl(t, "app", "pull", "--all").wantCode(t, exitServer)
			if !strings.Contains(r.stderr, e.URL) || !strings.Contains(r.stderr, "invalid key") {
				t.Errorf("stderr %q", r.stderr)
			}
			if got := created(t, filepath.Dir(wd)); len(got) != 0 {
				t.Errorf("files were written: %v", got)
			}
		})
	}
	useProfiles(t)
	r := scopectl(t, "app", "pull", "com.example/android/1.0/../../.vscode/tasks").wantCode(t, exitUsage)
	if !strings.Contains(r.stderr, "invalid application") {
		t.Errorf("key on the command line: %q", r.stderr)
	}
}

// TestPullRefusesBadAnswers: every answer a CLI would refuse as a file is
// refused from the server before anything is written: exit 3, a message
// naming the server and the application, the local file and the base
// state as they were. With several applications, one bad answer leaves
// the good ones unwritten too.
func TestPullRefusesBadAnswers(t *testing.T) {
	for _, tc := range []struct {
		name string
		a    func(t *testing.T) answer
		msg  string
	}{
		{"20 MB body", func(t *testing.T) answer {
			return answer{etag: `"2"`, body: `{"displayName":"` + strings.Repeat("x", 20<<20) + `"}`}
		}, "more than 8 MiB"},
		{"2 MB body", func(t *testing.T) answer {
			return answer{etag: `"2"`, body: strings.Replace(bankCanonical(t), `"displayName": "Example Bank"`, `"displayName": "`+strings.Repeat("x", 2<<20)+`"`, 1)}
		}, "may be at most 1.0 MiB"},
		{"invalid JSON", func(t *testing.T) answer {
			return answer{etag: `"2"`, body: `{"applicationKey": {`}
		}, "not a valid descriptor"},
		{"HTML page", func(t *testing.T) answer {
			return answer{etag: `"2"`, body: "<html><body>Welcome to nginx</body></html>"}
		}, "not a valid descriptor (1:1: unexpected '<'"},
		{"another application's descriptor", func(t *testing.T) answer {
			return answer{etag: `"2"`, body: canonical(t, "valid/com.example.unsorted-web-1.0.json")}
		}, "the descriptor of another application, com.example.unsorted/web/1.0"},
		{"invalid descriptor", func(t *testing.T) answer {
			return answer{etag: `"2"`, body: strings.Replace(bankCanonical(t), `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 0`, 1)}
		}, "must be at least 1"},
		{"unknown member", func(t *testing.T) answer {
			return answer{etag: `"2"`, body: strings.Replace(bankCanonical(t), `"maxTokenExpiration"`, `"evil": true, "maxTokenExpiration"`, 1)}
		}, `unknown member "evil"`},
		{"ETag that is not a revision", func(t *testing.T) answer {
			return answer{etag: `"latest"`, body: bankCanonical(t, `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 60`)}
		}, "without a revision"},
		{"no ETag", func(t *testing.T) answer {
			return answer{body: bankCanonical(t, `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 60`)}
		}, "without a revision"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := evil(t)
			a := tc.a(t)
			// One application, by name, over an existing file.
			os.Mkdir("mobilefirst", 0o755)
			old := bankCanonical(t, `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 1800`)
			os.WriteFile(bankFile, []byte(old), 0o644)
			e.set(bankKey.String()+"/descriptor", a)
			before := snapshot(t, ".")
			r := scopectl(t, "app", "pull", bankKey.String()).wantCode(t, exitServer)
			if !strings.Contains(r.stderr, e.URL) || !strings.Contains(r.stderr, tc.msg) || !strings.Contains(r.stderr, "no file was changed") {
				t.Errorf("stderr %.300q; want the server, %q", r.stderr, tc.msg)
			}
			if !strings.Contains(r.stderr, bankKey.String()) {
				t.Errorf("stderr %.300q does not name the application", r.stderr)
			}
			if snapshot(t, ".") != before {
				t.Error("a bad answer changed files")
			}
			// Every application: a good answer first, the bad one second.
			os.Remove(bankFile)
			e.list(otherKey, bankKey)
			e.serve(otherKey, 1, canonical(t, "valid/com.example.unsorted-web-1.0.json"))
			scopectl(t, "app", "pull", "--all").wantCode(t, exitServer)
			if entries, _ := os.ReadDir("mobilefirst"); len(entries) != 0 {
				t.Errorf("pull --all wrote %v before failing", entries)
			}
			if _, err := os.Stat(".scopectl"); err == nil {
				t.Error("pull --all recorded base state before failing")
			}
		})
	}
}

// TestPullFailingMidwayChangesNothing: a server that fails for one of
// many applications, after answering those before it and while others
// are in flight, leaves a project that pulled them all before exactly as
// it was: every file and every base, and no temporary file behind. A
// fresh project gets no folder either.
func TestPullFailingMidwayChangesNothing(t *testing.T) {
	e := evil(t)
	var keys []config.AppKey
	for i := range 40 {
		keys = append(keys, config.AppKey{ID: fmt.Sprintf("com.example.app%02d", i), Platform: config.PlatformAndroid, Version: "1.0"})
	}
	serveAll := func(rev int, expiry string) {
		for _, k := range keys {
			e.serve(k, rev, bankCanonical(t, "com.example.bank", k.ID, `"maxTokenExpiration": 3600`, `"maxTokenExpiration": `+expiry))
		}
	}
	e.list(keys...)
	serveAll(1, "3600")
	scopectl(t, "app", "pull", "--all").wantCode(t, exitOK)
	before := snapshot(t, ".")

	serveAll(2, "1800")
	e.set(keys[25].String()+"/descriptor", answer{status: http.StatusInternalServerError, body: `{"error":"internal","message":"disk on fire"}`})
	r := scopectl(t, "app", "pull", "--all").wantCode(t, exitServer)
	if !strings.Contains(r.stderr, "disk on fire") || !strings.Contains(r.stderr, "no file was changed") {
		t.Errorf("stderr %q", r.stderr)
	}
	if after := snapshot(t, "."); after != before {
		t.Error("a pull that failed midway changed the project")
	}

	t.Chdir(t.TempDir())
	scopectl(t, "app", "pull", "--all").wantCode(t, exitServer)
	if files := created(t, "."); len(files) != 0 {
		t.Errorf("a fresh project after a failed pull holds %q", files)
	}
}

// TestServerDescriptorsAreCheckedEverywhere: push, rollback and diff check
// the server's descriptor as pull does; a bad one is exit 3 and nothing
// is applied or written.
func TestServerDescriptorsAreCheckedEverywhere(t *testing.T) {
	e := evil(t)
	os.Mkdir("mobilefirst", 0o755)
	local := bankCanonical(t, `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 1800`)
	os.WriteFile(bankFile, []byte(local), 0o644)
	e.serve(bankKey, 2, canonical(t, "valid/com.example.unsorted-web-1.0.json"))
	e.set(bankKey.String()+"/revisions/1", answer{etag: `"1"`, body: "<html>"})
	before := snapshot(t, ".")
	for _, args := range [][]string{
		{"app", "push", bankFile},
		{"app", "push", "--force", bankFile},
		{"app", "diff", bankFile},
		{"app", "rollback", "--force", "--to", "1", bankFile},
	} {
		r := scopectl(t, args...).wantCode(t, exitServer)
		if !strings.Contains(r.stderr, e.URL) || !strings.Contains(r.stderr, "com.example.bank/android/1.0") {
			t.Errorf("%v: %q", args, r.stderr)
		}
	}
	// A good head, but a bad old revision to roll back to.
	e.serve(bankKey, 2, local)
	r := scopectl(t, "app", "rollback", "--force", "--to", "1", bankFile).wantCode(t, exitServer)
	if !strings.Contains(r.stderr, "revision 1 of com.example.bank/android/1.0") {
		t.Errorf("rollback: %q", r.stderr)
	}
	if e.applies() != 0 {
		t.Errorf("%d applies reached the server", e.applies())
	}
	if snapshot(t, ".") != before {
		t.Error("files changed")
	}
}

// TestServerTextIsEscaped: control characters in what a server says
// (error messages, history, application lists) never reach the terminal
// as they are.
func TestServerTextIsEscaped(t *testing.T) {
	const payload = "\x1b]0;pwned\x07\x1b[31m\u202e"
	e := evil(t)
	os.Mkdir("mobilefirst", 0o755)
	os.WriteFile(bankFile, []byte(bankCanonical(t)), 0o644)
	revs, _ := json.Marshal(api.RevisionList{Revisions: []api.Application{
		{ID: bankKey.ID, Platform: "android", Version: "1.0", Revision: 1, Author: "admin" + payload, Summary: "created " + payload},
	}})
	e.set(bankKey.String()+"/revisions", answer{body: string(revs)})
	errBody, _ := json.Marshal(api.Error{Error: config.KindForbidden, Message: "denied " + payload})
	e.set(otherKey.String()+"/descriptor", answer{status: http.StatusForbidden, body: string(errBody)})
	e.apps = []api.Application{{ID: "com.example" + payload, Platform: "web", Version: "1"}}
	var all strings.Builder
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"app", "history", bankFile}, exitOK},
		{[]string{"app", "history", "--format", "json", bankFile}, exitOK},
		{[]string{"app", "pull", otherKey.String()}, exitServer},
		{[]string{"app", "pull", "--all"}, exitServer},
	} {
		args := tc.args
		r := scopectl(t, args...).wantCode(t, tc.code)
		all.WriteString(r.stdout + r.stderr)
		if strings.ContainsAny(r.stdout+r.stderr, "\x1b\x07\u202e") {
			t.Errorf("%v printed control characters:\n%q", args, r.stdout+r.stderr)
		}
	}
	for _, want := range []string{`created \x1b]0;pwned\x07`, `denied \x1b]0;pwned\x07\x1b[31m\u202e`, `"summary": "created \\x1b]0;pwned\\x07`} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, all.String())
		}
	}
}

// TestPullNeverWritesThroughLinks: a descriptor that is a symbolic link,
// a mobilefirst/ linked outside the project and a linked .scopectl/ are
// refused by pull (even --force), push and rollback; what the links point
// at is never written.
func TestPullNeverWritesThroughLinks(t *testing.T) {
	url := project(t)
	scopectl(t, "app", "pull", "--all").wantCode(t, exitOK)
	outside := t.TempDir()
	victim := filepath.Join(outside, "victim.json")
	edited := bankCanonical(t, `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 1800`)
	os.WriteFile(victim, []byte(edited), 0o644)
	serverEdit(t, url, `"displayName": "Example Bank"`, `"displayName": "Changed on the server"`)
	before := snapshot(t, outside)

	os.Remove(bankFile)
	os.Symlink(victim, bankFile)
	for _, args := range [][]string{
		{"app", "pull", "--force", "com.example.bank/android/1.0"},
		{"app", "pull", "com.example.bank/android/1.0"},
		{"app", "push", bankFile},
		{"app", "rollback", "--force", "--to", "1", bankFile},
	} {
		r := scopectl(t, args...).wantCode(t, exitUsage)
		if !strings.Contains(r.stderr, "symbolic link") {
			t.Errorf("%v: %q", args, r.stderr)
		}
	}
	if len(history(t, url)) != 2 {
		t.Error("a push or rollback through a link reached the server")
	}
	os.Remove(bankFile)

	os.RemoveAll("mobilefirst")
	os.Symlink(outside, "mobilefirst")
	r := scopectl(t, "app", "pull", "com.example.bank/android/1.0").wantCode(t, exitUsage)
	if !strings.Contains(r.stderr, "outside the project") {
		t.Errorf("linked mobilefirst/: %q", r.stderr)
	}
	os.Remove("mobilefirst")

	os.RemoveAll(".scopectl")
	os.Symlink(outside, ".scopectl")
	r = scopectl(t, "app", "pull", "com.example.bank/android/1.0").wantCode(t, exitUsage)
	if !strings.Contains(r.stderr, "real .scopectl/ folder") {
		t.Errorf("linked .scopectl/: %q", r.stderr)
	}
	if after := snapshot(t, outside); after != before {
		t.Errorf("written through a link:\n%s", after)
	}
	if _, err := os.Stat(bankFile); err == nil {
		t.Error("a refused pull wrote the descriptor")
	}
}

// TestPushShowsTheServersFindings: a server that refuses what the CLI
// accepts (a stricter schema) gets its findings printed as
// file:line:column lines, placed in the local file by their pointers
// (the server numbered the lines of what it was sent), and push exits 1.
func TestPushShowsTheServersFindings(t *testing.T) {
	e := evil(t)
	os.Mkdir("mobilefirst", 0o755)
	local := "\n\n" + bankCanonical(t) // not the layout the server was sent
	os.WriteFile(bankFile, []byte(local), 0o644)
	body, _ := json.Marshal(api.Error{Error: config.KindInvalid, Message: "the descriptor is invalid: 2 error(s)", Details: []api.Finding{
		{Severity: config.SeverityError, Rule: "maximum", Pointer: "/securityCheckConfigurations/PinCodeAttempts/maxAttempts", Line: 15, Column: 7, Message: "must be at most 2"},
		{Severity: config.SeverityError, Rule: "required", Pointer: "/securityCheckConfigurations/PinCodeAttempts/lockout", Line: 14, Column: 5, Message: "lockout is required", Hint: "add it"},
	}})
	e.applyAnswer = &answer{status: http.StatusBadRequest, body: string(body)}
	r := scopectl(t, "app", "push", bankFile).wantCode(t, exitFailed)
	lineOf := func(text string) int {
		return strings.Count(local[:strings.Index(local, text)], "\n") + 1
	}
	for _, want := range []string{
		fmt.Sprintf("%s:%d:7: error: /securityCheckConfigurations/PinCodeAttempts/maxAttempts: must be at most 2 [maximum]\n", bankFile, lineOf(`"maxAttempts"`)),
		fmt.Sprintf("%s:%d:5: error: /securityCheckConfigurations/PinCodeAttempts/lockout: lockout is required; add it [required]\n", bankFile, lineOf(`"PinCodeAttempts": {`)),
		bankFile + ": the descriptor is invalid: 2 error(s)",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
}
