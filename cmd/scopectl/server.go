package main

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/scopectl/scopectl/cmd/scopectl/internal/profiles"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/client"
)

func serverCommand() *cli.Command {
	return &cli.Command{
		Name:  "server",
		Usage: "manage the scoped servers that descriptors are pulled from and pushed to",
		Description: `Server profiles live in $XDG_CONFIG_HOME/scopectl/servers.json (mode
0600; SCOPECTL_CONFIG names another file). The built-in profile "local"
(http://localhost:9080, runtime mfp, admin/admin) is the default until
another is set. Passwords are stored but never printed.`,
		Subcommands: []*cli.Command{
			{
				Name: "add", Usage: "add or replace a server profile", ArgsUsage: "NAME",
				Flags: []cli.Flag{
					serverURLFlag(),
					&cli.StringFlag{Name: "login", Usage: "confidential client `ID`", Required: true, EnvVars: []string{"SCOPECTL_LOGIN"}},
					&cli.StringFlag{Name: "password", Usage: "client `SECRET` (prefer --password-file or SCOPECTL_PASSWORD: command lines are visible to other users)", EnvVars: []string{"SCOPECTL_PASSWORD"}},
					passwordFileFlag(),
					runtimeFlag(),
					setDefaultFlag(),
				},
				Action: serverAddAction,
			},
			{Name: "list", Usage: "list server profiles", Flags: []cli.Flag{formatFlag(formatText, formatJSON)}, Action: serverListAction},
			{
				Name: "info", Usage: "check that a server answers and the credentials get a token", ArgsUsage: "[NAME|URL]",
				Flags: []cli.Flag{passwordFileFlag(), timeoutFlag(), formatFlag(formatText, formatJSON)}, Action: serverInfoAction,
			},
			{Name: "remove", Usage: "remove a server profile", ArgsUsage: "NAME", Action: serverRemoveAction},
			{Name: "default", Usage: "make a server the default", ArgsUsage: "NAME", Action: serverDefaultAction},
		},
	}
}

func passwordFileFlag() cli.Flag {
	return &cli.StringFlag{Name: "password-file", Usage: "read the client secret from `FILE`", EnvVars: []string{"SCOPECTL_PASSWORD_FILE"}}
}

func timeoutFlag() cli.Flag {
	return &cli.DurationFlag{Name: "timeout", Value: 30 * time.Second, Usage: "give up on the server after `DURATION`", EnvVars: []string{"SCOPECTL_TIMEOUT"}}
}

// profilesPath is the servers file: SCOPECTL_CONFIG, else the user's
// configuration directory.
func profilesPath() string {
	if p := os.Getenv("SCOPECTL_CONFIG"); p != "" {
		return p
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		dir = "."
	}
	return filepath.Join(dir, "scopectl", "servers.json")
}

// editProfiles loads the servers file, lets edit change it, and saves it.
func editProfiles(edit func(*profiles.Profiles) error) error {
	path := profilesPath()
	p, err := profiles.LoadProfiles(path)
	if err != nil {
		return err
	}
	if err := edit(p); err != nil {
		return err
	}
	return p.Save(path)
}

// password returns the secret given by --password-file, or else by the
// named flag or variable.
func password(c *cli.Context, fallback string) (string, error) {
	if file := c.String("password-file"); file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", usageErrorf("--password-file: %v", err)
		}
		secret := strings.TrimRight(string(b), "\r\n")
		if secret == "" {
			return "", usageErrorf("--password-file %s is empty; write the client secret in it", file)
		}
		return secret, nil
	}
	return fallback, nil
}

func oneArg(c *cli.Context, what string) (string, error) {
	if c.NArg() != 1 {
		return "", usageErrorf("scopectl server %s takes one %s", c.Command.Name, what)
	}
	return c.Args().First(), nil
}

