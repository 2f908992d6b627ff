package authz

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/api"
)

// State is where a security check stands for one client.
type State string

// The states of a security check, as the platform's: a client is asked
// for credentials (attempting), has passed (success, until Expires), or has
// failed too often (blocked, until Expires).
const (
	StateNone       State = ""
	StateAttempting State = "attempting"
	StateSuccess    State = "success"
	StateBlocked    State = "blocked"
)

// CheckState is the state of one security check for one client, as
// stored between requests.
type CheckState struct {
	State   State     `json:"state"`
	Expires time.Time `json:"expires"` // when State ends; zero for StateNone
	// Attempts counts the failed attempts since the check last started
	// attempting.
	Attempts int `json:"attempts,omitempty"`
	// User is the user a user-login check authenticated.
	User string `json:"user,omitempty"`
	// RememberUntil is when a remembered login ends (rememberMeDurationSec).
	RememberUntil time.Time `json:"rememberUntil,omitempty"`
	// PinHash is the bcrypt hash of the PIN a client enrolled with a
	// PIN-code check (never the PIN itself).
	PinHash string `json:"pinHash,omitempty"`
}

// Current returns s as it stands at now: a success or a block that has
// expired is StateNone again (an expired attempting state starts over).
// What outlives a state stays: the remembered user and the enrolled PIN.
func (s CheckState) Current(now time.Time) CheckState {
	if s.State != StateNone && !now.Before(s.Expires) {
		return CheckState{User: s.User, RememberUntil: s.RememberUntil, PinHash: s.PinHash}
	}
	return s
}

// equal reports whether s and o are the same state, times compared as
// instants.
func (s CheckState) equal(o CheckState) bool {
	return s.State == o.State && s.Expires.Equal(o.Expires) && s.Attempts == o.Attempts && s.User == o.User &&
		s.RememberUntil.Equal(o.RememberUntil) && s.PinHash == o.PinHash
}

// Passed reports whether the check has succeeded and the success lasts at
// now.
func (s CheckState) Passed(now time.Time) bool {
	return s.Current(now).State == StateSuccess
}

// Input is what a security check evaluates for one client in one request.
type Input struct {
	Client     Client
	Properties config.Properties // the check's effective properties (config.ResolvedCheck.Effective)
	State      CheckState        // the stored state, already Current at Now
	// Response is the client's answer to this check's challenge, nil when
	// it sent none.
	Response map[string]any
	Now      time.Time
}

// Outcome is what a security check decided: its new state and, when it has
// not passed, the challenge to send (the client must answer it) or the
// failure to report (it cannot pass now, e.g. blocked).
type Outcome struct {
	State     CheckState
	Challenge map[string]any // nil unless the client must answer
	Failure   map[string]any // nil unless the check failed for good
}

// Check is a security check: server-side logic that a client must pass to
// obtain a token for a scope that maps to it. A Check holds no per-client
// data: the state it needs comes in Input and goes out in Outcome, so any
// instance of scoped can evaluate any request.
type Check interface {
	// Evaluate runs the check: with no response it either passes (a state
	// still in success) or challenges; with a response it validates it.
	Evaluate(ctx context.Context, in Input) (Outcome, error)
}

// Checks are the security checks a runtime knows, by name, and their
// default properties.
type Checks struct {
	byName   map[string]Check
	defaults config.CheckCatalog
	types    map[string]string // name → the built-in check it is an instance of
}

// NewChecks returns an empty set of checks.
func NewChecks() *Checks {
	return &Checks{byName: map[string]Check{}, defaults: config.CheckCatalog{}, types: map[string]string{}}
}

// Register adds check under name with its default properties.
func (c *Checks) Register(name string, check Check, defaults config.Properties) {
	c.byName[name] = check
	c.defaults[name] = defaults
	c.types[name] = name
}

// Alias declares a custom check name that runs the registered check of,
// with its defaults and a state of its own (as the platform's custom
// checks extend a built-in class): scoped --security-check NAME=TYPE.
func (c *Checks) Alias(name, of string) error {
	if _, taken := c.byName[name]; taken {
		return config.Errorf(config.KindInvalid, "security check %q exists already", name)
	}
	if elems, err := config.ScopeElements(name); err != nil || len(elems) != 1 {
		return config.Errorf(config.KindInvalid, "security check name %q must be one scope element", name)
	}
	check, ok := c.byName[of]
	if !ok || c.types[of] != of {
		return config.Errorf(config.KindInvalid, "unknown security check type %q; the types are %s", of, strings.Join(c.builtins(), ", "))
	}
	c.byName[name], c.defaults[name], c.types[name] = check, maps.Clone(c.defaults[of]), of
	return nil
}

func (c *Checks) builtins() []string {
	var names []string
	for name, typ := range c.types {
		if name == typ {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// Lookup returns the check registered under name.
func (c *Checks) Lookup(name string) (Check, bool) {
	check, ok := c.byName[name]
	return check, ok
}

// Catalog returns the registered checks' names and defaults, for
// config.Resolve and for the list scoped publishes.
func (c *Checks) Catalog() config.CheckCatalog { return c.defaults }

// List returns every check, sorted by name, as scoped publishes them.
func (c *Checks) List() []api.SecurityCheck {
	list := make([]api.SecurityCheck, 0, len(c.byName))
	for _, name := range c.defaults.Names() {
		list = append(list, api.SecurityCheck{Name: name, Type: c.types[name], Defaults: c.defaults[name]})
	}
	return list
}
