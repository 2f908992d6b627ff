// Package oauth is scoped's authorization-server core: confidential-client
// secrets (bcrypt at rest, with an in-memory cache of verified secrets so
// that slow hashing does not cap the token endpoint), RSA signing keys
// shared through the store, JWT access tokens per RFC 9068 (RS256, kid
// always set), and scope grants with wildcards.
package oauth
