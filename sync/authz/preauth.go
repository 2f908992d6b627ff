package authz

import (
	"context"
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
// the mandatory scope's included, in one transaction of the client's check
// states that also spends the assertion's jti.
func (rt *Runtime) Preauthorize(ctx context.Context, req PreauthRequest) (Preauthorization, error) {
	c, jti, err := rt.verify(ctx, req.Assertion, req.Audience)
	if err != nil {
		return Preauthorization{}, err
	}
	d, err := rt.descriptor(ctx, c.App)
	if err != nil {
		return Preauthorization{}, err
	}
	checks := rt.resolve(d, req.Scope).Checks
	var p Preauthorization
	err = rt.Store.UpdateCheckStates(ctx, rt.Name, c.ID, func(states map[string]CheckState) (map[string]CheckState, error) {
		p = Preauthorization{}
		return rt.runChecks(ctx, c, checks, states, req.Responses, &p)
	}, jti)
	return p, replayed(err)
}

// runChecks evaluates each check and records its outcome in p, returning
// the new states.
func (rt *Runtime) runChecks(ctx context.Context, c Client, checks []config.ResolvedCheck, states map[string]CheckState, responses map[string]map[string]any, p *Preauthorization) (map[string]CheckState, error) {
	now := rt.now()
	next := make(map[string]CheckState, len(states)+len(checks))
	for name, s := range states {
		next[name] = s
	}
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
