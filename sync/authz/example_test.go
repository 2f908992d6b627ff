package authz_test

import (
	"context"
	"fmt"
	"time"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/authz"
)

type deviceOS struct{}

// Evaluate passes clients whose device runs a known OS; it never challenges.
func (deviceOS) Evaluate(ctx context.Context, in authz.Input) (authz.Outcome, error) {
	if in.Client.Device.OS == "" {
		return authz.Outcome{Failure: map[string]any{"reason": "unknown operating system"}}, nil
	}
	expires, _ := in.Properties.Int("successStateExpirationSec")
	return authz.Outcome{State: authz.CheckState{State: authz.StateSuccess, Expires: in.Now.Add(time.Duration(expires) * time.Second)}}, nil
}

// A check of your own: registered under a name with its defaults, it is
// resolved like a built-in (docs/runtime.md, "Adding a check in Go").
func ExampleChecks_Register() {
	checks := authz.NewChecks()
	checks.Register("DeviceOS", deviceOS{}, config.Properties{"successStateExpirationSec": int64(600)})

	d := &config.Descriptor{ScopeElementMapping: map[string]config.Scope{"trusted": {"DeviceOS"}}}
	r := config.Resolve(d, config.NewScope("trusted"), checks.Catalog())
	check, _ := checks.Lookup(r.Checks[0].Name)
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	out, _ := check.Evaluate(context.Background(), authz.Input{
		Client: authz.Client{Device: authz.Device{OS: "android 15"}}, Properties: r.Checks[0].Effective(), Now: now,
	})
	fmt.Println(r.Checks[0].Name, out.State.State, out.State.Expires.Sub(now), r.Lifetime.Seconds)
	// Output: DeviceOS success 10m0s 600
}
