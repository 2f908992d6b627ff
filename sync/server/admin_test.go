package server_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/schema"
)

type applyAnswer struct {
	Application struct {
		ID, Platform, Version, Author, Hash, Summary string
		Revision                                     int64
	}
	Unchanged, DryRun bool
	Diff              []config.Change
}

const bankPath = apps + "/com.example.bank/android/1.0"

func (e *env) apply(token, body string, extra http.Header) response {
	e.t.Helper()
	h := jsonHeader(token)
	for k, v := range extra {
		h[k] = v
	}
	return e.do("POST", apps, h, strings.NewReader(body))
}

func withMaxExp(t *testing.T, src string, n string) string {
	t.Helper()
	out := strings.Replace(src, `"maxTokenExpiration": 3600`, `"maxTokenExpiration": `+n, 1)
	if out == src {
		t.Fatal("fixture has no maxTokenExpiration 3600")
	}
	return out
}

// TestApplyLifecycle: create, change, no-op, read back byte-identical to the
// CLI's canonical form, history, single revisions.
func TestApplyLifecycle(t *testing.T) {
	e := newEnv(t)
	tok := e.token("operator", "operator-secret", "mfpoperator")
	src := fixture(t, "valid/com.example.bank-android-1.0.json")

	var created applyAnswer
	r := e.apply(tok, src, nil).want(t, 201)
	r.json(t, &created)
	if created.Application.Revision != 1 || created.Application.Author != "operator" || r.header.Get("ETag") != `"1"` || len(created.Diff) == 0 {
		t.Fatalf("create: %+v etag %s", created, r.header.Get("ETag"))
	}

	var changed applyAnswer
	e.apply(tok, withMaxExp(t, src, "7200"), nil).want(t, 200).json(t, &changed)
	if changed.Application.Revision != 2 || len(changed.Diff) != 1 || changed.Diff[0].Path != "/maxTokenExpiration" ||
		changed.Application.Summary != "replace /maxTokenExpiration: 3600 → 7200" {
		t.Fatalf("change: %+v", changed)
	}

	var same applyAnswer
	e.apply(tok, withMaxExp(t, src, "7200"), nil).want(t, 200).json(t, &same)
	if !same.Unchanged || same.Application.Revision != 2 || len(same.Diff) != 0 {
		t.Fatalf("no-op: %+v", same)
	}

	got := e.do("GET", bankPath+"/descriptor", bearer(tok), nil).want(t, 200)
	want := schema.Validate([]byte(withMaxExp(t, src, "7200"))).Descriptor.Canonical()
	if got.body != string(want) || got.header.Get("ETag") != `"2"` || got.header.Get("Content-Type") != "application/json" {
		t.Errorf("descriptor differs from the CLI's canonical form or lacks its ETag:\n%s", got.body)
	}
	sum := sha256.Sum256(want)
	if changed.Application.Hash != hex.EncodeToString(sum[:]) {
		t.Errorf("hash %s is not the SHA-256 of the canonical form", changed.Application.Hash)
	}

	var history struct {
		Revisions []struct {
			Revision        int64
			Author, Summary string
		}
	}
	e.do("GET", bankPath+"/revisions", bearer(tok), nil).want(t, 200).json(t, &history)
	if len(history.Revisions) != 2 || history.Revisions[0].Summary != "created" || history.Revisions[1].Revision != 2 {
		t.Errorf("history %+v", history)
	}
	first := e.do("GET", bankPath+"/revisions/1", bearer(tok), nil).want(t, 200)
	if !strings.Contains(first.body, `"maxTokenExpiration": 3600`) || first.header.Get("ETag") != `"1"` {
		t.Errorf("revision 1: %s", first.body)
	}
	e.do("GET", bankPath+"/revisions/3", bearer(tok), nil).want(t, 404)
	e.do("GET", bankPath+"/revisions/x", bearer(tok), nil).want(t, 404)

	var list struct {
		Applications []struct {
			ID       string
			Revision int64
		}
	}
	e.do("GET", apps, bearer(tok), nil).want(t, 200).json(t, &list)
	if len(list.Applications) != 1 || list.Applications[0].Revision != 2 {
		t.Errorf("list %+v", list)
	}
}

