package config_test

import (
	"reflect"
	"testing"

	"github.com/scopectl/scopectl/config"
)

// baseDescriptor returns a fresh descriptor for the diff tests to modify.
func baseDescriptor() *config.Descriptor {
	return &config.Descriptor{
		ApplicationKey: config.AppKey{ID: "com.example.bank", Platform: config.PlatformAndroid, Version: "1.0"},
		DisplayName:    "Bank",
		MandatoryScope: config.NewScope("accounts", "push.application.*"),
		ScopeElementMapping: map[string]config.Scope{
			"accounts": config.NewScope("pin", "device"),
			"transfer": config.NewScope("pin"),
		},
		SecurityCheckConfigurations: map[string]config.Properties{
			"pin":    {"maxAttempts": int64(3), "expirationSec": "60"},
			"device": {"enableSSO": true},
		},
	}
}

func TestDiffNoChanges(t *testing.T) {
	tests := []struct {
		name   string
		modify func(a, b *config.Descriptor)
	}{
		{"equal", func(_, _ *config.Descriptor) {}},
		{"mandatoryScope order and duplicates", func(_, b *config.Descriptor) {
			b.MandatoryScope = config.Scope{"push.application.*", "accounts", "accounts"}
		}},
		{"mapping value order and duplicates", func(_, b *config.Descriptor) {
			b.ScopeElementMapping["accounts"] = config.Scope{"pin", "device", "pin"}
		}},
		{"absent maxTokenExpiration vs 3600", func(_, b *config.Descriptor) { b.MaxTokenExpiration = 3600 }},
		{"nil vs empty mapping value", func(a, b *config.Descriptor) {
			a.ScopeElementMapping["transfer"] = config.Scope{}
			b.ScopeElementMapping["transfer"] = nil
		}},
		{"nil vs empty maps", func(a, b *config.Descriptor) {
			a.ScopeElementMapping, a.SecurityCheckConfigurations = nil, nil
			b.ScopeElementMapping = map[string]config.Scope{}
			b.SecurityCheckConfigurations = map[string]config.Properties{}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := baseDescriptor(), baseDescriptor()
			tt.modify(a, b)
			if got := config.Diff(a, b); len(got) != 0 {
				t.Errorf("Diff(a, b) = %v, want no changes", got)
			}
			if got := config.Diff(b, a); len(got) != 0 {
				t.Errorf("Diff(b, a) = %v, want no changes", got)
			}
		})
	}
}

