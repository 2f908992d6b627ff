package mobile

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/client"
	"github.com/scopectl/scopectl/sync/resource"
)

// maxAnswer bounds what is read of an answer: a larger one is refused.
const maxAnswer = 1 << 20

// Client is an instance talking to one runtime of one server.
type Client struct {
	URL      string // the server's base URL
	Runtime  string
	Issuer   string // the runtime's issuer URL (see Discover); "" means the one of URL
	Instance *Instance
	HTTP     *http.Client     // nil means a client with a 30 s timeout
	Now      func() time.Time // nil means time.Now
}

// Preauthorization is the answer of a preauthorization: the checks passed,
// the challenges to answer, the checks that failed.
type Preauthorization struct {
	Successes  map[string]struct{ ExpiresAt time.Time } `json:"successes"`
	Challenges map[string]map[string]any                `json:"challenges"`
	Failures   map[string]map[string]any                `json:"failures"`
}

// Token is the token endpoint's answer.
type Token struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	Scope        string `json:"scope"`
	RefreshToken string `json:"refresh_token"`
}

// Discover reads the runtime's authorization-server metadata (RFC 8414)
// and keeps its issuer, the aud of the assertions: the server may know
// itself by another address than the one it is reached by.
func (c *Client) Discover(ctx context.Context) error {
	issuer, err := resource.Discover(ctx, c.httpClient(), c.URL, c.Runtime)
	c.Issuer = issuer
	return err
}

// audience is the runtime's authorization-server URL, the assertions' aud:
// the discovered issuer, else the one of URL.
func (c *Client) audience() string {
	if c.Issuer != "" {
		return c.Issuer
	}
	return strings.TrimSuffix(c.URL, "/") + api.AuthzPath(c.Runtime)
}

func (c *Client) assertion() (string, error) {
	now := time.Now()
	if c.Now != nil {
		now = c.Now()
	}
	return c.Instance.Assertion(c.audience(), now)
}

// Register registers the instance and sets its client id.
func (c *Client) Register(ctx context.Context, device map[string]string) error {
	reg, err := c.Instance.Registration(device)
	if err != nil {
		return err
	}
	var got struct{ ID string }
	if err := c.postJSON(ctx, api.RegistrationPath(c.Runtime), map[string]any{"signedRegistrationData": reg}, http.StatusCreated, &got); err != nil {
		return err
	}
	if err := checkClientID(got.ID); err != nil {
		return fmt.Errorf("%s answered a registration with a bad client id: %w", c.URL, err)
	}
	c.Instance.ID = got.ID
	return nil
}

// Preauthorize runs the checks of scope with responses (by check name). A
// 401 (challenges) and a 403 (failures) are answers, not errors.
func (c *Client) Preauthorize(ctx context.Context, scope string, responses map[string]map[string]any) (Preauthorization, error) {
	a, err := c.assertion()
	if err != nil {
		return Preauthorization{}, err
	}
	body := map[string]any{"scope": scope, "client_assertion_type": api.AssertionType, "client_assertion": a, "challengeResponse": responses}
	var p Preauthorization
	err = c.postJSON(ctx, api.PreauthorizationPath(c.Runtime), body, 0, &p)
	return p, err
}

// Grant asks for a token of scope with the JWT authorization grant (RFC
// 7523 §2.1): one request, the instance's assertion as the grant, once the
// checks of scope stand in success.
func (c *Client) Grant(ctx context.Context, scope string) (Token, error) {
	a, err := c.assertion()
	if err != nil {
		return Token{}, err
	}
	form := url.Values{"grant_type": {api.GrantTypeJWTBearer}, "scope": {scope}, "assertion": {a}}
	return c.postToken(ctx, form)
}

// Refresh exchanges a refresh token.
func (c *Client) Refresh(ctx context.Context, refreshToken string) (Token, error) {
	return c.exchange(ctx, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}})
}

func (c *Client) exchange(ctx context.Context, form url.Values) (Token, error) {
	a, err := c.assertion()
	if err != nil {
		return Token{}, err
	}
	form.Set("client_assertion_type", api.AssertionType)
	form.Set("client_assertion", a)
	return c.postToken(ctx, form)
}

// postToken posts a token request and reads the token it answers.
func (c *Client) postToken(ctx context.Context, form url.Values) (Token, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL+api.TokenPath(c.Runtime), strings.NewReader(form.Encode()))
	if err != nil {
		return Token{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var t Token
	if err := c.send(req, http.StatusOK, &t); err != nil {
		return Token{}, err
	}
	if t.AccessToken == "" || t.ExpiresIn <= 0 {
		return Token{}, config.Errorf(config.KindUnavailable, "%s answered a token request without a token", c.URL)
	}
	return t, nil
}

func (c *Client) postJSON(ctx context.Context, path string, body any, want int, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	return c.send(req, want, out)
}

// send sends req and decodes the answer into out: a status of want (any
// of 200, 401, 403 when want is 0, the answers of preauthorization), else
// an error.
func (c *Client) send(req *http.Request, want int, out any) error {
	resp, data, err := c.do(c.httpClient(), req)
	if err != nil {
		return err
	}
	ok := resp.StatusCode == want
	if want == 0 {
		ok = resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusUnauthorized && bytes.Contains(data, []byte(`"challenges"`)) ||
			resp.StatusCode == http.StatusForbidden && bytes.Contains(data, []byte(`"failures"`))
	}
	if !ok {
		return c.answerError(resp, data)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return config.Errorf(config.KindUnavailable, "%s answered %d with a body that is not the expected JSON", c.URL, resp.StatusCode)
	}
	return nil
}

func (c *Client) do(hc *http.Client, req *http.Request) (*http.Response, []byte, error) {
	resp, err := hc.Do(req)
	if err != nil {
		return nil, nil, &config.Error{Kind: config.KindUnavailable, Message: fmt.Sprintf("cannot reach %s", c.URL), Err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	switch {
	case err != nil:
		return nil, nil, &config.Error{Kind: config.KindUnavailable, Message: fmt.Sprintf("reading the answer of %s", c.URL), Err: err}
	case len(data) > maxAnswer:
		return nil, nil, config.Errorf(config.KindUnavailable, "%s answered more than %d bytes", c.URL, maxAnswer)
	}
	return resp, data, nil
}

// answerError turns an unexpected answer into an error of the kind its
// status says, with the server's message, its control and bidi
// characters escaped (a hostile server's text must not drive the
// terminal).
func (c *Client) answerError(resp *http.Response, data []byte) error {
	var body struct {
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
		Message          string `json:"message"`
	}
	json.Unmarshal(data, &body)
	msg := client.Printable(cmp.Or(body.ErrorDescription, body.Message, body.Error, http.StatusText(resp.StatusCode)))
	kind := api.KindOf(resp.StatusCode)
	switch {
	case resp.StatusCode >= 500:
		kind = config.KindUnavailable
	case body.Error == "invalid_grant" || body.Error == "access_denied":
		kind = config.KindForbidden // the checks no longer hold: run them again
	}
	return config.Errorf(kind, "%s answered %d: %s", c.URL, resp.StatusCode, msg)
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return &http.Client{Timeout: 30 * time.Second}
}
