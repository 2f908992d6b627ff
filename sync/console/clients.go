package console

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/admin"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/store"
)

// secretBytes is how many random bytes a generated secret has: 32
// base64url characters, well above admin.MinSecretLength and
// admin.MinAdminSecretLength.
const secretBytes = 24

// clientRow is a confidential client as the console shows it: never its
// secret nor the secret's hash.
type clientRow struct {
	ID, DisplayName, AllowedScope string
	Href                          string
	SecretSetAt                   time.Time
	Self                          bool // the client the operator signed in with
}

// clientFields are the fields of the new-client and edit forms.
type clientFields struct {
	ID, DisplayName, AllowedScope string
}

// clientsData is the list page: the clients and the new-client form.
type clientsData struct {
	Clients []clientRow
	New     clientFields
}

// clientData is a client's page, with its edit form.
type clientData struct {
	Client clientRow
	Form   clientFields
}

// secretData is the one-time display of a generated secret.
type secretData struct {
	ID, Secret string
	Created    bool // a new client, else a rotated secret
	SignedOut  bool // the operator's own secret: its session has ended
}

// clientRoutes registers the pages of the confidential clients.
func (c *Console) clientRoutes() {
	c.mux.HandleFunc("GET "+Path+"clients", c.signedIn(roleMonitor, c.listClients))
	c.mux.HandleFunc("POST "+Path+"clients", c.signedIn(roleDeployer, c.createClient))
	one := Path + "clients/{id}"
	c.mux.HandleFunc("GET "+one, c.signedIn(roleMonitor, c.showClient))
	c.mux.HandleFunc("POST "+one, c.signedIn(roleDeployer, c.editClient))
	c.mux.HandleFunc("POST "+one+"/secret", c.signedIn(roleDeployer, c.rotateSecret))
	c.mux.HandleFunc("POST "+one+"/delete", c.signedIn(roleDeployer, c.deleteClient))
}

// listClients shows the runtime's clients and, to a deployer, the
// new-client form.
func (c *Console) listClients(w http.ResponseWriter, r *http.Request) {
	s := sessionOf(r.Context())
	c.renderClients(w, r, s, http.StatusOK, clientFields{}, "", c.sessions.takeFlash(s))
}

func (c *Console) renderClients(w http.ResponseWriter, r *http.Request, s *session, status int, f clientFields, errMsg, notice string) {
	list, err := c.svc.Clients(r.Context(), c.runtime)
	if err != nil {
		c.internal(w, r, s, "list the confidential clients", err)
		return
	}
	d := clientsData{New: f, Clients: make([]clientRow, 0, len(list))}
	for _, cl := range list {
		d.Clients = append(d.Clients, clientRowOf(cl, s))
	}
	c.render(w, status, "clients", view{Title: "Confidential clients", Session: s, Error: errMsg, Notice: notice, Data: d})
}

func clientRowOf(cl store.Client, s *session) clientRow {
	return clientRow{
		ID: cl.ID, DisplayName: cl.DisplayName, AllowedScope: cl.AllowedScope.String(), Href: clientHref(cl.ID),
		SecretSetAt: cl.SecretSetAt, Self: cl.ID == s.caller.ID,
	}
}

// clientHref is the path of a client's page.
func clientHref(id string) string { return Path + "clients/" + url.PathEscape(id) }

// createClient adds a client with a generated secret, and shows the
// secret once.
func (c *Console) createClient(w http.ResponseWriter, r *http.Request) {
	s := sessionOf(r.Context())
	f := readClientFields(r)
	f.ID = strings.TrimSpace(r.PostFormValue("id"))
	secret := newSecret()
	status, msg, ok := c.editClients(w, r, s, func(current []store.Client) ([]api.Client, error) {
		if slices.ContainsFunc(current, func(cl store.Client) bool { return cl.ID == f.ID }) {
			return nil, config.Errorf(config.KindConflict, "Client %s exists already; choose another ID.", admin.QuoteName(f.ID))
		}
		return append(apiClients(current), api.Client{ID: f.ID, DisplayName: f.DisplayName, AllowedScope: f.AllowedScope, Secret: secret}), nil
	})
	if !ok {
		if status != 0 {
			c.renderClients(w, r, s, status, f, msg, "")
		}
		return
	}
	c.sessions.flash(s, "Created client "+admin.QuoteName(f.ID)+".")
	c.render(w, http.StatusCreated, "secret", view{Title: "Client " + f.ID + " created", Session: s, Data: secretData{ID: f.ID, Secret: secret, Created: true}})
}

