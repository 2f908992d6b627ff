package console_test

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/server/servertest"
)

// mainForm reads the Security tab's main form (the one after the conflict
// section) as a browser would submit it with its Save button.
func mainForm(t *testing.T, body string) url.Values {
	t.Helper()
	i := strings.Index(body, `<form method="post" action="`+bankPage+`" novalidate>`)
	if i < 0 {
		t.Fatalf("no main form:\n%s", body)
	}
	v := url.Values{"action": {"save"}}
	for _, m := range regexp.MustCompile(`<input[^>]*\bname="([^"]+)"[^>]*\bvalue="([^"]*)"`).FindAllStringSubmatch(body[i:], -1) {
		v[m[1]] = append(v[m[1]], html.UnescapeString(m[2]))
	}
	return v
}

// TestConflictAfterAMergeKeepsTheForm: when "Save the merged result"
// meets yet another revision, the page's form holds the merged
// descriptor, read from the revision the merge was made on; its Save is
// one more conflict, never a revision that drops the application's
// settings (the form used to be empty, with the new head as its base).
func TestConflictAfterAMergeKeepsTheForm(t *testing.T) {
	e, b, rec := staleSave(t)
	merged := mergedContent(t, rec)
	e.applyAPI(strings.Replace(bankFixture(t), `"mandatoryScope": "appAuthenticity"`, `"mandatoryScope": "appAuthenticity deviceCheck"`, 1)+"\n", api.Any()) // unchanged: no rev 3
	e.applyAPI(strings.Replace(bankFixture(t), `"displayName": "Example Bank"`, `"displayName": "Example Bank 3"`, 1), api.Any())
	rec = b.do("POST", bankPage, url.Values{"csrf": {b.csrf}, "revision": {"2"}, "action": {"merged"}, "content": {merged}})
	wantCode(t, "a stale merged save", rec, 409)
	form := mainForm(t, rec.Body.String())
	if form.Get("mandatoryScope") == "" || !strings.Contains(rec.Body.String(), `value="accessRestricted"`) {
		t.Errorf("the 409 page's main form lost the descriptor (revision %s, mandatoryScope %q)", form.Get("revision"), form.Get("mandatoryScope"))
	}
	rec = b.do("POST", bankPage, form)
	if rec.Code == 303 {
		var rev string
		for _, n := range []string{"4", "3"} {
			if _, d := e.revision(n); d != nil {
				rev = n
				break
			}
		}
		_, d := e.revision(rev)
		t.Errorf("Save on that page stored revision %s: %v", rev, d)
	}
}

// TestConflictFormDoesNotOverwrite: after a conflict, the page's form
// keeps the revision it was read from, so saving it again is a conflict
// again: only "Save mine over theirs" replaces the other revision.
func TestConflictFormDoesNotOverwrite(t *testing.T) {
	e, b, rec := staleSave(t)
	rec = b.do("POST", bankPage, mainForm(t, rec.Body.String()))
	if _, d := e.revision("3"); d != nil && d["mandatoryScope"] != "appAuthenticity deviceCheck" {
		t.Errorf("the main form's Save on the conflict page (%d) reverted revision 2's mandatoryScope: %v", rec.Code, d["mandatoryScope"])
	}
}

// TestSessionsOfOneClientDoNotEndOthers: a client signing in again and
// again ends only its own oldest sessions (at most 20 each), never
// another client's.
func TestSessionsOfOneClientDoNotEndOthers(t *testing.T) {
	e := newEnv(t)
	a := e.browser("192.0.2.1:1000")
	wantRedirect(t, "admin sign-in", a.signIn("admin", "admin-secret", "/mfpconsole/apps"), "/mfpconsole/apps")
	first := e.browser("203.0.113.5:1000")
	first.signIn("monitor", "monitor-secret", "/mfpconsole/apps")
	m := e.browser("203.0.113.5:1001")
	for i := range 25 {
		e.clock.Advance(time.Millisecond) // one after another, as with a real clock
		if rec := m.signIn("monitor", "monitor-secret", "/mfpconsole/apps"); rec.Code != 303 {
			t.Fatalf("monitor sign-in %d: %d", i, rec.Code)
		}
	}
	wantCode(t, "the admin after 26 sign-ins of the monitor", a.do("GET", "/mfpconsole/apps", nil), 200)
	wantCode(t, "the monitor's latest session", m.do("GET", "/mfpconsole/apps", nil), 200)
	wantRedirect(t, "the monitor's first session", first.do("GET", "/mfpconsole/apps", nil), "/mfpconsole/login?")
}

// TestSecureCookieBehindATLSProxy: scoped speaks plain HTTP behind a
// proxy that ends TLS (docs/security.md); with an https issuer the
// session cookie is Secure all the same, so that a typed http:// address
// never sends it in clear text.
func TestSecureCookieBehindATLSProxy(t *testing.T) {
	srv := servertest.StartWith(t, servertest.Options{Issuer: "https://scoped.example"},
		servertest.Client{ID: "operator", Secret: "operator-secret", Scope: "mfpoperator"},
		servertest.Client{ID: "admin", Secret: "admin-secret", Scope: "mfpadmin"})
	e := &env{t: t, srv: srv}
	b := e.browser("192.0.2.1:1000")
	wantRedirect(t, "sign-in through the proxy", b.signIn("operator", "operator-secret", "/mfpconsole/apps"), "/mfpconsole/apps")
	if c := b.cookies["mfpconsole_session"]; c == nil || !c.Secure {
		t.Errorf("session cookie behind a TLS proxy (issuer https): %+v", c)
	}
}
