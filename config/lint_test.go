package config_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/scopectl/scopectl/config"
)

// lintResult is the part of a lint Diagnostic the tests compare.
type lintResult struct {
	Severity config.Severity
	Rule     string
	Pointer  string
	Pos      string // line:column; in test tables the text the value starts with
	Hint     string
}

// markerAfter returns the start of the text after a member name and its
// colon as written by checks: the value of that member.
func markerAfter(name string) string { return `"` + name + `": ` }

// posOf returns the line:column, counted in runes, just after the first
// occurrence of marker in src when marker ends in ": ", else at it.
func posOf(t *testing.T, src, marker string) string {
	t.Helper()
	i := strings.Index(src, marker)
	if i < 0 || strings.Contains(src[i+1:], marker) {
		t.Fatalf("marker %q does not occur exactly once in %s", marker, src)
	}
	if strings.HasSuffix(marker, ": ") {
		i += len(marker)
	}
	line := strings.Count(src[:i], "\n") + 1
	col := utf8.RuneCountInString(src[strings.LastIndex(src[:i], "\n")+1:i]) + 1
	return fmt.Sprintf("%d:%d", line, col)
}

func (r lintResult) String() string {
	return fmt.Sprintf("%s %s %s at %s (hint %q)", r.Severity, r.Rule, r.Pointer, r.Pos, r.Hint)
}

func lint(t *testing.T, src string) ([]lintResult, []config.Diagnostic) {
	t.Helper()
	doc := mustParse(t, src)
	diags := config.Lint(doc)
	var out []lintResult
	for _, d := range diags {
		out = append(out, lintResult{d.Severity, d.Rule, d.Pointer, d.Position.String(), d.Hint})
	}
	return out, diags
}

// checks wraps properties of one security check "c" in a descriptor.
func checks(props string) string {
	return `{"securityCheckConfigurations": {"c": {` + props + `}}}`
}

const (
	intHint     = "write a whole number such as \"60\""
	dupHint     = "run scopectl app fmt to remove duplicates"
	boolHint    = "write true or false"
	cappedHint  = "lower it, or raise maxTokenExpiration if longer tokens are intended"
	checkPrefix = "/securityCheckConfigurations/c/"
	hiddenHint  = "remove it: no field of a descriptor needs control or text-direction characters"
)

