package server_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/server/servertest"
)

const retired = "Version 1.0 is retired: install 2.0 from the store"

// setState puts body at the state of the bank application as id.
func (e *env) setState(id, secret, scope, body string) response {
	return e.do("PUT", bankPath+"/state", jsonHeader(e.token(id, secret, scope)), strings.NewReader(body))
}

// TestDisableApplication: an operator disables an application with a
// message; its registered client's preauthorization and authorization
// are refused with the message, its token requests (even with a code
// given before) are invalid_client, a new instance cannot register, and
// a push keeps it disabled; enabled again, the same client gets tokens.
func TestDisableApplication(t *testing.T) {
	forEachStore(t, func(t *testing.T, opt servertest.Options) {
		m := newMobile(t, opt)
		m.passPIN(t)
		code := m.code(t, "accessRestricted")

		var got api.Application
		m.e.setState("operator", "operator-secret", "mfpoperator", `{"enabled": false, "message": "`+retired+`"}`).want(t, 200).json(t, &got)
		if !got.Disabled || got.DisabledMessage != retired || got.Revision != 1 {
			t.Errorf("disable answered %+v", got)
		}
		wantRefused(t, m.preauth("accessRestricted", nil))
		wantRefused(t, m.authorize("accessRestricted"))
		wantOAuthError(t, m.exchange("authorization_code", url.Values{"code": {code}, "redirect_uri": {callback}}), 401, "invalid_client")
		wantRefused(t, instance(m.e, m.clock).answer(instance(m.e, m.clock).flow.Register()))

		admin := m.e.token("admin", "admin-secret", "mfpadmin")
		var applied struct{ Application api.Application }
		m.e.apply(admin, withMaxExp(t, fixture(t, "valid/com.example.bank-android-1.0.json"), "600"), nil).want(t, 200).json(t, &applied)
		if !applied.Application.Disabled || applied.Application.Revision != 2 {
			t.Errorf("a push answered %+v: the application must stay disabled", applied.Application)
		}
		wantRefused(t, m.preauth("accessRestricted", nil))
		wantListed(t, m.e, true)

		var enabled api.Application
		m.e.setState("operator", "operator-secret", "mfpoperator", `{"enabled": true}`).want(t, 200).json(t, &enabled)
		if enabled.Disabled || enabled.DisabledMessage != "" || enabled.Revision != 2 {
			t.Errorf("enable answered %+v", enabled)
		}
		wantListed(t, m.e, false)
		m.preauth("accessRestricted", nil).want(t, 200) // the PIN's success lasts
		var tok tokenAnswer
		m.exchange("authorization_code", url.Values{"code": {code}, "redirect_uri": {callback}}).want(t, 200).json(t, &tok)
		if tok.ExpiresIn != 600 {
			t.Errorf("the code given before the disable, after the enable: %+v, want 600 s (revision 2)", tok)
		}
	})
}

// wantRefused checks a 403 that gives the operator's message.
func wantRefused(t *testing.T, r response) {
	t.Helper()
	var body struct {
		Message string
		Details struct{ DisabledMessage string }
	}
	r.want(t, 403).json(t, &body)
	if !strings.Contains(body.Message, "com.example.bank/android/1.0 is disabled") || body.Details.DisabledMessage != retired {
		t.Errorf("refusal %s: want the application and the message %q", r.body, retired)
	}
}

// wantListed checks the bank application's state in the listing.
func wantListed(t *testing.T, e *env, disabled bool) {
	t.Helper()
	var list api.ApplicationList
	e.do("GET", apps, bearer(e.token("monitor", "monitor-secret", "mfpmonitor")), nil).want(t, 200).json(t, &list)
	if len(list.Applications) != 1 || list.Applications[0].Disabled != disabled || (list.Applications[0].DisabledMessage == retired) != disabled {
		t.Errorf("listing %+v, want disabled %v", list.Applications, disabled)
	}
}

// TestSetStateRefusals: only an operator may change the state; the body,
// the message and the application are checked, and nothing changes.
func TestSetStateRefusals(t *testing.T) {
	m := newMobile(t, servertest.Options{})
	e := m.e
	e.setState("monitor", "monitor-secret", "mfpmonitor", `{"enabled": false}`).want(t, 403)
	for _, body := range []string{
		`{}`, `{"enabled": "no"}`, `{"enabled": false, "extra": 1}`, `{"enabled": true, "message": "why"}`,
		`{"enabled": false, "message": "` + strings.Repeat("é", 513) + `"}`, `{"enabled": false, "message": "a\u0000b"}`,
	} {
		e.setState("operator", "operator-secret", "mfpoperator", body).want(t, 400)
	}
	h := jsonHeader(e.token("operator", "operator-secret", "mfpoperator"))
	e.do("PUT", apps+"/com.example.nope/android/1.0/state", h, strings.NewReader(`{"enabled": false}`)).want(t, 404)
	e.do("PUT", apps+"/com.example.bank/symbian/1.0/state", h, strings.NewReader(`{"enabled": false}`)).want(t, 404)
	wantListed(t, e, false)
	m.preauth("accessRestricted", nil).want(t, 401)

	// No message: the reason names the application.
	e.setState("operator", "operator-secret", "mfpoperator", `{"enabled": false}`).want(t, 200)
	r := m.preauth("accessRestricted", nil).want(t, 403)
	if !strings.Contains(r.body, "com.example.bank/android/1.0 is disabled on runtime mfp") {
		t.Errorf("refusal without a message: %s", r.body)
	}
}
