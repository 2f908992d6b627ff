package console_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scopectl/scopectl/schema"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/server/servertest"
)

const bankPage = "/mfpconsole/apps/com.example.bank/android/1.0"

// env is a real scoped (servertest) with the bank application at
// revision 1, driven through its handler so that each request may come
// from any address.
type env struct {
	t     *testing.T
	srv   *servertest.Server
	clock *servertest.Clock
}

func newEnv(t *testing.T) *env {
	t.Helper()
	clock := servertest.NewClock()
	srv := servertest.StartWith(t, servertest.Options{Now: clock.Now},
		servertest.Client{ID: "admin", Secret: "admin-secret", Scope: "mfpadmin"},
		servertest.Client{ID: "operator", Secret: "operator-secret", Scope: "mfpoperator"},
		servertest.Client{ID: "monitor", Secret: "monitor-secret", Scope: "mfpmonitor"})
	e := &env{t: t, srv: srv, clock: clock}
	e.applyAPI(bankFixture(t), api.Any())
	return e
}

func bankFixture(t *testing.T) string { return fixture(t, bankFile) }

// applyAPI applies body through the REST API as admin, with ifMatch.
func (e *env) applyAPI(body string, ifMatch api.Precondition) {
	e.t.Helper()
	req := httptest.NewRequest("POST", api.ApplicationsPath("mfp"), strings.NewReader(body))
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("admin:admin-secret")))
	req.Header.Set("Content-Type", "application/json")
	ifMatch.SetHeader(req.Header)
	rec := httptest.NewRecorder()
	e.srv.Handler.ServeHTTP(rec, req)
	if rec.Code != 200 && rec.Code != 201 {
		e.t.Fatalf("apply through the API: %d %s", rec.Code, rec.Body)
	}
}

// revision returns who stored revision n of the bank application and
// its content, through the API as `scopectl app history` reads them; ""
// and nil when there is no such revision.
func (e *env) revision(n string) (author string, content map[string]any) {
	e.t.Helper()
	app := api.ApplicationPath("mfp", "com.example.bank", "android", "1.0")
	var list api.RevisionList
	if rec := e.getAPI(api.RevisionsPath(app)); rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &list) != nil {
		e.t.Fatalf("revisions through the API: %d %s", rec.Code, rec.Body)
	}
	for _, r := range list.Revisions {
		if strconv.FormatInt(r.Revision, 10) == n {
			author = r.Author
		}
	}
	rec := e.getAPI(api.RevisionPath(app, n))
	if rec.Code == 404 {
		return author, nil
	}
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &content) != nil {
		e.t.Fatalf("revision %s through the API: %d %s", n, rec.Code, rec.Body)
	}
	return author, content
}

// getAPI gets path from the REST API as admin.
func (e *env) getAPI(path string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("admin:admin-secret")))
	rec := httptest.NewRecorder()
	e.srv.Handler.ServeHTTP(rec, req)
	return rec
}

// browser is a signed-in operator without a browser: cookies, and the
// csrf token of the last page it read.
type browser struct {
	e       *env
	addr    string
	cookies map[string]*http.Cookie
	csrf    string
}

func (e *env) browser(addr string) *browser {
	return &browser{e: e, addr: addr, cookies: map[string]*http.Cookie{}}
}

// do sends a request with the browser's cookies and keeps those it gets.
func (b *browser) do(method, path string, form url.Values, header ...string) *httptest.ResponseRecorder {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	req.RemoteAddr = b.addr
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	for _, c := range b.cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	b.e.srv.Handler.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	if m := csrfInput.FindStringSubmatch(rec.Body.String()); m != nil {
		b.csrf = m[1]
	}
	return rec
}

var (
	csrfInput  = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	tokenInput = regexp.MustCompile(`name="token" value="([^"]+)"`)
)

// signIn signs in through the form and returns the final answer.
func (b *browser) signIn(id, secret, next string) *httptest.ResponseRecorder {
	b.e.t.Helper()
	page := b.do("GET", "/mfpconsole/login", nil)
	m := tokenInput.FindStringSubmatch(page.Body.String())
	if m == nil {
		b.e.t.Fatalf("sign-in page without its token: %s", page.Body)
	}
	return b.do("POST", "/mfpconsole/login", url.Values{"token": {m[1]}, "id": {id}, "secret": {secret}, "next": {next}})
}

