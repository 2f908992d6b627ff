package authz

import (
	"context"
	"errors"
	"time"

	"github.com/scopectl/scopectl/config"
)

// Preauthorization is the result of running the checks of a scope for a
// client: the checks that passed (until when), those that challenge the
// client, and those that failed (blocked, or unknown to this runtime).
type Preauthorization struct {
	Successes  map[string]Success        `json:"successes,omitempty"`
	Challenges map[string]map[string]any `json:"challenges,omitempty"`
	Failures   map[string]map[string]any `json:"failures,omitempty"`
}

// Success is a passed check and when its success ends.
type Success struct {
	ExpiresAt time.Time `json:"expiresAt"`
}

// Passed reports whether every check passed.
func (p Preauthorization) Passed() bool { return len(p.Challenges) == 0 && len(p.Failures) == 0 }

// PreauthRequest asks to run the checks of Scope for the client that
// signed Assertion, with its answers to earlier challenges.
type PreauthRequest struct {
	Assertion string
	Audience  string // the runtime's issuer URL, the assertion's aud
	Scope     config.Scope
	// Responses are the client's answers to challenges, by check name.
	Responses map[string]map[string]any
}

// Preauthorize resolves the scope through the head revision of the
// client's application (config.Resolve) and runs every check it leads to,
// the mandatory scope's included. The assertion's jti is spent first, so
// a replayed assertion runs no check. The checks run outside any
// transaction (a PIN or a password costs tens of milliseconds of bcrypt,
// which must not hold a database's write lock); their new states are then
// stored only if they differ from the states they ran from and those are
// still the stored ones. Otherwise another request of the client came
// first and the checks run again from its states, at most maxEvaluations
// times: two racing requests never both spend the same remaining attempt.
func (rt *Runtime) Preauthorize(ctx context.Context, req PreauthRequest) (Preauthorization, error) {
	c, states, err := rt.authenticate(ctx, req.Assertion, req.Audience)
	if err != nil {
		return Preauthorization{}, err
	}
	d, err := rt.descriptor(ctx, c.App)
	if err != nil {
		return Preauthorization{}, err
	}
	p, _, err := rt.run(ctx, c, rt.resolve(d, req.Scope).Checks, req.Responses, states)
	return p, err
}

// run evaluates checks for c with responses as Preauthorize says, from
// the states read (as the store held them a moment ago) first, and
// returns what they decided and their states now.
func (rt *Runtime) run(ctx context.Context, c Client, checks []config.ResolvedCheck, responses map[string]map[string]any, read map[string]CheckState) (Preauthorization, map[string]CheckState, error) {
	for range maxEvaluations {
		p, states, err := rt.evaluate(ctx, c, checks, responses, read)
		if !errors.Is(err, errStatesChanged) {
			return p, states, err
		}
		read = nil // changed since: read them again
	}
	return Preauthorization{}, nil, config.Errorf(config.KindConflict,
		"other requests of client %s changed its security checks while this one ran them, %d times; try again", c.ID, maxEvaluations)
}

// maxEvaluations bounds how often one preauthorization runs its checks
// when other requests of the same client keep changing their states.
const maxEvaluations = 3

// errStatesChanged: the states a preauthorization ran its checks from are
// no longer the stored ones.
var errStatesChanged = errors.New("the check states changed")

// evaluate runs the checks from the client's states read (nil: from the
// store now), then stores their new states, unless the states they ran
// from changed meanwhile (errStatesChanged, nothing stored). When every
// check kept its state, as a success that lasts does, nothing is written.
func (rt *Runtime) evaluate(ctx context.Context, c Client, checks []config.ResolvedCheck, responses map[string]map[string]any, read map[string]CheckState) (Preauthorization, map[string]CheckState, error) {
	if read == nil {
		var err error
		if read, err = rt.Store.CheckStates(ctx, rt.Name, c.ID); err != nil {
			return Preauthorization{}, nil, err
		}
	}
	var p Preauthorization
	outcomes, err := rt.runChecks(ctx, c, checks, read, responses, &p)
	if err != nil || unchanged(read, outcomes) {
		return p, outcomes, err
	}
	err = rt.Store.UpdateCheckStates(ctx, rt.Name, c.ID, func(current map[string]CheckState) (map[string]CheckState, error) {
		return swapStates(read, current, outcomes)
	})
	return p, outcomes, err
}

// unchanged reports whether every state of outcomes is the one in read.
func unchanged(read, outcomes map[string]CheckState) bool {
	for name, s := range outcomes {
		if was, ok := read[name]; !ok || !was.equal(s) {
			return false
		}
	}
	return true
}

// swapStates returns current with the states of outcomes, or
// errStatesChanged when the state of one of their checks in current is not
// the one in read that it was computed from (compare-and-swap).
func swapStates(read, current, outcomes map[string]CheckState) (map[string]CheckState, error) {
	next := make(map[string]CheckState, len(current)+len(outcomes))
	for name, s := range current {
		next[name] = s
	}
	for name, s := range outcomes {
		was, wasStored := read[name]
		is, isStored := current[name]
		if wasStored != isStored || !was.equal(is) {
			return nil, errStatesChanged
		}
		next[name] = s
	}
	return next, nil
}

// runChecks evaluates each check from states and records its outcome in
// p, returning the new states of the checks it evaluated.
func (rt *Runtime) runChecks(ctx context.Context, c Client, checks []config.ResolvedCheck, states map[string]CheckState, responses map[string]map[string]any, p *Preauthorization) (map[string]CheckState, error) {
	now := rt.now()
	next := make(map[string]CheckState, len(checks))
	for _, rc := range checks {
		check, ok := rt.Checks.Lookup(rc.Name)
		if !ok {
			record(&p.Failures, rc.Name, map[string]any{"reason": "runtime " + rt.Name + " has no security check " + rc.Name})
			continue
		}
		out, err := check.Evaluate(ctx, Input{Client: c, Properties: rc.Effective(), State: states[rc.Name].Current(now), Response: responses[rc.Name], Now: now})
		if err != nil {
			return nil, err
		}
		next[rc.Name] = out.State
		switch {
		case out.Failure != nil:
			record(&p.Failures, rc.Name, out.Failure)
		case out.Challenge != nil:
			record(&p.Challenges, rc.Name, out.Challenge)
		case out.State.Passed(now):
			if p.Successes == nil {
				p.Successes = map[string]Success{}
			}
			p.Successes[rc.Name] = Success{ExpiresAt: out.State.Expires.UTC()}
		default: // a check that decided nothing has not passed
			record(&p.Failures, rc.Name, map[string]any{"reason": "the check did not decide"})
		}
	}
	return next, nil
}

func record(m *map[string]map[string]any, name string, v map[string]any) {
	if *m == nil {
		*m = map[string]map[string]any{}
	}
	(*m)[name] = v
}
