package authz

import (
	"context"
	"errors"
	"fmt"

	"github.com/scopectl/scopectl/config"
)

// appAuthenticity is the predefined application-authenticity check
// (config.CheckAppAuthenticity): a client passes when the application it
// registered with is registered and enabled on its runtime. It never
// challenges. The application is asked for at every evaluation, so that a
// deleted or disabled application fails even while an earlier success
// lasts (within DescriptorTTL behind a DescriptorCache); a success lasts
// expirationSec.
type appAuthenticity struct {
	apps     Applications
	defaults config.Properties
}

// Evaluate passes a client of a registered, enabled application and fails
// any other, with the reason.
func (c *appAuthenticity) Evaluate(ctx context.Context, in Input) (Outcome, error) {
	_, err := c.apps.Descriptor(ctx, in.Client.Runtime, in.Client.App)
	if isRefusal(err) {
		return Outcome{State: CheckState{}, Failure: map[string]any{"reason": refusal(in.Client, err)}}, nil
	}
	if err != nil {
		return Outcome{}, fmt.Errorf("application authenticity of %s: %w", in.Client.App, err)
	}
	s := in.State.Current(in.Now)
	if s.State == StateSuccess {
		return Outcome{State: s}, nil
	}
	exp := seconds(in.Properties, c.defaults, "expirationSec")
	return Outcome{State: CheckState{State: StateSuccess, Expires: in.Now.Add(exp)}}, nil
}

// refusal is the reason appAuthenticity fails a client whose application
// is refused: a disabled one's message, or that it is not registered.
func refusal(c Client, err error) string {
	if errors.Is(err, ErrDisabledApplication) {
		return err.Error()
	}
	return fmt.Sprintf("application %s is not registered on runtime %s", c.App, c.Runtime)
}
