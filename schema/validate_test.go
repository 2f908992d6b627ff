package schema_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/fixtures"
	"github.com/scopectl/scopectl/schema"
)

func oneError(t *testing.T, r *schema.Report, rule string) config.Diagnostic {
	t.Helper()
	if r.Valid() || len(r.Diagnostics) == 0 {
		t.Fatalf("want an error of rule %q, got valid report %+v", rule, r)
	}
	d := r.Diagnostics[0]
	if d.Rule != rule || d.Severity != config.SeverityError {
		t.Fatalf("want rule %q, got %+v", rule, r.Diagnostics)
	}
	return d
}

// TestHostileInput: bad input never panics, always names the file and a
// position, and big input is refused before it is read whole.
func TestHostileInput(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.json")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(20 << 20); err != nil { // sparse 20 MB file
		t.Fatal(err)
	}
	f.Close()
	r := schema.ValidateFile(big)
	d := oneError(t, r, config.RuleSize)
	if r.Path != big || !strings.Contains(d.Message, "20.0 MiB") || !strings.Contains(d.Message, "1.0 MiB") {
		t.Errorf("size finding = %q for %q", d.Message, r.Path)
	}
	if d.Line != 1 || d.Column != 1 {
		t.Errorf("size finding at %d:%d, want 1:1", d.Line, d.Column)
	}

	deep := strings.Repeat("[", 10000) + strings.Repeat("]", 10000)
	oneError(t, schema.Validate([]byte(deep)), config.RuleDepth)
	deepObj := strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000)
	oneError(t, schema.Validate([]byte(deepObj)), config.RuleDepth)

	// Exactly at the limit the file parses (and then fails the schema).
	atLimit := `{"applicationKey":` + strings.Repeat("[", config.MaxDepth-1) + strings.Repeat("]", config.MaxDepth-1) + "}"
	oneError(t, schema.Validate([]byte(atLimit)), "type")

	missing := schema.ValidateFile(filepath.Join(dir, "missing.json"))
	if missing.Err == nil || missing.Valid() {
		t.Errorf("missing file: want a read error, got %+v", missing)
	}
	dirReport := schema.ValidateFile(dir)
	if dirReport.Err == nil {
		t.Errorf("directory as file: want a read error, got %+v", dirReport)
	}
}

// TestNumberEdgeCases: numbers the validator library could mishandle are
// refused or reported, never a panic.
func TestNumberEdgeCases(t *testing.T) {
	prefix := `{"applicationKey":{"id":"a","clientPlatform":"web","version":"1"},"maxTokenExpiration":`
	for _, tc := range []struct{ num, rule string }{
		{"1e400", "range"},
		{"-1e400", "range"},
		{"1e-400", "type"},
		{"1e1001", config.RuleNumberRange},
		{"1" + strings.Repeat("0", 70), config.RuleNumberRange},
		{"0.5", "type"},
		{"9007199254740993", "range"},
	} {
		r := schema.Validate([]byte(prefix + tc.num + "}"))
		oneError(t, r, tc.rule)
	}
	r := schema.Validate([]byte(prefix + "7.2e3}"))
	if !r.Valid() || r.Descriptor.MaxTokenExpiration != 7200 {
		t.Errorf("7.2e3 is an integer in JSON Schema: got %+v", r.Diagnostics)
	}
}

func validFixtures(t testing.TB) map[string][]byte {
	names, _ := fs.Glob(fixtures.FS, "valid/*.json")
	out := map[string][]byte{}
	for _, n := range names {
		out[n], _ = fs.ReadFile(fixtures.FS, n)
	}
	return out
}

// TestFormatIdempotentAndMeaningPreserving: fmt twice equals fmt once, and
// the formatted file decodes to the same descriptor as the original.
func TestFormatIdempotentAndMeaningPreserving(t *testing.T) {
	for name, src := range validFixtures(t) {
		once, r := schema.Format(src)
		if once == nil {
			t.Fatalf("%s: not formatted: %+v", name, r.Diagnostics)
		}
		twice, _ := schema.Format(once)
		if !bytes.Equal(once, twice) {
			t.Errorf("%s: fmt is not idempotent:\n%s\n---\n%s", name, once, twice)
		}
		after := schema.Validate(once)
		if !after.Valid() {
			t.Errorf("%s: formatted file is invalid: %+v", name, after.Diagnostics)
			continue
		}
		if changes := config.Diff(r.Descriptor, after.Descriptor); len(changes) > 0 {
			t.Errorf("%s: fmt changed meaning: %v", name, changes)
		}
	}
}