// TestApplyPreconditions: If-Match and If-None-Match make pushes
// conflict-safe; a stale push answers 412 with the current revision.
func TestApplyPreconditions(t *testing.T) {
	e := newEnv(t)
	tok := e.token("admin", "admin-secret", "mfpadmin")
	src := fixture(t, "valid/com.example.bank-android-1.0.json")
	e.apply(tok, src, http.Header{"If-None-Match": {"*"}}).want(t, 201)
	e.apply(tok, withMaxExp(t, src, "60"), http.Header{"If-None-Match": {"*"}}).want(t, 412)
	e.apply(tok, withMaxExp(t, src, "60"), http.Header{"If-Match": {`"1"`}}).want(t, 200)
	r := e.apply(tok, withMaxExp(t, src, "90"), http.Header{"If-Match": {`"1"`}}).want(t, 412)
	var body struct {
		Error   string
		Details struct{ CurrentRevision int64 }
	}
	r.json(t, &body)
	if body.Error != "stale" || body.Details.CurrentRevision != 2 || r.header.Get("ETag") != `"2"` {
		t.Errorf("412 answer %+v etag %s", body, r.header.Get("ETag"))
	}
	head := e.do("GET", bankPath+"/descriptor", bearer(tok), nil)
	if !strings.Contains(head.body, `"maxTokenExpiration": 60`) {
		t.Errorf("a stale push changed the descriptor:\n%s", head.body)
	}
	e.apply(tok, src, http.Header{"If-Match": {"banana"}}).want(t, 400)
	for _, bad := range []string{`W/"2"`, `"1", "2"`, "*", "2"} {
		e.apply(tok, src, http.Header{"If-Match": {bad}}).want(t, 400)
	}
	e.apply(tok, src, http.Header{"If-None-Match": {`"2"`}}).want(t, 400) // refused, never ignored
	e.apply(tok, src, http.Header{"If-Match": {`"2"`}}).want(t, 200)
}

func TestApplyDryRunStoresNothing(t *testing.T) {
	e := newEnv(t)
	tok := e.token("admin", "admin-secret", "mfpadmin")
	src := fixture(t, "valid/com.example.bank-android-1.0.json")
	var dry applyAnswer
	e.do("POST", apps+"?dryRun=true", jsonHeader(tok), strings.NewReader(src)).want(t, 200).json(t, &dry)
	if !dry.DryRun || len(dry.Diff) == 0 {
		t.Fatalf("dry run of a new application: %+v", dry)
	}
	e.do("GET", bankPath+"/descriptor", bearer(tok), nil).want(t, 404)
	e.apply(tok, src, nil).want(t, 201)
	dry = applyAnswer{}
	e.do("POST", apps+"?dryRun=true", jsonHeader(tok), strings.NewReader(withMaxExp(t, src, "60"))).want(t, 200).json(t, &dry)
	if len(dry.Diff) != 1 || dry.Diff[0].Op != config.OpReplace || dry.Application.Revision != 1 {
		t.Fatalf("dry run of a change: %+v", dry)
	}
	var history struct{ Revisions []any }
	e.do("GET", bankPath+"/revisions", bearer(tok), nil).json(t, &history)
	if len(history.Revisions) != 1 {
		t.Errorf("dry run stored a revision: %d", len(history.Revisions))
	}
	e.do("POST", apps+"?dryRun=true", jsonHeader(tok), strings.NewReader(src)).want(t, 200)
	h := jsonHeader(tok)
	h.Set("If-Match", `"7"`)
	e.do("POST", apps+"?dryRun=true", h, strings.NewReader(src)).want(t, 412)
}

// TestApplyDryRunIsStrict: a dry run spelt any other way is refused
// before anything is stored, never taken for a real apply.
func TestApplyDryRunIsStrict(t *testing.T) {
	e := newEnv(t)
	tok := e.token("admin", "admin-secret", "mfpadmin")
	src := fixture(t, "valid/com.example.bank-android-1.0.json")
	for _, query := range []string{
		"dryRun=TRUE", "dryRun=1", "dryRun=", "dryRun", "dryrun=true", "dryRun=true&dryRun=true",
		"dryRun=false&dryRun=true", "dryRun=true&force=1", "force=1", "dryRun=%zz",
	} {
		var body struct{ Error, Message string }
		e.do("POST", apps+"?"+query, jsonHeader(tok), strings.NewReader(src)).want(t, 400).json(t, &body)
		if body.Error != "invalid" || !strings.Contains(body.Message, "dryRun") && !strings.Contains(body.Message, "query") {
			t.Errorf("?%s: %+v", query, body)
		}
	}
	e.do("GET", bankPath+"/descriptor", bearer(tok), nil).want(t, 404)
	e.do("POST", apps+"?dryRun=false", jsonHeader(tok), strings.NewReader(src)).want(t, 201)
}