func serverAddAction(c *cli.Context) error {
	name, err := oneArg(c, "NAME")
	if err != nil {
		return err
	}
	secret, err := password(c, c.String("password"))
	if err != nil {
		return err
	}
	if secret == "" {
		return usageErrorf("give the client secret with --password-file, SCOPECTL_PASSWORD or --password")
	}
	if c.IsSet("password") && c.String("password") != os.Getenv("SCOPECTL_PASSWORD") && c.String("password-file") == "" {
		warnf(c, "--password on the command line is visible to other users of this machine (ps, shell history); prefer --password-file or SCOPECTL_PASSWORD")
	}
	prof := profiles.Profile{Name: name, URL: c.String("url"), Runtime: c.String("runtime"), Login: c.String("login"), Password: secret}
	err = editProfiles(func(p *profiles.Profiles) error {
		if err := p.Add(prof); err != nil {
			return err
		}
		if c.Bool("setdefault") {
			return p.SetDefault(name)
		}
		return nil
	})
	if err != nil {
		return err
	}
	warnInsecure(c, prof.URL)
	made := ""
	if c.Bool("setdefault") {
		made = ", now the default"
	}
	fmt.Fprintf(c.App.ErrWriter, "server %s added (%s%s) in %s\n", name, strings.TrimSuffix(prof.URL, "/"), made, profilesPath())
	return nil
}

// profileRow is one line of server list; its JSON keys are the
// --format json output.
type profileRow struct {
	Name           string `json:"name"`
	URL            string `json:"url"`
	Runtime        string `json:"runtime"`
	Login          string `json:"login"`
	PasswordStored bool   `json:"passwordStored"`
	Default        bool   `json:"default"`
}

func serverListAction(c *cli.Context) error {
	format, err := outputFormat(c, formatText, formatJSON)
	if err != nil {
		return err
	}
	p, err := profiles.LoadProfiles(profilesPath())
	if err != nil {
		return err
	}
	rows := []profileRow{}
	for _, prof := range p.All() {
		rows = append(rows, profileRow{prof.Name, prof.URL, prof.Runtime, prof.Login, prof.Password != "", prof.Name == p.DefaultName()})
	}
	if format == formatJSON {
		return writeJSON(c.App.Writer, rows)
	}
	tw := tabwriter.NewWriter(c.App.Writer, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tURL\tRUNTIME\tLOGIN\tPASSWORD\tDEFAULT")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Name, r.URL, r.Runtime, r.Login,
			map[bool]string{true: "stored", false: "-"}[r.PasswordStored], map[bool]string{true: "*", false: ""}[r.Default])
	}
	return tw.Flush()
}

func serverRemoveAction(c *cli.Context) error {
	name, err := oneArg(c, "NAME")
	if err != nil {
		return err
	}
	var now profiles.Profile
	wasDefault := false
	err = editProfiles(func(p *profiles.Profiles) error {
		wasDefault = p.DefaultName() == name
		if err := p.Remove(name); err != nil {
			return err
		}
		now, err = p.Get(p.DefaultName())
		return err
	})
	if err != nil {
		return err
	}
	msg := "server " + name + " removed"
	if wasDefault {
		msg += "; it was the default, the default is now " + describeProfile(now)
	}
	fmt.Fprintln(c.App.ErrWriter, msg)
	return nil
}

