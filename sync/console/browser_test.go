package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	_ "image/png" // the screenshots are PNGs
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/scopectl/scopectl/fixtures"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/server/servertest"
)

// The browser tests drive the console in a real headless Chromium against a
// real scoped on 127.0.0.1. They skip when Chromium is not installed, unless
// SCOPECTL_TEST_REQUIRE_CHROMIUM is set (CI sets it): then they fail.
//
// With SCOPED_CONSOLE_SCREENSHOTS set to a folder, they also write the
// screenshots of docs/console.md there.

const (
	bankFile = "valid/com.example.bank-android-1.0.json"
	bankTab  = "/mfpconsole/apps/com.example.bank/android/1.0"
	bankAPI  = "/mfpadmin/management-apis/2.0/runtimes/mfp/applications/com.example.bank/android/1.0"
	desktopW = 1280
	phoneW   = 390
)

// chrome is the one Chromium of the test binary, started by the first
// test that needs it and stopped by TestMain.
var chrome struct {
	once sync.Once
	ctx  context.Context
	err  error
	stop func()
}

func TestMain(m *testing.M) {
	code := m.Run()
	if chrome.stop != nil {
		chrome.stop()
	}
	os.Exit(code)
}

// chromium is the path of the browser, "" when there is none.
func chromium() string {
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	p, _ := exec.LookPath("chromium")
	return p
}

// newTab returns a tab of the test binary's browser in a browser context
// of its own (its own cookies), closed when the test ends.
func newTab(t *testing.T) context.Context {
	t.Helper()
	path := chromium()
	if path == "" {
		if os.Getenv("SCOPECTL_TEST_REQUIRE_CHROMIUM") != "" {
			t.Fatal("chromium is not installed and SCOPECTL_TEST_REQUIRE_CHROMIUM is set (apt-get install chromium)")
		}
		t.Skip("chromium is not installed (apt-get install chromium)")
	}
	chrome.once.Do(func() {
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
			chromedp.WindowSize(desktopW, 800), chromedp.Flag("disable-dev-shm-usage", true))
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancel := chromedp.NewContext(alloc)
		chrome.ctx, chrome.err = ctx, chromedp.Do(ctx) // starts the browser
		chrome.stop = func() { cancel(); cancelAlloc() }
	})
	if chrome.err != nil {
		t.Fatalf("start chromium: %v", chrome.err)
	}
	tab, closeTab := chromedp.NewContext(chrome.ctx, chromedp.WithNewBrowserContext())
	ctx, cancel := context.WithTimeout(tab, 20*time.Second)
	t.Cleanup(func() { cancel(); closeTab() })
	return ctx
}

// tabEnv is a scoped with the bank application at revision 1, its four
// console clients, and a browser tab that records every request it makes.
type tabEnv struct {
	t     *testing.T
	srv   *servertest.Server
	ctx   context.Context
	admin string // a bearer token of the admin client

	mu       sync.Mutex
	requests []string // URLs the tab asked for
}

