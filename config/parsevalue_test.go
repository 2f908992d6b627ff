package config_test

import (
	"io/fs"
	"reflect"
	"testing"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/fixtures"
)

// TestParseValueAgreesWithParseDocument: ParseValue gives a value exactly
// when ParseDocument gives a Document and no finding, and the same value.
func TestParseValueAgreesWithParseDocument(t *testing.T) {
	sources := map[string]string{
		"duplicate":        `{"a":1,"a":2}`,
		"nested duplicate": `{"a":{"b":1,"b":1}}`,
		"bom":              "\xef\xbb\xbf{}",
		"trailing":         `{} {}`,
		"array":            `[1, {"a": [true, null]}, "x\u00e9"]`,
		"empty":            ``,
		"space":            " \n",
		"lone surrogate":   `"\ud800"`,
		"pair":             `"\ud83d\ude00"`,
	}
	for _, dir := range []string{"valid", "invalid"} {
		names, _ := fs.Glob(fixtures.FS, dir+"/*.json")
		for _, name := range names {
			src, _ := fs.ReadFile(fixtures.FS, name)
			sources[name] = string(src)
		}
	}
	for name, src := range sources {
		v, ok := config.ParseValue([]byte(src))
		doc, diags := config.ParseDocument([]byte(src))
		if want := doc != nil && len(diags) == 0; ok != want {
			t.Errorf("%s: ParseValue ok %v, ParseDocument %v with %d findings", name, ok, doc != nil, len(diags))
			continue
		}
		if ok && !reflect.DeepEqual(v, doc.Root) {
			t.Errorf("%s: ParseValue %v, ParseDocument %v", name, v, doc.Root)
		}
	}
}
