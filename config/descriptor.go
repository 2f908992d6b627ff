package config

import (
	"fmt"
	"strings"
)

// DefaultMaxTokenExpiration is the maximum access-token lifetime, in
// seconds, of a descriptor that does not set maxTokenExpiration.
const DefaultMaxTokenExpiration = 3600

// Platform is an application's client platform.
type Platform string

// The client platforms and the applicationKey member that holds the
// application id on each.
const (
	PlatformAndroid Platform = "android"
	PlatformIOS     Platform = "ios"
	PlatformWindows Platform = "windows"
	PlatformWeb     Platform = "web"
)

// Platforms lists every known Platform.
var Platforms = []Platform{PlatformAndroid, PlatformIOS, PlatformWindows, PlatformWeb}

// IDField returns the applicationKey member that holds the application id on
// platform p: packageName, bundleId, assemblyName or id; "" if p is unknown.
func (p Platform) IDField() string {
	switch p {
	case PlatformAndroid:
		return "packageName"
	case PlatformIOS:
		return "bundleId"
	case PlatformWindows:
		return "assemblyName"
	case PlatformWeb:
		return "id"
	}
	return ""
}

// AppKey identifies one version of an application on one platform.
type AppKey struct {
	ID       string
	Platform Platform
	Version  string
}

// String returns "id/platform/version", the form used in REST paths.
func (k AppKey) String() string {
	return k.ID + "/" + string(k.Platform) + "/" + k.Version
}

// FileName returns the descriptor file name "<id>-<platform>-<version>.json".
func (k AppKey) FileName() string {
	return k.ID + "-" + string(k.Platform) + "-" + k.Version + ".json"
}

// ParseAppKey parses "id/platform/version" and checks it with Validate.
func ParseAppKey(s string) (AppKey, error) {
	parts := strings.Split(s, "/")
	if len(parts) != 3 || parts[0] == "" || parts[2] == "" || Platform(parts[1]).IDField() == "" {
		return AppKey{}, Errorf(KindInvalid, "invalid application %q: expected APPID/PLATFORM/VERSION with PLATFORM one of android, ios, windows, web", s)
	}
	k := AppKey{ID: parts[0], Platform: Platform(parts[1]), Version: parts[2]}
	if err := k.Validate(); err != nil {
		return AppKey{}, Errorf(KindInvalid, "invalid application %q: %v", s, err)
	}
	return k, nil
}

// Limits of the applicationKey members, as in the schema.
const (
	maxIDLength      = 255
	maxVersionLength = 64
)

// Validate checks k as the schema checks an applicationKey: the id is
// 1 to 255 letters, digits, '.', '_' and '-' starting with a letter or
// digit, the version the same in at most 64 characters, the platform one
// of Platforms. A valid key names a plain file: FileName has no path
// separator and cannot be "." or "..", so every key that reaches a file
// name (from a server, from the command line) must pass Validate first.
func (k AppKey) Validate() error {
	switch {
	case k.Platform.IDField() == "":
		return Errorf(KindInvalid, "unknown platform %q; expected android, ios, windows or web", string(k.Platform))
	case !validName(k.ID, maxIDLength):
		return Errorf(KindInvalid, "application id %q must be letters, digits, '.', '_' and '-', starting with a letter or digit (at most %d characters)", k.ID, maxIDLength)
	case !validName(k.Version, maxVersionLength):
		return Errorf(KindInvalid, "version %q must be letters, digits, '.', '_' and '-', starting with a letter or digit (at most %d characters)", k.Version, maxVersionLength)
	}
	return nil
}

// validName reports whether s matches ^[0-9A-Za-z][0-9A-Za-z._-]{0,max-1}$.
func validName(s string, max int) bool {
	if len(s) == 0 || len(s) > max || !isAlnum(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '.' && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z'
}

// Descriptor is the security configuration of one application version.
// The zero values of the optional members mean what the platform does when
// the member is absent: no display name, no mandatory scope, no mappings, no
// overrides; MaxTokenExpiration 0 means DefaultMaxTokenExpiration.
type Descriptor struct {
	ApplicationKey              AppKey
	DisplayName                 string
	MandatoryScope              Scope
	ScopeElementMapping         map[string]Scope      // scope element -> security checks
	SecurityCheckConfigurations map[string]Properties // security check -> overrides
	MaxTokenExpiration          int64                 // seconds
}

// Properties are the property overrides of one security check. Values are
// string, int64 or bool, as written in the file.
type Properties map[string]any

// EffectiveMaxTokenExpiration returns MaxTokenExpiration, or the default when
// it is not set.
func (d *Descriptor) EffectiveMaxTokenExpiration() int64 {
	if d.MaxTokenExpiration > 0 {
		return d.MaxTokenExpiration
	}
	return DefaultMaxTokenExpiration
}

// PropertyKind is the type the platform expects of a known security-check
// property.
type PropertyKind int

// The kinds of known security-check properties.
const (
	PropertyInteger PropertyKind = iota + 1 // whole number, as JSON integer or digit string
	PropertyBoolean                         // true or false, as JSON boolean or string
)

// KnownProperties are the security-check properties whose type is checked.
var KnownProperties = map[string]PropertyKind{
	"expirationSec":                PropertyInteger,
	"successStateExpirationSec":    PropertyInteger,
	"attemptingStateExpirationSec": PropertyInteger,
	"blockedStateExpirationSec":    PropertyInteger,
	"maxAttempts":                  PropertyInteger,
	"inactivityTimeoutSec":         PropertyInteger,
	"rememberMeDurationSec":        PropertyInteger,
	"enableSSO":                    PropertyBoolean,
}

// expirationProperties are the properties that set how long a passed
// security check, and so a token that depends on it, stays valid.
var expirationProperties = []string{"expirationSec", "successStateExpirationSec"}

func describeType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case bool:
		return "boolean"
	default:
		return fmt.Sprintf("%T", v)
	}
}