func TestDiff(t *testing.T) {
	tests := []struct {
		name   string
		modify func(a, b *config.Descriptor)
		want   []config.Change
	}{
		{
			name:   "maxTokenExpiration from absent",
			modify: func(_, b *config.Descriptor) { b.MaxTokenExpiration = 7200 },
			want:   []config.Change{{Op: config.OpReplace, Path: "/maxTokenExpiration", Old: int64(3600), New: int64(7200)}},
		},
		{
			name:   "maxTokenExpiration to absent",
			modify: func(a, _ *config.Descriptor) { a.MaxTokenExpiration = 60 },
			want:   []config.Change{{Op: config.OpReplace, Path: "/maxTokenExpiration", Old: int64(60), New: int64(3600)}},
		},
		{
			name:   "displayName",
			modify: func(_, b *config.Descriptor) { b.DisplayName = "" },
			want:   []config.Change{{Op: config.OpReplace, Path: "/displayName", Old: "Bank", New: ""}},
		},
		{
			name:   "version",
			modify: func(_, b *config.Descriptor) { b.ApplicationKey.Version = "1.1" },
			want:   []config.Change{{Op: config.OpReplace, Path: "/applicationKey/version", Old: "1.0", New: "1.1"}},
		},
		{
			name:   "application id",
			modify: func(_, b *config.Descriptor) { b.ApplicationKey.ID = "com.example.other" },
			want: []config.Change{{Op: config.OpReplace, Path: "/applicationKey/packageName",
				Old: "com.example.bank", New: "com.example.other"}},
		},
		{
			name:   "platform android to ios",
			modify: func(_, b *config.Descriptor) { b.ApplicationKey.Platform = config.PlatformIOS },
			want: []config.Change{
				{Op: config.OpRemove, Path: "/applicationKey/packageName", Old: "com.example.bank"},
				{Op: config.OpAdd, Path: "/applicationKey/bundleId", New: "com.example.bank"},
				{Op: config.OpReplace, Path: "/applicationKey/clientPlatform", Old: "android", New: "ios"},
			},
		},
		{
			name: "platform web to windows",
			modify: func(a, b *config.Descriptor) {
				a.ApplicationKey.Platform = config.PlatformWeb
				b.ApplicationKey.Platform = config.PlatformWindows
			},
			want: []config.Change{
				{Op: config.OpAdd, Path: "/applicationKey/assemblyName", New: "com.example.bank"},
				{Op: config.OpRemove, Path: "/applicationKey/id", Old: "com.example.bank"},
				{Op: config.OpReplace, Path: "/applicationKey/clientPlatform", Old: "web", New: "windows"},
			},
		},
		{
			name: "mandatoryScope",
			modify: func(_, b *config.Descriptor) {
				b.MandatoryScope = config.Scope{"profile", "accounts", "audit", "profile"}
			},
			want: []config.Change{{
				Op: config.OpReplace, Path: "/mandatoryScope",
				Old: "accounts push.application.*", New: "accounts audit profile",
				Added: []string{"audit", "profile"}, Removed: []string{"push.application.*"},
			}},
		},
		{
			name: "mapping value",
			modify: func(_, b *config.Descriptor) {
				b.ScopeElementMapping["accounts"] = config.NewScope("device", "otp")
			},
			want: []config.Change{{
				Op: config.OpReplace, Path: "/scopeElementMapping/accounts",
				Old: "device pin", New: "device otp",
				Added: []string{"otp"}, Removed: []string{"pin"},
			}},
		},
		{
			name: "mapping value emptied",
			modify: func(_, b *config.Descriptor) {
				b.ScopeElementMapping["transfer"] = nil
			},
			want: []config.Change{{
				Op: config.OpReplace, Path: "/scopeElementMapping/transfer",
				Old: "pin", New: "", Removed: []string{"pin"},
			}},
		},
		{
			name: "mapping added and removed",
			modify: func(_, b *config.Descriptor) {
				delete(b.ScopeElementMapping, "transfer")
				b.ScopeElementMapping["audit"] = config.Scope{"pin", "admin", "pin"}
			},
			want: []config.Change{
				{Op: config.OpAdd, Path: "/scopeElementMapping/audit", New: "admin pin"},
				{Op: config.OpRemove, Path: "/scopeElementMapping/transfer", Old: "pin"},
			},
		},
		{
			name: "keys with slash and tilde are escaped",
			modify: func(_, b *config.Descriptor) {
				b.ScopeElementMapping["push/app~1"] = config.NewScope("pin")
				b.SecurityCheckConfigurations["pin"]["a/b~c"] = "x"
			},
			want: []config.Change{
				{Op: config.OpAdd, Path: "/scopeElementMapping/push~1app~01", New: "pin"},
				{Op: config.OpAdd, Path: "/securityCheckConfigurations/pin/a~1b~0c", New: "x"},
			},
		},
		{
			name: "check added and removed",
			modify: func(_, b *config.Descriptor) {
				delete(b.SecurityCheckConfigurations, "device")
				b.SecurityCheckConfigurations["otp"] = config.Properties{"maxAttempts": int64(5)}
			},
			want: []config.Change{
				{Op: config.OpRemove, Path: "/securityCheckConfigurations/device", Old: config.Properties{"enableSSO": true}},
				{Op: config.OpAdd, Path: "/securityCheckConfigurations/otp", New: config.Properties{"maxAttempts": int64(5)}},
			},
		},
		{
			name: "properties added, removed and replaced",
			modify: func(_, b *config.Descriptor) {
				b.SecurityCheckConfigurations["pin"] = config.Properties{
					"maxAttempts":               int64(5), // replaced
					"blockedStateExpirationSec": "30",     // added
					// expirationSec removed
				}
				b.SecurityCheckConfigurations["device"] = config.Properties{"enableSSO": "true"} // bool -> string
			},
			want: []config.Change{
				{Op: config.OpReplace, Path: "/securityCheckConfigurations/device/enableSSO", Old: true, New: "true"},
				{Op: config.OpAdd, Path: "/securityCheckConfigurations/pin/blockedStateExpirationSec", New: "30"},
				{Op: config.OpRemove, Path: "/securityCheckConfigurations/pin/expirationSec", Old: "60"},
				{Op: config.OpReplace, Path: "/securityCheckConfigurations/pin/maxAttempts", Old: int64(3), New: int64(5)},
			},
		},
		{
			name: "many changes in canonical order",
			modify: func(_, b *config.Descriptor) {
				b.MaxTokenExpiration = 60
				b.SecurityCheckConfigurations["aaa"] = config.Properties{}
				b.ScopeElementMapping["zzz"] = nil
				b.MandatoryScope = nil
				b.DisplayName = "B"
				b.ApplicationKey.Version = "2"
			},
			want: []config.Change{
				{Op: config.OpReplace, Path: "/applicationKey/version", Old: "1.0", New: "2"},
				{Op: config.OpReplace, Path: "/displayName", Old: "Bank", New: "B"},
				{Op: config.OpReplace, Path: "/mandatoryScope", Old: "accounts push.application.*", New: "",
					Removed: []string{"accounts", "push.application.*"}},
				{Op: config.OpAdd, Path: "/scopeElementMapping/zzz", New: ""},
				{Op: config.OpAdd, Path: "/securityCheckConfigurations/aaa", New: config.Properties{}},
				{Op: config.OpReplace, Path: "/maxTokenExpiration", Old: int64(3600), New: int64(60)},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := baseDescriptor(), baseDescriptor()
			tt.modify(a, b)
			// Maps iterate in random order; the output must not.
			for range 20 {
				got := config.Diff(a, b)
				if len(got) != len(tt.want) {
					t.Fatalf("Diff = %v\nwant %v", got, tt.want)
				}
				for i := range got {
					checkChange(t, i, got[i], tt.want[i])
				}
			}
		})
	}
}

