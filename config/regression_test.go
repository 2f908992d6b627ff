package config_test

import (
	"testing"

	"github.com/scopectl/scopectl/config"
)

// Regressions for bugs found in review: each case failed before its fix.

func TestDuplicateKeyDoesNotLeakIntoNestedObjects(t *testing.T) {
	_, diags := config.ParseDocument([]byte(`{"a":{"x":1},"a":{"x":2}}`))
	if len(diags) != 1 || diags[0].Rule != config.RuleDuplicateKey || diags[0].Pointer != "/a" || diags[0].Position.String() != "1:14" {
		t.Fatalf("want one duplicate-key for /a at 1:14, got %+v", diags)
	}
}

func TestTrailingCommaPointsAtTheComma(t *testing.T) {
	for src, want := range map[string]string{
		"{\"a\":1, }": "1:7",
		"[1,\n]":      "1:3",
		"[1,]":        "1:3",
	} {
		_, diags := config.ParseDocument([]byte(src))
		if len(diags) != 1 || diags[0].Position.String() != want {
			t.Errorf("%q: want a finding at %s, got %+v", src, want, diags)
		}
	}
}

func TestNearlyWholeNumbersAreNotWhole(t *testing.T) {
	for _, num := range []string{"1.0000000000000001", "4503599627370496.5"} {
		src := `{"applicationKey":{"id":"a","clientPlatform":"web","version":"1"},` +
			`"securityCheckConfigurations":{"C":{"custom":` + num + `}}}`
		if _, err := config.ParseDescriptor([]byte(src)); err == nil {
			t.Errorf("%s was taken as a whole number", num)
		}
		doc, _ := config.ParseDocument([]byte(`{"securityCheckConfigurations":{"C":{"maxAttempts":` + num + `}}}`))
		for _, d := range config.Lint(doc) {
			if d.Rule == config.RuleIntegerProperty {
				t.Errorf("%s: lint suggests %q; the schema reports the type", num, d.Hint)
			}
		}
	}
}

func TestOnlyJSONWhitespaceIsEmpty(t *testing.T) {
	_, diags := config.ParseDocument([]byte("\f"))
	if len(diags) != 1 || diags[0].Rule != config.RuleSyntax {
		t.Errorf("form feed: want a syntax error, got %+v", diags)
	}
	_, diags = config.ParseDocument([]byte(" \t\r\n"))
	if len(diags) != 1 || diags[0].Rule != config.RuleEmpty {
		t.Errorf("whitespace: want empty, got %+v", diags)
	}
}

func TestErrorKindOfTypedNil(t *testing.T) {
	var e *config.Error
	var err error = e
	if k := config.ErrorKind(err); k != config.KindInternal {
		t.Errorf("typed nil *Error: kind %q, want internal", k)
	}
}
