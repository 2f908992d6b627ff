package authz

import (
	"context"
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
	ok := err == nil
	if config.ErrorKind(err) == config.KindNotFound {
		err = nil
	}
	if err != nil {
		return Outcome{}, fmt.Errorf("application authenticity of %s: %w", in.Client.App, err)
	}
	s := in.State.Current(in.Now)
	if !ok {
		reason := fmt.Sprintf("application %s is not registered or is disabled on runtime %s", in.Client.App, in.Client.Runtime)
		return Outcome{State: CheckState{}, Failure: map[string]any{"reason": reason}}, nil
	}
	if s.State == StateSuccess {
		return Outcome{State: s}, nil
	}
	exp := seconds(in.Properties, c.defaults, "expirationSec")
	return Outcome{State: CheckState{State: StateSuccess, Expires: in.Now.Add(exp)}}, nil
}