// showClient shows a client's page: its edit form, and to a deployer the
// buttons that rotate its secret and delete it.
func (c *Console) showClient(w http.ResponseWriter, r *http.Request) {
	s := sessionOf(r.Context())
	cl, ok := c.storedClient(w, r, s)
	if !ok {
		return
	}
	f := clientFields{ID: cl.ID, DisplayName: cl.DisplayName, AllowedScope: cl.AllowedScope.String()}
	c.renderClient(w, s, http.StatusOK, cl, f, "")
}

func (c *Console) renderClient(w http.ResponseWriter, s *session, status int, cl store.Client, f clientFields, errMsg string) {
	d := clientData{Client: clientRowOf(cl, s), Form: f}
	c.render(w, status, "client", view{Title: "Client " + cl.ID, Session: s, Error: errMsg, Data: d})
}

// storedClient reads the client of the request's path; it answers the
// request itself when it cannot.
func (c *Console) storedClient(w http.ResponseWriter, r *http.Request, s *session) (store.Client, bool) {
	id := r.PathValue("id")
	cl, err := c.client(r.Context(), id)
	if config.ErrorKind(err) == config.KindNotFound {
		c.noClient(w, r, s, id)
		return cl, false
	}
	if err != nil {
		c.internal(w, r, s, "read the client", err)
		return cl, false
	}
	return cl, true
}

// noClient answers a request for a client that does not exist.
func (c *Console) noClient(w http.ResponseWriter, r *http.Request, s *session, id string) {
	c.fail(w, r, s, http.StatusNotFound, "There is no client "+admin.QuoteName(id)+".")
}

// editClient saves a client's display name and allowed scope; its secret
// stays.
func (c *Console) editClient(w http.ResponseWriter, r *http.Request) {
	f := readClientFields(r)
	c.change(w, r, func(list []api.Client, i int) ([]api.Client, clientFields) {
		list[i].DisplayName, list[i].AllowedScope = f.DisplayName, f.AllowedScope
		f.ID = list[i].ID
		return list, f
	}, func(s *session, cl store.Client) {
		msg := "Saved client " + admin.QuoteName(cl.ID) + "."
		if cl.ID == s.caller.ID {
			msg += " It is the client you are signed in with: its allowed scope gives your role from now on."
		}
		c.sessions.flash(s, msg)
		http.Redirect(w, r, Path+"clients", http.StatusSeeOther)
	})
}

// rotateSecret gives a client a new generated secret and shows it once.
// Rotating the operator's own secret ends its session: it signs in again
// with the new one.
func (c *Console) rotateSecret(w http.ResponseWriter, r *http.Request) {
	secret := newSecret()
	c.change(w, r, func(list []api.Client, i int) ([]api.Client, clientFields) {
		list[i].Secret = secret
		return list, fieldsOf(list[i])
	}, func(s *session, cl store.Client) {
		d := secretData{ID: cl.ID, Secret: secret}
		v := view{Title: "New secret of " + cl.ID, Session: s, Data: &d}
		if cl.ID == s.caller.ID {
			c.sessions.end(s)
			c.setCookie(w, r, sessionCookie, "", -1)
			d.SignedOut, v.Session = true, nil
		} else {
			c.sessions.flash(s, "Rotated the secret of client "+admin.QuoteName(cl.ID)+"; scoped refuses the old one and its tokens from now on.")
		}
		c.render(w, http.StatusOK, "secret", v)
	})
}

