package authz

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/scopectl/scopectl/config"
)

var t0 = time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)

// at returns t0 plus sec seconds.
func at(sec int64) time.Time { return t0.Add(time.Duration(sec) * time.Second) }

// until is the blockedUntil of a failure, sec seconds after t0.
func until(sec int64) string { return at(sec).Format(time.RFC3339) }

var (
	appOK   = config.AppKey{ID: "com.acme.bank", Platform: "android", Version: "1.0"}
	appGone = config.AppKey{ID: "com.acme.old", Platform: "ios", Version: "0.9"}
)

// fakeApps are the registered, enabled applications; err fails every lookup.
type fakeApps struct {
	enabled map[config.AppKey]bool
	err     error
}

func (f *fakeApps) Descriptor(_ context.Context, runtime string, key config.AppKey) (*config.Descriptor, error) {
	if f.err != nil {
		return nil, f.err
	}
	if runtime != "mfp" || !f.enabled[key] {
		return nil, config.Errorf(config.KindNotFound, "no application %s", key)
	}
	return &config.Descriptor{ApplicationKey: key}, nil
}

// testUsers is a registry with alice (password "secret") and bob.
func testUsers(t testing.TB) *Users {
	t.Helper()
	var b strings.Builder
	for _, u := range []string{"alice:secret", "bob:hunter2"} {
		name, pw, _ := strings.Cut(u, ":")
		h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(name + ":" + string(h) + "\n")
	}
	users, err := parseUsers("users.txt", strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return users
}

func testChecks(t testing.TB, apps *fakeApps) *Checks {
	return BuiltinChecks(Deps{Applications: apps, Users: testUsers(t), BcryptCost: bcrypt.MinCost})
}

// step is one request of a client to a check: when (seconds after t0),
// its answer (nil for none), and what it must see.
type step struct {
	at   int64
	resp map[string]any
	want want
}

// want is what a client sees: the check passed, or a challenge, or a
// failure (compared whole).
type want struct {
	pass      bool
	challenge map[string]any
	failure   map[string]any
}

func pass() want                      { return want{pass: true} }
func challenge(c map[string]any) want { return want{challenge: c} }
func blockedAt(sec int64) want        { return want{failure: blocked(sec)} }
func blocked(sec int64) map[string]any {
	return map[string]any{"blockedUntil": until(sec), "reason": "too many failed attempts"}
}
func remaining(n int64) map[string]any { return map[string]any{"remainingAttempts": n} }
func refused(n int64, msg string) want {
	return challenge(map[string]any{"remainingAttempts": n, "errorMsg": msg})
}
func login(user, pw string) map[string]any { return map[string]any{"username": user, "password": pw} }

// run plays steps against the check name with props, storing the state
// between steps as a store would (JSON), and returns the last state.
func run(t *testing.T, checks *Checks, name string, props config.Properties, steps []step) CheckState {
	t.Helper()
	check, ok := checks.Lookup(name)
	if !ok {
		t.Fatalf("no check %s", name)
	}
	var stored []byte
	var state CheckState
	for i, st := range steps {
		state = CheckState{}
		if stored != nil && json.Unmarshal(stored, &state) != nil {
			t.Fatalf("step %d: stored state %s does not decode", i, stored)
		}
		now := at(st.at)
		in := Input{Client: Client{ID: "c1", Runtime: "mfp", App: appOK}, Properties: props,
			State: state.Current(now), Response: st.resp, Now: now}
		out, err := check.Evaluate(context.Background(), in)
		if err != nil {
			t.Fatalf("step %d (t+%ds): %v", i, st.at, err)
		}
		got := want{pass: out.State.Passed(now), challenge: out.Challenge, failure: out.Failure}
		if !reflect.DeepEqual(got, st.want) {
			t.Fatalf("step %d (t+%ds): got %+v, want %+v (state %+v)", i, st.at, got, st.want, out.State)
		}
		state = out.State
		stored, _ = json.Marshal(out.State)
	}
	return state
}

// loginProps are UserLogin properties as a descriptor file writes them:
// digit strings.
var loginProps = config.Properties{
	"maxAttempts": "3", "attemptingStateExpirationSec": "120", "successStateExpirationSec": "600",
	"blockedStateExpirationSec": "60", "rememberMeDurationSec": "86400",
}

func TestUserLogin(t *testing.T) {
	wrong := "wrong user name or password"
	tests := []struct {
		name  string
		props config.Properties
		steps []step
		user  string // the user of the last state
	}{
		{"no answer is a challenge with every attempt", loginProps, []step{
			{0, nil, challenge(remaining(3))},
			{10, nil, challenge(remaining(3))},
		}, ""},
		{"attempting to success", loginProps, []step{
			{0, nil, challenge(remaining(3))},
			{5, login("alice", "secret"), pass()},
			{604, nil, pass()},
		}, "alice"},
		{"a wrong password spends an attempt, then the right one passes", loginProps, []step{
			{0, login("alice", "nope"), refused(2, wrong)},
			{1, login("alice", "secret"), pass()},
		}, "alice"},
		{"an unknown user is refused as a wrong password", loginProps, []step{
			{0, login("mallory", "secret"), refused(2, wrong)},
		}, ""},
		{"blocked at exactly maxAttempts, even for the right password, until the block ends", loginProps, []step{
			{0, login("alice", "a"), refused(2, wrong)},
			{1, login("bob", "b"), refused(1, wrong)},
			{2, login("alice", "c"), blockedAt(62)},
			{30, login("alice", "secret"), blockedAt(62)},
			{61, nil, blockedAt(62)},
			{62, nil, challenge(remaining(3))},
			{63, login("alice", "secret"), pass()},
		}, "alice"},
		{"an attempting state that expires starts over", loginProps, []step{
			{0, login("alice", "a"), refused(2, wrong)},
			{50, login("alice", "b"), refused(1, wrong)},
			{170, nil, challenge(remaining(3))},
		}, ""},
		{"a success expires after successStateExpirationSec", loginProps, []step{
			{0, login("alice", "secret"), pass()},
			{599, nil, pass()},
			{600, nil, challenge(remaining(3))},
		}, "alice"},
		{"a remembered login passes again without credentials until rememberMeDurationSec", loginProps, []step{
			{0, map[string]any{"username": "bob", "password": "hunter2", "rememberMe": true}, pass()},
			{700, nil, pass()},
			{86399, nil, pass()},
			{86400, nil, challenge(remaining(3))},
		}, "bob"},
		{"a login without rememberMe is not remembered", loginProps, []step{
			{0, map[string]any{"username": "bob", "password": "hunter2", "rememberMe": false}, pass()},
			{700, nil, challenge(remaining(3))},
		}, "bob"},
		{"the platform's defaults: one attempt, blocked 60 s, no remembering", nil, []step{
			{0, nil, challenge(remaining(1))},
			{1, login("alice", "a"), blockedAt(61)},
			{61, map[string]any{"username": "alice", "password": "secret", "rememberMe": true}, pass()},
			{3660, nil, pass()},
			{3661, nil, challenge(remaining(1))},
		}, "alice"},
		{"integer properties count as digit strings do; unusable ones are the defaults", config.Properties{"maxAttempts": int64(2), "blockedStateExpirationSec": "soon"}, []step{
			{0, login("alice", "a"), refused(1, wrong)},
			{1, login("alice", "b"), blockedAt(61)},
		}, ""},
		{"malformed answers are challenged again and spend no attempt", loginProps, []step{
			{0, map[string]any{"username": "alice"}, refused(3, `the response has no "password"`)},
			{1, map[string]any{"username": 42.0, "password": "secret"}, refused(3, `"username" must be a string`)},
			{2, map[string]any{"username": "alice", "password": strings.Repeat("x", 1025)}, refused(3, `"password" is longer than 1024 bytes`)},
			{3, map[string]any{"username": "alice", "password": "secret", "rememberMe": "yes"}, refused(3, `"rememberMe" must be true or false`)},
			{4, map[string]any{"username": "", "password": "secret"}, refused(3, `"username" is empty`)},
			{5, map[string]any{"username": []any{"alice"}, "password": map[string]any{}}, refused(3, `"username" must be a string`)},
			{6, login("alice", "secret"), pass()},
		}, "alice"},
	}
	checks := testChecks(t, &fakeApps{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := run(t, checks, config.CheckUserLogin, tt.props, tt.steps)
			if s.User != tt.user {
				t.Errorf("user %q, want %q", s.User, tt.user)
			}
		})
	}
}

