package console

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/scopectl/scopectl/sync/admin"
)

// Cookie names: the session, and the token that ties a sign-in form to
// the browser that asked for it (login CSRF).
const (
	sessionCookie = "mfpconsole_session"
	loginCookie   = "mfpconsole_login"
)

// maxSessions bounds the sessions a process keeps, and
// maxSessionsPerClient those of one client: when full, expired sessions
// go first, then the least recently used of the client signing in (so
// that one client's sign-ins never end another's sessions), then, only
// when maxSessions clients are signed in, the least recently used of all.
const (
	maxSessions          = 10000
	maxSessionsPerClient = 20
)

// session is a signed-in operator.
type session struct {
	key         [sha256.Size]byte // SHA-256 of the cookie's value
	caller      admin.Caller      // the client, its allowed scope as it is now
	role        admin.Role
	secretSetAt time.Time // the client's secret when it signed in: a new one ends the session
	csrf        string    // the token every form of the session carries
	created     time.Time
	seen        time.Time
	flash       string // a message for the next page
}

// sessions are the sessions of a process, by the hash of their cookie:
// the cookie's value itself is not kept.
type sessions struct {
	now       func() time.Time
	idle, max time.Duration

	mu   sync.Mutex
	byID map[[sha256.Size]byte]*session
}

func newSessions(now func() time.Time, idle, max time.Duration) *sessions {
	return &sessions{now: now, idle: idle, max: max, byID: map[[sha256.Size]byte]*session{}}
}

// start makes a session and returns the value of its cookie.
func (ss *sessions) start(s *session) string {
	value := randomToken()
	now := ss.now()
	s.key, s.csrf, s.created, s.seen = sha256.Sum256([]byte(value)), randomToken(), now, now
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.makeRoomLocked(s.caller.ID, now)
	ss.byID[s.key] = s
	return value
}

// makeRoomLocked ends sessions, as maxSessions says, so that one more of
// client id fits.
func (ss *sessions) makeRoomLocked(id string, now time.Time) {
	var own int
	for key, s := range ss.byID {
		switch {
		case ss.expired(s, now):
			delete(ss.byID, key)
		case s.caller.ID == id:
			own++
		}
	}
	if own >= maxSessionsPerClient {
		ss.dropOldestLocked(func(s *session) bool { return s.caller.ID == id })
	}
	if len(ss.byID) >= maxSessions {
		ss.dropOldestLocked(func(*session) bool { return true })
	}
}

func (ss *sessions) expired(s *session, now time.Time) bool {
	return now.Sub(s.seen) >= ss.idle || now.Sub(s.created) >= ss.max
}

// get returns the live session of a cookie value, and marks it used.
func (ss *sessions) get(value string) *session {
	key := sha256.Sum256([]byte(value))
	now := ss.now()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, ok := ss.byID[key]
	if !ok {
		return nil
	}
	if ss.expired(s, now) {
		delete(ss.byID, key)
		return nil
	}
	s.seen = now
	cp := *s
	return &cp
}

// end ends a session.
func (ss *sessions) end(s *session) {
	ss.mu.Lock()
	delete(ss.byID, s.key)
	ss.mu.Unlock()
}

// dropOldestLocked ends the least recently used of the sessions that
// match.
func (ss *sessions) dropOldestLocked(match func(*session) bool) {
	var oldest *session
	for _, s := range ss.byID {
		if match(s) && (oldest == nil || s.seen.Before(oldest.seen)) {
			oldest = s
		}
	}
	if oldest != nil {
		delete(ss.byID, oldest.key)
	}
}

// randomToken returns 32 random bytes, base64url: a session or a CSRF
// token.
func randomToken() string { return randomString(32) }

// randomString returns n bytes from crypto/rand, base64url.
func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// setCookie sets a console cookie: HttpOnly, SameSite=Strict, Secure when
// served over TLS or when the console's users reach it over TLS
// (Config.SecureCookies), for the console's path only; maxAge < 0 deletes
// it.
func (c *Console) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: Path, MaxAge: maxAge,
		HttpOnly: true, Secure: r.TLS != nil || c.secureCookies, SameSite: http.SameSiteStrictMode,
	})
}

