package config

import "slices"

// AdminRoles are the MobileFirst administration roles, as scope elements,
// most powerful first; each role includes every role after it:
// mfpadmin (everything), mfpdeployer (applications and clients),
// mfpoperator (applications), mfpmonitor (read-only).
var AdminRoles = []string{"mfpadmin", "mfpdeployer", "mfpoperator", "mfpmonitor"}

// AllowsRole reports whether an allowed scope, whose elements are
// patterns, permits role or a role that includes it.
func (sc Scope) AllowsRole(role string) bool { return holdsRole(sc.Allows, role) }

// HasRole reports whether a granted scope, whose elements are taken
// literally, holds role or a role that includes it. A granted "*" is just
// an element named "*".
func (sc Scope) HasRole(role string) bool { return holdsRole(sc.Contains, role) }

func holdsRole(has func(string) bool, role string) bool {
	i := slices.Index(AdminRoles, role)
	if i < 0 {
		return has(role)
	}
	return slices.ContainsFunc(AdminRoles[:i+1], has)
}

// AllowsAll reports whether an allowed scope permits every element of
// other (roles including the roles below them), and returns the first
// element it does not permit.
func (sc Scope) AllowsAll(other Scope) (string, bool) {
	for _, e := range other {
		if !sc.AllowsRole(e) {
			return e, false
		}
	}
	return "", true
}
