package schema

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/fixtures"
)

// TestDecodeAgreesWithValidate: for every fixture, Decode accepts exactly
// what Validate accepts, as the same descriptor, and reports the errors of
// an invalid file as Validate does.
func TestDecodeAgreesWithValidate(t *testing.T) {
	for _, dir := range []string{"valid", "invalid"} {
		names, _ := fs.Glob(fixtures.FS, dir+"/*.json")
		for _, name := range names {
			src, _ := fs.ReadFile(fixtures.FS, name)
			d, v := Decode(src), Validate(src)
			if d.Valid() != v.Valid() || (d.Descriptor == nil) != (v.Descriptor == nil) {
				t.Errorf("%s: Decode valid %v, Validate valid %v", name, d.Valid(), v.Valid())
				continue
			}
			if d.Descriptor != nil && len(config.Diff(d.Descriptor, v.Descriptor)) > 0 {
				t.Errorf("%s: Decode and Validate read different descriptors", name)
			}
			if !v.Valid() && !slices.EqualFunc(d.Diagnostics, v.Diagnostics, func(a, b config.Diagnostic) bool { return a == b }) {
				t.Errorf("%s: Decode reports %+v, Validate %+v", name, d.Diagnostics, v.Diagnostics)
			}
		}
	}
}

// TestValidateSkipsOnlyWhatTheSchemaAccepts: for every fixture, Validate,
// which leaves plain documents to plain, reports exactly what running the
// schema validator on every document reports (FuzzValidate checks the
// same of any input).
func TestValidateSkipsOnlyWhatTheSchemaAccepts(t *testing.T) {
	plainOnes := 0
	for _, dir := range []string{"valid", "invalid"} {
		names, _ := fs.Glob(fixtures.FS, dir+"/*.json")
		for _, name := range names {
			src, _ := fs.ReadFile(fixtures.FS, name)
			if err := SameReport(Validate(src), validate(src, true)); err != nil {
				t.Errorf("%s: %v", name, err)
			}
			if root, ok := config.ParseValue(src); ok && plain(root) {
				plainOnes++
			}
		}
	}
	if plainOnes < 3 {
		t.Errorf("only %d fixtures are plain: the skip is hardly tested", plainOnes)
	}
}

// TestPlainRefusesWhatValidateRefuses: near misses of a valid descriptor,
// one rule broken each, are not plain; the valid ones around them are,
// but for unusual spellings, which Decode leaves to Validate.
func TestPlainRefusesWhatValidateRefuses(t *testing.T) {
	key := `"applicationKey":{"packageName":"a.b","clientPlatform":"android","version":"1.0"}`
	check := func(props string) string {
		return `{` + key + `,"securityCheckConfigurations":{"c":{` + props + `}}}`
	}
	valid := []string{
		`{` + key + `}`,
		`{` + key + `,"displayName":"` + strings.Repeat("é", 256) + `","mandatoryScope":"a b","maxTokenExpiration":2147483647}`,
		`{` + key + `,"scopeElementMapping":{"a":"","b":"c d","<&>":"x"}}`,
		`{` + key + `,"displayName":"a\tb"}`, // a tab shows, as Lint says
		check(`"maxAttempts":3,"expirationSec":"60","enableSSO":"true","custom":-9007199254740991,"other":"x","b":false`),
	}
	invalid := []string{
		`{` + key + `,"other":1}`,
		`{"applicationKey":{"packageName":"a","clientPlatform":"android","version":"1","id":"x"}}`,
		`{"applicationKey":{"bundleId":"a","clientPlatform":"android","version":"1"}}`,
		`{"applicationKey":{"packageName":"a","clientPlatform":"linux","version":"1"}}`,
		`{"applicationKey":{"packageName":"-a","clientPlatform":"android","version":"1"}}`,
		`{"applicationKey":{"packageName":"a","clientPlatform":"android","version":"` + strings.Repeat("1", 65) + `"}}`,
		`{` + key + `,"displayName":"` + strings.Repeat("é", 257) + `"}`,
		`{` + key + `,"displayName":"a\u202eb"}`,
		`{` + key + `,"mandatoryScope":"a a"}`,
		`{` + key + `,"mandatoryScope":null}`,
		`{` + key + `,"scopeElementMapping":{"a b":""}}`,
		`{` + key + `,"scopeElementMapping":{"":""}}`,
		`{` + key + `,"scopeElementMapping":{"a":"x y x"}}`,
		`{` + key + `,"scopeElementMapping":{"a":"é"}}`,
		`{` + key + `,"scopeElementMapping":{"a":1}}`,
		`{` + key + `,"scopeElementMapping":{"a":"","a":""}}`,
		`{` + key + `,"maxTokenExpiration":0}`,
		`{` + key + `,"maxTokenExpiration":2147483648}`,
		`{` + key + `,"securityCheckConfigurations":{"c d":{}}}`,
		`{` + key + `,"securityCheckConfigurations":{"c":1}}`,
		check(`"maxAttempts":-1`),
		check(`"maxAttempts":true`),
		check(`"maxAttempts":"1.5"`),
		check(`"maxAttempts":"-1"`),
		check(`"maxAttempts":3.0`),
		check(`"maxAttempts":9007199254740992`),
		check(`"enableSSO":1`),
		check(`"enableSSO":"yes"`),
		check(`"custom":9007199254740992`),
		check(`"custom":null`),
		check(`"custom":[]`),
		check(`"custom":"a\u0007"`),
		check(`"cu\u200fstom":1`),
	}
	// Valid, but not plain: Decode takes them to Validate.
	unusual := []string{
		`{` + key + `,"maxTokenExpiration":3600.0}`,
		`{` + key + `,"maxTokenExpiration":36e2}`,
	}
	for _, src := range unusual {
		if decodePlain([]byte(src)) != nil || !Decode([]byte(src)).Valid() {
			t.Errorf("plain, or Decode refuses it: %s", src)
		}
	}
	for _, src := range valid {
		if decodePlain([]byte(src)) == nil || !validate([]byte(src), true).Valid() {
			t.Errorf("not plain and valid: %s", src)
		}
	}
	for _, src := range invalid {
		if decodePlain([]byte(src)) != nil {
			t.Errorf("plain: %s", src)
		}
		if validate([]byte(src), true).Valid() {
			t.Errorf("near miss is valid, so the test proves nothing: %s", src)
		}
	}
}