// TestApplyRejectsBadBodies: invalid descriptors with every finding, and
// size, media type and syntax limits.
func TestApplyRejectsBadBodies(t *testing.T) {
	e := newEnv(t)
	tok := e.token("admin", "admin-secret", "mfpadmin")
	r := e.apply(tok, fixture(t, "invalid/unknown-top-level-member.json"), nil).want(t, 400)
	var body struct {
		Error   string
		Message string
		Details []struct {
			Rule, Pointer, Message, Hint string
			Line, Column                 int
		}
	}
	r.json(t, &body)
	if body.Error != "invalid" || len(body.Details) != 1 || body.Details[0].Pointer != "/maxTokenExpiraton" ||
		body.Details[0].Line != 7 || body.Details[0].Column != 3 || !strings.Contains(body.Details[0].Hint, "maxTokenExpiration") {
		t.Errorf("400 answer %+v", body)
	}
	e.apply(tok, fixture(t, "invalid/syntax-trailing-comma.json"), nil).want(t, 400)
	// Under the body limit, but its canonical form (what a pull writes) is not.
	var compact strings.Builder
	compact.WriteString(`{"applicationKey":{"packageName":"com.example.big","clientPlatform":"android","version":"1.0"},"scopeElementMapping":{"e0":""`)
	for i := 1; i < 60000; i++ {
		fmt.Fprintf(&compact, `,"e%06d":""`, i)
	}
	compact.WriteString(`}}`)
	var sized struct {
		Details []struct{ Rule, Message string }
	}
	e.apply(tok, compact.String(), nil).want(t, 400).json(t, &sized)
	if len(sized.Details) != 1 || sized.Details[0].Rule != config.RuleSize {
		t.Errorf("a descriptor whose canonical form is over the limit: %+v", sized)
	}
	e.apply(tok, "", nil).want(t, 400)
	e.apply(tok, `{"applicationKey": `+strings.Repeat(" ", 1<<20)+`}`, nil).want(t, 413)
	h := bearer(tok)
	h.Set("Content-Type", "text/plain")
	e.do("POST", apps, h, strings.NewReader(fixture(t, "valid/com.example.bank-android-1.0.json"))).want(t, 415)
	e.do("POST", apps, bearer(tok), strings.NewReader("{}")).want(t, 415)
	var list struct{ Applications []any }
	e.do("GET", apps, bearer(tok), nil).json(t, &list)
	if len(list.Applications) != 0 {
		t.Errorf("a rejected body was stored: %+v", list)
	}
}

// TestUnusualIdentifiersAreSafe: ids with "..", "/", unicode or quotes in
// the path never escape their meaning.
func TestUnusualIdentifiersAreSafe(t *testing.T) {
	e := newEnv(t)
	tok := e.token("admin", "admin-secret", "mfpadmin")
	e.apply(tok, fixture(t, "valid/com.example.bank-android-1.0.json"), nil).want(t, 201)
	for _, path := range []string{
		apps + "/com.example.bank%2F..%2F..%2Fx/android/1.0/descriptor",
		apps + "/%27%20OR%201%3D1%20--/android/1.0/descriptor",
		apps + "/%E6%97%A5%E6%9C%AC/android/1.0/descriptor",
		apps + "/com.example.bank/symbian/1.0/descriptor",
		apps + "/com.example.bank/android/1.0%22/descriptor",
	} {
		r := e.do("GET", path, bearer(tok), nil)
		if r.status != 404 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
			t.Errorf("%s: %d %s", path, r.status, r.body)
		}
	}
	r := e.do("GET", apps+"/com.example.bank/android/../android/1.0/descriptor", bearer(tok), nil)
	if r.status == 200 && !strings.Contains(r.body, "com.example.bank") {
		t.Errorf("dot-dot path served something else: %s", r.body)
	}
	e.do("GET", "/mfpadmin/management-apis/2.0/runtimes/..%2Fmfp/applications", bearer(tok), nil).want(t, 404)
}

func TestDelete(t *testing.T) {
	e := newEnv(t)
	tok := e.token("admin", "admin-secret", "mfpadmin")
	e.apply(tok, fixture(t, "valid/com.example.bank-android-1.0.json"), nil).want(t, 201)
	monitor := e.token("monitor", "monitor-secret", "mfpmonitor")
	e.do("DELETE", bankPath, bearer(monitor), nil).want(t, 403)
	e.do("DELETE", bankPath, http.Header{"Authorization": {"Bearer " + tok}, "If-Match": {`"5"`}}, nil).want(t, 412)
	e.do("DELETE", bankPath, http.Header{"Authorization": {"Bearer " + tok}, "If-None-Match": {"*"}}, nil).want(t, 412)
	e.do("DELETE", bankPath, bearer(tok), nil).want(t, 204)
	e.do("DELETE", bankPath, bearer(tok), nil).want(t, 404)
	e.do("GET", bankPath+"/descriptor", bearer(tok), nil).want(t, 404)
	var again applyAnswer
	e.apply(tok, fixture(t, "valid/com.example.bank-android-1.0.json"), http.Header{"If-Match": {`"1"`}}).want(t, 412)
	e.apply(tok, fixture(t, "valid/com.example.bank-android-1.0.json"), nil).want(t, 201).json(t, &again)
	if again.Application.Revision != 2 {
		t.Errorf("re-created application got revision %d; numbers must not restart", again.Application.Revision)
	}
}

