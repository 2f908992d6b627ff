package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/scopectl/scopectl/cmd/internal/exitcode"
	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/accesstoken"
	"github.com/scopectl/scopectl/sync/client"
	"github.com/scopectl/scopectl/sync/mobile"
	"github.com/scopectl/scopectl/sync/workspace"
)

func appTokenCommand() *cli.Command {
	return &cli.Command{
		Name:      "token",
		Usage:     "play a mobile client: pass the checks of a scope and print the token the server gives",
		ArgsUsage: "APPID/PLATFORM/VERSION",
		Description: `Acts as an instance of the application against the server's mobile
runtime: registers a key of its own the first time (kept, readable by you
only, in .scopectl/instances/), runs the security checks of --scope,
answers their challenges, and prints the token's lifetime and claims.
It shows what a pushed descriptor does to the tokens of a real client.

Challenges are answered from --answer CHECK=VALUE (repeatable), or asked
for on the terminal. VALUE is sent as the check's challenge response: a
JSON object as written, USER:PASSWORD as {"username", "password"}, any
other text as {"pin"}.

Exit status: 0 token obtained, 2 usage error, 3 server unreachable or
the client refused, 1 a security check failed (blocked, or unknown).`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "scope", Usage: "the `SCOPE` to ask for, elements separated by spaces", EnvVars: []string{"SCOPECTL_SCOPE"}},
			&cli.StringSliceFlag{Name: "answer", Usage: "answer the challenge of a check: `CHECK=VALUE` (repeatable)", EnvVars: []string{"SCOPECTL_ANSWER"}},
			&cli.BoolFlag{Name: "new-instance", Usage: "register a new instance instead of the saved one", EnvVars: []string{"SCOPECTL_NEW_INSTANCE"}},
			serverFlag(), timeoutFlag(), formatFlag(formatText, formatJSON),
		},
		Action: tokenAction,
	}
}

func tokenAction(c *cli.Context) error {
	format, err := outputFormat(c, formatText, formatJSON)
	if err != nil {
		return err
	}
	key, err := tokenArgs(c)
	if err != nil {
		return err
	}
	answers, err := parseAnswers(c.StringSlice("answer"))
	if err != nil {
		return err
	}
	mc, err := mobileClient(c, key)
	if err != nil {
		return err
	}
	tok, err := mc.Obtain(c.Context, c.String("scope"), answerer(c, answers))
	if err != nil {
		return tokenError(err)
	}
	return printToken(c, format, mc, tok)
}

func tokenArgs(c *cli.Context) (config.AppKey, error) {
	if c.NArg() != 1 {
		return config.AppKey{}, usageErrorf("name one application: APPID/PLATFORM/VERSION")
	}
	if _, err := config.ParseScope(c.String("scope")); err != nil {
		return config.AppKey{}, usageErrorf("--scope: %v", err)
	}
	key, err := config.ParseAppKey(c.Args().First())
	if err != nil {
		return config.AppKey{}, usageErrorf("%v", err)
	}
	return key, nil
}

// mobileClient returns a client of the server's runtime for the saved
// instance of key, registering and saving a new one if there is none.
func mobileClient(c *cli.Context, key config.AppKey) (*mobile.Client, error) {
	prof, err := resolveServer(c, c.String("server")) // the mobile flow needs no credentials
	if err != nil {
		return nil, err
	}
	proj := workspace.FindProject(".")
	inst, err := savedInstance(c, proj, prof.URL, prof.Runtime, key)
	if err != nil {
		return nil, err
	}
	mc := &mobile.Client{URL: prof.URL, Runtime: prof.Runtime, Instance: inst, HTTP: httpClient(c)}
	if err := mc.Discover(c.Context); err != nil {
		return nil, err
	}
	if inst.ID == "" {
		if err := mc.Register(c.Context, map[string]string{"model": "scopectl", "os": "scopectl app token"}); err != nil {
			return nil, err
		}
		// saved at once: a run that stops at a challenge keeps its instance
		// (and the PIN it enrolled) for the next one
		data, err := json.Marshal(inst)
		if err != nil {
			return nil, err
		}
		if err := proj.SaveInstance(prof.URL, prof.Runtime, key, data); err != nil {
			return nil, err
		}
	}
	return mc, nil
}

// savedInstance reads the instance of key saved for the server, or makes a
// new one.
func savedInstance(c *cli.Context, proj workspace.Project, server, runtime string, key config.AppKey) (*mobile.Instance, error) {
	if c.Bool("new-instance") { // without reading the saved one, which may be what is broken
		return mobile.NewInstance(key)
	}
	data, err := proj.Instance(server, runtime, key)
	if err != nil {
		return nil, err
	}
	if data == nil {
		return mobile.NewInstance(key)
	}
	var inst mobile.Instance
	if err := json.Unmarshal(data, &inst); err != nil || inst.App != key {
		return nil, usageErrorf("the saved instance of %s is damaged (%v); run again with --new-instance", key, err)
	}
	return &inst, nil
}

