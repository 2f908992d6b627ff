// Package config is the domain of scopectl: the MobileFirst-style application
// descriptor, its application key and scopes, the canonical JSON encoding, the
// semantic diff between two descriptors, and the lint rules that go beyond the
// JSON Schema. It imports only the standard library so that the CLI, the
// server and the tests share one understanding of what a descriptor is.
package config
