package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/scopectl/scopectl/sync/client"
	"github.com/scopectl/scopectl/sync/workspace"
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
					&cli.StringFlag{Name: "url", Usage: "server `URL`, e.g. https://scoped.example.com", Required: true},
					&cli.StringFlag{Name: "login", Usage: "confidential client `ID`", Required: true, EnvVars: []string{"SCOPECTL_LOGIN"}},
					&cli.StringFlag{Name: "password", Usage: "client `SECRET` (prefer --password-file or SCOPECTL_PASSWORD: command lines are visible to other users)", EnvVars: []string{"SCOPECTL_PASSWORD"}},
					passwordFileFlag(),
					&cli.StringFlag{Name: "runtime", Value: "mfp", Usage: "`RUNTIME` name"},
					&cli.BoolFlag{Name: "setdefault", Usage: "make it the default server"},
				},
				Action: serverAddAction,
			},
			{Name: "list", Usage: "list server profiles", Flags: []cli.Flag{jsonFlag()}, Action: serverListAction},
			{
				Name: "info", Usage: "check that a server answers and the credentials get a token", ArgsUsage: "[NAME|URL]",
				Flags: []cli.Flag{passwordFileFlag(), timeoutFlag()}, Action: serverInfoAction,
			},
			{Name: "remove", Usage: "remove a server profile", ArgsUsage: "NAME", Action: serverRemoveAction},
			{Name: "default", Usage: "make a server the default", ArgsUsage: "NAME", Action: serverDefaultAction},
		},
	}
}

func passwordFileFlag() cli.Flag {
	return &cli.StringFlag{Name: "password-file", Usage: "read the client secret from `FILE`", EnvVars: []string{"SCOPECTL_PASSWORD_FILE"}}
}

func jsonFlag() cli.Flag {
	return &cli.BoolFlag{Name: "json", Usage: "machine-readable output", EnvVars: []string{"SCOPECTL_JSON"}}
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
func editProfiles(edit func(*workspace.Profiles) error) error {
	path := profilesPath()
	p, err := workspace.LoadProfiles(path)
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
		return strings.TrimRight(string(b), "\r\n"), nil
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
	err = editProfiles(func(p *workspace.Profiles) error {
		prof := workspace.Profile{Name: name, URL: c.String("url"), Runtime: c.String("runtime"), Login: c.String("login"), Password: secret}
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
	fmt.Fprintf(c.App.ErrWriter, "server %s added (%s)\n", name, profilesPath())
	return nil
}

func serverListAction(c *cli.Context) error {
	p, err := workspace.LoadProfiles(profilesPath())
	if err != nil {
		return err
	}
	type row struct {
		Name, URL, Runtime, Login string
		PasswordStored, Default   bool
	}
	var rows []row
	for _, prof := range p.All() {
		rows = append(rows, row{prof.Name, prof.URL, prof.Runtime, prof.Login, prof.Password != "", prof.Name == p.DefaultName()})
	}
	if c.Bool("json") {
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
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
	return editProfiles(func(p *workspace.Profiles) error { return p.Remove(name) })
}

func serverDefaultAction(c *cli.Context) error {
	name, err := oneArg(c, "NAME")
	if err != nil {
		return err
	}
	return editProfiles(func(p *workspace.Profiles) error { return p.SetDefault(name) })
}

// serverInfoAction gets a read-only token and lists the applications, the
// least a working setup must do.
func serverInfoAction(c *cli.Context) error {
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
	fmt.Fprintf(c.App.Writer, "%s: %s runtime %s answers; client %s authenticated; %d %s\n",
		prof.Name, prof.URL, prof.Runtime, prof.Login, len(apps), plural(len(apps), "application", "applications"))
	return nil
}

// resolveProfile returns the profile for a --server value (a name or a
// URL), with SCOPECTL_LOGIN, SCOPECTL_PASSWORD and --password-file taking
// precedence over stored credentials, for CI.
func resolveProfile(c *cli.Context, server string) (workspace.Profile, error) {
	p, err := workspace.LoadProfiles(profilesPath())
	if err != nil {
		return workspace.Profile{}, err
	}
	prof, err := p.Resolve(server)
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
