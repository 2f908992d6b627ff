package admin

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/store"
)

// MinAdminSecretLength is the fewest characters of the admin client's
// secret outside development mode: it may change every descriptor and
// client.
const MinAdminSecretLength = 16

// CheckSecretLength reports a secret shorter than min characters, as
// "has N characters; it needs at least MIN".
func CheckSecretLength(secret string, min int) error {
	if n := utf8.RuneCountInString(secret); n < min {
		return fmt.Errorf("has %d characters; it needs at least %d", n, min)
	}
	return nil
}

// MinSecretLength is the fewest characters of a client secret set through
// ReplaceClients outside development mode. Secrets are checked with
// bcrypt at a few guesses a second per client (sync/server throttles
// failures); 12 random characters put guessing out of reach.
const MinSecretLength = 12

// adminRole is the scope element of the role that may do everything.
var adminRole = config.AdminRoles[0]

// Caller is who asks for an admin operation and what it may do: a token's
// granted scope (taken literally), or, when the client authenticated with
// its own credentials, its allowed scope (patterns).
type Caller struct {
	ID       string // the client id
	Scope    config.Scope
	Patterns bool // Scope is an allowed scope, of patterns
}

// Has reports whether the caller holds scope element elem, administration
// roles including the roles below them.
func (c Caller) Has(elem string) bool {
	if c.Patterns {
		return c.Scope.AllowsRole(elem)
	}
	return c.Scope.HasRole(elem)
}

// ReplaceClients replaces the whole client list of runtime with list, as
// MobileFirst does. A client listed without a secret keeps its current
// one. The list may not drop the caller's own client, nor leave nobody
// with scope mfpadmin (KindConflict), and a caller without mfpadmin may
// not create, change or remove a client allowed more than itself
// (KindForbidden). The checks hold for what is stored: they run in the
// store's update transaction.
func (s *Service) ReplaceClients(ctx context.Context, runtime string, c Caller, list []api.Client) error {
	return s.EditClients(ctx, runtime, c, func([]store.Client) ([]api.Client, error) { return list, nil })
}

// EditClients replaces the client list of runtime with what edit makes of
// the current one, under the policy of ReplaceClients. edit runs in the
// store's update transaction, on the list as stored then: a change that
// another operator or process made since the caller read the list is
// kept, not overwritten (a console page edits one client, not the list
// it showed). An error of edit changes nothing and is returned.
func (s *Service) EditClients(ctx context.Context, runtime string, c Caller, edit func(current []store.Client) ([]api.Client, error)) error {
	err := s.store.UpdateClients(ctx, runtime, func(current []store.Client) ([]store.Client, error) {
		list, err := edit(current)
		if err != nil {
			return nil, err
		}
		return s.replaceClients(c, current, list)
	})
	if err == nil && s.listener.Clients != nil {
		s.listener.Clients(runtime)
	}
	return err
}

// replaceClients builds the new client list from the request and checks it
// against the current one.
func (s *Service) replaceClients(c Caller, current []store.Client, list []api.Client) ([]store.Client, error) {
	var next []store.Client
	for i, cl := range list {
		sc, err := s.newClient(cl, i, current, next)
		if err != nil {
			return nil, err
		}
		next = append(next, sc)
	}
	if err := checkNoLockout(next, c.ID); err != nil {
		return nil, err
	}
	return next, checkNoEscalation(c, current, next)
}

func (s *Service) newClient(c api.Client, i int, current, seen []store.Client) (store.Client, error) {
	field := func(name string) string { return "/clients/" + strconv.Itoa(i) + "/" + name }
	if !ValidClientID(c.ID) {
		return store.Client{}, config.Errorf(config.KindInvalid, "%s: a client id is 1 to 128 visible characters without ':', '%%' or '+' (HTTP Basic and its form encoding give them meaning)", field("id"))
	}
	if slices.ContainsFunc(seen, func(s store.Client) bool { return s.ID == c.ID }) {
		return store.Client{}, config.Errorf(config.KindInvalid, "%s: client %s is listed twice", field("id"), QuoteName(c.ID))
	}
	scope, err := config.ParseScope(c.AllowedScope)
	if err != nil {
		return store.Client{}, config.Errorf(config.KindInvalid, "%s: %v", field("allowedScope"), err)
	}
	out := store.Client{ID: c.ID, DisplayName: c.DisplayName, AllowedScope: scope}
	if c.Secret == "" {
		i := slices.IndexFunc(current, func(s store.Client) bool { return s.ID == c.ID })
		if i < 0 {
			return store.Client{}, config.Errorf(config.KindInvalid, "%s: new client %s needs a secret", field("secret"), QuoteName(c.ID))
		}
		out.SecretHash, out.SecretSetAt = current[i].SecretHash, current[i].SecretSetAt
		return out, nil
	}
	if err := CheckSecretLength(c.Secret, s.minSecret); err != nil {
		return store.Client{}, config.Errorf(config.KindInvalid, "%s: the secret of client %s %v", field("secret"), QuoteName(c.ID), err)
	}
	if out.SecretHash, err = s.secrets.Hash(c.Secret); err != nil {
		return store.Client{}, config.Errorf(config.KindInvalid, "%s: client %s: %v", field("secret"), QuoteName(c.ID), err)
	}
	out.SecretSetAt = time.Now()
	return out, nil
}

