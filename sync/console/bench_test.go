package console_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/sync/server/servertest"
)

// BenchmarkAppsList measures the server time of the applications page
// with 1,000 applications: the request through scoped's handler (the
// session check, the list from the SQLite store, the page rendered), no
// network and no browser. Target: under 100 ms.
//
//	go test -run NONE -bench AppsList -benchtime 100x ./sync/console/
func BenchmarkAppsList(b *testing.B) {
	srv := servertest.StartWith(b, servertest.Options{}, servertest.Client{ID: "admin", Secret: "admin-secret", Scope: "mfpadmin"})
	fixture, err := os.ReadFile("../../fixtures/valid/com.example.bank-android-1.0.json")
	if err != nil {
		b.Fatal(err)
	}
	const apps = 1000
	for i := range apps {
		body := strings.Replace(string(fixture), `"com.example.bank"`, fmt.Sprintf(`"com.example.app%04d"`, i), 1)
		req := httptest.NewRequest("POST", "/mfpadmin/management-apis/2.0/runtimes/mfp/applications", strings.NewReader(body))
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("admin:admin-secret")))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		srv.Handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			b.Fatalf("apply %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	cookie := benchSignIn(b, srv.Handler, "admin", "admin-secret")
	rows := regexp.MustCompile(`<tr>\s*<td><a href="/mfpconsole/apps/`)
	b.ResetTimer()
	for range b.N {
		req := httptest.NewRequest("GET", "/mfpconsole/apps", nil)
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		srv.Handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("apps page: %d", rec.Code)
		}
		if n := len(rows.FindAllIndex(rec.Body.Bytes(), -1)); n != apps {
			b.Fatalf("the page lists %d applications, want %d", n, apps)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/page")
}

// benchSignIn signs in through the console's form on h and returns the
// session cookie.
func benchSignIn(b *testing.B, h http.Handler, id, secret string) *http.Cookie {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/mfpconsole/login", nil))
	token := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(rec.Body.String())
	if token == nil {
		b.Fatalf("no token in the sign-in page: %s", rec.Body)
	}
	form := url.Values{"token": {token[1]}, "id": {id}, "secret": {secret}, "next": {"/mfpconsole/apps"}}
	req := httptest.NewRequest("POST", "/mfpconsole/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range rec.Result().Cookies() {
		req.AddCookie(c)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.Name == "mfpconsole_session" && c.Value != "" {
			return c
		}
	}
	b.Fatalf("sign-in: %d %s", rec.Code, rec.Body)
	return nil
}
