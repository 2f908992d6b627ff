package config

import "slices"

// AdminRoles are the MobileFirst administration roles, as scope elements,
// most powerful first; each role includes every role after it:
// mfpadmin (everything), mfpdeployer (applications and clients),
// mfpoperator (applications), mfpmonitor (read-only).
var AdminRoles = []string{"mfpadmin", "mfpdeployer", "mfpoperator", "mfpmonitor"}

// AllowsRole reports whether a scope (granted or allowed, wildcards
// included) holds role or a role that includes it.
func (sc Scope) AllowsRole(role string) bool {
	i := slices.Index(AdminRoles, role)
	if i < 0 {
		return sc.Allows(role)
	}
	for _, r := range AdminRoles[:i+1] {
		if sc.Allows(r) {
			return true
		}
	}
	return false
}
