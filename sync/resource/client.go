package resource

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/scopectl/scopectl/config"
)

// maxChallengeHeader bounds the WWW-Authenticate values RequiredScope
// reads; a longer answer names no scope it would trust.
const maxChallengeHeader = 16 << 10

// RequiredScope reads the answer of a resource server protected with
// scoped tokens, as seed 001's getRequiredAccessTokenScope: it reports
// whether a new token may cure the failure and for which scope. A 403
// with a Bearer challenge of error="insufficient_scope" gives its scope
// attribute; a 401 with a Bearer challenge (no token, invalid or expired
// token) gives its scope attribute if any, else an empty scope (get a new
// token for the scope used). Any other answer, or one whose challenges do
// not parse or are too long, gives false.
func RequiredScope(resp *http.Response) (config.Scope, bool) {
	if resp == nil || (resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden) {
		return nil, false
	}
	values, total := resp.Header.Values("WWW-Authenticate"), 0
	for _, v := range values {
		if total += len(v); total > maxChallengeHeader {
			return nil, false
		}
	}
	for _, v := range values {
		for _, ch := range parseChallenges(v) {
			if sc, ok := bearerScope(resp.StatusCode, ch); ok {
				return sc, true
			}
		}
	}
	return nil, false
}

// bearerScope is RequiredScope for one challenge.
func bearerScope(status int, ch challenge) (config.Scope, bool) {
	if !strings.EqualFold(ch.scheme, "Bearer") {
		return nil, false
	}
	if status == http.StatusForbidden && ch.params["error"] != "insufficient_scope" {
		return nil, false
	}
	sc, err := config.ParseScope(ch.params["scope"])
	if err != nil || (status == http.StatusForbidden && len(sc) == 0) {
		return nil, false
	}
	return sc, true
}

// challenge is one auth-scheme and its parameters (RFC 9110 §11.6.1);
// parameter names are lower-cased, a token68 is dropped.
type challenge struct {
	scheme string
	params map[string]string
}

// parseChallenges reads the challenges of a WWW-Authenticate value. It
// stops at the first syntax error, keeping what came before.
func parseChallenges(s string) []challenge {
	var out []challenge
	p := &headerParser{s: s}
	for {
		p.skip(" \t,")
		scheme := p.token()
		if scheme == "" {
			return out
		}
		ch := challenge{scheme: scheme, params: map[string]string{}}
		next, ok := p.params(ch.params)
		out = append(out, ch)
		for ok && next != "" { // a new scheme ended the parameters
			ch = challenge{scheme: next, params: map[string]string{}}
			next, ok = p.params(ch.params)
			out = append(out, ch)
		}
		if !ok {
			return out
		}
	}
}

// headerParser walks a header value.
type headerParser struct {
	s string
	i int
}