// TestRoles: monitor reads, operator applies, deployer manages clients,
// and the admin API also takes HTTP Basic client credentials.
func TestRoles(t *testing.T) {
	e := newEnv(t)
	src := fixture(t, "valid/com.example.bank-android-1.0.json")
	monitor := e.token("monitor", "monitor-secret", "mfpmonitor")
	operator := e.token("operator", "operator-secret", "mfpoperator")
	e.do("GET", apps, bearer(monitor), nil).want(t, 200)
	e.apply(monitor, src, nil).want(t, 403)
	e.apply(operator, src, nil).want(t, 201)
	r := e.do("PUT", "/mfpadmin/management-apis/2.0/runtimes/mfp/confidentialclients", jsonHeader(operator), strings.NewReader(`{"clients":[]}`)).want(t, 403)
	if !strings.Contains(r.header.Get("WWW-Authenticate"), `scope="mfpdeployer"`) {
		t.Errorf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
	}
	basic := http.Header{"Authorization": {"Basic YWRtaW46YWRtaW4tc2VjcmV0"}} // admin:admin-secret
	e.do("GET", apps, basic, nil).want(t, 200)
	r = e.do("GET", apps, http.Header{"Authorization": {"Basic YWRtaW46bm9wZQ=="}}, nil).want(t, 401) // admin:nope
	if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Basic") {
		t.Errorf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
	}
	e.do("GET", "/mfpadmin/management-apis/2.0/runtimes/other/applications", bearer(operator), nil).want(t, 404)
}

func TestConfidentialClients(t *testing.T) {
	e := newEnv(t)
	path := "/mfpadmin/management-apis/2.0/runtimes/mfp/confidentialclients"
	admin := e.token("admin", "admin-secret", "mfpadmin")
	r := e.do("GET", path, bearer(admin), nil).want(t, 200)
	if strings.Contains(r.body, "secret") || strings.Contains(r.body, "$2a$") {
		t.Fatalf("client list shows secrets or hashes: %s", r.body)
	}
	put := func(body string) response {
		return e.do("PUT", path, jsonHeader(admin), strings.NewReader(body))
	}
	put(`{"clients":[{"id":"admin","allowedScope":"mfpadmin"}]}`).want(t, 200) // keeps admin's secret
	e.token("admin", "admin-secret", "mfpadmin")
	put(`{"clients":[{"id":"other","secret":"s","allowedScope":"mfpadmin"}]}`).want(t, 409)                    // drops the caller
	put(`{"clients":[{"id":"admin","allowedScope":"mfpmonitor"}]}`).want(t, 409)                               // no admin left
	put(`{"clients":[{"id":"admin","allowedScope":"mfpadmin"},{"id":"new","allowedScope":"x"}]}`).want(t, 400) // new without secret
	put(`{"clients":[{"id":"admin","allowedScope":"mfpadmin"},{"id":"admin","allowedScope":"x"}]}`).want(t, 400)
	put(`{"clients":[{"id":"admin","allowedScope":"a\"b"}]}`).want(t, 400)
	put(`{"clients":[{"id":"admin","allowedScope":"mfpadmin","secret":"`+strings.Repeat("x", 73)+`"}]}`).want(t, 400)
	put(`not json`).want(t, 400)
	put(`{"clients":[{"id":"admin","allowedScope":"mfpadmin"},{"id":"backend","displayName":"Backend","secret":"b-secret","allowedScope":"accessRestricted"}]}`).want(t, 200)
	e.token("backend", "b-secret", "accessRestricted")
	put(`{"clients":[{"id":"admin","allowedScope":"mfpadmin"},{"id":"backend","secret":"rotated","allowedScope":"accessRestricted"}]}`).want(t, 200)
	r = e.do("POST", "/mfp/api/az/v1/token", http.Header{
		"Authorization": {"Basic YmFja2VuZDpiLXNlY3JldA=="}, // backend:b-secret, the old secret
		"Content-Type":  {"application/x-www-form-urlencoded"},
	}, strings.NewReader("grant_type=client_credentials"))
	if r.status != 401 {
		t.Errorf("old secret still works after rotation: %d", r.status)
	}
	e.token("backend", "rotated", "")
}

