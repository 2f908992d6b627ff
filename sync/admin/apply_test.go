package admin_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/fixtures"
	"github.com/scopectl/scopectl/sync/admin"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/store/sqlite"
	"github.com/scopectl/scopectl/sync/store/sqlstore"
)

func openStore(t *testing.T) *sqlstore.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "scoped.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func bank(t *testing.T) []byte {
	t.Helper()
	src, err := fixtures.FS.ReadFile("valid/com.example.bank-android-1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	return src
}

var bankKey = config.AppKey{ID: "com.example.bank", Platform: "android", Version: "1.0"}

// TestDryRunStoresNothing: the service called directly, without HTTP, answers
// a dry run with the diff and stores no revision, for a new application and
// for a change to an existing one.
func TestDryRunStoresNothing(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	svc := admin.New(admin.Config{Store: st})
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
	changed := []byte(strings.Replace(string(src), `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 60`, 1))
	res, err = svc.Apply(ctx, admin.ApplyRequest{Runtime: "mfp", Body: changed, IfMatch: api.Revision(1), DryRun: true, Author: "ci"})
	if err != nil || res.Response.Unchanged || len(res.Response.Diff) != 1 {
		t.Fatalf("dry run of a change = %+v, %v; want one change", res, err)
	}
	revs, err := st.Revisions(ctx, "mfp", bankKey)
	if err != nil || len(revs) != 1 {
		t.Fatalf("after a dry run of a change, %d revisions (%v), want 1", len(revs), err)
	}
}

// TestStalePrecondition: an If-Match that names an older revision is a
// KindStale error naming the current one, in a dry run and in an apply, and
// the apply stores nothing.
func TestStalePrecondition(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	svc := admin.New(admin.Config{Store: st})
	src := bank(t)
	if _, err := svc.Apply(ctx, admin.ApplyRequest{Runtime: "mfp", Body: src, Author: "ci"}); err != nil {
		t.Fatal(err)
	}
	changed := []byte(strings.Replace(string(src), `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 60`, 1))
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
	svc := admin.New(admin.Config{Store: openStore(t)})
	_, err := svc.Apply(context.Background(), admin.ApplyRequest{Runtime: "mfp", Body: []byte("{\n  \"applicationKey\": 1\n}"), Author: "ci"})
	var e *config.Error
	if config.ErrorKind(err) != config.KindInvalid || !errors.As(err, &e) {
		t.Fatalf("err = %v, want KindInvalid", err)
	}
	findings, ok := e.Details.([]api.Finding)
	if !ok || len(findings) == 0 || findings[0].Line == 0 {
		t.Fatalf("details = %#v, want findings with lines", e.Details)
	}
}
