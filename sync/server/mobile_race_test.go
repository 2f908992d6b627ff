package server_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/scopectl/scopectl/sync/authz"
	"github.com/scopectl/scopectl/sync/authz/authztest"
	"github.com/scopectl/scopectl/sync/server/servertest"
)

// TestMobileConcurrentWrongPINs: wrong PINs that one client sends at once
// spend one attempt each and never more than maxAttempts (3) before the
// check blocks, although the PINs are compared outside any transaction:
// each "wrong PIN" answer spent an attempt of its own (its
// remainingAttempts is no other's), and the stored attempts are the
// answers that counted. A request that lost the race to the others too
// often is a 409 and spends nothing.
func TestMobileConcurrentWrongPINs(t *testing.T) {
	forEachStore(t, func(t *testing.T, opt servertest.Options) {
		m := newMobile(t, opt)
		m.passPIN(t)
		m.clock.Advance(1201 * time.Second) // the success ends: the PIN is asked again
		const n = 12
		answers, errs := atOnce(n, func() (authztest.Answer, error) {
			return m.flow.Preauthorize("accessRestricted", map[string]any{"PinCodeAttempts": map[string]any{"pin": "0000"}})
		})
		spent, blocked, lost := countPINAnswers(t, answers, errs)
		t.Logf("%d answers: %d wrong PIN, %d blocked, %d lost the race", n, spent, blocked, lost)
		states, err := m.e.store.CheckStates(context.Background(), "mfp", m.dev.ID)
		if err != nil {
			t.Fatal(err)
		}
		s := states["PinCodeAttempts"]
		switch {
		case spent > 2:
			t.Errorf("%d answers said wrong PIN; 2 may before the third blocks", spent)
		case s.State == authz.StateBlocked && (spent != 2 || blocked == 0):
			t.Errorf("blocked after %d wrong-PIN answers and %d blocked ones", spent, blocked)
		case s.State == authz.StateAttempting && (s.Attempts != spent || blocked != 0):
			t.Errorf("%d attempts stored, %d wrong-PIN answers, %d blocked", s.Attempts, spent, blocked)
		case s.State != authz.StateBlocked && s.State != authz.StateAttempting:
			t.Errorf("state %q", s.State)
		}
	})
}

// countPINAnswers counts the answers that spent an attempt (401, wrong
// PIN, each with its own remainingAttempts), that were blocked (403) and
// that lost the race (409).
func countPINAnswers(t *testing.T, answers []authztest.Answer, errs []error) (spent, blocked, lost int) {
	t.Helper()
	remaining := map[float64]bool{}
	for i, a := range answers {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		var p struct{ Challenges, Failures map[string]map[string]any }
		_ = json.Unmarshal([]byte(a.Body), &p)
		switch a.Status {
		case 401:
			r, _ := p.Challenges["PinCodeAttempts"]["remainingAttempts"].(float64)
			if remaining[r] || p.Challenges["PinCodeAttempts"]["errorMsg"] != "wrong PIN" {
				t.Errorf("two answers spent the same attempt, or did not say wrong PIN: %s", a.Body)
			}
			remaining[r] = true
			spent++
		case 403:
			if p.Failures["PinCodeAttempts"]["blockedUntil"] == nil {
				t.Errorf("403 not blocked: %s", a.Body)
			}
			blocked++
		case 409:
			lost++
		default:
			t.Errorf("answered %d %s", a.Status, a.Body)
		}
	}
	return spent, blocked, lost
}

// atOnce sends n requests at once and returns their answers.
func atOnce(n int, request func() (authztest.Answer, error)) ([]authztest.Answer, []error) {
	answers, errs := make([]authztest.Answer, n), make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i], errs[i] = request()
		}()
	}
	wg.Wait()
	return answers, errs
}
