package admin_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/admin"
	"github.com/scopectl/scopectl/sync/api"
)

// TestDryRunStoresNothing: the service called directly, without HTTP, answers
// a dry run with the diff and stores no revision, for a new application and
// for a change to an existing one.
func TestDryRunStoresNothing(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	st, svc := e.st, e.svc
	src := bank(t)

	res, err := svc.Apply(ctx, admin.ApplyRequest{Runtime: "mfp", Body: src, DryRun: true, Author: "ci"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Response.DryRun || res.Created || len(res.Response.Diff) == 0 {
		t.Fatalf("dry run of a new application = %+v, want a dry run with a diff", res)
	}
	if _, err := st.Head(ctx, "mfp", bankKey); config.ErrorKind(err) != config.KindNotFound {
		t.Fatalf("after a dry run, Head = %v, want not found", err)
	}

	res, err = svc.Apply(ctx, admin.ApplyRequest{Runtime: "mfp", Body: src, Author: "ci"})
	if err != nil || !res.Created || res.Response.Application.Revision != 1 {
		t.Fatalf("apply = %+v, %v; want revision 1 created", res, err)
	}
	changed := bankWithMaxExp60(t)
	res, err = svc.Apply(ctx, admin.ApplyRequest{Runtime: "mfp", Body: changed, IfMatch: api.Revision(1), DryRun: true, Author: "ci"})
	if err != nil || res.Response.Unchanged || len(res.Response.Diff) != 1 {
		t.Fatalf("dry run of a change = %+v, %v; want one change", res, err)
	}
	revs, err := st.Revisions(ctx, "mfp", bankKey)
	if err != nil || len(revs) != 1 {
		t.Fatalf("after a dry run of a change, %d revisions (%v), want 1", len(revs), err)
	}
}

// TestDryRunShowsWhatApplyReports: a dry run answers the application and
// the changes that the apply of the same descriptor then reports, for a
// new application (both from the empty descriptor) and for a change to an
// existing one, with and without a precondition.
func TestDryRunShowsWhatApplyReports(t *testing.T) {
	ctx := context.Background()
	svc := newEnv(t).svc
	for _, step := range []struct {
		name    string
		body    []byte
		ifMatch api.Precondition
	}{
		{"new application", bank(t), api.Absent()},
		{"change", bankWithMaxExp60(t), api.Revision(1)},
		{"change back", bank(t), api.Any()},
	} {
		req := admin.ApplyRequest{Runtime: "mfp", Body: step.body, IfMatch: step.ifMatch, Author: "ci", DryRun: true}
		dry, err := svc.Apply(ctx, req)
		if err != nil {
			t.Fatalf("%s: dry run: %v", step.name, err)
		}
		req.DryRun = false
		applied, err := svc.Apply(ctx, req)
		if err != nil {
			t.Fatalf("%s: apply: %v", step.name, err)
		}
		d, a := dry.Response, applied.Response
		if d.Application.ID != a.Application.ID || d.Application.Platform != a.Application.Platform || d.Application.Version != a.Application.Version {
			t.Errorf("%s: the dry run answered application %+v, the apply %+v", step.name, d.Application, a.Application)
		}
		if len(a.Diff) == 0 || !reflect.DeepEqual(d.Diff, a.Diff) {
			t.Errorf("%s: the dry run answered\n%v\nthe apply reported\n%v", step.name, d.Diff, a.Diff)
		}
	}
}

// TestStalePrecondition: an If-Match that names an older revision is a
// KindStale error naming the current one, in a dry run and in an apply, and
// the apply stores nothing.
func TestStalePrecondition(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	st, svc := e.st, e.svc
	src := bank(t)
	if _, err := svc.Apply(ctx, admin.ApplyRequest{Runtime: "mfp", Body: src, Author: "ci"}); err != nil {
		t.Fatal(err)
	}
	changed := bankWithMaxExp60(t)
	for _, dryRun := range []bool{true, false} {
		_, err := svc.Apply(ctx, admin.ApplyRequest{Runtime: "mfp", Body: changed, IfMatch: api.Absent(), DryRun: dryRun, Author: "ci"})
		if config.ErrorKind(err) != config.KindStale {
			t.Fatalf("dryRun=%v with a stale If-Match: err = %v, want KindStale", dryRun, err)
		}
		if current, _ := config.CurrentRevision(err); current != 1 {
			t.Errorf("dryRun=%v: the stale error names revision %d, want 1", dryRun, current)
		}
	}
	head, err := st.Head(ctx, "mfp", bankKey)
	if err != nil || head.Number != 1 {
		t.Fatalf("head after stale applies = %d, %v; want revision 1", head.Number, err)
	}
}

// TestInvalidDescriptorFindings: an invalid descriptor is a KindInvalid
// error whose details carry each finding with its line.
func TestInvalidDescriptorFindings(t *testing.T) {
	_, err := newEnv(t).svc.Apply(context.Background(), admin.ApplyRequest{Runtime: "mfp", Body: []byte("{\n  \"applicationKey\": 1\n}"), Author: "ci"})
	var e *config.Error
	if config.ErrorKind(err) != config.KindInvalid || !errors.As(err, &e) {
		t.Fatalf("err = %v, want KindInvalid", err)
	}
	findings, ok := e.Details.([]api.Finding)
	if !ok || len(findings) == 0 || findings[0].Line == 0 {
		t.Fatalf("details = %#v, want findings with lines", e.Details)
	}
}
