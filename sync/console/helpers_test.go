package console_test

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/sync/server/servertest"
)

// Console users of the tests: one client per console role, in runtime mfp.
var (
	adminUser    = servertest.Client{ID: "mfpadmin", Secret: "admin-secret-0001", Scope: "mfpadmin"}
	deployerUser = servertest.Client{ID: "mfpdeployer", Secret: "deployer-secret-01", Scope: "mfpdeployer app.read"}
	operatorUser = servertest.Client{ID: "mfpoperator", Secret: "operator-secret-01", Scope: "mfpoperator"}
	monitorUser  = servertest.Client{ID: "mfpmonitor", Secret: "monitor-secret-001", Scope: "mfpmonitor"}
)

// startScoped runs a real scoped with the four console users.
func startScoped(t *testing.T) *servertest.Server {
	t.Helper()
	return servertest.StartWith(t, servertest.Options{}, adminUser, deployerUser, operatorUser, monitorUser)
}

// consoleSession is a browser signed in to the console: a cookie jar,
// redirects followed as a browser does.
type consoleSession struct {
	t    *testing.T
	base string
	hc   *http.Client
}

// page is an answer as the user sees it: the last status after
// redirects, the final URL, the headers and the text.
type page struct {
	Status int
	URL    *url.URL
	Header http.Header
	Body   string
}

// Text is the page's text as it reads: without tags, character
// references decoded, runs of white space as one space.
func (p page) Text() string {
	return strings.Join(strings.Fields(html.UnescapeString(anyTag.ReplaceAllString(p.Body, " "))), " ")
}

var anyTag = regexp.MustCompile(`<[^>]*>`)

// newBrowser returns a browser with an empty cookie jar.
func newBrowser(t *testing.T, base string) *consoleSession {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &consoleSession{t: t, base: base, hc: &http.Client{Jar: jar}}
}

// signInConsole signs in through the sign-in form as a user does: it reads
// the form's hidden token (its cookie goes in the jar), posts the
// credentials, and follows the redirect to next. It fails the test unless
// the sign-in lands on next.
func signInConsole(t *testing.T, base, id, secret, next string) *consoleSession {
	t.Helper()
	b := newBrowser(t, base)
	p := b.signIn(id, secret, next)
	if p.Status != http.StatusOK || p.URL.Path != next {
		t.Fatalf("sign-in of %s: %d at %s:\n%s", id, p.Status, p.URL, p.Body)
	}
	return b
}

// signIn posts the sign-in form and returns the page it lands on.
func (b *consoleSession) signIn(id, secret, next string) page {
	b.t.Helper()
	login := b.get("/mfpconsole/login")
	token := hiddenValue(login.Body, "token")
	if token == "" {
		b.t.Fatalf("sign-in page without a token:\n%s", login.Body)
	}
	return b.post("/mfpconsole/login", url.Values{"id": {id}, "secret": {secret}, "token": {token}, "next": {next}})
}

// get asks for path.
func (b *consoleSession) get(path string) page {
	b.t.Helper()
	return b.do(http.NewRequest(http.MethodGet, b.base+path, nil))
}

// post posts form to path, as a browser does.
func (b *consoleSession) post(path string, form url.Values) page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	if err == nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return b.do(req, err)
}

// postForm posts values to path with the csrf field of the page at from,
// as submitting a form of that page does.
func (b *consoleSession) postForm(from, path string, values url.Values) page {
	b.t.Helper()
	csrf := hiddenValue(b.get(from).Body, "csrf")
	if csrf == "" {
		b.t.Fatalf("page %s has no csrf field", from)
	}
	v := url.Values{"csrf": {csrf}}
	for k, vs := range values {
		v[k] = vs
	}
	return b.post(path, v)
}

func (b *consoleSession) do(req *http.Request, err error) page {
	b.t.Helper()
	if err != nil {
		b.t.Fatal(err)
	}
	resp, err := b.hc.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return page{Status: resp.StatusCode, URL: resp.Request.URL, Header: resp.Header, Body: string(body)}
}

var inputTag = regexp.MustCompile(`<input\b[^>]*>`)

// hiddenValue returns the value of the first input named name in an HTML
// page, "" when there is none.
func hiddenValue(body, name string) string {
	for _, tag := range inputTag.FindAllString(body, -1) {
		if attr(tag, "name") == name {
			return attr(tag, "value")
		}
	}
	return ""
}

// attr returns an attribute of a tag as html/template writes it (double
// quotes), unescaped.
func attr(tag, name string) string {
	m := regexp.MustCompile(`\s` + regexp.QuoteMeta(name) + `="([^"]*)"`).FindStringSubmatch(tag)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// tokenStatus asks the token endpoint of runtime mfp for a token with a
// confidential client's credentials (HTTP Basic, client_credentials) and
// returns the status.
func tokenStatus(t *testing.T, base, id, secret string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/mfp/api/az/v1/token", strings.NewReader("grant_type=client_credentials"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}
