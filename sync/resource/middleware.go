package resource

import (
	"errors"
	"net/http"
	"strings"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/api"
)

// maxAuthorizationHeader bounds the Authorization header read, as scoped
// does.
const maxAuthorizationHeader = 8 << 10

// Middleware protects a handler with v: a request must carry a bearer
// token that v accepts for requiredScope (space-separated elements; ""
// accepts any valid token). The answers are scoped's own: 401 with
// `WWW-Authenticate: Bearer` without a token, 401 `error="invalid_token"`
// for a bad or expired one, 403 `error="insufficient_scope", scope="…"`
// without the scope, 503 when the token cannot be checked now. The
// handler finds the Principal with FromContext. Middleware panics if
// requiredScope is not a valid scope (a programming error, like
// regexp.MustCompile).
func Middleware(v Verifier, requiredScope string) func(http.Handler) http.Handler {
	scope, err := config.ParseScope(requiredScope)
	if err != nil {
		panic("resource.Middleware: " + err.Error())
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, err := VerifyRequest(r, v, scope)
			if err != nil {
				WriteError(w, err)
				return
			}
			next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), p)))
		})
	}
}

// VerifyRequest verifies the bearer token of r with v for scope, for
// frameworks other than net/http's middleware chain; WriteError answers
// its error.
func VerifyRequest(r *http.Request, v Verifier, scope config.Scope) (*Principal, error) {
	token, err := BearerToken(r.Header.Get("Authorization"))
	if err != nil {
		return nil, err
	}
	return v.Verify(r.Context(), token, scope)
}

// BearerToken returns the token of an Authorization header value (RFC
// 6750 §2.1, the scheme in any case): ErrNoToken when the header is
// empty, an invalid_token Error when it is too long or of another scheme.
func BearerToken(header string) (string, error) {
	if header == "" {
		return "", ErrNoToken
	}
	if len(header) > maxAuthorizationHeader {
		return "", InvalidToken("the Authorization header is too long")
	}
	scheme, token, _ := strings.Cut(header, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", InvalidToken("unsupported authorization scheme; use Bearer")
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return "", ErrNoToken
	}
	return token, nil
}

// WriteError answers a refusal of a token: a *Error with its status,
// WWW-Authenticate challenge and a JSON body like scoped's errors
// ({"error": kind, "message": …}); any other error with 503, since the
// token could not be checked (fail closed). The cause of a 503 is not
// sent.
func WriteError(w http.ResponseWriter, err error) {
	body := api.Error{Error: config.KindUnavailable, Message: "the access token cannot be checked now; try again later"}
	status := http.StatusServiceUnavailable
	var e *Error
	if errors.As(err, &e) {
		w.Header().Set("WWW-Authenticate", e.Challenge())
		status = e.Status
		body = api.Error{Error: api.KindOf(status), Message: e.Error()}
	}
	api.WriteJSON(w, status, body)
}