func serverDefaultAction(c *cli.Context) error {
	name, err := oneArg(c, "NAME")
	if err != nil {
		return err
	}
	var prof profiles.Profile
	err = editProfiles(func(p *profiles.Profiles) error {
		if err := p.SetDefault(name); err != nil {
			return err
		}
		prof, err = p.Get(name)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(c.App.ErrWriter, "the default server is now %s\n", describeProfile(prof))
	return nil
}

// describeProfile names a profile and where it points, for messages.
func describeProfile(p profiles.Profile) string {
	if p == profiles.LocalProfile {
		return p.Name + " (built in: " + p.URL + ")"
	}
	return p.Name + " (" + p.URL + ")"
}

// warnf prints a warning on stderr.
func warnf(c *cli.Context, format string, args ...any) {
	fmt.Fprintf(c.App.ErrWriter, "scopectl: warning: "+format+"\n", args...)
}

// warnInsecure warns when a server URL would carry secrets unencrypted
// over the network.
func warnInsecure(c *cli.Context, url string) {
	if profiles.Insecure(url) {
		warnf(c, "%s is not encrypted: the client secret and tokens cross the network in clear text; use https://", url)
	}
}

// serverInfo is the --format json output of server info.
type serverInfo struct {
	Server       string            `json:"server"`
	URL          string            `json:"url"`
	Runtime      string            `json:"runtime"`
	Login        string            `json:"login"`
	Applications []api.Application `json:"applications"`
}

// serverInfoAction gets a read-only token and lists the applications, the
// least a working setup must do.
func serverInfoAction(c *cli.Context) error {
	format, err := outputFormat(c, formatText, formatJSON)
	if err != nil {
		return err
	}
	if c.NArg() > 1 {
		return usageErrorf("scopectl server info takes at most one NAME or URL")
	}
	prof, err := resolveProfile(c, c.Args().First())
	if err != nil {
		return err
	}
	cl, err := client.New(c.Context, client.Options{
		URL: prof.URL, Runtime: prof.Runtime, Login: prof.Login, Password: prof.Password,
		Scope: client.ScopeRead, Retries: 2, HTTP: httpClient(c),
	})
	if err != nil {
		return err
	}
	apps, err := cl.Applications(c.Context)
	if err != nil {
		return err
	}
	if format == formatJSON {
		return writeJSON(c.App.Writer, serverInfo{prof.Name, prof.URL, prof.Runtime, prof.Login, append([]api.Application{}, apps...)})
	}
	fmt.Fprintf(c.App.Writer, "%s: %s runtime %s answers; client %s authenticated; %d %s\n",
		prof.Name, prof.URL, prof.Runtime, prof.Login, len(apps), plural(len(apps), "application", "applications"))
	tw := tabwriter.NewWriter(c.App.Writer, 0, 4, 2, ' ', 0)
	for _, a := range apps {
		fmt.Fprintf(tw, "  %s\trevision %d\t%s\t%s\n", a.Key(), a.Revision, a.Time.Local().Format(time.DateTime), a.Author)
	}
	return tw.Flush()
}

// resolveServer returns the profile server names (a profile or a URL),
// its URL without a trailing '/', without looking for credentials: what
// the commands that need none (app token, token verify) use.
func resolveServer(c *cli.Context, server string) (profiles.Profile, error) {
	p, err := profiles.LoadProfiles(profilesPath())
	if err != nil {
		return profiles.Profile{}, err
	}
	prof, err := p.Resolve(server)
	if err != nil {
		return prof, err
	}
	prof.URL = strings.TrimSuffix(prof.URL, "/")
	warnInsecure(c, prof.URL)
	return prof, nil
}

// resolveProfile returns the profile for a --server value (a name or a
// URL), with SCOPECTL_LOGIN, SCOPECTL_PASSWORD and --password-file taking
// precedence over stored credentials, for CI.
func resolveProfile(c *cli.Context, server string) (profiles.Profile, error) {
	prof, err := resolveServer(c, server)
	if err != nil {
		return prof, err
	}
	if login := os.Getenv("SCOPECTL_LOGIN"); login != "" && login != prof.Login {
		prof.Login, prof.Password = login, "" // another client: never send the profile's secret for it
	}
	if prof.Password, err = password(c, cmp.Or(os.Getenv("SCOPECTL_PASSWORD"), prof.Password)); err != nil {
		return prof, err
	}
	if prof.Login == "" || prof.Password == "" {
		return prof, usageErrorf("no credentials for %s: add a profile (scopectl server add) or set SCOPECTL_LOGIN and SCOPECTL_PASSWORD", prof.URL)
	}
	return prof, nil
}
