package config_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/config"
)

func TestCanonical(t *testing.T) {
	d := &config.Descriptor{
		ApplicationKey: config.AppKey{ID: "com.example.bank", Platform: config.PlatformAndroid, Version: "1.0"},
		DisplayName:    "Bank <&> \"Ü\"",
		MandatoryScope: config.Scope{"c", "a", "b", "a"}, // not normalized on purpose
		ScopeElementMapping: map[string]config.Scope{
			"zeta":  {"y", "x", "y"},
			"alpha": nil,
			"a<b>":  {"pin"},
		},
		SecurityCheckConfigurations: map[string]config.Properties{
			"pin":   {"mode": "strict&safe", "expirationSec": int64(60), "enableSSO": true},
			"empty": nil,
		},
	}
	want := `{
  "applicationKey": {
    "packageName": "com.example.bank",
    "clientPlatform": "android",
    "version": "1.0"
  },
  "displayName": "Bank <&> \"Ü\"",
  "mandatoryScope": "a b c",
  "scopeElementMapping": {
    "a<b>": "pin",
    "alpha": "",
    "zeta": "x y"
  },
  "securityCheckConfigurations": {
    "empty": {},
    "pin": {
      "enableSSO": true,
      "expirationSec": 60,
      "mode": "strict&safe"
    }
  },
  "maxTokenExpiration": 3600
}
`
	if got := string(d.Canonical()); got != want {
		t.Errorf("Canonical() =\n%s\nwant\n%s", got, want)
	}
	m, err := d.MarshalJSON()
	if err != nil || string(m) != strings.TrimSuffix(want, "\n") {
		t.Errorf("MarshalJSON() = %q, %v; want the canonical form without the final newline", m, err)
	}
}

func TestCanonicalMinimal(t *testing.T) {
	tests := []struct {
		platform config.Platform
		idField  string
	}{
		{config.PlatformAndroid, "packageName"},
		{config.PlatformIOS, "bundleId"},
		{config.PlatformWindows, "assemblyName"},
		{config.PlatformWeb, "id"},
	}
	for _, tt := range tests {
		d := &config.Descriptor{
			ApplicationKey:     config.AppKey{ID: "app.id", Platform: tt.platform, Version: "2.1"},
			MaxTokenExpiration: 7200,
		}
		want := "{\n" +
			"  \"applicationKey\": {\n" +
			"    \"" + tt.idField + "\": \"app.id\",\n" +
			"    \"clientPlatform\": \"" + string(tt.platform) + "\",\n" +
			"    \"version\": \"2.1\"\n" +
			"  },\n" +
			"  \"displayName\": \"\",\n" +
			"  \"mandatoryScope\": \"\",\n" +
			"  \"scopeElementMapping\": {},\n" +
			"  \"securityCheckConfigurations\": {},\n" +
			"  \"maxTokenExpiration\": 7200\n" +
			"}\n"
		if got := string(d.Canonical()); got != want {
			t.Errorf("%s: Canonical() =\n%s\nwant\n%s", tt.platform, got, want)
		}
		if got := tt.platform.IDField(); got != tt.idField {
			t.Errorf("%s.IDField() = %q, want %q", tt.platform, got, tt.idField)
		}
	}
	if got := config.Platform("symbian").IDField(); got != "" {
		t.Errorf("unknown platform IDField() = %q, want \"\"", got)
	}
}

func TestCanonicalRoundTrip(t *testing.T) {
	sources := []string{
		`{"applicationKey": {"clientPlatform": "ios", "version": "3", "bundleId": "com.x"}}`,
		`{
		  "maxTokenExpiration": 1e3,
		  "securityCheckConfigurations": {"pin": {"maxAttempts": "3", "blockedStateExpirationSec": 60.0, "enableSSO": false, "note": "<b>"}, "b/c~d": {}},
		  "scopeElementMapping": {"z": "pin pin  other", "": "", "push.*": "a"},
		  "mandatoryScope": "  z  push.x z ",
		  "displayName": "Banque — été & <co>",
		  "applicationKey": {"version": "1.0", "clientPlatform": "windows", "assemblyName": "Bank.App"},
		  "unknownMember": [1, 2]
		}`,
		`{"applicationKey": {"clientPlatform": "web", "version": "v", "id": "site", "packageName": "ignored"}, "mandatoryScope": null}`,
	}
	for _, src := range sources {
		d1, err := config.ParseDescriptor([]byte(src))
		if err != nil {
			t.Fatalf("ParseDescriptor(%q): %v", src, err)
		}
		c1 := d1.Canonical()
		d2, err := config.ParseDescriptor(c1)
		if err != nil {
			t.Fatalf("ParseDescriptor(Canonical) of %q: %v\n%s", src, err, c1)
		}
		if c2 := d2.Canonical(); !bytes.Equal(c1, c2) {
			t.Errorf("canonical form is not stable:\nfirst\n%s\nsecond\n%s", c1, c2)
		}
		if changes := config.Diff(d1, d2); len(changes) != 0 {
			t.Errorf("Diff(descriptor, reparsed canonical form) = %v; want none", changes)
		}
		if !json.Valid(c1) || !bytes.HasSuffix(c1, []byte("}\n")) {
			t.Errorf("Canonical() is not valid JSON with a final newline:\n%s", c1)
		}
	}
}

func TestCanonicalNormalizesDecodedValues(t *testing.T) {
	src := `{"applicationKey": {"version": "1.0", "clientPlatform": "android", "packageName": "p"},
		"mandatoryScope": "b a b", "maxTokenExpiration": 1e3,
		"securityCheckConfigurations": {"c": {"expirationSec": 6e1}}}`
	d, err := config.ParseDescriptor([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	c := string(d.Canonical())
	for _, want := range []string{`"mandatoryScope": "a b",`, `"expirationSec": 60`, `"maxTokenExpiration": 1000`} {
		if !strings.Contains(c, want) {
			t.Errorf("Canonical() does not contain %s:\n%s", want, c)
		}
	}
	for _, bad := range []string{"\\u003c", "\\u0026", "\t", "1e3", "6e1"} {
		if strings.Contains(c, bad) {
			t.Errorf("Canonical() contains %q:\n%s", bad, c)
		}
	}
}

func TestDescriptorJSONMethods(t *testing.T) {
	src := `{"applicationKey": {"version": "1", "clientPlatform": "web", "id": "w"}, "mandatoryScope": "b a"}`
	var d config.Descriptor
	if err := json.Unmarshal([]byte(src), &d); err != nil {
		t.Fatalf("json.Unmarshal: %v", err)
	}
	want := config.Descriptor{
		ApplicationKey:              config.AppKey{ID: "w", Platform: config.PlatformWeb, Version: "1"},
		MandatoryScope:              config.Scope{"a", "b"},
		ScopeElementMapping:         map[string]config.Scope{},
		SecurityCheckConfigurations: map[string]config.Properties{},
	}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("json.Unmarshal = %+v, want %+v", d, want)
	}
	if err := json.Unmarshal([]byte(`{"applicationKey": 1}`), &d); config.ErrorKind(err) != config.KindInvalid {
		t.Errorf("json.Unmarshal of a bad descriptor: err = %v, want a %s error", err, config.KindInvalid)
	}
	out, err := json.Marshal(&d)
	if err != nil {
		t.Fatal(err)
	}
	var back config.Descriptor
	if err := json.Unmarshal(out, &back); err != nil || !bytes.Equal(back.Canonical(), d.Canonical()) {
		t.Errorf("json.Marshal then Unmarshal: %v\n%s\nwant\n%s", err, back.Canonical(), d.Canonical())
	}
}