func TestUserLoginForgetsARemovedUser(t *testing.T) {
	users := testUsers(t)
	checks := BuiltinChecks(Deps{Applications: &fakeApps{}, Users: users})
	state := run(t, checks, config.CheckUserLogin, loginProps, []step{
		{0, map[string]any{"username": "bob", "password": "hunter2", "rememberMe": true}, pass()},
	})
	delete(users.hashes, "bob")
	check, _ := checks.Lookup(config.CheckUserLogin)
	out, err := check.Evaluate(context.Background(), Input{Properties: loginProps, State: state.Current(at(700)), Now: at(700)})
	if err != nil || !reflect.DeepEqual(out.Challenge, remaining(3)) {
		t.Fatalf("a removed user's remembered login: %+v, %v; want a challenge", out, err)
	}
}

func TestPinCode(t *testing.T) {
	pin := func(p any) map[string]any { return map[string]any{"pin": p} }
	enroll := func(msg string) want {
		c := map[string]any{"enroll": true}
		if msg != "" {
			c["errorMsg"] = msg
		}
		return challenge(c)
	}
	enrolled := []step{{0, nil, enroll("")}, {1, pin("1234"), pass()}}
	tests := []struct {
		name  string
		props config.Properties
		steps []step
	}{
		{"enrolment asks for a PIN of 4 to 12 digits, then passes", nil, []step{
			{0, nil, enroll("")},
			{1, pin("123"), enroll("a PIN has 4 to 12 digits")},
			{2, pin("1234567890123"), enroll("a PIN has 4 to 12 digits")},
			{3, pin("12a4"), enroll("a PIN has only digits")},
			{4, pin(1234.0), enroll(`"pin" must be a string`)},
			{5, map[string]any{}, enroll(`the response has no "pin"`)},
			{6, pin("0042"), pass()},
			{60, nil, pass()},
		}},
		{"after the success expires the enrolled PIN is asked for", nil, append(enrolled,
			step{61, nil, challenge(remaining(3))},
			step{62, pin("9999"), refused(2, "wrong PIN")},
			step{63, pin("1234"), pass()},
			step{122, nil, pass()},
			step{123, nil, challenge(remaining(3))},
		)},
		{"blocked at exactly maxAttempts, then starts over", config.Properties{"maxAttempts": "2", "blockedStateExpirationSec": "300"}, append(enrolled,
			step{61, pin("1111"), refused(1, "wrong PIN")},
			step{62, pin("2222"), blockedAt(362)},
			step{100, pin("1234"), blockedAt(362)},
			step{362, nil, challenge(remaining(2))},
			step{363, pin("1234"), pass()},
		)},
		{"malformed answers to the PIN challenge spend no attempt", nil, append(enrolled,
			step{61, pin(true), refused(3, `"pin" must be a string`)},
			step{62, pin(strings.Repeat("1", 2000)), refused(3, `"pin" is longer than 1024 bytes`)},
			step{63, pin("12345"), refused(2, "wrong PIN")},
		)},
	}
	checks := testChecks(t, &fakeApps{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run(t, checks, config.CheckPinCode, tt.props, tt.steps)
		})
	}
}