func (p *headerParser) skip(set string) {
	for p.i < len(p.s) && strings.IndexByte(set, p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *headerParser) token() string {
	start := p.i
	for p.i < len(p.s) && isTokenChar(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

// isTokenChar reports whether c is a tchar of RFC 9110 §5.6.2.
func isTokenChar(c byte) bool {
	return c < 0x7f && c > ' ' && !strings.ContainsRune(`"(),/:;<=>?@[\]{}`, rune(c))
}

// params reads the auth-params of one challenge into m, up to the end of
// the value (next "") or the next challenge's scheme (next). ok is false
// on a syntax error.
func (p *headerParser) params(m map[string]string) (next string, ok bool) {
	for {
		p.skip(" \t,")
		name := p.token()
		if name == "" {
			return "", p.i == len(p.s)
		}
		p.skip(" \t")
		if p.i == len(p.s) || p.s[p.i] != '=' {
			return name, true // a scheme: the next challenge
		}
		p.i++
		if p.skip("="); p.i == len(p.s) || p.s[p.i] == ',' {
			continue // token68 ("abc==")
		}
		p.skip(" \t")
		value, ok := p.value()
		if !ok {
			return "", false
		}
		m[strings.ToLower(name)] = value
	}
}

// value reads a token or a quoted-string (backslash escapes undone).
func (p *headerParser) value() (string, bool) {
	if p.i == len(p.s) || p.s[p.i] != '"' {
		v := p.token()
		return v, v != ""
	}
	var b strings.Builder
	for p.i++; p.i < len(p.s); p.i++ {
		switch c := p.s[p.i]; {
		case c == '"':
			p.i++
			return b.String(), true
		case c == '\\' && p.i+1 < len(p.s):
			p.i++
			b.WriteByte(p.s[p.i])
		default:
			b.WriteByte(c)
		}
	}
	return "", false // unterminated
}

// Transport is an http.RoundTripper for clients of resource servers
// protected with scoped tokens, as seed 000's last paragraph: it sends
// each request with a token for the last scope a server required (the
// empty scope at first), and when the answer names another scope (403
// insufficient_scope) or refuses the token (401 Bearer), obtains a token
// for the scope required and sends the request once more. A request whose
// body cannot be replayed (no GetBody) is not sent again. Tokens go only
// to Origin: a request elsewhere (a redirect to another host) is sent
// without one and never makes the Transport obtain one, so a server cannot
// collect tokens, nor choose their scope beyond Scopes. A Transport is
// safe for concurrent use and must not be copied after its first use.
type Transport struct {
	// Origin is the scheme and host (with its port, if any) of the
	// resource server, e.g. "https://api.example.com"; required.
	Origin string
	// Scopes bounds the scopes the Transport asks for: a required scope
	// it does not allow (config.Scope.AllowsAll) is not asked for, and
	// the refusal is returned as it came. nil allows any.
	Scopes config.Scope
	// Base sends the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Token returns an access token for scope. Transport calls it when it
	// has no token for the scope it needs or the server refused the one
	// it had.
	Token func(ctx context.Context, scope config.Scope) (string, error)

	mu    sync.Mutex
	scope config.Scope // the last scope a server required
	token string       // a token for scope, "" if none yet
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.Origin == "" {
		return nil, errors.New("resource: Transport.Origin is required (the only origin tokens are sent to)")
	}
	if req.URL.Scheme+"://"+req.URL.Host != strings.TrimSuffix(t.Origin, "/") {
		return t.base().RoundTrip(req) // another origin: no token
	}
	token, err := t.current(req.Context())
	if err != nil {
		return nil, err
	}
	resp, err := t.send(req, req.Body, token)
	if err != nil {
		return nil, err
	}
	scope, ok := RequiredScope(resp)
	if !ok || (req.Body != nil && req.Body != http.NoBody && req.GetBody == nil) || !t.allows(scope) {
		return resp, nil
	}
	if token, err = t.renew(req.Context(), scope, token); err != nil {
		resp.Body.Close()
		return nil, err
	}
	body, err := replay(req)
	if err != nil {
		resp.Body.Close()
		return nil, err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10)) // lets the connection be reused
	resp.Body.Close()
	return t.send(req, body, token)
}

// current returns the token for the last required scope, obtaining one if
// there is none yet.
func (t *Transport) current(ctx context.Context) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.token != "" {
		return t.token, nil
	}
	token, err := t.Token(ctx, t.scope)
	if err != nil {
		return "", fmt.Errorf("resource: obtain a token for scope %q: %w", t.scope.String(), err)
	}
	t.token = token
	return token, nil
}

// renew obtains a token for scope (the scope last used when the server
// named none) in place of refused, and remembers it.
func (t *Transport) renew(ctx context.Context, scope config.Scope, refused string) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(scope) == 0 {
		scope = t.scope
	}
	if t.token != refused && t.token != "" && scope.String() == t.scope.String() {
		return t.token, nil // another request renewed it already
	}
	token, err := t.Token(ctx, scope)
	if err != nil {
		return "", fmt.Errorf("resource: obtain a token for scope %q: %w", scope.String(), err)
	}
	t.scope, t.token = scope, token
	return token, nil
}

// replay returns a new copy of req's body for sending it again.
func replay(req *http.Request) (io.ReadCloser, error) {
	if req.GetBody == nil {
		return req.Body, nil // nil or http.NoBody
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, fmt.Errorf("resource: replay the request body: %w", err)
	}
	return body, nil
}

// send sends a copy of req with body and the token (none if "").
func (t *Transport) send(req *http.Request, body io.ReadCloser, token string) (*http.Response, error) {
	out := req.Clone(req.Context())
	out.Body = body
	if token != "" {
		out.Header.Set("Authorization", "Bearer "+token)
	}
	return t.base().RoundTrip(out)
}

func (t *Transport) base() http.RoundTripper {
	if t.Base == nil {
		return http.DefaultTransport
	}
	return t.Base
}

// allows reports whether Scopes lets the Transport ask for scope.
func (t *Transport) allows(scope config.Scope) bool {
	if t.Scopes == nil {
		return true
	}
	_, ok := t.Scopes.AllowsAll(scope)
	return ok
}