func TestLint(t *testing.T) {
	E, W := config.SeverityError, config.SeverityWarning
	tests := []struct {
		name string
		src  string
		want []lintResult
	}{
		{"clean descriptor", `{
  "applicationKey": {"packageName": "p", "clientPlatform": "android", "version": "1"},
  "mandatoryScope": "a b",
  "scopeElementMapping": {"a": "pin", "b": ""},
  "securityCheckConfigurations": {"pin": {"maxAttempts": 3, "expirationSec": "60", "enableSSO": true, "custom": "yes"}},
  "maxTokenExpiration": 3600
}`, nil},
		{"duplicate in mandatoryScope", "{\n  \"mandatoryScope\": \"a  b a b\"\n}",
			[]lintResult{{E, config.RuleDuplicateScopeElement, "/mandatoryScope", `"a  b a b"`, dupHint}}},
		{"duplicate in mapping values", `{"scopeElementMapping": {"z": "x x", "a/b": "p q p", "ok": "p q"}}`,
			[]lintResult{
				{E, config.RuleDuplicateScopeElement, "/scopeElementMapping/a~1b", `"p q p"`, dupHint},
				{E, config.RuleDuplicateScopeElement, "/scopeElementMapping/z", `"x x"`, dupHint},
			}},
		{"integer property as decimal string", checks(`"maxAttempts": "12.5"`),
			[]lintResult{{E, config.RuleIntegerProperty, checkPrefix + "maxAttempts", markerAfter("maxAttempts"), intHint}}},
		{"integer property negative string", checks(`"maxAttempts": "-5"`),
			[]lintResult{{E, config.RuleIntegerProperty, checkPrefix + "maxAttempts", markerAfter("maxAttempts"), intHint}}},
		{"integer property plus sign", checks(`"maxAttempts": "+5"`),
			[]lintResult{{E, config.RuleIntegerProperty, checkPrefix + "maxAttempts", markerAfter("maxAttempts"), intHint}}},
		{"integer property empty string", checks(`"maxAttempts": ""`),
			[]lintResult{{E, config.RuleIntegerProperty, checkPrefix + "maxAttempts", markerAfter("maxAttempts"), intHint}}},
		{"integer property with spaces", checks(`"maxAttempts": " 5"`),
			[]lintResult{{E, config.RuleIntegerProperty, checkPrefix + "maxAttempts", markerAfter("maxAttempts"), intHint}}},
		{"integer property 3.0", checks(`"maxAttempts": 3.0`),
			[]lintResult{{E, config.RuleIntegerProperty, checkPrefix + "maxAttempts", markerAfter("maxAttempts"), "write 3"}}},
		{"integer property 3e0", checks(`"maxAttempts": 3e0`),
			[]lintResult{{E, config.RuleIntegerProperty, checkPrefix + "maxAttempts", markerAfter("maxAttempts"), "write 3"}}},
		{"integer property 0.6E2", checks(`"inactivityTimeoutSec": 0.6E2`),
			[]lintResult{{E, config.RuleIntegerProperty, checkPrefix + "inactivityTimeoutSec", markerAfter("inactivityTimeoutSec"), "write 60"}}},
		{"plain integers and digit strings", checks(`"maxAttempts": 3, "blockedStateExpirationSec": "0", "attemptingStateExpirationSec": "007", "rememberMeDurationSec": 0, "expirationSec": -0`), nil},
		{"non-whole numbers and other types are the schema's", checks(`"maxAttempts": 3.5, "blockedStateExpirationSec": -2, "rememberMeDurationSec": true, "inactivityTimeoutSec": null, "expirationSec": [1]`), nil},
		{"unknown properties are not type-checked", checks(`"codeLength": "x", "custom": 1.0`), nil},
		{"near miss of a known property", checks(`"maxattempts": "x"`),
			[]lintResult{{config.SeverityWarning, config.RuleSuspiciousProperty, checkPrefix + "maxattempts", markerAfter("maxattempts"), `did you mean "maxAttempts"?`}}},
		{"boolean property", checks(`"enableSSO": "yes"`),
			[]lintResult{{E, config.RuleBooleanProperty, checkPrefix + "enableSSO", markerAfter("enableSSO"), boolHint}}},
		{"hidden character: C1 control in a string", `{"displayName": "Bank\u009b2J"}`,
			[]lintResult{{E, config.RuleHiddenCharacter, "/displayName", markerAfter("displayName"), hiddenHint}}},
		{"hidden character: escape sequence", `{"displayName": "\u001b]0;title\u0007"}`,
			[]lintResult{{E, config.RuleHiddenCharacter, "/displayName", markerAfter("displayName"), hiddenHint}}},
		{"hidden character: right-to-left override in a member name", checks(`"lock\u202eMessage": "x"`),
			[]lintResult{{E, config.RuleHiddenCharacter, checkPrefix + "lock\u202eMessage", `"lock\u202eMessage"`, hiddenHint}}},
		{"hidden character: raw isolate in a property value", checks("\"lockMessage\": \"a\u2067b\""),
			[]lintResult{{E, config.RuleHiddenCharacter, checkPrefix + "lockMessage", markerAfter("lockMessage"), hiddenHint}}},
		{"tabs and non-ASCII letters are not hidden", `{"displayName": "Banque\t\u00e9 \ud83c\udfe6 \u05d0"}`, nil},
		{"boolean property accepted forms", `{"securityCheckConfigurations": {"a": {"enableSSO": "true"}, "b": {"enableSSO": "false"}, "c": {"enableSSO": true}, "d": {"enableSSO": false}}}`, nil},
		{"boolean property TRUE", checks(`"enableSSO": "TRUE"`),
			[]lintResult{{E, config.RuleBooleanProperty, checkPrefix + "enableSSO", markerAfter("enableSSO"), boolHint}}},
		{"expiration capped by default 3600", checks(`"expirationSec": 3601`),
			[]lintResult{{W, config.RuleExpirationCapped, checkPrefix + "expirationSec", markerAfter("expirationSec"), cappedHint}}},
		{"expiration equal to default", checks(`"expirationSec": 3600, "successStateExpirationSec": "3600"`), nil},
		{"expiration capped by maxTokenExpiration", `{"maxTokenExpiration": 60, "securityCheckConfigurations": {"c": {"successStateExpirationSec": "61", "expirationSec": 60, "blockedStateExpirationSec": 9999}}}`,
			[]lintResult{{W, config.RuleExpirationCapped, checkPrefix + "successStateExpirationSec", `"61"`, cappedHint}}},
		{"expiration below raised maxTokenExpiration", `{"maxTokenExpiration": 7200, "securityCheckConfigurations": {"c": {"expirationSec": 7200}}}`, nil},
		{"maxTokenExpiration written 7.2e3", `{"maxTokenExpiration": 7.2e3, "securityCheckConfigurations": {"c": {"expirationSec": 7200}}}`, nil},
		{"invalid maxTokenExpiration falls back to 3600", `{"maxTokenExpiration": "7200", "securityCheckConfigurations": {"c": {"expirationSec": 7200}}}`,
			[]lintResult{{W, config.RuleExpirationCapped, checkPrefix + "expirationSec", `7200}`, cappedHint}}},
		{"zero maxTokenExpiration falls back to 3600", `{"maxTokenExpiration": 0, "securityCheckConfigurations": {"c": {"expirationSec": 3601}}}`,
			[]lintResult{{W, config.RuleExpirationCapped, checkPrefix + "expirationSec", `3601`, cappedHint}}},
		{"ordered by position in the canonical form", `{
  "securityCheckConfigurations": {"b": {"maxAttempts": "x", "enableSSO": "no"}, "a": {"maxAttempts": 1.0}},
  "scopeElementMapping": {"m": "c c"},
  "mandatoryScope": "d d"
}`,
			[]lintResult{
				{E, config.RuleDuplicateScopeElement, "/mandatoryScope", `"d d"`, dupHint},
				{E, config.RuleDuplicateScopeElement, "/scopeElementMapping/m", `"c c"`, dupHint},
				{E, config.RuleIntegerProperty, "/securityCheckConfigurations/a/maxAttempts", `1.0`, "write 1"},
				{E, config.RuleBooleanProperty, "/securityCheckConfigurations/b/enableSSO", `"no"`, boolHint},
				{E, config.RuleIntegerProperty, "/securityCheckConfigurations/b/maxAttempts", `"x"`, intHint},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := lint(t, tt.src)
			want := slices.Clone(tt.want)
			for i := range want {
				want[i].Pos = posOf(t, tt.src, want[i].Pos)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Lint(%s)\n got %v\nwant %v", tt.src, got, want)
			}
		})
	}
}