// signedIn wraps a page that needs a session whose client still holds
// role need: it refuses a request without one (to the sign-in page), a
// form without the session's CSRF token or from another origin (403), and
// a client whose secret changed, that is gone, or that lost the role.
func (c *Console) signedIn(need admin.Role, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, msg := c.currentSession(r)
		if s == nil {
			c.toLogin(w, r, msg)
			return
		}
		if r.Method == http.MethodPost && !c.parseForm(w, r, s) {
			return
		}
		if r.Method == http.MethodPost && !validForm(r, s) {
			c.fail(w, r, s, http.StatusForbidden, "This form is stale or came from another site: reload the page and try again.")
			return
		}
		if s.role < need {
			c.fail(w, r, s, http.StatusForbidden, "Your role ("+s.role.Scope()+") cannot do this: it needs "+need.Scope()+".")
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, s)))
	}
}

// currentSession returns the request's session with its client as the
// store has it now, or nil and why it ended (a key of loginMessages).
func (c *Console) currentSession(r *http.Request) (*session, string) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, ""
	}
	s := c.sessions.get(ck.Value)
	if s == nil {
		return nil, "ended"
	}
	client, err := c.client(r.Context(), s.caller.ID)
	if err != nil || !client.SecretSetAt.Equal(s.secretSetAt) {
		c.sessions.end(s)
		return nil, "changed"
	}
	s.caller.Scope = client.AllowedScope
	r0, ok := s.caller.Role()
	if !ok {
		c.sessions.end(s)
		return nil, "norole"
	}
	s.role = r0
	return s, ""
}

// parseForm parses a posted form, answering one that cannot be read (too
// large, or not a form) itself.
func (c *Console) parseForm(w http.ResponseWriter, r *http.Request, s *session) bool {
	err := r.ParseForm()
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		c.fail(w, r, s, http.StatusRequestEntityTooLarge, fmt.Sprintf("The form is larger than %d MiB: nothing was saved.", maxForm>>20))
	case err != nil:
		c.fail(w, r, s, http.StatusBadRequest, "The form could not be read: nothing was saved.")
	default:
		return true
	}
	return false
}

// validForm checks a form's CSRF token against the session's, in
// constant time, and its Origin, when the browser sent one, against the
// request's host.
func validForm(r *http.Request, s *session) bool {
	if origin := r.Header.Get("Origin"); origin != "" {
		u, err := url.Parse(origin)
		if err != nil || u.Host != r.Host {
			return false
		}
	}
	token := r.PostFormValue("csrf")
	return token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(s.csrf)) == 1
}

// toLogin sends a request without a session to the sign-in page, which
// brings it back to the page it asked for.
func (c *Console) toLogin(w http.ResponseWriter, r *http.Request, msg string) {
	q := url.Values{}
	if r.Method == http.MethodGet {
		q.Set("next", r.URL.RequestURI())
	}
	if msg != "" {
		q.Set("msg", msg)
	}
	http.Redirect(w, r, Path+"login?"+q.Encode(), http.StatusSeeOther)
}

// safeNext is where a sign-in continues: a console page, never another site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, Path) || strings.HasPrefix(next, "//") || strings.ContainsFunc(next, func(r rune) bool { return r == '\\' || unicode.IsControl(r) }) {
		return Path + "apps"
	}
	return next
}

// flash keeps a message for the next page the session shows.
func (ss *sessions) flash(s *session, msg string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if stored, ok := ss.byID[s.key]; ok {
		stored.flash = msg
	}
}

// takeFlash returns the session's message, once.
func (ss *sessions) takeFlash(s *session) string {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	stored, ok := ss.byID[s.key]
	if !ok {
		return ""
	}
	msg := stored.flash
	stored.flash = ""
	return msg
}
