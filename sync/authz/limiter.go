package authz

import (
	"sync"
	"time"
)

// Per-user limits of failed logins across all the clients of a process:
// maxAttempts bounds the guesses of one client, but anyone can register
// new clients, so the user name itself is limited too.
const (
	userFailureLimit  = 10
	userFailureWindow = 15 * time.Minute
	// maxLimitedUsers bounds the memory of the limiter; beyond it, the
	// names whose window has ended are forgotten, or all of them.
	maxLimitedUsers = 100000
)

// failureLimiter counts failed answers per name in fixed windows: after
// limit failures in a window, the name is refused until the window ends,
// without a password check.
type failureLimiter struct {
	limit  int
	window time.Duration
	mu     sync.Mutex
	names  map[string]failureWindow
}

type failureWindow struct {
	count int
	ends  time.Time
}

func newFailureLimiter() *failureLimiter {
	return &failureLimiter{limit: userFailureLimit, window: userFailureWindow, names: map[string]failureWindow{}}
}

// refusedUntil reports whether name has used up its failures at now, and
// until when.
func (l *failureLimiter) refusedUntil(name string, now time.Time) (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.names[name]
	return w.ends, w.count >= l.limit && now.Before(w.ends)
}

// fail counts a failed answer for name at now.
func (l *failureLimiter) fail(name string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w, ok := l.names[name]
	if !ok || !now.Before(w.ends) {
		if len(l.names) >= maxLimitedUsers {
			l.forgetEnded(now)
		}
		w = failureWindow{ends: now.Add(l.window)}
	}
	w.count++
	l.names[name] = w
}

// forgetEnded drops the windows that have ended, or every window when
// none has.
func (l *failureLimiter) forgetEnded(now time.Time) {
	for name, w := range l.names {
		if !now.Before(w.ends) {
			delete(l.names, name)
		}
	}
	if len(l.names) >= maxLimitedUsers {
		clear(l.names)
	}
}
