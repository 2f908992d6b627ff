package config

import (
	"maps"
	"slices"
	"strconv"
)

// CheckCatalog maps the name of each security check a runtime knows to its
// default properties: what a check uses when the descriptor's
// securityCheckConfigurations do not override them.
type CheckCatalog map[string]Properties

// The built-in security checks of a scoped runtime.
const (
	CheckAppAuthenticity = "appAuthenticity"
	CheckUserLogin       = "UserLogin"
	CheckPinCode         = "PinCodeAttempts"
)

// BuiltinChecks are the security checks every scoped runtime provides, with
// the platform's defaults.
var BuiltinChecks = CheckCatalog{
	CheckAppAuthenticity: {"expirationSec": int64(3600)},
	CheckUserLogin: {
		"maxAttempts": int64(1), "attemptingStateExpirationSec": int64(120),
		"successStateExpirationSec": int64(3600), "blockedStateExpirationSec": int64(60),
		"rememberMeDurationSec": int64(0),
	},
	CheckPinCode: {
		"maxAttempts": int64(3), "attemptingStateExpirationSec": int64(120),
		"successStateExpirationSec": int64(60), "blockedStateExpirationSec": int64(60),
	},
}

// Names returns the catalog's check names, sorted.
func (c CheckCatalog) Names() []string { return slices.Sorted(maps.Keys(c)) }

// Resolution is what a scope means for one application: the elements asked
// for and the checks they lead to, each check's effective properties, and
// the lifetime of a token granted for that scope.
type Resolution struct {
	Scope    Scope             `json:"scope"`    // the scope asked for; a token carries it, without the mandatory scope
	Elements []ResolvedElement `json:"elements"` // the elements asked for, then those of mandatoryScope
	Checks   []ResolvedCheck   `json:"checks"`   // every check that runs, sorted by name
	Lifetime TokenLifetime     `json:"tokenLifetime"`
}

// ResolvedElement is one scope element and the checks it maps to.
type ResolvedElement struct {
	Name      string `json:"name"`
	Checks    Scope  `json:"checks"`    // the checks it maps to; empty for a mapping to ""
	Mapped    bool   `json:"mapped"`    // scopeElementMapping names it; otherwise it is a check of its own name
	Mandatory bool   `json:"mandatory"` // it comes from mandatoryScope
}

// ResolvedCheck is one security check that runs for a scope.
type ResolvedCheck struct {
	Name       string             `json:"name"`
	Known      bool               `json:"known"`      // the catalog has it
	Elements   []string           `json:"elements"`   // the elements that lead to it, mandatory ones included
	Properties []ResolvedProperty `json:"properties"` // its effective properties, sorted by name
}

// ResolvedProperty is one effective property of a check.
type ResolvedProperty struct {
	Name       string `json:"name"`
	Value      any    `json:"value"`      // string, int64 or bool
	Configured bool   `json:"configured"` // set by securityCheckConfigurations, not a default
}

// TokenLifetime is how long a token granted for a scope lives, in seconds,
// and which value caps it: maxTokenExpiration, or the success-state
// expiration of a check (CappedBy names the check and Property its
// property).
type TokenLifetime struct {
	Seconds  int64  `json:"seconds"`
	CappedBy string `json:"cappedBy,omitempty"` // "" when maxTokenExpiration caps it
	Property string `json:"property,omitempty"`
}

// Resolve resolves scope for the application d describes: each element maps
// through scopeElementMapping (an element without a mapping is a check of
// the same name; a mapping to "" is no check), the elements of
// mandatoryScope are added, and the token lifetime is the smallest of the
// success-state expirations of the checks that run and maxTokenExpiration.
// It is the one rule the runtime, `app explain` and lint share.
func Resolve(d *Descriptor, scope Scope, catalog CheckCatalog) Resolution {
	r := Resolution{Scope: scope}
	for _, e := range scope {
		r.Elements = append(r.Elements, resolveElement(d, e, false))
	}
	for _, e := range d.MandatoryScope {
		r.Elements = append(r.Elements, resolveElement(d, e, true))
	}
	r.Checks = resolveChecks(d, r.Elements, catalog)
	r.Lifetime = lifetime(r.Checks, d.EffectiveMaxTokenExpiration())
	return r
}

func resolveElement(d *Descriptor, name string, mandatory bool) ResolvedElement {
	checks, mapped := d.ScopeElementMapping[name]
	if !mapped {
		checks = Scope{name}
	}
	return ResolvedElement{Name: name, Checks: checks, Mapped: mapped, Mandatory: mandatory}
}

func resolveChecks(d *Descriptor, elems []ResolvedElement, catalog CheckCatalog) []ResolvedCheck {
	byName := map[string]*ResolvedCheck{}
	for _, e := range elems {
		for _, name := range e.Checks {
			c := byName[name]
			if c == nil {
				defaults, known := catalog[name]
				c = &ResolvedCheck{Name: name, Known: known,
					Properties: effectiveProperties(defaults, d.SecurityCheckConfigurations[name])}
				byName[name] = c
			}
			if !slices.Contains(c.Elements, e.Name) {
				c.Elements = append(c.Elements, e.Name)
			}
		}
	}
	checks := make([]ResolvedCheck, 0, len(byName))
	for _, name := range slices.Sorted(maps.Keys(byName)) {
		checks = append(checks, *byName[name])
	}
	return checks
}

func effectiveProperties(defaults, configured Properties) []ResolvedProperty {
	names := slices.Sorted(maps.Keys(defaults))
	for name := range configured {
		if _, ok := defaults[name]; !ok {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	props := make([]ResolvedProperty, 0, len(names))
	for _, name := range names {
		v, set := configured[name]
		if !set {
			v = defaults[name]
		}
		props = append(props, ResolvedProperty{Name: name, Value: v, Configured: set})
	}
	return props
}

// Effective returns c's effective properties as a map.
func (c ResolvedCheck) Effective() Properties {
	props := make(Properties, len(c.Properties))
	for _, p := range c.Properties {
		props[p.Name] = p.Value
	}
	return props
}

// SuccessExpiration returns how long a success of c lasts, in seconds,
// and the property that says so: successStateExpirationSec, or
// expirationSec for checks such as appAuthenticity. ok is false when c has
// neither as a usable whole number.
func (c ResolvedCheck) SuccessExpiration() (seconds int64, property string, ok bool) {
	props := c.Effective()
	for _, name := range expirationProperties {
		if n, ok := props.Int(name); ok {
			return n, name, true
		}
	}
	return 0, "", false
}

func lifetime(checks []ResolvedCheck, maxExp int64) TokenLifetime {
	lt := TokenLifetime{Seconds: maxExp}
	for _, c := range checks {
		if n, prop, ok := c.SuccessExpiration(); ok && n < lt.Seconds {
			lt = TokenLifetime{Seconds: n, CappedBy: c.Name, Property: prop}
		}
	}
	return lt
}

// Int returns the property name as a whole number ≥ 0: an int64, or a
// string of digits as a file may hold it. ok is false when it is absent or
// anything else.
func (p Properties) Int(name string) (int64, bool) {
	switch v := p[name].(type) {
	case int64:
		return v, v >= 0
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil && isDigits(v)
	}
	return 0, false
}

// Bool returns the property name as a boolean: a bool, or "true"/"false".
func (p Properties) Bool(name string) (value, ok bool) {
	switch v := p[name].(type) {
	case bool:
		return v, true
	case string:
		b, err := strconv.ParseBool(v)
		return b, err == nil && (v == "true" || v == "false")
	}
	return false, false
}
