package server_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/sync/server/servertest"
)

// TestMobileRefreshTokenKeptWhenNoToken: a refresh token is spent only by
// the token that replaces it. After a push that makes its token live under
// a second (successStateExpirationSec 0) the refresh is refused, and the
// same refresh token works once a push allows tokens again; then it is
// spent and its successor works.
func TestMobileRefreshTokenKeptWhenNoToken(t *testing.T) {
	forEachStore(t, func(t *testing.T, opt servertest.Options) {
		opt.RefreshApps = []string{"com.example.bank"}
		m := newMobile(t, opt)
		m.passPIN(t)
		first := m.token(t, "accessRestricted")
		admin := m.e.token("admin", "admin-secret", "mfpadmin")
		src := fixture(t, "valid/com.example.bank-android-1.0.json")
		m.e.apply(admin, strings.Replace(src, `"successStateExpirationSec": 1200`, `"successStateExpirationSec": 0`, 1), nil).want(t, 200)
		refresh := func(token string) response {
			return m.exchange("refresh_token", url.Values{"refresh_token": {token}})
		}
		r := refresh(first.RefreshToken)
		wantOAuthError(t, r, 400, "invalid_grant")
		if !strings.Contains(r.body, "run preauthorization again") {
			t.Errorf("refresh to a token under a second: %s", r.body)
		}
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
