package authz

import (
	"context"
	"encoding/json"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/scopectl/scopectl/config"
)

// FuzzResponse: any JSON object a client sends as a challenge response is
// a pass, a challenge or a failure, never a panic or an error, and only
// the right credentials pass.
func FuzzResponse(f *testing.F) {
	for _, seed := range []string{
		`{"username":"alice","password":"secret","rememberMe":true}`,
		`{"username":"alice","password":"secret","rememberMe":"yes"}`,
		`{"username":1,"password":null}`, `{"pin":"1234"}`, `{"pin":1234}`, `{"pin":["1"]}`,
		`{}`, `{"username":{"a":1},"password":[true]}`,
	} {
		f.Add([]byte(seed))
	}
	checks := testChecks(f, &fakeApps{})
	login, _ := checks.Lookup(config.CheckUserLogin)
	pin, _ := checks.Lookup(config.CheckPinCode)
	enrolled := CheckState{PinHash: hashOf(f, "1234", bcrypt.MinCost)}
	f.Fuzz(func(t *testing.T, data []byte) {
		var resp map[string]any
		if json.Unmarshal(data, &resp) != nil || resp == nil {
			return
		}
		user, _ := resp["username"].(string)
		pw, _ := resp["password"].(string)
		p, _ := resp["pin"].(string)
		checkOutcome(t, login, CheckState{}, resp, user == "alice" && pw == "secret")
		checkOutcome(t, pin, enrolled, resp, p == "1234")
		checkOutcome(t, pin, CheckState{}, resp, checkPin(p) == nil)
	})
}

func checkOutcome(t *testing.T, check Check, s CheckState, resp map[string]any, mayPass bool) {
	t.Helper()
	out, err := check.Evaluate(context.Background(), Input{Properties: loginProps, State: s, Response: resp, Now: t0})
	if err != nil {
		t.Fatalf("response %v: %v", resp, err)
	}
	passed := out.State.Passed(t0)
	if n := btoi(passed) + btoi(out.Challenge != nil) + btoi(out.Failure != nil); n != 1 {
		t.Fatalf("response %v: %+v is not exactly one of pass, challenge, failure", resp, out)
	}
	if passed && !mayPass {
		t.Fatalf("response %v passed", resp)
	}
	if out.Challenge != nil && !passed && out.Challenge["errorMsg"] == nil {
		t.Fatalf("response %v: challenge %v without errorMsg", resp, out.Challenge)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
