package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/sync/authz/authztest"
	"github.com/scopectl/scopectl/sync/server/servertest"
)

// TestMobileRefreshTokenKeptWhenNoToken: a refresh token is spent only by
// the token that replaces it. After a push that makes its token live under
// a second (successStateExpirationSec 0) the refresh is refused, and the
// same refresh token works once a push allows tokens again (the refused
// request's assertion is spent, though); then it is spent and its
// successor works.
func TestMobileRefreshTokenKeptWhenNoToken(t *testing.T) {
	forEachStore(t, func(t *testing.T, opt servertest.Options) {
		m, first := refreshing(t, opt)
		admin := m.e.token("admin", "admin-secret", "mfpadmin")
		src := fixture(t, "valid/com.example.bank-android-1.0.json")
		m.e.apply(admin, strings.Replace(src, `"successStateExpirationSec": 1200`, `"successStateExpirationSec": 0`, 1), nil).want(t, 200)
		refresh := func(token string) response {
			return m.exchange("refresh_token", url.Values{"refresh_token": {token}})
		}
		assertion := m.dev.Assertion(m.issuer(), m.clock.Now())
		refused := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first.RefreshToken},
			"client_assertion_type": {authztest.AssertionType}, "client_assertion": {assertion}}
		post := func() response {
			return m.e.do("POST", "/mfp/api/az/v1/token", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, form(refused))
		}
		r := post()
		wantOAuthError(t, r, 400, "invalid_grant")
		if !strings.Contains(r.body, "run preauthorization again") {
			t.Errorf("refresh to a token under a second: %s", r.body)
		}
		wantOAuthError(t, post(), 401, "invalid_client") // the refused request spent its assertion
		m.e.apply(admin, src, nil).want(t, 200)
		var second tokenAnswer
		refresh(first.RefreshToken).want(t, 200).json(t, &second)
		if second.RefreshToken == "" || second.ExpiresIn != 1200 {
			t.Errorf("refreshed after the refusal: %+v", second)
		}
		wantOAuthError(t, refresh(first.RefreshToken), 400, "invalid_grant")
		refresh(second.RefreshToken).want(t, 200)
	})
}

// TestMobileConcurrentRefreshes: a refresh token presented by several
// requests at once gives one token; the others are invalid_grant, although
// each signs its token before taking the refresh token.
func TestMobileConcurrentRefreshes(t *testing.T) {
	forEachStore(t, func(t *testing.T, opt servertest.Options) {
		m, tok := refreshing(t, opt)
		const n = 8
		answers, errs := atOnce(n, func() (authztest.Answer, error) {
			return m.flow.Exchange("refresh_token", url.Values{"refresh_token": {tok.RefreshToken}})
		})
		issued := 0
		for i, a := range answers {
			switch {
			case errs[i] != nil:
				t.Fatal(errs[i])
			case a.Status == 200:
				issued++
			case a.Status != 400 || !strings.Contains(a.Body, "invalid_grant"):
				t.Errorf("answered %d %s", a.Status, a.Body)
			}
		}
		if issued != 1 {
			t.Errorf("%d of %d requests got a token for one refresh token", issued, n)
		}
	})
}

// refreshing is newMobile for an application with refresh tokens, its PIN
// enrolled, and its first token.
func refreshing(t *testing.T, opt servertest.Options) (*mobile, tokenAnswer) {
	t.Helper()
	opt.RefreshApps = []string{"com.example.bank"}
	m := newMobile(t, opt)
	m.passPIN(t)
	return m, m.token(t, "accessRestricted")
}
