package resource

// Joined is how many Verify calls of o waited for another call's
// introspection of the same token.
func Joined(o *Online) int64 { return o.joined.Load() }