func TestFormatFixesWhatIsSafe(t *testing.T) {
	src := []byte("\xef\xbb\xbf" + `{"applicationKey":{"id":"a","clientPlatform":"web","version":"1"},"mandatoryScope":"b a b"}`)
	out, r := schema.Format(src)
	if out == nil {
		t.Fatalf("BOM and duplicate scope elements should be fixable: %+v", r.Diagnostics)
	}
	if bytes.HasPrefix(out, []byte("\xef\xbb\xbf")) || !bytes.Contains(out, []byte(`"mandatoryScope": "a b"`)) {
		t.Errorf("formatted:\n%s", out)
	}
	if schema.Validate(out).Diagnostics != nil {
		t.Errorf("formatted file still has findings: %+v", schema.Validate(out).Diagnostics)
	}
}

func TestFormatRefusesAmbiguousInput(t *testing.T) {
	for name, src := range map[string]string{
		"duplicate key":  `{"applicationKey":{"id":"a","clientPlatform":"web","version":"1"},"maxTokenExpiration":1,"maxTokenExpiration":2}`,
		"unknown member": `{"applicationKey":{"id":"a","clientPlatform":"web","version":"1"},"maxTokenExpiraton":1}`,
		"syntax":         `{"applicationKey":`,
		"empty":          ``,
	} {
		if out, _ := schema.Format([]byte(src)); out != nil {
			t.Errorf("%s: formatted to %s; want refusal", name, out)
		}
	}
}

// TestSchemaAgreesWithConfig: the schema and the Go model know the same
// security-check properties with the same types.
func TestSchemaAgreesWithConfig(t *testing.T) {
	src := string(schema.Source())
	for name, kind := range config.KnownProperties {
		ref := `"` + name + `": { "$ref": "#/$defs/wholeNumber" }`
		if kind == config.PropertyBoolean {
			ref = `"` + name + `": { "type": ["boolean", "string"] }`
		}
		if !strings.Contains(src, ref) {
			t.Errorf("schema does not declare %s", ref)
		}
	}
	for _, p := range config.Platforms {
		if !strings.Contains(src, `"`+p.IDField()+`": { "description": "Application id on `+string(p)+`."`) {
			t.Errorf("schema does not declare the id member %q of %s", p.IDField(), p)
		}
	}
}

func TestValidateFilesKeepsOrder(t *testing.T) {
	var paths []string
	dir := t.TempDir()
	for name, src := range validFixtures(t) {
		p := filepath.Join(dir, filepath.Base(name))
		os.WriteFile(p, src, 0o644)
		paths = append(paths, p)
	}
	paths = append(paths, filepath.Join(dir, "missing.json"))
	reports := schema.ValidateFiles(paths, 3)
	for i, r := range reports {
		if r.Path != paths[i] {
			t.Fatalf("report %d is for %s, want %s", i, r.Path, paths[i])
		}
	}
	if reports[len(reports)-1].Err == nil {
		t.Error("missing file has no error")
	}
}

// TestSizeLimitAppliesToCanonicalForm: a compact file under the limit
// whose canonical form is over it is refused, so that no server stores
// what every pull would then refuse.
func TestSizeLimitAppliesToCanonicalForm(t *testing.T) {
	compact := func(entries int) []byte {
		var b strings.Builder
		b.WriteString(`{"applicationKey":{"packageName":"com.example.big","clientPlatform":"android","version":"1.0"},"scopeElementMapping":{`)
		for i := range entries {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `"e%06d":""`, i)
		}
		b.WriteString(`}}`)
		return []byte(b.String())
	}
	big := compact(60000)
	if len(big) > config.MaxFileSize {
		t.Fatalf("test input is %d bytes, over the file limit itself", len(big))
	}
	d := oneError(t, schema.Validate(big), config.RuleSize)
	if !strings.Contains(d.Message, "canonical form") || d.Position.Line != 1 {
		t.Errorf("diagnostic %+v", d)
	}
	if out, r := schema.Format(big); out != nil || r.Valid() {
		t.Errorf("fmt wrote a %d-byte file over the limit", len(out))
	}
	if r := schema.Validate(compact(1000)); !r.Valid() {
		t.Errorf("a small compact file is refused: %+v", r.Diagnostics)
	}
}
