// Package oauth is scoped's authorization-server core: confidential-client
// secrets (bcrypt at rest, a bounded number of comparisons at a time, and
// an in-memory cache of verified secrets so that slow hashing does not cap
// the token endpoint), RSA signing keys shared through the store (rotated
// and retired by any process, seen by all within KeyRefresh), issuing JWT
// access tokens per RFC 9068 (RS256, kid always set, lifetime capped at
// the configured TTL; sync/accesstoken verifies them, with the KeySet as
// its public keys), and scope grants with wildcards.
package oauth
