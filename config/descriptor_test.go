package config_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/config"
)

func TestParseAppKey(t *testing.T) {
	tests := []struct {
		in       string
		want     config.AppKey
		fileName string
	}{
		{"com.example.bank/android/1.0", config.AppKey{ID: "com.example.bank", Platform: config.PlatformAndroid, Version: "1.0"}, "com.example.bank-android-1.0.json"},
		{"com.example.bank/ios/2.3.1", config.AppKey{ID: "com.example.bank", Platform: config.PlatformIOS, Version: "2.3.1"}, "com.example.bank-ios-2.3.1.json"},
		{"Bank.App/windows/1", config.AppKey{ID: "Bank.App", Platform: config.PlatformWindows, Version: "1"}, "Bank.App-windows-1.json"},
		{"site/web/v2", config.AppKey{ID: "site", Platform: config.PlatformWeb, Version: "v2"}, "site-web-v2.json"},
	}
	for _, tt := range tests {
		got, err := config.ParseAppKey(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseAppKey(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			continue
		}
		if s := got.String(); s != tt.in {
			t.Errorf("%+v.String() = %q, want %q", got, s, tt.in)
		}
		if f := got.FileName(); f != tt.fileName {
			t.Errorf("%+v.FileName() = %q, want %q", got, f, tt.fileName)
		}
	}
}

func TestParseAppKeyErrors(t *testing.T) {
	for _, in := range []string{
		"",
		"app",
		"app/android",
		"app/android/1.0/extra",
		"/android/1.0",
		"app/android/",
		"app//1.0",
		"app/Android/1.0",
		"app/blackberry/1.0",
		"app android 1.0",
	} {
		got, err := config.ParseAppKey(in)
		if err == nil {
			t.Errorf("ParseAppKey(%q) = %+v; want an error", in, got)
			continue
		}
		if got != (config.AppKey{}) {
			t.Errorf("ParseAppKey(%q) returned %+v with the error; want the zero AppKey", in, got)
		}
		if k := config.ErrorKind(err); k != config.KindInvalid {
			t.Errorf("ParseAppKey(%q) error kind = %q, want %q", in, k, config.KindInvalid)
		}
		if !strings.Contains(err.Error(), fmt.Sprintf("%q", in)) {
			t.Errorf("ParseAppKey(%q) error %q does not quote the input", in, err)
		}
	}
}

// descriptorWith returns a minimal valid descriptor root with extra members.
func descriptorWith(members map[string]any) map[string]any {
	root := map[string]any{
		"applicationKey": map[string]any{"clientPlatform": "web", "id": "app", "version": "1"},
	}
	for k, v := range members {
		root[k] = v
	}
	return root
}

func TestDecodeDescriptor(t *testing.T) {
	src := `{
  "applicationKey": {"bundleId": "com.example", "clientPlatform": "ios", "version": "1.0", "packageName": "ignored"},
  "displayName": "Bank",
  "mandatoryScope": " b a b ",
  "scopeElementMapping": {"a": "pin otp pin", "b": ""},
  "securityCheckConfigurations": {"pin": {"maxAttempts": 3, "expirationSec": "60", "enableSSO": true, "blockedStateExpirationSec": 1e3}},
  "maxTokenExpiration": 7200,
  "unknown": {"ignored": [1]}
}`
	got, err := config.ParseDescriptor([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := &config.Descriptor{
		ApplicationKey: config.AppKey{ID: "com.example", Platform: config.PlatformIOS, Version: "1.0"},
		DisplayName:    "Bank",
		MandatoryScope: config.Scope{"a", "b"},
		ScopeElementMapping: map[string]config.Scope{
			"a": {"otp", "pin"},
			"b": {},
		},
		SecurityCheckConfigurations: map[string]config.Properties{
			"pin": {"maxAttempts": int64(3), "expirationSec": "60", "enableSSO": true, "blockedStateExpirationSec": int64(1000)},
		},
		MaxTokenExpiration: 7200,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseDescriptor =\n%#v\nwant\n%#v", got, want)
	}
	if n := got.EffectiveMaxTokenExpiration(); n != 7200 {
		t.Errorf("EffectiveMaxTokenExpiration() = %d, want 7200", n)
	}
	if n := (&config.Descriptor{}).EffectiveMaxTokenExpiration(); n != 3600 {
		t.Errorf("EffectiveMaxTokenExpiration() of an empty descriptor = %d, want 3600", n)
	}
}

func TestDecodeDescriptorWholeNumbers(t *testing.T) {
	tests := []struct {
		lit  string
		want int64
	}{
		{"0", 0},
		{"-0", 0},
		{"42", 42},
		{"-7", -7},
		{"1e3", 1000},
		{"1E+2", 100},
		{"12.0", 12},
		{"12.000", 12},
		{"0.5e1", 5},
		{"1500e-1", 150},
		{"-2.5E1", -25},
		{"9007199254740991", 9007199254740991},   // 2^53-1
		{"-9007199254740991", -9007199254740991}, // -(2^53-1)
		{"9.007199254740991e15", 9007199254740991},
	}
	for _, tt := range tests {
		root := descriptorWith(map[string]any{
			"securityCheckConfigurations": map[string]any{"c": map[string]any{"p": json.Number(tt.lit)}},
		})
		d, err := config.DecodeDescriptor(root)
		if err != nil {
			t.Errorf("property %s: %v; want %d", tt.lit, err, tt.want)
			continue
		}
		if got, ok := d.SecurityCheckConfigurations["c"]["p"].(int64); !ok || got != tt.want {
			t.Errorf("property %s = %#v, want int64(%d)", tt.lit, d.SecurityCheckConfigurations["c"]["p"], tt.want)
		}
	}
}

func TestDecodeDescriptorRejectsNonWholeNumbers(t *testing.T) {
	for _, lit := range []string{
		"1.5",
		"0.1",
		"-0.5",
		"1e-1",
		"9007199254740992", // 2^53
		"-9007199254740992",
		"9007199254740993",
		"9.007199254740992e15",
		"1e16",
		"99999999999999999999",
		"1e400",
		"-1e400",
	} {
		root := descriptorWith(map[string]any{
			"securityCheckConfigurations": map[string]any{"c": map[string]any{"p": json.Number(lit)}},
		})
		d, err := config.DecodeDescriptor(root)
		if err == nil {
			t.Errorf("property %s decoded to %#v; want an error", lit, d.SecurityCheckConfigurations["c"]["p"])
			continue
		}
		if config.ErrorKind(err) != config.KindInvalid {
			t.Errorf("property %s: error kind %q, want %q", lit, config.ErrorKind(err), config.KindInvalid)
		}
		if !strings.Contains(err.Error(), "/securityCheckConfigurations/c/p") || !strings.Contains(err.Error(), lit) {
			t.Errorf("property %s: error %q should name the pointer and the number", lit, err)
		}
	}
}

func TestDecodeDescriptorMaxTokenExpiration(t *testing.T) {
	tests := []struct {
		v       any
		want    int64
		wantErr bool
	}{
		{nil, 0, false},
		{json.Number("1"), 1, false},
		{json.Number("7200"), 7200, false},
		{json.Number("1e3"), 1000, false},
		{json.Number("3600.0"), 3600, false},
		{json.Number("0"), 0, true},
		{json.Number("-1"), 0, true},
		{json.Number("1.5"), 0, true},
		{json.Number("9007199254740992"), 0, true},
		{"3600", 0, true},
		{true, 0, true},
		{map[string]any{}, 0, true},
	}
	for _, tt := range tests {
		members := map[string]any{}
		if tt.v != nil {
			members["maxTokenExpiration"] = tt.v
		}
		d, err := config.DecodeDescriptor(descriptorWith(members))
		if tt.wantErr {
			if config.ErrorKind(err) != config.KindInvalid {
				t.Errorf("maxTokenExpiration %#v: err = %v; want a %s error", tt.v, err, config.KindInvalid)
			}
			continue
		}
		if err != nil || d.MaxTokenExpiration != tt.want {
			t.Errorf("maxTokenExpiration %#v = %v, %v; want %d", tt.v, d, err, tt.want)
		}
	}
}

func TestDecodeDescriptorWrongShapes(t *testing.T) {
	appKey := func(kv ...string) map[string]any {
		m := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name string
		root any
		msg  string // substring of the error
	}{
		{"nil root", nil, "must be a JSON object, not null"},
		{"array root", []any{}, "not array"},
		{"string root", "x", "not string"},
		{"number root", json.Number("1"), "must be a JSON object"},
		{"no applicationKey", map[string]any{}, "/applicationKey must be an object"},
		{"applicationKey string", map[string]any{"applicationKey": "a/android/1"}, "/applicationKey must be an object, not string"},
		{"unknown platform", map[string]any{"applicationKey": appKey("clientPlatform", "symbian", "id", "a", "version", "1")}, "clientPlatform"},
		{"platform not a string", map[string]any{"applicationKey": map[string]any{"clientPlatform": true, "id": "a", "version": "1"}}, "clientPlatform"},
		{"id under the wrong member", map[string]any{"applicationKey": appKey("clientPlatform", "android", "bundleId", "a", "version", "1")}, "packageName"},
		{"empty id", map[string]any{"applicationKey": appKey("clientPlatform", "ios", "bundleId", "", "version", "1")}, "bundleId"},
		{"no version", map[string]any{"applicationKey": appKey("clientPlatform", "windows", "assemblyName", "a")}, "version"},
		{"version not a string", map[string]any{"applicationKey": map[string]any{"clientPlatform": "web", "id": "a", "version": json.Number("1")}}, "version"},
		{"displayName number", descriptorWith(map[string]any{"displayName": json.Number("1")}), "/displayName must be a string"},
		{"displayName null", descriptorWith(map[string]any{"displayName": nil}), "/displayName must be a string, not null"},
		{"mandatoryScope array", descriptorWith(map[string]any{"mandatoryScope": []any{"a"}}), "/mandatoryScope must be a string, not array"},
		{"mandatoryScope bad char", descriptorWith(map[string]any{"mandatoryScope": "a b\\c"}), "/mandatoryScope: scope element"},
		{"mapping string", descriptorWith(map[string]any{"scopeElementMapping": "a"}), "/scopeElementMapping must be an object, not string"},
		{"mapping array", descriptorWith(map[string]any{"scopeElementMapping": []any{}}), "/scopeElementMapping must be an object"},
		{"mapping value number", descriptorWith(map[string]any{"scopeElementMapping": map[string]any{"a/b": json.Number("1")}}), "/scopeElementMapping/a~1b must be a string"},
		{"mapping value bad char", descriptorWith(map[string]any{"scopeElementMapping": map[string]any{"a": "pin\tx"}}), "/scopeElementMapping/a: scope element"},
		{"checks number", descriptorWith(map[string]any{"securityCheckConfigurations": json.Number("7")}), "/securityCheckConfigurations must be an object"},
		{"check config number", descriptorWith(map[string]any{"securityCheckConfigurations": map[string]any{"pin": json.Number("7")}}), "/securityCheckConfigurations/pin must be an object"},
		{"check config null", descriptorWith(map[string]any{"securityCheckConfigurations": map[string]any{"pin": nil}}), "/securityCheckConfigurations/pin must be an object, not null"},
		{"property null", descriptorWith(map[string]any{"securityCheckConfigurations": map[string]any{"pin": map[string]any{"p": nil}}}), "/securityCheckConfigurations/pin/p must be a string, integer or boolean, not null"},
		{"property array", descriptorWith(map[string]any{"securityCheckConfigurations": map[string]any{"pin": map[string]any{"p~": []any{}}}}), "/securityCheckConfigurations/pin/p~0 must be a string, integer or boolean, not array"},
		{"property object", descriptorWith(map[string]any{"securityCheckConfigurations": map[string]any{"pin": map[string]any{"p": map[string]any{}}}}), "not object"},
		{"property float64", descriptorWith(map[string]any{"securityCheckConfigurations": map[string]any{"pin": map[string]any{"p": 1.0}}}), "/securityCheckConfigurations/pin/p must be a string, integer or boolean"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d *config.Descriptor
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("DecodeDescriptor panicked: %v", r)
					}
				}()
				d, err = config.DecodeDescriptor(tt.root)
			}()
			if d != nil {
				t.Errorf("DecodeDescriptor = %+v; want nil", d)
			}
			var e *config.Error
			if !errors.As(err, &e) || e.Kind != config.KindInvalid {
				t.Fatalf("DecodeDescriptor error = %#v; want a *config.Error of kind %s", err, config.KindInvalid)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not contain %q", err, tt.msg)
			}
		})
	}
}

