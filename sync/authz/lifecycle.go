package authz

import (
	"time"

	"github.com/scopectl/scopectl/config"
)

// lifecycle is the attempt counting that the credential checks (UserLogin,
// PinCodeAttempts) share, as the platform's CredentialsValidationSecurityCheck:
// a client gets maxAttempts answers while attempting, then is blocked; a
// right answer is a success. Each state lasts its own expiration.
type lifecycle struct {
	maxAttempts int64
	attempting  time.Duration
	success     time.Duration
	blocked     time.Duration
}

// newLifecycle reads the lifecycle from a check's effective properties,
// each falling back to defaults when absent or not a whole number. At
// least one attempt is always allowed.
func newLifecycle(p, defaults config.Properties) lifecycle {
	return lifecycle{
		maxAttempts: max(1, intProperty(p, defaults, "maxAttempts")),
		attempting:  seconds(p, defaults, "attemptingStateExpirationSec"),
		success:     seconds(p, defaults, "successStateExpirationSec"),
		blocked:     seconds(p, defaults, "blockedStateExpirationSec"),
	}
}

// settled returns the outcome of a state that no answer changes: a block
// (a failure until it ends) or a success (passed). ok is false otherwise.
func (l lifecycle) settled(s CheckState) (out Outcome, ok bool) {
	switch s.State {
	case StateBlocked:
		return Outcome{State: s, Failure: blockedFailure(s)}, true
	case StateSuccess:
		return Outcome{State: s}, true
	}
	return Outcome{}, false
}

// challenge asks for an answer, with the attempts left and why the last
// answer was refused (errMsg, "" for none). A client not yet attempting
// starts now.
func (l lifecycle) challenge(s CheckState, now time.Time, errMsg string) Outcome {
	if s.State != StateAttempting {
		s = l.startAttempting(s, now)
	}
	c := map[string]any{"remainingAttempts": l.maxAttempts - int64(s.Attempts)}
	if errMsg != "" {
		c["errorMsg"] = errMsg
	}
	return Outcome{State: s, Challenge: c}
}

// attempt counts one answer, right or not: a right one is a success; a
// wrong one spends an attempt, and the last attempt blocks the client.
// It is the one place attempts are counted.
func (l lifecycle) attempt(s CheckState, now time.Time, right bool, errMsg string) Outcome {
	if right {
		return l.succeed(s, now)
	}
	if s.State != StateAttempting {
		s = l.startAttempting(s, now)
	}
	s.Attempts++
	if int64(s.Attempts) >= l.maxAttempts {
		s.State, s.Expires = StateBlocked, now.Add(l.blocked)
		return Outcome{State: s, Failure: blockedFailure(s)}
	}
	s.Expires = now.Add(l.attempting)
	return l.challenge(s, now, errMsg)
}

// succeed passes the check until the success expires.
func (l lifecycle) succeed(s CheckState, now time.Time) Outcome {
	s.State, s.Expires, s.Attempts = StateSuccess, now.Add(l.success), 0
	return Outcome{State: s}
}

func (l lifecycle) startAttempting(s CheckState, now time.Time) CheckState {
	s.State, s.Expires, s.Attempts = StateAttempting, now.Add(l.attempting), 0
	return s
}

func blockedFailure(s CheckState) map[string]any {
	return map[string]any{
		"blockedUntil": s.Expires.UTC().Format(time.RFC3339),
		"reason":       "too many failed attempts",
	}
}

// maxSeconds bounds a configured duration (about 272 years), so that no
// value overflows a time.Duration.
const maxSeconds = 1 << 33

// intProperty returns the whole-number property name of p, or of defaults
// when p has none usable (absent, negative, or not a number).
func intProperty(p, defaults config.Properties, name string) int64 {
	if n, ok := p.Int(name); ok {
		return n
	}
	n, _ := defaults.Int(name)
	return n
}

// seconds returns the property name (seconds) as a duration.
func seconds(p, defaults config.Properties, name string) time.Duration {
	return time.Duration(min(intProperty(p, defaults, name), maxSeconds)) * time.Second
}
