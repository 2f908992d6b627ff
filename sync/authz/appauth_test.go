package authz

import (
	"context"
	"testing"
)

// TestAppAuthenticityDisabled: a disabled application fails the check at
// once, even while a success lasts, with the operator's message as the
// reason; it is no error of the runtime.
func TestAppAuthenticityDisabled(t *testing.T) {
	apps := &fakeApps{err: ApplicationDisabled("mfp", appOK, "Version retired: install 2.0")}
	check, _ := testChecks(t, apps).Lookup("appAuthenticity")
	in := Input{Client: Client{Runtime: "mfp", App: appOK}, State: CheckState{State: StateSuccess, Expires: at(3600)}, Now: t0}
	out, err := check.Evaluate(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	want := "application " + appOK.String() + " is disabled on runtime mfp: Version retired: install 2.0"
	if out.State.Passed(t0) || out.Failure["reason"] != want {
		t.Errorf("disabled application: %+v, want a failure with reason %q", out, want)
	}
}
