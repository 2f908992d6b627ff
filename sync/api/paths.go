package api

// The paths of the API, one copy for the server's routes and the
// client's requests. Their arguments are path segments as they appear in
// the URL: the client passes url.PathEscape of each value, the server
// ServeMux wildcards such as "{runtime}".

// AuthzPath is the path of a runtime's authorization server; the issuer
// of its tokens is the server's URL followed by it.
func AuthzPath(runtime string) string { return "/" + runtime + "/api/az/v1" }

// TokenPath is the path of a runtime's token endpoint.
func TokenPath(runtime string) string { return AuthzPath(runtime) + "/token" }

// IntrospectionPath is the path of a runtime's token introspection.
func IntrospectionPath(runtime string) string { return AuthzPath(runtime) + "/introspection" }

// JWKSPath is the path of the keys that verify a runtime's tokens.
func JWKSPath(runtime string) string { return AuthzPath(runtime) + "/jwks" }

// ApplicationsPath is the path of a runtime's applications: list, apply.
func ApplicationsPath(runtime string) string { return Base + "/runtimes/" + runtime + "/applications" }

// ApplicationPath is the path of one application: delete.
func ApplicationPath(runtime, id, platform, version string) string {
	return ApplicationsPath(runtime) + "/" + id + "/" + platform + "/" + version
}

// DescriptorPath is the path of an application's current descriptor,
// below its ApplicationPath.
func DescriptorPath(app string) string { return app + "/descriptor" }

// StatePath is the path of an application's state (enabled, or disabled
// with a message), below its ApplicationPath.
func StatePath(app string) string { return app + "/state" }

// RevisionsPath is the path of an application's history, below its
// ApplicationPath.
func RevisionsPath(app string) string { return app + "/revisions" }

// RevisionPath is the path of revision n (a decimal number, or the
// server's wildcard) of an application, below its ApplicationPath.
func RevisionPath(app, n string) string { return RevisionsPath(app) + "/" + n }

// ClientsPath is the path of a runtime's confidential clients.
func ClientsPath(runtime string) string {
	return Base + "/runtimes/" + runtime + "/confidentialclients"
}

// RegistrationPath is the path where a mobile app instance registers.
func RegistrationPath(runtime string) string { return "/" + runtime + "/api/registration/v1/self" }

// MobileClientPath is the path of a registered mobile client, the Location
// of its registration.
func MobileClientPath(runtime, id string) string {
	return "/" + runtime + "/api/registration/v1/clients/" + id
}

// PreauthorizationPath is the path where a mobile client runs the security
// checks of a scope.
func PreauthorizationPath(runtime string) string { return AuthzPath(runtime) + "/preauthorization" }

// AuthorizationPath is the path where a mobile client that passed the
// checks of a scope gets an authorization code.
func AuthorizationPath(runtime string) string { return AuthzPath(runtime) + "/authorization" }

// SecurityChecksPath is the path of the list of a runtime's security
// checks.
func SecurityChecksPath(runtime string) string { return AuthzPath(runtime) + "/securitychecks" }

// MobileClientsPath is the admin path of a runtime's registered mobile
// clients.
func MobileClientsPath(runtime string) string {
	return Base + "/runtimes/" + runtime + "/mobileclients"
}

// MetadataPath is the path of a runtime's authorization-server metadata
// (RFC 8414 §3: the well-known prefix before the issuer's path).
func MetadataPath(runtime string) string {
	return "/.well-known/oauth-authorization-server" + AuthzPath(runtime)
}

// AssertionType is the client_assertion_type of a mobile client's
// private_key_jwt assertion (RFC 7523 §2.2).
const AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// GrantTypeJWTBearer is the grant_type of the JWT authorization grant
// (RFC 7523 §2.1), in which a mobile client's assertion is the grant.
const GrantTypeJWTBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer"