// checkChange compares one change. Added and Removed are compared for every
// replacement (empty when the test names none) and whenever the test names
// them; for whole members added or removed the documentation leaves them open.
func checkChange(t *testing.T, i int, got, want config.Change) {
	t.Helper()
	if got.Op != want.Op || got.Path != want.Path || !reflect.DeepEqual(got.Old, want.Old) || !reflect.DeepEqual(got.New, want.New) {
		t.Fatalf("change %d = %#v\nwant %#v", i, got, want)
	}
	if want.Added != nil || want.Removed != nil || got.Op == config.OpReplace {
		if !sameStrings(got.Added, want.Added) || !sameStrings(got.Removed, want.Removed) {
			t.Fatalf("change %d %s: Added %q, Removed %q; want Added %q, Removed %q", i, got.Path, got.Added, got.Removed, want.Added, want.Removed)
		}
	}
}

func sameStrings(a, b []string) bool {
	return len(a) == len(b) && (len(a) == 0 || reflect.DeepEqual(a, b))
}

func TestChangeString(t *testing.T) {
	tests := []struct {
		c    config.Change
		want string
	}{
		{config.Change{Op: config.OpReplace, Path: "/maxTokenExpiration", Old: int64(3600), New: int64(7200)},
			"replace /maxTokenExpiration: 3600 → 7200"},
		{config.Change{Op: config.OpReplace, Path: "/displayName", Old: "", New: "Bank \"A\""},
			`replace /displayName: "" → "Bank \"A\""`},
		{config.Change{Op: config.OpAdd, Path: "/scopeElementMapping/x", New: "a b"},
			`add /scopeElementMapping/x: "a b"`},
		{config.Change{Op: config.OpRemove, Path: "/securityCheckConfigurations/pin", Old: config.Properties{"a": int64(1), "b": true}},
			"remove /securityCheckConfigurations/pin: {2 properties}"},
		{config.Change{Op: config.OpAdd, Path: "/securityCheckConfigurations/pin/enableSSO", New: true},
			"add /securityCheckConfigurations/pin/enableSSO: true"},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
	// The strings of real changes.
	a, b := baseDescriptor(), baseDescriptor()
	b.ApplicationKey.Platform = config.PlatformIOS
	b.SecurityCheckConfigurations["otp"] = config.Properties{}
	var got []string
	for _, c := range config.Diff(a, b) {
		got = append(got, c.String())
	}
	want := []string{
		`remove /applicationKey/packageName: "com.example.bank"`,
		`add /applicationKey/bundleId: "com.example.bank"`,
		`replace /applicationKey/clientPlatform: "android" → "ios"`,
		`add /securityCheckConfigurations/otp: {0 properties}`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Diff strings = %q\nwant %q", got, want)
	}
}