func TestPinCodeStoresOnlyAHash(t *testing.T) {
	s := run(t, testChecks(t, &fakeApps{}), config.CheckPinCode, nil, []step{{0, map[string]any{"pin": "73519"}, pass()}})
	stored, _ := json.Marshal(s)
	if strings.Contains(string(stored), "73519") {
		t.Fatalf("the stored state holds the PIN: %s", stored)
	}
	if bcrypt.CompareHashAndPassword([]byte(s.PinHash), []byte("73519")) != nil {
		t.Fatalf("the stored state %s has no bcrypt hash of the PIN", stored)
	}
	if cost, _ := bcrypt.Cost([]byte(s.PinHash)); cost != bcrypt.MinCost {
		t.Errorf("PIN hashed at cost %d, want the configured %d", cost, bcrypt.MinCost)
	}
}

func TestAppAuthenticity(t *testing.T) {
	apps := &fakeApps{enabled: map[config.AppKey]bool{appOK: true}}
	check, _ := testChecks(t, apps).Lookup(config.CheckAppAuthenticity)
	evaluate := func(app config.AppKey, props config.Properties, s CheckState, now time.Time) Outcome {
		t.Helper()
		out, err := check.Evaluate(context.Background(), Input{Client: Client{Runtime: "mfp", App: app}, Properties: props, State: s, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	tests := []struct {
		name    string
		props   config.Properties
		expires time.Time
	}{
		{"default expirationSec", nil, at(3600)},
		{"configured expirationSec", config.Properties{"expirationSec": "30"}, at(30)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := evaluate(appOK, tt.props, CheckState{}, t0)
			if !out.State.Passed(t0) || !out.State.Expires.Equal(tt.expires) || out.Challenge != nil || out.Failure != nil {
				t.Fatalf("registered app: %+v, want a success until %v", out, tt.expires)
			}
		})
	}
	t.Run("unknown app refused with a reason", func(t *testing.T) {
		out := evaluate(appGone, nil, CheckState{}, t0)
		if out.State.Passed(t0) || out.Challenge != nil || !strings.Contains(out.Failure["reason"].(string), "com.acme.old/ios/0.9") {
			t.Fatalf("unknown app: %+v, want a failure naming it", out)
		}
	})
	t.Run("a deleted app fails at once, even while a success lasts", func(t *testing.T) {
		s := evaluate(appOK, nil, CheckState{}, t0).State
		delete(apps.enabled, appOK)
		defer func() { apps.enabled[appOK] = true }()
		if out := evaluate(appOK, nil, s, at(10)); out.State.Passed(at(10)) || out.Failure == nil {
			t.Fatalf("deleted app: %+v, want a failure", out)
		}
	})
	t.Run("a store error is an error, not a pass", func(t *testing.T) {
		failing, _ := testChecks(t, &fakeApps{enabled: apps.enabled, err: errors.New("db down")}).Lookup(config.CheckAppAuthenticity)
		if _, err := failing.Evaluate(context.Background(), Input{Client: Client{Runtime: "mfp", App: appOK}, Now: t0}); err == nil {
			t.Fatal("no error")
		}
	})
}

func TestBuiltinChecks(t *testing.T) {
	all := testChecks(t, &fakeApps{}).Catalog()
	if !reflect.DeepEqual(all, config.BuiltinChecks) {
		t.Errorf("catalog %v, want config.BuiltinChecks %v", all, config.BuiltinChecks)
	}
	all[config.CheckPinCode]["maxAttempts"] = int64(99)
	if config.BuiltinChecks[config.CheckPinCode]["maxAttempts"] != int64(3) {
		t.Error("changing a runtime's catalog changed config.BuiltinChecks")
	}
	noUsers := BuiltinChecks(Deps{Applications: &fakeApps{}}).Catalog().Names()
	if want := []string{config.CheckPinCode, config.CheckAppAuthenticity}; !reflect.DeepEqual(noUsers, want) {
		t.Errorf("without a user registry: %v, want %v", noUsers, want)
	}
}

// TestUserLoginLimitsGuessesPerUser: new clients get new attempts, but
// after 10 failed logins of one user within 15 minutes, from any clients,
// that user's password is not checked until the window ends, even when
// right; other users are not affected.
func TestUserLoginLimitsGuessesPerUser(t *testing.T) {
	checks := testChecks(t, &fakeApps{})
	for i := range userFailureLimit {
		run(t, checks, config.CheckUserLogin, loginProps, []step{ // a fresh client each time
			{int64(i), login("alice", "guess"), refused(2, "wrong user name or password")},
		})
	}
	limited := refused(3, "too many failed logins for this user; try again after "+until(int64(userFailureWindow/time.Second)))
	run(t, checks, config.CheckUserLogin, loginProps, []step{
		{20, login("alice", "secret"), limited},
		{20, login("bob", "hunter2"), pass()},
	})
	run(t, checks, config.CheckUserLogin, loginProps, []step{
		{int64(userFailureWindow / time.Second), login("alice", "secret"), pass()},
	})
}