// checkNoEscalation keeps a caller without mfpadmin from creating,
// changing or removing any client that may do more than the caller: such
// a client's allowed scope must be covered by the caller's own (a
// wildcard only by the very same pattern).
func checkNoEscalation(c Caller, current, next []store.Client) error {
	if c.Has(adminRole) {
		return nil
	}
	for _, cl := range changedClients(current, next) {
		for _, e := range cl.AllowedScope {
			if !c.Has(e) || (strings.Contains(e, "*") && !c.Scope.Contains(e)) {
				return config.Errorf(config.KindForbidden, "client %s would be allowed %q, which the caller %s is not; only mfpadmin may grant more than it has",
					QuoteName(cl.ID), e, QuoteName(c.ID))
			}
		}
	}
	return nil
}

// changedClients lists the clients that differ between two lists: added,
// removed, or with another scope or secret (old and new versions both).
func changedClients(before, after []store.Client) []store.Client {
	var out []store.Client
	same := func(a, b store.Client) bool {
		return a.SecretHash == b.SecretHash && a.AllowedScope.String() == b.AllowedScope.String() && a.DisplayName == b.DisplayName
	}
	for _, a := range after {
		i := slices.IndexFunc(before, func(b store.Client) bool { return b.ID == a.ID })
		if i < 0 || !same(before[i], a) {
			out = append(out, a)
		}
		if i >= 0 && !same(before[i], a) {
			out = append(out, before[i])
		}
	}
	for _, b := range before {
		if !slices.ContainsFunc(after, func(a store.Client) bool { return a.ID == b.ID }) {
			out = append(out, b)
		}
	}
	return out
}

// ValidClientID reports whether id can name a client: 1 to 128 visible
// characters of valid UTF-8, without what HTTP Basic cannot carry.
func ValidClientID(id string) bool {
	return id != "" && len(id) <= 128 && utf8.ValidString(id) && !strings.ContainsFunc(id, badIDRune)
}

// badIDRune rejects what HTTP Basic cannot carry in a client id (':'),
// and what its form encoding would change ('%', '+').
func badIDRune(r rune) bool {
	return r == ':' || r == '%' || r == '+' || !unicode.IsGraphic(r) || unicode.IsSpace(r)
}

func checkNoLockout(clients []store.Client, callerID string) error {
	if !slices.ContainsFunc(clients, func(c store.Client) bool { return c.ID == callerID }) {
		return config.Errorf(config.KindConflict, "the list drops client %s, which this request is using", QuoteName(callerID))
	}
	if !slices.ContainsFunc(clients, func(c store.Client) bool { return c.AllowedScope.AllowsRole(adminRole) }) {
		return config.Errorf(config.KindConflict, "the list leaves no client with scope mfpadmin; nobody could administer the server")
	}
	return nil
}

// QuoteName quotes a name from a request for a message, cut to 64 bytes.
func QuoteName(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}

// Role is a MobileFirst administration role; each includes the ones
// below it.
type Role int

// The administration roles, weakest first.
const (
	RoleMonitor  Role = iota // read-only
	RoleOperator             // applications
	RoleDeployer             // applications and confidential clients
	RoleAdmin                // everything
)

// Scope is the role's scope element (config.AdminRoles).
func (r Role) Scope() string { return config.AdminRoles[len(config.AdminRoles)-1-int(r)] }

// Role returns the strongest role the caller holds, and whether it holds
// any.
func (c Caller) Role() (Role, bool) {
	for r := RoleAdmin; r >= RoleMonitor; r-- {
		if c.Has(r.Scope()) {
			return r, true
		}
	}
	return RoleMonitor, false
}