// TestCanonicalBound: canonicalBound is at least the size of the canonical
// form of plain fixtures and of files built of the members that grow the
// most.
func TestCanonicalBound(t *testing.T) {
	key := `{"applicationKey":{"packageName":"a","clientPlatform":"android","version":"1"}`
	sources := map[string]string{
		"bare key":      key + `}`,
		"short members": key + `,"scopeElementMapping":{` + repeatMembers(`"%d":""`, 3000) + `}}`,
		"short props":   key + `,"securityCheckConfigurations":{"c":{` + repeatMembers(`"%d":1`, 3000) + `}}}`,
		"empty checks":  key + `,"securityCheckConfigurations":{` + repeatMembers(`"%d":{}`, 3000) + `}}`,
		"html":          key + `,"displayName":"` + strings.Repeat("<&>", 80) + `"}`,
	}
	names, _ := fs.Glob(fixtures.FS, "valid/*.json")
	for _, name := range names {
		src, _ := fs.ReadFile(fixtures.FS, name)
		sources[name] = string(src)
	}
	plains := 0
	for name, src := range sources {
		d := decodePlain([]byte(src))
		if d == nil {
			continue
		}
		plains++
		root, _ := config.ParseValue([]byte(src))
		if n, bound := len(d.Canonical()), canonicalBound(len(src), root); n > bound {
			t.Errorf("%s: canonical form of %d bytes, bound %d", name, n, bound)
		}
	}
	if plains < len(sources)/2 {
		t.Errorf("only %d of %d sources are plain", plains, len(sources))
	}
}

// SameReport says how two reports of one source differ: findings,
// validity or descriptor; nil when they do not.
func SameReport(got, want *Report) error {
	switch {
	case !slices.Equal(got.Diagnostics, want.Diagnostics):
		return fmt.Errorf("findings %+v, want %+v", got.Diagnostics, want.Diagnostics)
	case got.Valid() != want.Valid() || (got.Descriptor == nil) != (want.Descriptor == nil):
		return fmt.Errorf("valid %v, want %v", got.Valid(), want.Valid())
	case got.Descriptor != nil && len(config.Diff(got.Descriptor, want.Descriptor)) > 0:
		return fmt.Errorf("another descriptor")
	}
	return nil
}
