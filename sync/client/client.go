// Package client talks to a scoped server for scopectl: it obtains one
// client-credentials token per run (golang.org/x/oauth2) with the narrowest
// scope the command needs, calls the admin API, retries politely on 429 and
// 503, and maps every failure to a config.Error kind with a one-line
// message a person can act on.
package client

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/api"
)

// Scopes that commands ask for: reading needs mfpmonitor, pushing
// mfpoperator.
const (
	ScopeRead  = "mfpmonitor"
	ScopeWrite = "mfpoperator"
)

// Options say where and how to connect.
type Options struct {
	URL      string // e.g. http://localhost:9080
	Runtime  string // e.g. mfp
	Login    string // confidential client id
	Password string // confidential client secret
	Scope    string // scope to request
	// Retries is how many times a 429 or 503 answer is retried.
	Retries int
	// HTTP is the underlying client (timeouts, TLS); nil for a default.
	HTTP *http.Client
}

// Client is a connection to one runtime of one server.
type Client struct {
	base    string
	runtime string
	http    *http.Client
	token   oauth2.TokenSource
	retries int
}

// New returns a Client; the token is fetched on the first request and
// reused for the rest of the run.
func New(ctx context.Context, o Options) (*Client, error) {
	u, err := url.Parse(o.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, config.Errorf(config.KindInvalid, "server URL must be http:// or https:// with a host and no credentials")
	}
	base := strings.TrimSuffix(o.URL, "/")
	hc := o.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	cc := clientcredentials.Config{
		ClientID: o.Login, ClientSecret: o.Password, TokenURL: base + api.TokenPath(url.PathEscape(o.Runtime)),
		Scopes: strings.Fields(o.Scope), AuthStyle: oauth2.AuthStyleInHeader,
	}
	ts := oauth2.ReuseTokenSource(nil, cc.TokenSource(context.WithValue(ctx, oauth2.HTTPClient, hc)))
	return &Client{base: base, runtime: o.Runtime, http: hc, token: ts, retries: o.Retries}, nil
}

// Token returns the client's access token for the scope of Options (the
// one its requests send), obtained on the first call and reused; a
// refusal of the credentials is a KindUnauthorized error.
func (c *Client) Token() (*oauth2.Token, error) {
	tok, err := c.token.Token()
	if err != nil {
		return nil, tokenError(c.base, err)
	}
	return tok, nil
}

func (c *Client) appsPath() string {
	return api.ApplicationsPath(url.PathEscape(c.runtime))
}

func (c *Client) appPath(key config.AppKey) string {
	return api.ApplicationPath(url.PathEscape(c.runtime), url.PathEscape(key.ID), url.PathEscape(string(key.Platform)), url.PathEscape(key.Version))
}

// Applications lists the applications of the runtime. Their strings are
// Printable; their keys are as the server sent them, not validated.
func (c *Client) Applications(ctx context.Context) ([]api.Application, error) {
	var out api.ApplicationList
	_, err := c.doJSON(ctx, "GET", c.appsPath(), nil, nil, &out)
	for i := range out.Applications {
		out.Applications[i] = printableApp(out.Applications[i])
	}
	return out.Applications, err
}

// Descriptor returns the descriptor of an application, as the server sent
// it (not validated: the caller must), and its revision, from the ETag.
func (c *Client) Descriptor(ctx context.Context, key config.AppKey) ([]byte, int64, error) {
	return c.content(ctx, api.DescriptorPath(c.appPath(key)), "the descriptor of "+key.String())
}

// Revision returns revision n of an application, as the server sent it
// (not validated: the caller must).
func (c *Client) Revision(ctx context.Context, key config.AppKey, n int64) ([]byte, error) {
	body, rev, err := c.content(ctx, api.RevisionPath(c.appPath(key), strconv.FormatInt(n, 10)), fmt.Sprintf("revision %d of %s", n, key))
	if err == nil && rev != n {
		return nil, config.Errorf(config.KindUnavailable, "%s answered the request for revision %d of %s with revision %d", c.base, n, key, rev)
	}
	return body, err
}