// parseAnswers reads --answer CHECK=VALUE flags into challenge responses.
func parseAnswers(specs []string) (map[string]map[string]any, error) {
	answers := map[string]map[string]any{}
	for _, spec := range specs {
		check, value, ok := strings.Cut(spec, "=")
		if !ok || check == "" {
			return nil, usageErrorf("--answer %q: write CHECK=VALUE, for example PinCodeAttempts=1234", spec)
		}
		resp, err := challengeResponse(value)
		if err != nil {
			return nil, usageErrorf("--answer %s: %v", check, err)
		}
		answers[check] = resp
	}
	return answers, nil
}

// challengeResponse turns a VALUE into a challenge response: a JSON object
// as written, USER:PASSWORD, or a PIN.
func challengeResponse(value string) (map[string]any, error) {
	switch {
	case strings.HasPrefix(strings.TrimSpace(value), "{"):
		var obj map[string]any
		if err := json.Unmarshal([]byte(value), &obj); err != nil {
			return nil, fmt.Errorf("not a JSON object: %v", err)
		}
		return obj, nil
	case strings.Contains(value, ":"):
		user, password, _ := strings.Cut(value, ":")
		return map[string]any{"username": user, "password": password}, nil
	}
	return map[string]any{"pin": value}, nil
}

// answerer answers from --answer, else asks on the terminal; each --answer
// is used once, so a wrong one is not sent again and again.
func answerer(c *cli.Context, answers map[string]map[string]any) mobile.Answerer {
	in := bufio.NewReader(c.App.Reader)
	return func(check string, challenge map[string]any) (map[string]any, error) {
		if resp, ok := answers[check]; ok {
			delete(answers, check)
			return resp, nil
		}
		if f, ok := c.App.Reader.(*os.File); !ok || !isTerminal(f) {
			return nil, exitcode.Errorf(exitFailed, "security check %s asks %s; answer it with --answer %s=VALUE", check, describeChallenge(challenge), check)
		}
		fmt.Fprintf(c.App.ErrWriter, "%s asks %s: ", check, describeChallenge(challenge))
		line, err := in.ReadString('\n')
		if err != nil && err != io.EOF {
			return nil, err
		}
		return challengeResponse(strings.TrimRight(line, "\r\n"))
	}
}

// describeChallenge says in words what a challenge asks, escaping what the
// server sent.
func describeChallenge(ch map[string]any) string {
	data, _ := json.Marshal(ch)
	return client.Printable(string(data))
}

// tokenError gives a failed check the exit status of a failed check, and
// says what to do when the server no longer knows the saved instance.
func tokenError(err error) error {
	switch config.ErrorKind(err) {
	case config.KindForbidden:
		return exitcode.Errorf(exitFailed, "%s", err)
	case config.KindUnauthorized:
		return &config.Error{Kind: config.KindUnauthorized, Message: err.Error() + " (if the server no longer knows the saved instance, run again with --new-instance)"}
	}
	return err
}

// tokenReport is the JSON output of app token.
type tokenReport struct {
	Server       string             `json:"server"`
	Runtime      string             `json:"runtime"`
	ClientID     string             `json:"clientId"`
	ExpiresIn    int64              `json:"expiresIn"`
	Scope        string             `json:"scope"`
	Claims       accesstoken.Claims `json:"claims"`
	AccessToken  string             `json:"accessToken"`
	RefreshToken string             `json:"refreshToken,omitempty"`
}

func printToken(c *cli.Context, format string, mc *mobile.Client, tok mobile.Token) error {
	claims, err := accesstoken.UnverifiedClaims(tok.AccessToken)
	if err != nil {
		return fmt.Errorf("%s gave a token that is not a JWT: %w", mc.URL, err)
	}
	r := tokenReport{Server: mc.URL, Runtime: mc.Runtime, ClientID: mc.Instance.ID, ExpiresIn: tok.ExpiresIn, Scope: tok.Scope,
		Claims: claims, AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken}
	if format == formatJSON {
		return writeJSON(c.App.Writer, r)
	}
	w := c.App.Writer
	fmt.Fprintf(w, "token for %s, scope %q, from %s\n", mc.Instance.App, client.Printable(tok.Scope), mc.URL)
	fmt.Fprintf(w, "  expires in %d s (at %s)\n", tok.ExpiresIn, claims.Expiry.Time().UTC().Format(time.RFC3339))
	printFields(w, [][2]string{
		{"client_id", claims.ClientID}, {"app_id", claims.AppID}, {"app_platform", claims.AppPlatform}, {"app_version", claims.AppVersion},
		{"user", claims.User}, {"device_id", claims.DeviceID}, {"scope", claims.Scope}, {"iss", claims.Issuer},
	})
	if tok.RefreshToken != "" {
		fmt.Fprintln(w, "  refresh token: yes")
	}
	fmt.Fprintf(w, "access_token: %s\n", client.Printable(tok.AccessToken))
	return nil
}

// printFields writes the non-empty fields, one a line, aligned, with what
// a server sent escaped: the claims of a token.
func printFields(w io.Writer, fields [][2]string) {
	for _, f := range fields {
		if f[1] != "" {
			fmt.Fprintf(w, "  %-13s %s\n", f[0], client.Printable(f[1]))
		}
	}
}
