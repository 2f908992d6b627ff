package schema

import (
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/fixtures"
)

// TestCanonicalGrowthBound: the canonical form grows no more than
// canonicalGrowth times its source plus canonicalOverhead, for the
// fixtures and for files built of the members that grow the most, so
// that Validate may skip encoding it for small files.
func TestCanonicalGrowthBound(t *testing.T) {
	key := `{"applicationKey":{"packageName":"a","clientPlatform":"android","version":"1"}`
	sources := map[string]string{
		"bare key":          key + `}`,
		"exponents":         key + `,"securityCheckConfigurations":{"c":{` + repeatMembers(`"p%d":9e15`, 300) + `}}}`,
		"negative":          key + `,"securityCheckConfigurations":{"c":{` + repeatMembers(`"p%d":-9e15`, 300) + `}}}`,
		"short members":     key + `,"scopeElementMapping":{` + repeatMembers(`"%d":""`, 300) + `}}`,
		"line separators":   key + `,"displayName":"` + strings.Repeat("\u2028", 200) + `"}`,
		"empty checks":      key + `,"securityCheckConfigurations":{` + repeatMembers(`"%d":{}`, 300) + `}}`,
		"max expiration":    key + `,"maxTokenExpiration":2e9}`,
		"escaped html only": key + `,"displayName":"` + strings.Repeat("<&>", 80) + `"}`,
	}
	fs.WalkDir(fixtures.FS, "valid", func(path string, e fs.DirEntry, err error) error {
		if strings.HasSuffix(path, ".json") {
			src, _ := fs.ReadFile(fixtures.FS, path)
			sources[path] = string(src)
		}
		return err
	})
	for name, src := range sources {
		doc, _ := config.ParseDocument([]byte(src))
		if doc == nil {
			t.Fatalf("%s does not parse", name)
		}
		d, err := config.DecodeDescriptor(doc.Root)
		if err != nil || len(load().check(doc)) > 0 {
			t.Fatalf("%s is not a valid descriptor: %v", name, err)
		}
		if n := len(d.Canonical()); n > canonicalGrowth*len(src)+canonicalOverhead {
			t.Errorf("%s: canonical form of %d bytes from %d", name, n, len(src))
		}
	}
}

// repeatMembers joins n members made by format from their index with
// commas: the bulk of a large test document.
func repeatMembers(format string, n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf(format, i)
	}
	return strings.Join(parts, ",")
}