// securityForm is the Security tab's form of the bank application as read
// from revision 1, with changes.
func securityForm(b *browser, revision string, changes url.Values) url.Values {
	f := url.Values{
		"csrf": {b.csrf}, "revision": {revision}, "action": {"save"}, "displayName": {"Example Bank"},
		"maxTokenExpiration": {"3600"}, "mandatoryScope": {"appAuthenticity"},
		"element": {"accessRestricted", "deletePrivilege", ""}, "checks": {"PinCodeAttempts", "", ""},
		"check":    {"PinCodeAttempts", "PinCodeAttempts", "PinCodeAttempts", ""},
		"property": {"maxAttempts", "blockedStateExpirationSec", "successStateExpirationSec", ""},
		"value":    {"3", "60", "1200", ""},
	}
	for k, v := range changes {
		f[k] = v
	}
	return f
}

func wantCode(t *testing.T, what string, rec *httptest.ResponseRecorder, code int, contains ...string) {
	t.Helper()
	if rec.Code != code {
		t.Fatalf("%s: %d, want %d\n%s", what, rec.Code, code, rec.Body)
	}
	for _, s := range contains {
		if !strings.Contains(rec.Body.String(), s) {
			t.Errorf("%s: the page does not say %q\n%s", what, s, rec.Body)
		}
	}
}

func wantRedirect(t *testing.T, what string, rec *httptest.ResponseRecorder, prefix string) {
	t.Helper()
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), prefix) {
		t.Fatalf("%s: %d to %q, want 303 to %s…\n%s", what, rec.Code, rec.Header().Get("Location"), prefix, rec.Body)
	}
}

// TestSessionCookie: the session cookie is HttpOnly, SameSite=Strict, for
// the console only, Secure over TLS; a next page elsewhere is refused.
func TestSessionCookie(t *testing.T) {
	e := newEnv(t)
	for _, base := range []string{"http://scoped.example", "https://scoped.example"} {
		b := e.browser("192.0.2.1:1000")
		page := b.do("GET", base+"/mfpconsole/login", nil)
		token := tokenInput.FindStringSubmatch(page.Body.String())[1]
		rec := b.do("POST", base+"/mfpconsole/login", url.Values{"token": {token}, "id": {"operator"}, "secret": {"operator-secret"}, "next": {"//evil.example/x"}})
		wantRedirect(t, "sign-in with a next page on another site", rec, "/mfpconsole/apps")
		c := b.cookies["mfpconsole_session"]
		if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/mfpconsole/" || c.Secure != strings.HasPrefix(base, "https") {
			t.Errorf("%s: session cookie %+v", base, c)
		}
	}
}

// TestSignInFailures: a wrong secret is told so; guesses are throttled as
// at the token endpoint, the right secret included; a sign-in form posted
// without its browser's token is refused.
func TestSignInFailures(t *testing.T) {
	e := newEnv(t)
	b := e.browser("198.51.100.7:4000")
	wantCode(t, "a wrong secret", b.signIn("operator", "guess", "/mfpconsole/apps"), 401, "Invalid client ID or secret.")
	for range 9 {
		b.signIn("operator", "guess", "/mfpconsole/apps")
	}
	wantCode(t, "the right secret after 10 guesses", b.signIn("operator", "operator-secret", "/mfpconsole/apps"), 429, "too many failed client authentications")
	other := e.browser("192.0.2.9:4000")
	rec := other.do("POST", "/mfpconsole/login", url.Values{"id": {"admin"}, "secret": {"admin-secret"}, "token": {"forged"}})
	wantCode(t, "a sign-in without the form's cookie", rec, 403, "stale or came from another site")
	if other.cookies["mfpconsole_session"] != nil {
		t.Error("a forged sign-in got a session")
	}
}