func TestDecodeDescriptorScopeErrorIsWrapped(t *testing.T) {
	_, err := config.DecodeDescriptor(descriptorWith(map[string]any{"mandatoryScope": `ok "bad"`}))
	var se *config.ScopeError
	if !errors.As(err, &se) {
		t.Fatalf("error %v does not wrap a *ScopeError", err)
	}
	if se.Offset != 3 || se.Char != '"' {
		t.Errorf("ScopeError = %+v; want Offset 3, Char '\"'", se)
	}
	if config.ErrorKind(err) != config.KindInvalid {
		t.Errorf("ErrorKind = %q, want %q", config.ErrorKind(err), config.KindInvalid)
	}
}

func TestParseDescriptorErrors(t *testing.T) {
	tests := []struct {
		src string
		msg string
	}{
		{``, "1:1: file is empty"},
		{"{\n  \"a\": 1,}", "2:9: trailing comma"},
		{`{"applicationKey": {}, "applicationKey": {}}`, `1:24: duplicate member "applicationKey"`},
		{"\xEF\xBB\xBF{}", "1:1: file starts with a UTF-8 byte-order mark"},
		{`[]`, "descriptor must be a JSON object, not array"},
		{`{"applicationKey": {"clientPlatform": "android", "version": "1"}}`, "/applicationKey needs packageName and version"},
	}
	for _, tt := range tests {
		d, err := config.ParseDescriptor([]byte(tt.src))
		if d != nil || config.ErrorKind(err) != config.KindInvalid {
			t.Errorf("ParseDescriptor(%q) = %v, %v; want a %s error", tt.src, d, err, config.KindInvalid)
			continue
		}
		if !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("ParseDescriptor(%q) error %q does not contain %q", tt.src, err, tt.msg)
		}
	}
}