// deleteClient removes a client.
func (c *Console) deleteClient(w http.ResponseWriter, r *http.Request) {
	c.change(w, r, func(list []api.Client, i int) ([]api.Client, clientFields) {
		f := fieldsOf(list[i])
		return slices.Delete(list, i, i+1), f
	}, func(s *session, cl store.Client) {
		c.sessions.flash(s, "Deleted client "+admin.QuoteName(cl.ID)+"; scoped refuses its secret and its tokens from now on.")
		http.Redirect(w, r, Path+"clients", http.StatusSeeOther)
	})
}

// change applies edit to the client list as stored when the change is
// made, at the index of the client of the request's path, and answers
// with done, or with the client's page, its form as edit made it, and the
// service's refusal.
func (c *Console) change(w http.ResponseWriter, r *http.Request,
	edit func(list []api.Client, i int) ([]api.Client, clientFields), done func(*session, store.Client)) {
	s := sessionOf(r.Context())
	id := r.PathValue("id")
	var cl store.Client
	var f clientFields
	status, msg, ok := c.editClients(w, r, s, func(current []store.Client) ([]api.Client, error) {
		i := slices.IndexFunc(current, func(cl store.Client) bool { return cl.ID == id })
		if i < 0 {
			return nil, config.Errorf(config.KindNotFound, "There is no client %s.", admin.QuoteName(id))
		}
		cl = current[i]
		var list []api.Client
		list, f = edit(apiClients(current), i)
		return list, nil
	})
	switch {
	case ok:
		done(s, cl)
	case status == http.StatusNotFound:
		c.noClient(w, r, s, id)
	case status != 0:
		c.renderClient(w, s, status, cl, f, msg)
	}
}

// apiClients is a stored client list as ReplaceClients takes it, every
// secret left empty so that it stays, with room for one more.
func apiClients(stored []store.Client) []api.Client {
	list := make([]api.Client, 0, len(stored)+1)
	for _, cl := range stored {
		list = append(list, api.Client{ID: cl.ID, DisplayName: cl.DisplayName, AllowedScope: cl.AllowedScope.String()})
	}
	return list
}

func fieldsOf(cl api.Client) clientFields {
	return clientFields{ID: cl.ID, DisplayName: cl.DisplayName, AllowedScope: cl.AllowedScope}
}

// editClients changes the client list with edit (admin.EditClients) as
// the session's caller, under the service's policy. A refusal the
// operator can act on comes back as a status and the service's message,
// for the page to show with its form; any other failure is answered here
// (status 0).
func (c *Console) editClients(w http.ResponseWriter, r *http.Request, s *session, edit func([]store.Client) ([]api.Client, error)) (int, string, bool) {
	err := c.svc.EditClients(r.Context(), c.runtime, s.caller, edit)
	if err == nil {
		return 0, "", true
	}
	switch kind := config.ErrorKind(err); kind {
	case config.KindNotFound, config.KindInvalid, config.KindForbidden, config.KindConflict: // the operator's to act on
		return api.Status[kind], withoutPointer(err.Error()), false
	}
	c.internal(w, r, s, "save the confidential clients", err)
	return 0, "", false
}

// withoutPointer drops the JSON pointer into the list of clients that the
// service's messages start with ("/clients/4/allowedScope: …"): it means
// nothing to an operator editing one client.
func withoutPointer(msg string) string {
	if strings.HasPrefix(msg, "/clients/") {
		if _, rest, ok := strings.Cut(msg, ": "); ok {
			return rest
		}
	}
	return msg
}

func readClientFields(r *http.Request) clientFields {
	return clientFields{
		DisplayName:  strings.TrimSpace(r.PostFormValue("displayName")),
		AllowedScope: strings.TrimSpace(r.PostFormValue("allowedScope")),
	}
}

// newSecret returns a client secret: secretBytes random bytes, base64url.
func newSecret() string { return randomString(secretBytes) }