// TestSessionEnds: a session ends after 30 idle minutes, at sign-out, and
// when its client's secret changes.
func TestSessionEnds(t *testing.T) {
	e := newEnv(t)
	b := e.browser("192.0.2.1:1000")
	wantRedirect(t, "sign-in", b.signIn("operator", "operator-secret", bankPage), bankPage)
	wantCode(t, "the Security tab", b.do("GET", bankPage, nil), 200, "Maximum token-expiration period")
	e.clock.Advance(31 * time.Minute)
	rec := b.do("GET", bankPage, nil)
	wantRedirect(t, "after 31 idle minutes", rec, "/mfpconsole/login?")
	wantCode(t, "the sign-in page it leads to", b.do("GET", rec.Header().Get("Location"), nil), 200, "Your session has ended; sign in again.")
	if page := b.do("GET", "/mfpconsole/login?msg=Call+0800+to+unlock", nil); strings.Contains(page.Body.String(), "0800") {
		t.Error("the sign-in page shows a message a link made up")
	}

	b.signIn("operator", "operator-secret", "/mfpconsole/apps")
	wantCode(t, "the list", b.do("GET", "/mfpconsole/apps", nil), 200)
	wantRedirect(t, "sign-out", b.do("POST", "/mfpconsole/logout", url.Values{"csrf": {b.csrf}}), "/mfpconsole/login?")
	wantRedirect(t, "after sign-out", b.do("GET", "/mfpconsole/apps", nil), "/mfpconsole/login?")

	b.signIn("operator", "operator-secret", "/mfpconsole/apps")
	wantCode(t, "the list", b.do("GET", "/mfpconsole/apps", nil), 200)
	put := httptest.NewRequest("PUT", api.ClientsPath("mfp"), strings.NewReader(`{"clients":[
		{"id":"admin","allowedScope":"mfpadmin"},{"id":"operator","secret":"a-new-secret-123","allowedScope":"mfpoperator"},{"id":"monitor","allowedScope":"mfpmonitor"}]}`))
	put.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("admin:admin-secret")))
	put.Header.Set("Content-Type", "application/json")
	rec = httptest.NewRecorder()
	e.srv.Handler.ServeHTTP(rec, put)
	if rec.Code != 200 && rec.Code != 204 {
		t.Fatalf("changing the operator's secret: %d %s", rec.Code, rec.Body)
	}
	wantRedirect(t, "after its secret changed", b.do("GET", "/mfpconsole/apps", nil), "/mfpconsole/login?")
}

// TestSaveSecurity: an operator's save is a revision by the operator, as
// an apply through the API; an invalid value is refused with the
// validator's own message next to its field, and nothing is stored.
func TestSaveSecurity(t *testing.T) {
	e := newEnv(t)
	b := e.browser("192.0.2.1:1000")
	b.signIn("operator", "operator-secret", bankPage)
	b.do("GET", bankPage, nil)

	bad := securityForm(b, "1", url.Values{"maxTokenExpiration": {"ten minutes"}})
	rec := b.do("POST", bankPage, bad)
	body, _ := securityBody(bad)
	want := schema.Validate(body).Diagnostics[0].Message
	wantCode(t, "an invalid maxTokenExpiration", rec, 422, `id="maxTokenExpiration-err">`+html.EscapeString(want))

	rec = b.do("POST", bankPage, securityForm(b, "1", url.Values{"maxTokenExpiration": {"600"}}))
	wantRedirect(t, "a save", rec, bankPage)
	wantCode(t, "the page after the save", b.do("GET", bankPage, nil), 200, "Saved revision 2: ", `value="600"`)
	if author, d := e.revision("2"); author != "operator" || d["maxTokenExpiration"] != float64(600) {
		t.Errorf("revision 2 by %s: %v", author, d)
	}

	rec = b.do("POST", bankPage, securityForm(b, "2", url.Values{"action": {"defaults"}, "maxTokenExpiration": {"600"}}))
	wantCode(t, "restore default values", rec, 200, "The form holds the default values now")
	if strings.Contains(rec.Body.String(), `value="600"`) || strings.Contains(rec.Body.String(), `value="maxAttempts"`) {
		t.Errorf("the defaults still hold the settings:\n%s", rec.Body)
	}
	wantCode(t, "the stored tab", b.do("GET", bankPage, nil), 200, "Revision 2 by operator")
}

// securityBody is the JSON a form makes, as the console builds it: the
// test compares the validator's message for it with the page's.
func securityBody(f url.Values) ([]byte, error) {
	return json.Marshal(map[string]any{
		"applicationKey": map[string]any{"packageName": "com.example.bank", "clientPlatform": "android", "version": "1.0"},
		"displayName":    f.Get("displayName"), "mandatoryScope": f.Get("mandatoryScope"),
		"maxTokenExpiration": f.Get("maxTokenExpiration"),
	})
}