func TestSuggest(t *testing.T) {
	members := []string{"applicationKey", "displayName", "mandatoryScope", "scopeElementMapping", "securityCheckConfigurations", "maxTokenExpiration"}
	keyMembers := []string{"packageName", "bundleId", "assemblyName", "id", "clientPlatform", "version"}
	tests := []struct {
		word       string
		candidates []string
		want       string
	}{
		{"maxTokenExpiraton", members, "maxTokenExpiration"},
		{"maxTokenExpirationSec", members, "maxTokenExpiration"},
		{"MandatoryScope", members, "mandatoryScope"},
		{"scopeElementMap", members, "scopeElementMapping"},
		{"securityCheckConfiguration", members, "securityCheckConfigurations"},
		{"bundleID", keyMembers, "bundleId"},
		{"packagename", keyMembers, "packageName"},
		{"versoin", keyMembers, "version"},
		{"ID", keyMembers, "id"},
		{"platform", keyMembers, ""},
		{"color", members, ""},
		{"totallyUnrelatedWord", members, ""},
		{"x", keyMembers, ""},
		{"maxTokenExpiraton", nil, ""},
	}
	for _, tt := range tests {
		if got := config.Suggest(tt.word, tt.candidates); got != tt.want {
			t.Errorf("Suggest(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}

func TestErrorKind(t *testing.T) {
	notFound := config.Errorf(config.KindNotFound, "application %q not found", "a/android/1")
	tests := []struct {
		name string
		err  error
		want config.Kind
	}{
		{"nil", nil, ""},
		{"plain error", io.EOF, config.KindInternal},
		{"config error", notFound, config.KindNotFound},
		{"wrapped config error", fmt.Errorf("loading: %w", notFound), config.KindNotFound},
		{"config error wrapping config error", &config.Error{Kind: config.KindConflict, Err: notFound}, config.KindConflict},
		{"joined", errors.Join(io.EOF, &config.Error{Kind: config.KindForbidden}), config.KindForbidden},
	}
	for _, tt := range tests {
		if got := config.ErrorKind(tt.err); got != tt.want {
			t.Errorf("%s: ErrorKind = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestErrorMessageAndUnwrap(t *testing.T) {
	cause := errors.New("dial tcp: connection refused")
	tests := []struct {
		err  *config.Error
		want string
	}{
		{&config.Error{Kind: config.KindInvalid, Message: "bad input"}, "bad input"},
		{&config.Error{Kind: config.KindUnavailable, Op: "push", Message: "server unreachable", Err: cause}, "push: server unreachable"},
		{&config.Error{Kind: config.KindInternal, Err: cause}, "dial tcp: connection refused"},
		{&config.Error{Kind: config.KindInternal, Op: "pull", Err: cause}, "pull: dial tcp: connection refused"},
		{config.Errorf(config.KindTooLarge, "file is %d bytes", 20), "file is 20 bytes"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
	e := &config.Error{Kind: config.KindUnavailable, Message: "unreachable", Err: cause}
	if e.Unwrap() != cause || !errors.Is(e, cause) {
		t.Errorf("Unwrap() = %v; want the cause", e.Unwrap())
	}
	if (&config.Error{Message: "x"}).Unwrap() != nil {
		t.Error("Unwrap() without a cause is not nil")
	}
	if e := config.Errorf(config.KindInvalid, "x"); e.Kind != config.KindInvalid || e.Err != nil || e.Op != "" {
		t.Errorf("Errorf = %+v; want only Kind and Message set", e)
	}
}

func TestDiagnosticHelpers(t *testing.T) {
	warn := config.Diagnostic{Severity: config.SeverityWarning, Rule: "w"}
	errDiag := config.Diagnostic{Severity: config.SeverityError, Rule: "e"}
	if config.HasErrors(nil) || config.HasErrors([]config.Diagnostic{warn}) {
		t.Error("HasErrors is true without an error")
	}
	if !config.HasErrors([]config.Diagnostic{warn, errDiag}) {
		t.Error("HasErrors is false with an error")
	}
	at := func(off int, rule, ptr, msg string) config.Diagnostic {
		return config.Diagnostic{Position: config.Position{Offset: off}, Rule: rule, Pointer: ptr, Message: msg}
	}
	tests := []struct {
		a, b config.Diagnostic
		want int
	}{
		{at(1, "z", "", ""), at(2, "a", "", ""), -1},
		{at(5, "a", "", ""), at(5, "b", "", ""), -1},
		{at(5, "a", "/b", ""), at(5, "a", "/a", ""), 1},
		{at(5, "a", "/a", "m2"), at(5, "a", "/a", "m1"), 1},
		{at(5, "a", "/a", "m"), at(5, "a", "/a", "m"), 0},
	}
	for _, tt := range tests {
		if got := config.CompareDiagnostics(tt.a, tt.b); got != tt.want {
			t.Errorf("CompareDiagnostics(%v, %v) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