func newTabEnv(t *testing.T) *tabEnv {
	t.Helper()
	tab := newTab(t) // first: a test without a browser skips before it starts a server
	srv := servertest.StartWith(t, servertest.Options{},
		servertest.Client{ID: "admin", Secret: "admin-secret", Scope: "mfpadmin"},
		servertest.Client{ID: "deployer", Secret: "deployer-secret", Scope: "mfpdeployer"},
		servertest.Client{ID: "operator", Secret: "operator-secret", Scope: "mfpoperator"},
		servertest.Client{ID: "monitor", Secret: "monitor-secret", Scope: "mfpmonitor"},
	)
	e := &tabEnv{t: t, srv: srv, ctx: tab}
	e.admin = e.token("admin", "admin-secret", "mfpadmin")
	e.apply(fixture(t, bankFile), http.StatusCreated)
	err := chromedp.Listen(e.ctx, func(ev any) {
		if ev, ok := ev.(*network.EventRequestWillBeSent); ok {
			e.mu.Lock()
			e.requests = append(e.requests, ev.Request.URL)
			e.mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.checkRequests)
	return e
}

// checkRequests fails the test if the tab asked anything of another host
// than the test server.
func (e *tabEnv) checkRequests() {
	u, _ := url.Parse(e.srv.URL)
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, r := range e.requests {
		ru, err := url.Parse(r)
		if err != nil || ru.Host != u.Host {
			e.t.Errorf("the page requested %s, not of the test server %s", r, u.Host)
		}
	}
}

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := fs.ReadFile(fixtures.FS, name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// do runs browser steps, failing the test on the first error.
func (e *tabEnv) do(steps ...chromedp.Action[chromedp.Void]) {
	e.t.Helper()
	if err := chromedp.Do(e.ctx, steps...); err != nil {
		e.t.Fatal(err)
	}
}

// text is the text of the first element sel selects, once it is visible.
func (e *tabEnv) text(sel string) string {
	e.t.Helper()
	e.do(chromedp.WaitVisible(chromedp.CSS(sel)))
	s, err := chromedp.Run(e.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

func eval[T any](e *tabEnv, js string) T {
	e.t.Helper()
	v, err := chromedp.Run(e.ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		e.t.Fatalf("%s: %v", js, err)
	}
	return v
}

// signIn fills the sign-in form the console shows for page.
func (e *tabEnv) signIn(page, id, secret string) {
	e.t.Helper()
	e.do(
		chromedp.Navigate(e.srv.URL+page),
		chromedp.WaitVisible(chromedp.ID("secret")),
		chromedp.SendKeys(chromedp.ID("id"), id),
		chromedp.SendKeys(chromedp.ID("secret"), secret),
		chromedp.Click(chromedp.CSS("button.primary")),
	)
}

// save sets maxTokenExpiration on the open Security tab and saves it.
func (e *tabEnv) save(maxExp string) {
	e.t.Helper()
	e.do(
		chromedp.WaitVisible(chromedp.ID("maxTokenExpiration")),
		chromedp.SetValue(chromedp.ID("maxTokenExpiration"), maxExp),
		chromedp.Click(chromedp.CSS(`button[value="save"]`)),
	)
}

// screenshot takes a full-page PNG of the tab, checks that it is one of
// width pixels, and keeps it in a temporary folder and, when
// SCOPED_CONSOLE_SCREENSHOTS names one, there.
func (e *tabEnv) screenshot(name string, width int) {
	e.t.Helper()
	png, err := chromedp.Run(e.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		e.t.Fatal(err)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(png))
	if err != nil || format != "png" || cfg.Width != width {
		e.t.Fatalf("screenshot %s: %s %dx%d, %v; want a PNG %d wide", name, format, cfg.Width, cfg.Height, err, width)
	}
	dirs := []string{e.t.TempDir()}
	if dir := os.Getenv("SCOPED_CONSOLE_SCREENSHOTS"); dir != "" {
		dirs = append(dirs, dir)
	}
	for _, dir := range dirs {
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			e.t.Fatal(err)
		}
	}
}

// token is a bearer token of a confidential client.
func (e *tabEnv) token(id, secret, scope string) string {
	e.t.Helper()
	req, _ := http.NewRequest("POST", e.srv.URL+api.TokenPath("mfp"),
		strings.NewReader(url.Values{"grant_type": {"client_credentials"}, "scope": {scope}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	e.call(req, http.StatusOK, &tok)
	return tok.AccessToken
}

// apply applies a descriptor as the admin client, through the API.
func (e *tabEnv) apply(descriptor string, status int) {
	e.t.Helper()
	req, _ := http.NewRequest("POST", e.srv.URL+api.ApplicationsPath("mfp"), strings.NewReader(descriptor))
	req.Header.Set("Content-Type", "application/json")
	e.call(req, status, nil)
}

// revisions lists the bank application's revisions through the API.
func (e *tabEnv) revisions() []api.Application {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.srv.URL+api.RevisionsPath(bankAPI), nil)
	var list api.RevisionList
	e.call(req, http.StatusOK, &list)
	return list.Revisions
}

// revision is the content of a revision of the bank application, as the
// API returns it.
func (e *tabEnv) revision(n string) map[string]any {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.srv.URL+api.RevisionPath(bankAPI, n), nil)
	var d map[string]any
	e.call(req, http.StatusOK, &d)
	return d
}

// call sends an API request (with the admin's token when it has none)
// and decodes its JSON answer into v, if not nil.
func (e *tabEnv) call(req *http.Request, status int, v any) {
	e.t.Helper()
	if req.Header.Get("Authorization") == "" && e.admin != "" {
		req.Header.Set("Authorization", "Bearer "+e.admin)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		e.t.Fatalf("%s %s: status %d, want %d\n%s", req.Method, req.URL.Path, resp.StatusCode, status, body)
	}
	if v != nil {
		if err := json.Unmarshal(body, v); err != nil {
			e.t.Fatalf("%s %s: %v\n%s", req.Method, req.URL.Path, err, body)
		}
	}
}

// wantRevisions fails the test unless the application has n revisions.
func (e *tabEnv) wantRevisions(n int) []api.Application {
	e.t.Helper()
	revs := e.revisions()
	if len(revs) != n {
		e.t.Fatalf("%d revisions, want %d: %+v", len(revs), n, revs)
	}
	return revs
}

// TestBrowserSave: an operator signs in, opens the Security tab from the
// list, changes the maximum token expiration and saves: the page says
// so, and the API has the revision, by the operator.
func TestBrowserSave(t *testing.T) {
	e := newTabEnv(t)
	e.signIn("/mfpconsole/", "operator", "operator-secret")
	if got := e.text("p.count"); got != "1 of 1 applications" {
		t.Errorf("list: %q", got)
	}
	e.screenshot("apps", desktopW)
	e.do(chromedp.Click(chromedp.CSS(`table.apps a[href="` + bankTab + `"]`)))
	e.save("600")
	if got := e.text("p.notice"); !strings.HasPrefix(got, "Saved revision 2") {
		t.Fatalf("notice %q", got)
	}
	e.screenshot("security", desktopW)
	revs := e.wantRevisions(2)
	if revs[1].Revision != 2 || revs[1].Author != "operator" {
		t.Errorf("revision 2: %+v", revs[1])
	}
	if got := e.revision("2")["maxTokenExpiration"]; got != 600.0 {
		t.Errorf("revision 2 has maxTokenExpiration %v", got)
	}
}

// TestBrowserStaleSave: a save of a form read before another change
// shows the three-way merge, and saving the merged result keeps both.
func TestBrowserStaleSave(t *testing.T) {
	e := newTabEnv(t)
	e.signIn(bankTab, "operator", "operator-secret")
	e.do(chromedp.WaitVisible(chromedp.ID("maxTokenExpiration")))
	src := fixture(t, bankFile)
	changed := strings.Replace(src, `"mandatoryScope": "appAuthenticity"`, `"mandatoryScope": "appAuthenticity accessRestricted"`, 1)
	if changed == src {
		t.Fatal("the fixture's mandatoryScope is not appAuthenticity")
	}
	e.apply(changed, http.StatusOK)

	e.save("600")
	if got := e.text("#conflict-h"); got != "Conflict with revision 2" {
		t.Errorf("conflict heading %q", got)
	}
	if got := e.text("ul.changes"); !strings.Contains(got, "/maxTokenExpiration") || !strings.Contains(got, "600") {
		t.Errorf("merged changes %q", got)
	}
	e.screenshot("conflict", desktopW)

	// The form below the merge still holds the revision it was read
	// from: saving it again merges again, it does not overwrite.
	resp, err := chromedp.RunResponse(e.ctx, chromedp.Click(chromedp.CSS(`button[value="save"]`)))
	if err != nil || resp.Status != http.StatusConflict {
		t.Fatalf("saving the form again: %v, %+v", err, resp)
	}
	if got := e.text("#conflict-h"); got != "Conflict with revision 2" {
		t.Errorf("saving the form again: conflict heading %q", got)
	}
	e.wantRevisions(2)

	e.do(chromedp.Click(chromedp.CSS(`button[value="merged"]`)))
	if got := e.text("p.notice"); !strings.HasPrefix(got, "Saved revision 3") {
		t.Fatalf("notice %q", got)
	}
	e.wantRevisions(3)
	d := e.revision("3")
	if d["maxTokenExpiration"] != 600.0 || !strings.Contains(d["mandatoryScope"].(string), "accessRestricted") {
		t.Errorf("revision 3 lost a change: maxTokenExpiration %v, mandatoryScope %v", d["maxTokenExpiration"], d["mandatoryScope"])
	}
}

// postJS posts the Security tab's form from the page, as a script of
// the page could, with its fields changed by set (a null removes one),
// and returns the status of the answer.
const postJS = `(async (set) => {
	const f = document.querySelector("form[novalidate]");
	const b = new URLSearchParams();
	for (const el of f.elements) if (el.name) b.set(el.name, el.value);
	b.set("action", "save");
	for (const [k, v] of Object.entries(set)) v === null ? b.delete(k) : b.set(k, v);
	const r = await fetch(f.getAttribute("action"), {method: "POST", body: b, credentials: "same-origin", redirect: "manual"});
	return r.status;
})`

// TestBrowserMonitorReadOnly: a monitor sees the form disabled and no
// Save button, and a post of the form with its session is refused.
func TestBrowserMonitorReadOnly(t *testing.T) {
	e := newTabEnv(t)
	e.signIn(bankTab, "monitor", "monitor-secret")
	e.do(chromedp.WaitVisible(chromedp.ID("maxTokenExpiration")))
	if !eval[bool](e, `[...document.querySelectorAll("fieldset")].every(f => f.disabled)`) {
		t.Error("a monitor's fieldsets are not disabled")
	}
	if n := eval[int](e, `document.querySelectorAll("button[value=save], button[value=defaults]").length`); n != 0 {
		t.Errorf("a monitor sees %d save buttons", n)
	}
	if got := e.text("p.meta"); !strings.Contains(got, "read-only for your role") {
		t.Errorf("meta %q", got)
	}
	if status := eval[int](e, postJS+`({maxTokenExpiration: "600"})`); status != http.StatusForbidden {
		t.Errorf("a monitor's post: status %d, want 403", status)
	}
	e.wantRevisions(1)
}

// TestBrowserCSRF: a post from the signed-in browser without the form's
// token, or with another, is refused and stores nothing.
func TestBrowserCSRF(t *testing.T) {
	e := newTabEnv(t)
	e.signIn(bankTab, "operator", "operator-secret")
	e.do(chromedp.WaitVisible(chromedp.ID("maxTokenExpiration")))
	for _, csrf := range []string{"null", `"forged"`, `""`} {
		if status := eval[int](e, postJS+`({maxTokenExpiration: "600", csrf: `+csrf+`})`); status != http.StatusForbidden {
			t.Errorf("csrf %s: status %d, want 403", csrf, status)
		}
	}
	if status := eval[int](e, postJS+`({maxTokenExpiration: "600"})`); status != http.StatusSeeOther && status != 0 {
		// redirect "manual" answers an opaque redirect, status 0
		t.Errorf("the form with its token: status %d", status)
	}
	revs := e.wantRevisions(2) // only the post with the token
	if revs[1].Author != "operator" {
		t.Errorf("revision 2 by %s", revs[1].Author)
	}
}

// TestBrowserRollback: after a save, the history rolls back to
// revision 1 as a new revision with its content.
func TestBrowserRollback(t *testing.T) {
	e := newTabEnv(t)
	e.signIn(bankTab, "operator", "operator-secret")
	e.save("600")
	e.text("p.notice")
	e.do(
		chromedp.Click(chromedp.CSS(`nav.tabs a[href$="/history"]`)),
		chromedp.WaitVisible(chromedp.CSS("ol.history")),
	)
	if got := e.text("ol.history form button"); got != "Roll back to revision 1" {
		t.Fatalf("rollback button %q", got)
	}
	e.do(chromedp.Click(chromedp.CSS("ol.history form button")))
	if got := e.text("p.notice"); got != "Rolled back to revision 1: saved revision 3." {
		t.Errorf("notice %q", got)
	}
	e.screenshot("history", desktopW)
	revs := e.wantRevisions(3)
	if revs[2].Author != "operator" {
		t.Errorf("revision 3 by %s", revs[2].Author)
	}
	first, third := e.revision("1"), e.revision("3")
	if a, b := mustJSON(t, first), mustJSON(t, third); a != b {
		t.Errorf("revision 3 differs from revision 1:\n%s\n%s", b, a)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestBrowserSignInFails: a wrong secret shows an error and starts no
// session; a made-up session cookie leads back to the sign-in page.
func TestBrowserSignInFails(t *testing.T) {
	e := newTabEnv(t)
	e.signIn("/mfpconsole/apps", "operator", "wrong-secret")
	if got := e.text("p.error"); got != "Invalid client ID or secret." {
		t.Errorf("error %q", got)
	}
	cookies, err := chromedp.Call(e.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{e.srv.URL + "/mfpconsole/"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cookies.Cookies {
		if c.Name == "mfpconsole_session" {
			t.Errorf("a failed sign-in set a session cookie")
		}
	}
	u, _ := url.Parse(e.srv.URL)
	_, err = chromedp.Call(e.ctx, network.SetCookie, network.SetCookieParams{
		Name: "mfpconsole_session", Value: "made-up", Domain: u.Hostname(), Path: "/mfpconsole/",
	})
	if err != nil {
		t.Fatal(err)
	}
	e.do(chromedp.Navigate(e.srv.URL + "/mfpconsole/apps"))
	if got := e.text("p.error"); got != "Your session has ended; sign in again." {
		t.Errorf("with a made-up cookie: %q", got)
	}
	if loc, _ := chromedp.Run(e.ctx, chromedp.Location()); !strings.Contains(loc, "/mfpconsole/login") {
		t.Errorf("with a made-up cookie the browser is at %s", loc)
	}
}

// unnamedJS lists the inputs and buttons of the page that have no
// accessible name: no label, no aria-label(ledby), no text.
const unnamedJS = `[...document.querySelectorAll("input, button, select, textarea")].filter(el => {
	if (el.type === "hidden") return false;
	if (el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") || el.closest("label")) return false;
	if (el.id && document.querySelector('label[for="' + CSS.escape(el.id) + '"]')) return false;
	return !(el.tagName === "BUTTON" && el.textContent.trim());
}).map(el => el.outerHTML)`

// TestBrowserPages: every page asks only the test server for anything,
// names every control, and the list fits a phone's width.
func TestBrowserPages(t *testing.T) {
	e := newTabEnv(t)
	e.do(chromedp.Navigate(e.srv.URL + "/mfpconsole/login"))
	e.text("h1")
	e.screenshot("login", desktopW)
	e.checkNames("sign-in")
	e.signIn("/mfpconsole/apps", "admin", "admin-secret")
	e.text("p.count")
	for _, p := range []struct{ name, path, sel string }{
		{"applications", "/mfpconsole/apps", "table.apps"},
		{"Security", bankTab, "#maxTokenExpiration"},
		{"history", bankTab + "/history", "ol.history"},
		{"clients", "/mfpconsole/clients", "#new-id"},
		{"client", "/mfpconsole/clients/operator", "#allowedScope"},
	} {
		e.do(chromedp.Navigate(e.srv.URL+p.path), chromedp.WaitVisible(chromedp.CSS(p.sel)))
		e.checkNames(p.name)
		if p.name == "clients" {
			e.screenshot("clients", desktopW)
		}
	}
	e.checkRequests()

	e.do(
		chromedp.EmulateViewport(phoneW, 844),
		chromedp.Navigate(e.srv.URL+"/mfpconsole/apps"),
		chromedp.WaitVisible(chromedp.CSS("table.apps")),
	)
	if w := eval[[]int](e, `[document.documentElement.scrollWidth, window.innerWidth]`); w[0] > w[1] {
		t.Errorf("at phone width the list is %d px wide in a %d px window", w[0], w[1])
	}
	e.screenshot("apps-phone", phoneW)
	e.do(chromedp.Navigate(e.srv.URL+bankTab), chromedp.WaitVisible(chromedp.CSS("#maxTokenExpiration")))
	if w := eval[[]int](e, `[document.documentElement.scrollWidth, window.innerWidth]`); w[0] > w[1] {
		t.Errorf("at phone width the Security tab is %d px wide in a %d px window", w[0], w[1])
	}
	e.checkKeyboardAndContrast("Security")
}

// keyboardJS lists what keyboard users or low-vision readers would trip
// on: a positive tabindex (focus out of reading order), and text whose
// contrast with its background is under 4.5:1 (WCAG AA).
const keyboardJS = `(() => {
	const bad = [...document.querySelectorAll("[tabindex]")].filter(el => el.tabIndex > 0).map(el => "tabindex: " + el.outerHTML);
	const lum = c => { const [r, g, b] = c.match(/[\d.]+/g).slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
	const bg = el => { for (; el; el = el.parentElement) { const c = getComputedStyle(el).backgroundColor; if (!c.endsWith(", 0)") && c !== "transparent") return c; } return "rgb(255, 255, 255)"; };
	for (const el of document.querySelectorAll("body *")) {
		if (el.closest("fieldset:disabled") || ![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
		const a = lum(getComputedStyle(el).color), b = lum(bg(el));
		const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
		if (ratio < 4.5) bad.push("contrast " + ratio.toFixed(2) + ": " + el.outerHTML.slice(0, 120));
	}
	return bad;
})()`

// checkKeyboardAndContrast fails the test for each element of the page
// keyboardJS finds, and checks that the first Tab reaches the link that
// skips to the content.
func (e *tabEnv) checkKeyboardAndContrast(page string) {
	e.t.Helper()
	for _, bad := range eval[[]string](e, keyboardJS) {
		e.t.Errorf("%s page: %s", page, bad)
	}
	e.do(chromedp.KeyEvent("\t"))
	if got := eval[string](e, `document.activeElement.textContent`); got != "Skip to content" {
		e.t.Errorf("%s page: the first Tab focuses %q, want the skip link", page, got)
	}
}

// checkNames fails the test for each control of the page without an
// accessible name.
func (e *tabEnv) checkNames(page string) {
	e.t.Helper()
	for _, el := range eval[[]string](e, unnamedJS) {
		e.t.Errorf("%s page: a control without an accessible name: %s", page, el)
	}
}