// Revisions lists the history of an application, oldest first, with
// Printable strings.
func (c *Client) Revisions(ctx context.Context, key config.AppKey) ([]api.Application, error) {
	var out api.RevisionList
	_, err := c.doJSON(ctx, "GET", api.RevisionsPath(c.appPath(key)), nil, nil, &out)
	for i := range out.Revisions {
		out.Revisions[i] = printableApp(out.Revisions[i])
	}
	return out.Revisions, err
}

// Apply sends a descriptor to the apply endpoint under a precondition.
func (c *Client) Apply(ctx context.Context, content []byte, ifMatch api.Precondition, dryRun bool) (*api.ApplyResponse, error) {
	h := http.Header{"Content-Type": {"application/json"}}
	ifMatch.SetHeader(h)
	path := c.appsPath()
	if dryRun {
		path += "?dryRun=true"
	}
	var out api.ApplyResponse
	_, err := c.doJSON(ctx, "POST", path, h, content, &out)
	out.Application = printableApp(out.Application)
	for i := range out.Diff {
		out.Diff[i] = printableChange(out.Diff[i])
	}
	return &out, err
}

// content reads a descriptor and the revision its ETag names; an answer
// without a revision ETag is no scoped answer, and trusting it would make
// revision 0 the base of later pushes.
func (c *Client) content(ctx context.Context, path, what string) ([]byte, int64, error) {
	resp, body, err := c.do(ctx, "GET", path, nil, nil)
	if err != nil {
		return nil, 0, err
	}
	etag := resp.Header.Get("ETag")
	rev, ok := api.ParseETag(etag)
	if !ok {
		got := "no ETag"
		if etag != "" {
			got = "ETag " + Printable(etag)
		}
		return nil, 0, config.Errorf(config.KindUnavailable, "%s sent %s without a revision (%s; scoped sends a number in quotes such as \"3\")", c.base, what, got)
	}
	return body, rev, nil
}

func (c *Client) doJSON(ctx context.Context, method, path string, h http.Header, body []byte, out any) (*http.Response, error) {
	resp, data, err := c.do(ctx, method, path, h, body)
	if err != nil {
		return resp, err
	}
	if err := json.Unmarshal(data, out); err != nil {
		return resp, notScoped(c.base)
	}
	return resp, nil
}

// do sends one request, retrying 429 and 503 answers, and turns any
// non-2xx answer into an error.
func (c *Client) do(ctx context.Context, method, path string, h http.Header, body []byte) (*http.Response, []byte, error) {
	for attempt := 0; ; attempt++ {
		resp, data, err := c.once(ctx, method, path, h, body)
		if err != nil {
			return nil, nil, err
		}
		if resp.StatusCode/100 == 2 {
			return resp, data, nil
		}
		wait, retry := retryAfter(resp, attempt)
		if !retry || attempt >= c.retries {
			return resp, data, c.statusError(resp, data)
		}
		select {
		case <-ctx.Done():
			return nil, nil, transportError(c.base, ctx.Err())
		case <-time.After(wait):
		}
	}
}

func (c *Client) once(ctx context.Context, method, path string, h http.Header, body []byte) (*http.Response, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = strings.NewReader(string(body))
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, nil, &config.Error{Kind: config.KindInvalid, Message: "bad request: " + err.Error(), Err: err}
	}
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "application/json")
	tok, err := c.token.Token()
	if err != nil {
		return nil, nil, tokenError(c.base, err)
	}
	tok.SetAuthHeader(req)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, nil, transportError(c.base, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return nil, nil, transportError(c.base, err)
	}
	if len(data) > maxAnswer {
		return nil, nil, config.Errorf(config.KindUnavailable, "%s answered %s %s with more than %d MiB; refused (is it a scoped server?)", c.base, method, path, maxAnswer>>20)
	}
	return resp, data, nil
}

