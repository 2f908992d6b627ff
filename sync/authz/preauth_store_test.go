package authz_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/authz"
	"github.com/scopectl/scopectl/sync/authz/authztest"
	"github.com/scopectl/scopectl/sync/store/sqlite"
)

var bank = config.AppKey{ID: "com.acme.bank", Platform: config.PlatformAndroid, Version: "1.0"}

// oneApp is the bank application, its scope elements mapped to checks.
type oneApp map[string]config.Scope

func (a oneApp) Descriptor(_ context.Context, _ string, key config.AppKey) (*config.Descriptor, error) {
	if key != bank {
		return nil, config.Errorf(config.KindNotFound, "no application %s", key)
	}
	return &config.Descriptor{ApplicationKey: bank, ScopeElementMapping: a}, nil
}

// passing is a check that passes at once, for a minute, and keeps a
// success that stands.
type passing struct{}

func (passing) Evaluate(_ context.Context, in authz.Input) (authz.Outcome, error) {
	if in.State.State == authz.StateSuccess {
		return authz.Outcome{State: in.State}, nil
	}
	return authz.Outcome{State: authz.CheckState{State: authz.StateSuccess, Expires: in.Now.Add(time.Minute)}}, nil
}

// gate is a check that says it entered, then waits until release is
// closed and passes: a check as slow as the test wants.
type gate struct{ entered, release chan struct{} }

func (g gate) Evaluate(ctx context.Context, in authz.Input) (authz.Outcome, error) {
	g.entered <- struct{}{}
	<-g.release
	return passing{}.Evaluate(ctx, in)
}

// sqliteRuntime is runtime mfp on a new SQLite store, with the bank
// application whose scope "free" maps to a check that passes at once,
// "pin" to PinCodeAttempts (at the default bcrypt cost) and "gated" to
// gated, when not nil.
func sqliteRuntime(t testing.TB, gated authz.Check) *authz.Runtime {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "scoped.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	apps := oneApp{"free": {"Free"}, "pin": {config.CheckPinCode}, "gated": {"Gated"}}
	checks := authz.BuiltinChecks(authz.Deps{Applications: apps})
	checks.Register("Free", passing{}, config.Properties{"successStateExpirationSec": int64(60)})
	if gated != nil {
		checks.Register("Gated", gated, config.Properties{"successStateExpirationSec": int64(60)})
	}
	return &authz.Runtime{Name: "mfp", Store: st, Apps: apps, Checks: checks}
}

const audience = "https://scoped.example"

// client is a registered instance of the bank application.
func client(t testing.TB, rt *authz.Runtime) *authztest.Device {
	dev, err := register(rt)
	if err != nil {
		t.Fatal(err)
	}
	return dev
}

// register registers a new instance of the bank application.
func register(rt *authz.Runtime) (*authztest.Device, error) {
	dev := authztest.NewDevice(bank)
	c, err := rt.Register(context.Background(), dev.Registration())
	dev.ID = c.ID
	return dev, err
}

// preauthorize runs the checks of scope for dev with responses.
func preauthorize(rt *authz.Runtime, dev *authztest.Device, scope string, responses map[string]map[string]any) (authz.Preauthorization, error) {
	return rt.Preauthorize(context.Background(), authz.PreauthRequest{
		Assertion: dev.Assertion(audience, time.Now()), Audience: audience, Scope: config.NewScope(scope), Responses: responses,
	})
}

// TestSlowCheckHoldsNoWriteLock: while a check of one client is running
// (a PIN's bcrypt, here a check that waits), another client's
// preauthorization is stored at once. On SQLite, whose writes take turns,
// it waited for the slow check, up to the busy timeout (10 s), then failed.
func TestSlowCheckHoldsNoWriteLock(t *testing.T) {
	g := gate{entered: make(chan struct{}, 1), release: make(chan struct{})}
	rt := sqliteRuntime(t, g)
	slow, other := client(t, rt), client(t, rt)
	done := make(chan error)
	go func() {
		p, err := preauthorize(rt, slow, "gated", nil)
		if err == nil && !p.Passed() {
			err = config.Errorf(config.KindInternal, "the gated check did not pass: %+v", p)
		}
		done <- err
	}()
	<-g.entered
	start := time.Now()
	p, err := preauthorize(rt, other, "free", nil)
	if err != nil || !p.Passed() {
		t.Errorf("another client, while a check runs: %+v, %v", p, err)
	}
	t.Logf("another client's preauthorization took %v while a check was running", time.Since(start))
	close(g.release)
	if err := <-done; err != nil {
		t.Error(err)
	}
}

// BenchmarkWriteDuringEnrolments measures another client's
// preauthorization (a write, no bcrypt) on SQLite while two goroutines
// enrol PINs at bcrypt.DefaultCost for fresh clients without pause, and
// the slowest of those writes (max-ms).
//
//	go test -run NONE -bench WriteDuringEnrolments ./sync/authz/
func BenchmarkWriteDuringEnrolments(b *testing.B) {
	rt := sqliteRuntime(b, nil)
	other := client(b, rt)
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if dev, err := register(rt); err == nil {
					_, _ = preauthorize(rt, dev, "pin", map[string]map[string]any{config.CheckPinCode: {"pin": "1234"}})
				}
			}
		}()
	}
	var slowest time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if p, err := preauthorize(rt, other, "free", nil); err != nil || !p.Passed() {
			b.Fatal(p, err)
		}
		slowest = max(slowest, time.Since(start))
	}
	b.StopTimer()
	b.ReportMetric(float64(slowest.Milliseconds()), "max-ms")
	stop()
	wg.Wait()
}
