package authz

import (
	"strconv"
	"testing"
	"time"
)

// TestFailureLimiterIsBounded: names sprayed by an attacker never hold
// more than maxLimitedUsers windows; ended windows go first.
func TestFailureLimiterIsBounded(t *testing.T) {
	l := newFailureLimiter()
	for i := range maxLimitedUsers {
		l.fail("user"+strconv.Itoa(i), t0)
	}
	l.fail("late", t0.Add(userFailureWindow)) // every earlier window has ended
	if len(l.names) != 1 {
		t.Errorf("%d windows after the others ended, want 1", len(l.names))
	}
	for i := range maxLimitedUsers {
		l.fail("spray"+strconv.Itoa(i), t0.Add(userFailureWindow+time.Second))
	}
	if len(l.names) > maxLimitedUsers {
		t.Errorf("%d windows, more than %d", len(l.names), maxLimitedUsers)
	}
}