// maxAnswer bounds what the client reads of one answer. A descriptor is at
// most config.MaxFileSize; the rest is for long application lists and
// histories. A longer answer is refused, never cut: a cut descriptor is a
// different descriptor.
const maxAnswer = 8 << 20

// retryAfter says whether an answer is worth retrying and after how
// long: Retry-After when the server gives it (seconds or a date, at most
// 30 s), else exponential backoff from 250 ms.
func retryAfter(resp *http.Response, attempt int) (time.Duration, bool) {
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
		return 0, false
	}
	wait := 250 * time.Millisecond << attempt
	if v := resp.Header.Get("Retry-After"); v != "" {
		if secs, err := strconv.Atoi(v); err == nil {
			wait = time.Duration(secs) * time.Second
		} else if at, err := http.ParseTime(v); err == nil {
			wait = time.Until(at)
		}
	}
	return min(max(wait, 0), 30*time.Second), true
}

// InvalidError is a 400 from the apply endpoint, with every finding.
type InvalidError struct {
	Message  string
	Findings []api.Finding
}

func (e *InvalidError) Error() string { return e.Message }

// statusError maps an error answer back to the error kinds of config
// through the server's own table, api.Status read backwards, with the
// details of the kinds that have some: the current revision of a stale
// answer, the findings of an invalid one.
func (c *Client) statusError(resp *http.Response, data []byte) error {
	var body struct {
		Message string          `json:"message"`
		Details json.RawMessage `json:"details"`
	}
	if err := json.Unmarshal(data, &body); err != nil || body.Message == "" {
		if resp.StatusCode == http.StatusUnauthorized {
			return config.Errorf(config.KindUnauthorized, "%s refused the credentials", c.base)
		}
		return notScoped(c.base)
	}
	msg := Printable(body.Message)
	if code := resp.StatusCode; code >= 500 {
		// The server failed: say which one; the exit status is the
		// table's for a server that cannot serve, not one it picks.
		return config.Errorf(config.KindUnavailable, "%s failed (HTTP %d): %s", c.base, code, msg)
	}
	e := &config.Error{Kind: api.KindOf(resp.StatusCode), Message: msg}
	switch e.Kind {
	case config.KindStale:
		var d config.StaleDetails
		json.Unmarshal(body.Details, &d)
		e.Details = d
	case config.KindInvalid:
		var findings []api.Finding
		json.Unmarshal(body.Details, &findings)
		for i := range findings {
			findings[i] = printableFinding(findings[i])
		}
		e.Details, e.Err = findings, &InvalidError{Message: msg, Findings: findings}
	}
	return e
}

func notScoped(base string) error {
	return config.Errorf(config.KindUnavailable, "%s did not answer like a scoped server (is the URL right?)", base)
}

// tokenError explains why no token could be had.
func tokenError(base string, err error) error {
	var re *oauth2.RetrieveError
	switch {
	case errors.As(err, &re) && re.Response != nil && (re.Response.StatusCode == 400 || re.Response.StatusCode == 401):
		return &config.Error{Kind: config.KindUnauthorized, Message: fmt.Sprintf("%s refused the credentials (%s)", base, Printable(cmp.Or(re.ErrorDescription, re.ErrorCode))), Err: err}
	case errors.As(err, &re):
		return &config.Error{Kind: config.KindUnavailable, Message: fmt.Sprintf("%s did not issue a token (HTTP %d; are the URL and runtime right?)", base, re.Response.StatusCode), Err: err}
	case isNetError(err):
		return transportError(base, err)
	}
	return &config.Error{Kind: config.KindUnavailable, Message: base + " did not issue a token (is it a scoped server?)", Err: err}
}

// transportError turns a network failure into one clear line.
func transportError(base string, err error) error {
	return &config.Error{Kind: config.KindUnavailable, Message: fmt.Sprintf("cannot reach %s: %s", base, Printable(describeNetError(err))), Err: err}
}
