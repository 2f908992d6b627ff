package authz

import (
	"maps"

	"golang.org/x/crypto/bcrypt"

	"github.com/scopectl/scopectl/config"
)

// Deps are what the built-in checks need from the runtime.
type Deps struct {
	// Applications answers the application-authenticity check; required.
	Applications Applications
	// Users is the registry of the user-login check; without one, the
	// runtime has no UserLogin check (a scope mapped to it is refused at
	// apply time, as any unknown check).
	Users UserRegistry
	// BcryptCost is the cost of the PIN hashes the PIN-code check stores;
	// 0 means bcrypt.DefaultCost (tests use bcrypt.MinCost).
	BcryptCost int
}

// BuiltinChecks returns the built-in security checks, under the names and
// with the defaults of config.BuiltinChecks: appAuthenticity,
// PinCodeAttempts, and UserLogin when deps has a user registry.
func BuiltinChecks(deps Deps) *Checks {
	cost := deps.BcryptCost
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	checks := NewChecks()
	register := func(name string, check func(defaults config.Properties) Check) {
		defaults := maps.Clone(config.BuiltinChecks[name])
		checks.Register(name, check(defaults), defaults)
	}
	register(config.CheckAppAuthenticity, func(d config.Properties) Check {
		return &appAuthenticity{apps: deps.Applications, defaults: d}
	})
	register(config.CheckPinCode, func(d config.Properties) Check {
		return &pinCode{cost: cost, defaults: d}
	})
	if deps.Users != nil {
		register(config.CheckUserLogin, func(d config.Properties) Check {
			return &userLogin{users: deps.Users, defaults: d, limit: newFailureLimiter()}
		})
	}
	return checks
}
