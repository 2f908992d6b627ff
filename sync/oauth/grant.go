package oauth

import (
	"github.com/scopectl/scopectl/config"
)

// Grant returns the scope to grant a client whose allowed scope is allowed
// when it requests the scope string requested: every requested element
// must match an allowed pattern (see config.MatchElement), or be an
// administration role below one the client is allowed (a client allowed
// mfpadmin may ask for just mfpoperator). An empty request grants an empty
// scope, which still proves who the client is.
func Grant(allowed config.Scope, requested string) (config.Scope, error) {
	want, err := config.ParseScope(requested)
	if err != nil {
		return nil, config.Errorf(config.KindInvalid, "invalid scope: %v", err)
	}
	if elem, ok := allowed.AllowsAll(want); !ok {
		return nil, config.Errorf(config.KindForbidden, "scope element %q is not allowed for this client", elem)
	}
	return want, nil
}
