package config_test

import (
	"reflect"
	"testing"

	"github.com/scopectl/scopectl/config"
)

func TestResolveMapsElementsToChecks(t *testing.T) {
	d := descriptor(t, `"mandatoryScope":"appAuthenticity","scopeElementMapping":{"accessRestricted":"PinCodeAttempts UserLogin","free":""}`)
	r := config.Resolve(d, config.NewScope("accessRestricted", "free", "custom"), config.BuiltinChecks)

	want := []config.ResolvedElement{
		{Name: "accessRestricted", Checks: config.Scope{"PinCodeAttempts", "UserLogin"}, Mapped: true},
		{Name: "custom", Checks: config.Scope{"custom"}},
		{Name: "free", Checks: config.Scope{}, Mapped: true},
		{Name: "appAuthenticity", Checks: config.Scope{"appAuthenticity"}, Mandatory: true},
	}
	if len(r.Elements) != len(want) {
		t.Fatalf("elements = %+v, want %+v", r.Elements, want)
	}
	for i, e := range r.Elements {
		if e.Name != want[i].Name || e.Mapped != want[i].Mapped || e.Mandatory != want[i].Mandatory || e.Checks.String() != want[i].Checks.String() {
			t.Errorf("element %d = %+v, want %+v", i, e, want[i])
		}
	}
	var names []string
	for _, c := range r.Checks {
		names = append(names, c.Name)
	}
	if want := []string{"PinCodeAttempts", "UserLogin", "appAuthenticity", "custom"}; !reflect.DeepEqual(names, want) {
		t.Errorf("checks = %v, want %v", names, want)
	}
	if r.Checks[3].Known {
		t.Error("custom is not in the catalog but resolved as known")
	}
	if r.Scope.String() != "accessRestricted custom free" {
		t.Errorf("granted scope = %q; the mandatory scope must not be in it", r.Scope)
	}
}

func TestResolveEffectiveProperties(t *testing.T) {
	d := descriptor(t, `"securityCheckConfigurations":{"PinCodeAttempts":{"maxAttempts":"5","color":"red"}}`)
	r := config.Resolve(d, config.NewScope("PinCodeAttempts"), config.BuiltinChecks)
	props := map[string]config.ResolvedProperty{}
	for _, p := range r.Checks[0].Properties {
		props[p.Name] = p
	}
	if p := props["maxAttempts"]; p.Value != "5" || !p.Configured {
		t.Errorf("maxAttempts = %+v, want the configured \"5\"", p)
	}
	if p := props["blockedStateExpirationSec"]; p.Value != int64(60) || p.Configured {
		t.Errorf("blockedStateExpirationSec = %+v, want the default 60", p)
	}
	if p := props["color"]; p.Value != "red" || !p.Configured {
		t.Errorf("a custom property is kept as configured: %+v", p)
	}
	if n, ok := r.Checks[0].Effective().Int("maxAttempts"); !ok || n != 5 {
		t.Errorf("Effective().Int(maxAttempts) = %d, %v; want 5", n, ok)
	}
}

func TestResolveTokenLifetime(t *testing.T) {
	tests := []struct {
		name, src, scope string
		seconds          int64
		cappedBy, prop   string
	}{
		{"no check: the default maximum", ``, "", 3600, "", ""},
		{"maxTokenExpiration caps a longer check", `"maxTokenExpiration":600`, "UserLogin", 600, "", ""},
		{"the shortest check wins", `"maxTokenExpiration":7200`, "UserLogin PinCodeAttempts", 60, "PinCodeAttempts", "successStateExpirationSec"},
		{"a configured expiration, as a string", `"securityCheckConfigurations":{"UserLogin":{"successStateExpirationSec":"90"}}`, "UserLogin", 90, "UserLogin", "successStateExpirationSec"},
		{"expirationSec of appAuthenticity", `"securityCheckConfigurations":{"appAuthenticity":{"expirationSec":30}}`, "appAuthenticity", 30, "appAuthenticity", "expirationSec"},
		{"mandatory checks count", `"mandatoryScope":"PinCodeAttempts"`, "", 60, "PinCodeAttempts", "successStateExpirationSec"},
		{"a check without expiration does not cap", ``, "custom", 3600, "", ""},
		{"a mapping to no check does not cap", `"scopeElementMapping":{"PinCodeAttempts":""}`, "PinCodeAttempts", 3600, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.src
			if src == "" {
				src = `"displayName":"x"`
			}
			sc, err := config.ParseScope(tt.scope)
			if err != nil {
				t.Fatal(err)
			}
			lt := config.Resolve(descriptor(t, src), sc, config.BuiltinChecks).Lifetime
			if lt.Seconds != tt.seconds || lt.CappedBy != tt.cappedBy || lt.Property != tt.prop {
				t.Errorf("lifetime = %+v, want %d s capped by %q %q", lt, tt.seconds, tt.cappedBy, tt.prop)
			}
		})
	}
}

func TestPropertiesIntAndBool(t *testing.T) {
	p := config.Properties{"n": int64(3), "s": "42", "neg": int64(-1), "bad": "4x", "b": true, "bs": "false", "bx": "yes"}
	for name, want := range map[string]bool{"n": true, "s": true, "neg": false, "bad": false, "absent": false} {
		if _, ok := p.Int(name); ok != want {
			t.Errorf("Int(%q) ok = %v, want %v", name, ok, want)
		}
	}
	if v, ok := p.Bool("bs"); !ok || v {
		t.Errorf(`Bool("bs") = %v, %v; want false, true`, v, ok)
	}
	if _, ok := p.Bool("bx"); ok {
		t.Error(`Bool("bx") accepted "yes"`)
	}
}
