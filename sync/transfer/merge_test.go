package transfer

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/config"
)

func desc(t *testing.T, members string) *config.Descriptor {
	t.Helper()
	d, err := config.ParseDescriptor([]byte(`{"applicationKey":{"packageName":"com.x","clientPlatform":"android","version":"1.0"}` + members + `}`))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// resolve keeps one side of every conflict in a file with markers.
func resolve(file string, local bool) string {
	var out strings.Builder
	side := ""
	for _, line := range strings.SplitAfter(file, "\n") {
		switch {
		case strings.HasPrefix(line, config.MarkerLocal):
			side = "local"
		case strings.HasPrefix(line, config.MarkerMiddle) && side != "":
			side = "server"
		case strings.HasPrefix(line, config.MarkerOther):
			side = ""
		case side == "" || (side == "local") == local:
			out.WriteString(line)
		}
	}
	return out.String()
}

// TestConflictFileSides: keeping one side of every conflict gives exactly
// that side's canonical form, and the file with markers is reported as an
// unresolved conflict, whatever member the conflicts are in: last or not,
// present on one side only, nested, next to each other.
func TestConflictFileSides(t *testing.T) {
	base := `,"displayName":"a","mandatoryScope":"s","scopeElementMapping":{"e":"C"},"securityCheckConfigurations":{"C":{"maxAttempts":3,"enableSSO":true}},"maxTokenExpiration":10`
	for _, tc := range []struct{ name, local, server string }{
		{"last member", `,"maxTokenExpiration":20`, `,"maxTokenExpiration":30`},
		{"first member", `,"displayName":"l"`, `,"displayName":"s"`},
		{"removed here, changed there", `,"securityCheckConfigurations":{}`, `,"securityCheckConfigurations":{"C":{"maxAttempts":4,"enableSSO":true}}`},
		{"added on both sides", `,"scopeElementMapping":{"e":"C","f":"X"}`, `,"scopeElementMapping":{"e":"C","f":"Y"}`},
		{"last property removed", `,"securityCheckConfigurations":{"C":{"maxAttempts":3}}`, `,"securityCheckConfigurations":{"C":{"maxAttempts":3,"enableSSO":false}}`},
		{"neighbours", `,"displayName":"l","mandatoryScope":"l"`, `,"displayName":"s","mandatoryScope":"s","maxTokenExpiration":5`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, withBase := range []bool{true, false} {
				var b *config.Descriptor
				if withBase {
					b = desc(t, base)
				}
				local := desc(t, mergeMembers(base, tc.local))
				server := desc(t, mergeMembers(base, tc.server))
				m := config.Merge(b, local, server)
				if len(m.Conflicts) == 0 {
					t.Fatalf("no conflicts (base %v)", withBase)
				}
				file := string(conflictFile(m.Local.Canonical(), m.Server.Canonical(), 7))
				if got := resolve(file, true); got != string(m.Local.Canonical()) {
					t.Errorf("local side (base %v):\n%s\nfile:\n%s", withBase, got, file)
				}
				if got := resolve(file, false); got != string(m.Server.Canonical()) {
					t.Errorf("server side (base %v):\n%s\nfile:\n%s", withBase, got, file)
				}
				if !strings.Contains(file, "\n>>>>>>> server revision 7\n") {
					t.Errorf("file:\n%s", file)
				}
				if _, diags := config.ParseDocument([]byte(file)); len(diags) == 0 || diags[0].Rule != config.RuleMergeConflict {
					t.Errorf("markers not reported: %v", diags)
				}
			}
		})
	}
}

// mergeMembers returns the members of base (a JSON object text without
// braces, starting with a comma) with those of change replacing them.
func mergeMembers(base, change string) string {
	var m, c map[string]json.RawMessage
	json.Unmarshal([]byte("{"+base[1:]+"}"), &m)
	json.Unmarshal([]byte("{"+change[1:]+"}"), &c)
	for k, v := range c {
		m[k] = v
	}
	out, _ := json.Marshal(m)
	return "," + string(out[1:len(out)-1])
}