func TestUnmatchedRoutesAnswerJSON(t *testing.T) {
	e := newEnv(t)
	for path, status := range map[string]int{"/nope": 404, "/mfp/api/az/v1/jwks/x": 404} {
		r := e.do("GET", path, nil, nil).want(t, status)
		if r.header.Get("Content-Type") != "application/json" || !strings.Contains(r.body, `"error"`) {
			t.Errorf("%s: %s %q", path, r.header.Get("Content-Type"), r.body)
		}
	}
	r := e.do("DELETE", "/mfp/api/az/v1/token", nil, nil).want(t, 405)
	if r.header.Get("Content-Type") != "application/json" || r.header.Get("Allow") == "" || !strings.Contains(r.body, "method_not_allowed") {
		t.Errorf("405: %v %q", r.header, r.body)
	}
}

func TestHealthAndMetrics(t *testing.T) {
	e := newEnv(t)
	e.do("GET", "/healthz", nil, nil).want(t, 200)
	tok := e.token("admin", "admin-secret", "mfpadmin")
	e.apply(tok, fixture(t, "valid/com.example.bank-android-1.0.json"), nil).want(t, 201)
	m := e.do("GET", "/metrics", nil, nil).want(t, 200).body
	for _, want := range []string{
		`scoped_http_requests_total{route="POST /{runtime}/api/az/v1/token",status="200"} 1`,
		`scoped_http_requests_total{route="POST /mfpadmin/management-apis/2.0/runtimes/{runtime}/applications",status="201"} 1`,
		"scoped_token_issue_seconds_count 1",
		"scoped_apply_seconds_count 1",
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestDeployerCannotEscalate: a client with mfpdeployer manages clients,
// but cannot create or change one that may do more than itself.
func TestDeployerCannotEscalate(t *testing.T) {
	e := newEnv(t)
	path := "/mfpadmin/management-apis/2.0/runtimes/mfp/confidentialclients"
	admin := e.token("admin", "admin-secret", "mfpadmin")
	base := `{"id":"admin","allowedScope":"mfpadmin"},{"id":"test","allowedScope":"*"},{"id":"ci","secret":"ci-secret","allowedScope":"mfpdeployer"}`
	e.do("PUT", path, jsonHeader(admin), strings.NewReader(`{"clients":[`+base+`]}`)).want(t, 200)
	ci := e.token("ci", "ci-secret", "mfpdeployer")
	put := func(extra string) response {
		return e.do("PUT", path, jsonHeader(ci), strings.NewReader(`{"clients":[{"id":"admin","allowedScope":"mfpadmin"},{"id":"test","allowedScope":"*"},{"id":"ci","allowedScope":"mfpdeployer"}`+extra+`]}`))
	}
	put(`,{"id":"ci2","secret":"x","allowedScope":"*"}`).want(t, 403)
	put(`,{"id":"ci2","secret":"x","allowedScope":"mfpadmin"}`).want(t, 403)
	e.do("PUT", path, jsonHeader(ci), strings.NewReader(`{"clients":[{"id":"admin","secret":"stolen","allowedScope":"mfpadmin"},{"id":"test","allowedScope":"*"},{"id":"ci","allowedScope":"mfpdeployer"}]}`)).want(t, 403)
	e.do("PUT", path, jsonHeader(ci), strings.NewReader(`{"clients":[{"id":"admin","allowedScope":"mfpadmin"},{"id":"ci","allowedScope":"mfpdeployer"}]}`)).want(t, 403) // removes test (*)
	put(`,{"id":"backend","secret":"b","allowedScope":"mfpoperator accessRestricted"}`).want(t, 403)                                                                     // accessRestricted exceeds ci
	e.do("PUT", path, jsonHeader(ci), strings.NewReader(`{"clients":[{"id":"admin","displayName":"PWNED","allowedScope":"mfpadmin"},{"id":"test","allowedScope":"*"},{"id":"ci","allowedScope":"mfpdeployer"}]}`)).want(t, 403)
	put(`,{"id":"deployer2","secret":"d","allowedScope":"mfpdeployer mfpmonitor"}`).want(t, 200)
	e.token("admin", "admin-secret", "mfpadmin") // admin untouched
	// A granted literal "*" is not a wildcard.
	star := e.token("test", "test-secret", "*")
	e.do("GET", apps, bearer(star), nil).want(t, 403)
}
