package schema_test

import (
	"bytes"
	"io/fs"
	"testing"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/fixtures"
	"github.com/scopectl/scopectl/schema"
)

// FuzzValidate: any input yields a report without panicking; every finding
// has a rule and a position inside the file; a descriptor that validates
// formats to a canonical form that validates to the same descriptor;
// Decode accepts exactly what Validate accepts, as the same descriptor.
func FuzzValidate(f *testing.F) {
	for _, dir := range []string{"valid", "invalid"} {
		names, _ := fs.Glob(fixtures.FS, dir+"/*.json")
		for _, n := range names {
			src, _ := fs.ReadFile(fixtures.FS, n)
			if len(src) < 4096 {
				f.Add(src)
			}
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		r := schema.Validate(src)
		if err := schema.SameReport(r, schema.ValidateFull(src)); err != nil {
			t.Fatalf("Validate, skipping the schema validator, differs from running it: %v\n%q", err, src)
		}
		lines := bytes.Count(src, []byte("\n")) + 1
		for _, d := range r.Diagnostics {
			if d.Rule == "" || d.Message == "" || d.Line < 1 || d.Line > lines || d.Column < 1 {
				t.Fatalf("bad finding %+v for %q", d, src)
			}
		}
		if r.Valid() != (r.Descriptor != nil && !config.HasErrors(r.Diagnostics)) {
			t.Fatalf("Valid() disagrees with the findings: %+v", r)
		}
		if d := schema.Decode(src); d.Valid() != r.Valid() || d.Valid() && len(config.Diff(d.Descriptor, r.Descriptor)) > 0 {
			t.Fatalf("Decode disagrees with Validate: %+v, %+v", d, r)
		}
		out, fr := schema.Format(src)
		if out == nil {
			return
		}
		again := schema.Validate(out)
		if again.Descriptor == nil {
			t.Fatalf("formatted output does not validate: %+v\n%s", again.Diagnostics, out)
		}
		if changes := config.Diff(fr.Descriptor, again.Descriptor); len(changes) > 0 {
			t.Fatalf("fmt changed meaning: %v", changes)
		}
		if twice, _ := schema.Format(out); !bytes.Equal(out, twice) {
			t.Fatalf("fmt not idempotent:\n%s\n---\n%s", out, twice)
		}
	})
}
