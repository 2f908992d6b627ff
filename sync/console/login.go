package console

import (
	"context"
	"net/http"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/admin"
	"github.com/scopectl/scopectl/sync/store"
)

// maxLoginForm bounds the sign-in form: anyone may post it.
const maxLoginForm = 16 << 10

// loginData is what the sign-in page shows.
type loginData struct {
	ID, Next, Token string
}

// showLogin shows the sign-in form, tied to this browser by a cookie.
func (c *Console) showLogin(w http.ResponseWriter, r *http.Request) {
	c.renderLogin(w, r, http.StatusOK, loginMessages[r.URL.Query().Get("msg")], loginData{Next: safeNext(r.URL.Query().Get("next"))})
}

// loginMessages are what the sign-in page says when a session ended, by
// the key its address carries: a link cannot make the console say
// anything else.
var loginMessages = map[string]string{
	"ended":     "Your session has ended; sign in again.",
	"changed":   "Your client was changed or removed; sign in again.",
	"norole":    "Your client no longer has a console role.",
	"signedout": "You have signed out.",
}

func (c *Console) renderLogin(w http.ResponseWriter, r *http.Request, status int, msg string, d loginData) {
	d.Token = randomToken()
	c.setCookie(w, r, loginCookie, d.Token, 600)
	c.render(w, status, "login", view{Title: "Sign in", Error: msg, Data: d})
}

// login signs a confidential client in: the form must come from this
// browser's sign-in page, and the credentials are checked as at the token
// endpoint, throttled alike.
func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxLoginForm)
	if err := r.ParseForm(); err != nil {
		c.renderLogin(w, r, http.StatusRequestEntityTooLarge, "This sign-in form could not be read (at most 16 KiB); try again.", loginData{Next: Path + "apps"})
		return
	}
	d := loginData{ID: r.PostFormValue("id"), Next: safeNext(r.PostFormValue("next"))}
	ck, err := r.Cookie(loginCookie)
	if err != nil || ck.Value == "" || r.PostFormValue("token") != ck.Value {
		c.renderLogin(w, r, http.StatusForbidden, "This sign-in form is stale or came from another site; try again.", d)
		return
	}
	client, err := c.auth.Authenticate(r, c.runtime, d.ID, r.PostFormValue("secret"))
	switch config.ErrorKind(err) {
	case "":
	case config.KindUnauthorized:
		c.renderLogin(w, r, http.StatusUnauthorized, "Invalid client ID or secret.", d)
		return
	case config.KindUnavailable:
		c.renderLogin(w, r, http.StatusTooManyRequests, err.Error(), d)
		return
	default:
		c.log.Error("console sign-in", "err", err)
		c.renderLogin(w, r, http.StatusInternalServerError, "The server cannot check credentials now; try again later.", d)
		return
	}
	caller := admin.Caller{ID: client.ID, Scope: client.AllowedScope, Patterns: true}
	r0, ok := caller.Role()
	if !ok {
		c.renderLogin(w, r, http.StatusForbidden, "Client "+client.ID+" has none of the console roles (mfpadmin, mfpdeployer, mfpoperator, mfpmonitor).", d)
		return
	}
	value := c.sessions.start(&session{caller: caller, role: r0, secretSetAt: client.SecretSetAt})
	c.setCookie(w, r, loginCookie, "", -1)
	c.setCookie(w, r, sessionCookie, value, 0)
	http.Redirect(w, r, d.Next, http.StatusSeeOther)
}

// logout ends the session.
func (c *Console) logout(w http.ResponseWriter, r *http.Request) {
	c.sessions.end(sessionOf(r.Context()))
	c.setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, Path+"login?msg=signedout", http.StatusSeeOther)
}

// client returns a confidential client of the console's runtime as it is
// stored now; a KindNotFound error when it is gone.
func (c *Console) client(ctx context.Context, id string) (store.Client, error) {
	return c.svc.Client(ctx, c.runtime, id)
}