// TestStaleSaveShowsTheMerge: a save from a revision that is no longer
// the head stores nothing and shows the three-way merge with the head;
// saving the merged result keeps both changes.
func TestStaleSaveShowsTheMerge(t *testing.T) {
	e, b, rec := staleSave(t)
	wantCode(t, "a stale save", rec, 409, "Conflict with revision 2", "replace /maxTokenExpiration: 3600 → 600")
	rec = b.do("POST", bankPage, url.Values{"csrf": {b.csrf}, "revision": {"2"}, "action": {"merged"}, "content": {mergedContent(t, rec)}})
	wantRedirect(t, "saving the merge", rec, bankPage)
	if _, d := e.revision("3"); d["maxTokenExpiration"] != float64(600) || d["mandatoryScope"] != "appAuthenticity deviceCheck" {
		t.Errorf("the merged revision 3: %v", d)
	}
}

// staleSave signs an operator in on the bank application's Security tab,
// read at revision 1; then revision 2 adds deviceCheck to the mandatory
// scope through the API; then the operator saves maxTokenExpiration 600
// from revision 1, which is a conflict (409) with a clean merge.
func staleSave(t *testing.T) (*env, *browser, *httptest.ResponseRecorder) {
	t.Helper()
	e := newEnv(t)
	b := e.browser("192.0.2.1:1000")
	b.signIn("operator", "operator-secret", bankPage)
	b.do("GET", bankPage, nil)
	e.applyAPI(strings.Replace(bankFixture(t), `"mandatoryScope": "appAuthenticity"`, `"mandatoryScope": "appAuthenticity deviceCheck"`, 1), api.Any())
	rec := b.do("POST", bankPage, securityForm(b, "1", url.Values{"maxTokenExpiration": {"600"}}))
	wantCode(t, "a stale save", rec, 409, "Save the merged result")
	return e, b, rec
}

// mergedContent is the merged descriptor a conflict page offers to save.
func mergedContent(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	m := regexp.MustCompile(`name="content" value="([^"]+)">\s*<button type="submit" name="action" value="merged"`).FindStringSubmatch(rec.Body.String())
	if m == nil {
		t.Fatalf("no merged result to save:\n%s", rec.Body)
	}
	return html.UnescapeString(m[1])
}

// TestMonitorAndForgedForms: a monitor sees the tab read-only and cannot
// save; a form without the session's token, or from another origin, is
// refused; none of them stores anything.
func TestMonitorAndForgedForms(t *testing.T) {
	e := newEnv(t)
	m := e.browser("192.0.2.1:1000")
	m.signIn("monitor", "monitor-secret", bankPage)
	page := m.do("GET", bankPage, nil)
	wantCode(t, "the monitor's tab", page, 200, "read-only for your role", "<fieldset disabled")
	if strings.Contains(page.Body.String(), `value="save"`) {
		t.Error("the monitor's tab has a Save button")
	}
	wantCode(t, "a monitor's save", m.do("POST", bankPage, securityForm(m, "1", url.Values{"maxTokenExpiration": {"600"}})), 403, "cannot do this")

	o := e.browser("192.0.2.2:1000")
	o.signIn("operator", "operator-secret", bankPage)
	o.do("GET", bankPage, nil)
	noToken := securityForm(o, "1", url.Values{"maxTokenExpiration": {"600"}})
	noToken.Del("csrf")
	wantCode(t, "a form without its token", o.do("POST", bankPage, noToken), 403, "stale or came from another site")
	wantCode(t, "a form from another origin", o.do("POST", bankPage, securityForm(o, "1", url.Values{"maxTokenExpiration": {"600"}}), "Origin", "https://evil.example"), 403)
	wantCode(t, "a rollback without its token", o.do("POST", bankPage+"/rollback", url.Values{"revision": {"1"}, "head": {"1"}}), 403)
	other := strings.Replace(bankFixture(t), `"com.example.bank"`, `"com.example.other"`, 1)
	wantCode(t, "another application's content", o.do("POST", bankPage, url.Values{"csrf": {o.csrf}, "revision": {"1"}, "action": {"mine"}, "content": {other}}), 400, "not com.example.bank")
	noRevision := securityForm(o, "", url.Values{"maxTokenExpiration": {"600"}})
	wantCode(t, "a form without the revision it was read from", o.do("POST", bankPage, noRevision), 400, "names no revision")
	wantCode(t, "a rollback without the head", o.do("POST", bankPage+"/rollback", url.Values{"csrf": {o.csrf}, "revision": {"1"}}), 400)
	if author, d := e.revision("2"); author != "" || d != nil {
		t.Errorf("a refused form stored revision 2 by %q: %v", author, d)
	}
}

