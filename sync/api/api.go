// Package api holds the JSON shapes of scoped's admin API, shared by the
// server (sync/server) and its client (sync/client) so that both agree on
// the wire format, and the one table of error kinds and statuses.
package api

import (
	"time"

	"github.com/scopectl/scopectl/config"
)

// Base is the path prefix of the admin API.
const Base = "/mfpadmin/management-apis/2.0"

// Application describes one revision of an application.
type Application struct {
	ID       string    `json:"id"`
	Platform string    `json:"platform"`
	Version  string    `json:"version"`
	Revision int64     `json:"revision"`
	Author   string    `json:"author"`
	Time     time.Time `json:"time"`
	Hash     string    `json:"hash"`
	Summary  string    `json:"summary,omitempty"`
	// Disabled is set while an operator has the application disabled
	// (its clients are refused), with the message its users are shown.
	// They are the application's now, not the revision's: only listings,
	// applies and state changes carry them.
	Disabled        bool   `json:"disabled,omitempty"`
	DisabledMessage string `json:"disabledMessage,omitempty"`
}

// The sizes of the RSA keys a mobile client may register (RS256): at
// least MinClientRSABits, which scoped requires, and at most
// MaxClientRSABits, the largest go-jose reads from a JWK.
const (
	MinClientRSABits = 2048
	MaxClientRSABits = 4096
)

// MaxDisabledMessage is the longest message, in bytes, an operator may
// leave for the users of an application it disables.
const MaxDisabledMessage = 1024

// AppState is the body of PUT .../state: enable an application, or
// disable it with a message for its users (only when disabling). The
// answer is the Application with its new state.
type AppState struct {
	Enabled *bool  `json:"enabled"` // required
	Message string `json:"message,omitempty"`
}

// Key returns the application key the revision belongs to.
func (a Application) Key() config.AppKey {
	return config.AppKey{ID: a.ID, Platform: config.Platform(a.Platform), Version: a.Version}
}

// ApplicationList is the answer of GET .../applications.
type ApplicationList struct {
	Applications []Application `json:"applications"`
}

// RevisionList is the answer of GET .../revisions.
type RevisionList struct {
	Revisions []Application `json:"revisions"`
}

// ApplyResponse is the answer of the apply endpoint.
type ApplyResponse struct {
	Application Application `json:"application"`
	// Unchanged: the descriptor equals the current revision; nothing stored.
	Unchanged bool `json:"unchanged"`
	// DryRun: validated and compared only; nothing stored.
	DryRun bool            `json:"dryRun"`
	Diff   []config.Change `json:"diff"`
}

// Finding is one validation finding in a 400 answer of the apply endpoint.
type Finding struct {
	Severity config.Severity `json:"severity"`
	Rule     string          `json:"rule"`
	Pointer  string          `json:"pointer"`
	Line     int             `json:"line"`
	Column   int             `json:"column"`
	Message  string          `json:"message"`
	Hint     string          `json:"hint,omitempty"`
}

// Error is the body of every error answer.
type Error struct {
	Error   config.Kind `json:"error"`
	Message string      `json:"message"`
	Details any         `json:"details,omitempty"`
}

// Client is a confidential client. Secret is only ever read (PUT).
type Client struct {
	ID           string `json:"id"`
	DisplayName  string `json:"displayName"`
	AllowedScope string `json:"allowedScope"`
	Secret       string `json:"secret,omitempty"`
}

// ClientList is the body of GET and PUT .../confidentialclients.
type ClientList struct {
	Clients []Client `json:"clients"`
}

// Token is the answer of the token endpoint.
type Token struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope"`
}

// SecurityCheck is one security check of a runtime: its name, the
// built-in check it runs (its own name for a built-in), and its defaults.
type SecurityCheck struct {
	Name     string            `json:"name"`
	Type     string            `json:"type"`
	Defaults config.Properties `json:"defaults"`
}

// SecurityChecks is the list of a runtime's security checks.
type SecurityChecks struct {
	SecurityChecks []SecurityCheck `json:"securityChecks"`
}

// Catalog returns the checks as a config.CheckCatalog.
func (l SecurityChecks) Catalog() config.CheckCatalog {
	c := make(config.CheckCatalog, len(l.SecurityChecks))
	for _, sc := range l.SecurityChecks {
		c[sc.Name] = sc.Defaults
	}
	return c
}

// Metadata is a runtime's authorization-server metadata (RFC 8414): its
// issuer, the value of the iss of its tokens and of the aud of client
// assertions, and its endpoints.
type Metadata struct {
	Issuer                string `json:"issuer"`
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	TokenEndpoint         string `json:"token_endpoint"`
	JWKSURI               string `json:"jwks_uri"`
	IntrospectionEndpoint string `json:"introspection_endpoint"`
	// MobileRegistrationEndpoint is where app instances register their key
	// (a signed registration, not RFC 7591 dynamic registration, so not
	// published as registration_endpoint).
	MobileRegistrationEndpoint        string   `json:"mfp_registration_endpoint"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	TokenEndpointAuthSigningAlgs      []string `json:"token_endpoint_auth_signing_alg_values_supported"`
}
