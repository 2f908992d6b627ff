// Package authz is the mobile authorization runtime of scoped: how an app
// instance registers its public key, passes the security checks that its
// descriptor's scopeElementMapping and mandatoryScope name, and obtains
// access tokens whose lifetime the descriptor governs (config.Resolve).
//
// It imports neither net/http nor the server: the handlers in sync/server
// decode requests, call a Runtime, and encode its answers. It takes its
// storage through the small interfaces it declares (Store), and its clock
// through Now, so that every expiration is testable without sleeping.
package authz
