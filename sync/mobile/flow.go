package mobile

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/client"
)

// Answerer answers the challenge of a security check; an error stops the
// flow.
type Answerer func(check string, challenge map[string]any) (map[string]any, error)

// maxRounds bounds the preauthorization rounds of one Obtain.
const maxRounds = 10

// Obtain runs the checks of scope, answering each challenge with answer,
// until all have passed, then gets a token with the JWT authorization
// grant. A check that fails (blocked,
// unknown to the runtime) is a KindForbidden error that names it and why.
func (c *Client) Obtain(ctx context.Context, scope string, answer Answerer) (Token, error) {
	var responses map[string]map[string]any
	for round := 0; round < maxRounds; round++ {
		p, err := c.Preauthorize(ctx, scope, responses)
		if err != nil {
			return Token{}, err
		}
		if len(p.Failures) > 0 {
			return Token{}, config.Errorf(config.KindForbidden, "%s", describeFailures(p.Failures))
		}
		if len(p.Challenges) == 0 {
			return c.Grant(ctx, scope)
		}
		responses = map[string]map[string]any{}
		for _, check := range slices.Sorted(maps.Keys(p.Challenges)) {
			if responses[check], err = answer(check, p.Challenges[check]); err != nil {
				return Token{}, err
			}
		}
	}
	return Token{}, config.Errorf(config.KindForbidden, "the checks still challenge after %d answers", maxRounds)
}

// describeFailures says which checks failed and why, one per line.
func describeFailures(failures map[string]map[string]any) string {
	var lines []string
	for _, check := range slices.Sorted(maps.Keys(failures)) {
		f := failures[check]
		line := fmt.Sprintf("security check %s failed", check)
		if reason, ok := f["reason"].(string); ok {
			line += ": " + client.Printable(reason)
		}
		if until, ok := f["blockedUntil"].(string); ok {
			line += " (blocked until " + client.Printable(until) + ")"
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "; ")
}