// TestHistoryAndRollback: the history shows each revision's changes, and
// a rollback stores the old content as a new revision, never over a head
// the page did not show.
func TestHistoryAndRollback(t *testing.T) {
	e := newEnv(t)
	b := e.browser("192.0.2.1:1000")
	b.signIn("operator", "operator-secret", bankPage)
	b.do("GET", bankPage, nil)
	wantRedirect(t, "a save", b.do("POST", bankPage, securityForm(b, "1", url.Values{"maxTokenExpiration": {"600"}})), bankPage)
	wantCode(t, "the history", b.do("GET", bankPage+"/history", nil), 200, "Revision 2", "replace /maxTokenExpiration: 3600 → 600", "Roll back to revision 1")

	wantRedirect(t, "a stale rollback", b.do("POST", bankPage+"/rollback", url.Values{"csrf": {b.csrf}, "revision": {"1"}, "head": {"1"}}), bankPage+"/history")
	wantCode(t, "after a stale rollback", b.do("GET", bankPage+"/history", nil), 200, "Not rolled back: the application changed after revision 1")

	wantRedirect(t, "a rollback", b.do("POST", bankPage+"/rollback", url.Values{"csrf": {b.csrf}, "revision": {"1"}, "head": {"2"}}), bankPage+"/history")
	wantCode(t, "after the rollback", b.do("GET", bankPage+"/history", nil), 200, "Rolled back to revision 1: saved revision 3.")
	_, first := e.revision("1")
	if author, third := e.revision("3"); author != "operator" || third["maxTokenExpiration"] != first["maxTokenExpiration"] {
		t.Errorf("revision 3 by %s: %v; want revision 1's content", author, third)
	}
}

// TestHistoryShowsTheLatestRevisions: of 53 revisions the history shows
// the latest 50, newest first, the oldest of them with its changes from
// the revision before it, and says how many older ones it leaves out.
func TestHistoryShowsTheLatestRevisions(t *testing.T) {
	e := newEnv(t) // revision 1
	for n := 2; n <= 53; n++ {
		e.applyAPI(strings.Replace(bankFixture(t), `"maxTokenExpiration": 3600`, fmt.Sprintf(`"maxTokenExpiration": %d`, 1000+n), 1), api.Any())
	}
	b := e.browser("192.0.2.1:1000")
	b.signIn("monitor", "monitor-secret", bankPage)
	page := b.do("GET", bankPage+"/history", nil)
	wantCode(t, "the history", page, 200, "<h2>Revision 53 <span", "<h2>Revision 4</h2>", "replace /maxTokenExpiration: 1003 → 1004", "3 older revisions are not shown")
	body := page.Body.String()
	if strings.Contains(body, "<h2>Revision 3</h2>") || strings.Index(body, "Revision 53") > strings.Index(body, "Revision 52") {
		t.Errorf("the history shows revision 3, or not newest first")
	}
}

// TestOversizedForm: a form larger than the console takes is refused as
// such, and stores nothing.
func TestOversizedForm(t *testing.T) {
	e := newEnv(t)
	b := e.browser("192.0.2.1:1000")
	b.signIn("operator", "operator-secret", bankPage)
	b.do("GET", bankPage, nil)
	big := securityForm(b, "1", url.Values{"displayName": {strings.Repeat("x", 5<<20)}})
	wantCode(t, "a 5 MiB form", b.do("POST", bankPage, big), 413, "larger than 4 MiB")
	if _, d := e.revision("2"); d != nil {
		t.Errorf("an oversized form stored revision 2: %v", d)
	}
}