func TestLintMessages(t *testing.T) {
	tests := []struct {
		src  string
		want string
	}{
		{`{"mandatoryScope": "a b a"}`, `scope element "a" is listed more than once`},
		{checks(`"maxAttempts": "12.5"`), `maxAttempts must be a whole number ≥ 0, found "12.5"`},
		{checks(`"maxAttempts": 3e0`), `maxAttempts must be written as a whole number, found 3e0`},
		{checks(`"enableSSO": "yes"`), `enableSSO must be a boolean, found "yes"`},
		{checks(`"expirationSec": "7200"`), `expirationSec is 7200 s but maxTokenExpiration is 3600 s; tokens will expire after 3600 s`},
	}
	for _, tt := range tests {
		_, diags := lint(t, tt.src)
		if len(diags) != 1 || diags[0].Message != tt.want {
			t.Errorf("Lint(%s) = %v; want one diagnostic %q", tt.src, diags, tt.want)
		}
	}
}

func TestLintToleratesAnyShape(t *testing.T) {
	srcs := []string{
		`[]`,
		`[{"mandatoryScope": "a a"}]`,
		`"string"`,
		`42`,
		`null`,
		`true`,
		`{}`,
		`{"mandatoryScope": 5}`,
		`{"mandatoryScope": ["a", "a"]}`,
		`{"mandatoryScope": "bad\"char bad\"char"}`,
		`{"scopeElementMapping": "a a"}`,
		`{"scopeElementMapping": ["a a"]}`,
		`{"scopeElementMapping": {"x": 1, "y": null, "z": {"a": "b b"}}}`,
		`{"securityCheckConfigurations": 7}`,
		`{"securityCheckConfigurations": "c"}`,
		`{"securityCheckConfigurations": [{"maxAttempts": "x"}]}`,
		`{"securityCheckConfigurations": {"c": 7}}`,
		`{"securityCheckConfigurations": {"c": null}}`,
		`{"securityCheckConfigurations": {"c": ["maxAttempts"]}}`,
		`{"securityCheckConfigurations": {"c": {"maxAttempts": {"x": 1}, "enableSSO": [], "expirationSec": 1e1000}}}`,
		`{"maxTokenExpiration": {}, "securityCheckConfigurations": {"c": {"expirationSec": 1}}}`,
		`{"maxTokenExpiration": 1e1000, "securityCheckConfigurations": {"c": {"expirationSec": 1}}}`,
		`{"maxTokenExpiration": -1e2, "securityCheckConfigurations": {"c": {"expirationSec": 1}}}`,
	}
	for _, src := range srcs {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("Lint(%s) panicked: %v", src, r)
				}
			}()
			if got, _ := lint(t, src); len(got) != 0 {
				t.Errorf("Lint(%s) = %v; wrong shapes are the schema's to report", src, got)
			}
		}()
	}
}

func TestPosOfHelper(t *testing.T) {
	// Hand-counted in TestParseDocumentPositions.
	for marker, want := range map[string]string{`"Zürich`: "2:9", "true": "3:19", `{"z"`: "5:9", `"z": `: "5:15"} {
		if got := posOf(t, positionsSrc, marker); got != want {
			t.Errorf("posOf(%q) = %s, want %s", marker, got, want)
		}
	}
}
