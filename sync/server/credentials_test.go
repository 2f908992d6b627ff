package server_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/sync/server/servertest"
)

// TestBasicSecretsCostOneBcrypt: secrets with '+' and other characters
// that form-encoding changes work both from golang.org/x/oauth2 (which
// encodes) and raw (curl), each with exactly one bcrypt comparison on
// first use; a wrong secret with '+' or an escape, and an unknown client,
// cost exactly one comparison too (never one per reading).
func TestBasicSecretsCostOneBcrypt(t *testing.T) {
	e := newEnv(t)
	admin := e.token("admin", "admin-secret", "mfpadmin")
	const plus, special = "a+b+c/d@e:f!", "Sp€cial!$&=?#;,'~*()"
	e.do("PUT", "/mfpadmin/management-apis/2.0/runtimes/mfp/confidentialclients", jsonHeader(admin), strings.NewReader(
		`{"clients":[{"id":"admin","allowedScope":"mfpadmin"},{"id":"plus","secret":"`+plus+`","allowedScope":"x"},`+
			`{"id":"plus.raw","secret":"`+plus+`","allowedScope":"x"},{"id":"special","secret":"`+special+`","allowedScope":"x"},`+
			`{"id":"special.raw","secret":"`+special+`","allowedScope":"x"}]}`)).want(t, 200)
	raw := func(id, secret string) int {
		h := http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))},
			"Content-Type": {"application/x-www-form-urlencoded"}}
		return e.do("POST", "/mfp/api/az/v1/token", h, form(url.Values{"grant_type": {"client_credentials"}})).status
	}
	comparisons := func(what string, want int64, f func()) {
		t.Helper()
		before := e.srv.Secrets.Comparisons()
		f()
		if n := e.srv.Secrets.Comparisons() - before; n != want {
			t.Errorf("%s: %d bcrypt comparisons, want %d", what, n, want)
		}
	}
	for _, c := range []struct{ id, secret string }{{"plus", plus}, {"special", special}} {
		comparisons(c.id+" through x/oauth2", 1, func() { e.token(c.id, c.secret, "x") })
		comparisons(c.id+" raw, after x/oauth2 (cached)", 0, func() {
			if s := raw(c.id, c.secret); s != 200 {
				t.Errorf("%s raw: %d", c.id, s)
			}
		})
		comparisons(c.id+" raw", 1, func() {
			if s := raw(c.id+".raw", c.secret); s != 200 {
				t.Errorf("%s.raw raw: %d", c.id, s)
			}
		})
	}
	for what, attempt := range map[string]func() int{
		"wrong secret with '+'":            func() int { return raw("plus", "a+b+c/d@e:g!") },
		"wrong secret with a '%' escape":   func() int { return raw("plus", "a%2Bb+c") },
		"unknown client, secret with '+'":  func() int { return raw("ghost", plus) },
		"unknown client, escaped secret":   func() int { return raw("ghost", url.QueryEscape(plus)) },
		"unknown client id with NUL, '%'":  func() int { return raw("gh\x00st%zz", plus) },
		"unknown client, overlong id":      func() int { return raw(strings.Repeat("g", 300), plus) },
		"known client, the secret decoded": func() int { return raw("plus", "a b c/d@e:f!") },
	} {
		comparisons(what, 1, func() {
			if s := attempt(); s != 401 {
				t.Errorf("%s: status %d, want 401", what, s)
			}
		})
	}
}

// TestClientSecretRules: through the admin API, production refuses client
// secrets shorter than 12 characters with a 400 naming the client (never
// the secret); any mode refuses '%' and spaces, which would make the
// form-encoded and raw readings differ. Development mode keeps short
// secrets.
func TestClientSecretRules(t *testing.T) {
	prod := newEnvWith(t, servertest.Options{Production: true})
	dev := newEnv(t)
	put := func(e *env, secret string) response {
		admin := e.token("admin", "admin-secret", "mfpadmin")
		return e.do("PUT", "/mfpadmin/management-apis/2.0/runtimes/mfp/confidentialclients", jsonHeader(admin), strings.NewReader(
			`{"clients":[{"id":"admin","allowedScope":"mfpadmin"},{"id":"ci","secret":"`+secret+`","allowedScope":"x"}]}`))
	}
	for _, secret := range []string{"short-11chr", "ünïcödé-11c", "x"} {
		r := put(prod, secret).want(t, 400)
		if !strings.Contains(r.body, `client \"ci\"`) || !strings.Contains(r.body, "at least 12") || strings.Contains(r.body, secret) {
			t.Errorf("short secret: %s", r.body)
		}
	}
	put(prod, "twelve-chars").want(t, 200)
	put(prod, "ünïcödé-12ch").want(t, 200)
	put(dev, "short").want(t, 200)
	for _, secret := range []string{"with a space-12345", "percent%41-12345", "tab\\there-12345"} {
		for _, e := range []*env{prod, dev} {
			r := put(e, secret).want(t, 400)
			if !strings.Contains(r.body, `client \"ci\"`) || strings.Contains(r.body, secret) {
				t.Errorf("secret %q: %s", secret, r.body)
			}
		}
	}
}
