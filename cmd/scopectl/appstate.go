package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/client"
)

func appDisableCommand() *cli.Command {
	return &cli.Command{
		Name:      "disable",
		Usage:     "refuse the mobile clients of an application version, with a message for its users",
		ArgsUsage: "APPID/PLATFORM/VERSION | FILE",
		Description: `Disables an application on the server (the console's remote disable):
its registered instances are refused at their next request (403 with
the message, invalid_client at the token endpoint) and new ones cannot
register, on every scoped process of the store within a second. Its
descriptor and history stay; a push keeps it disabled. Tokens issued
before stay valid until they expire. scopectl app enable undoes it.

Needs a server login with the operator role (mfpoperator).

Exit status: 0 disabled, 2 usage error or unknown application, 3 server
unreachable or the login may not disable (no operator role).`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "message", Usage: "`TEXT` shown to its users (at most 1024 bytes)", EnvVars: []string{"SCOPECTL_DISABLE_MESSAGE"}},
			serverFlag(), passwordFileFlag(), timeoutFlag(), formatFlag(formatText, formatJSON),
		},
		Action: func(c *cli.Context) error { return setStateAction(c, false) },
	}
}

func appEnableCommand() *cli.Command {
	return &cli.Command{
		Name:      "enable",
		Usage:     "serve the mobile clients of a disabled application version again",
		ArgsUsage: "APPID/PLATFORM/VERSION | FILE",
		Description: `Enables an application that scopectl app disable disabled: its clients
are served again at their next request, under its current descriptor.
Enabling an enabled application changes nothing.

Needs a server login with the operator role (mfpoperator).

Exit status: 0 enabled, 2 usage error or unknown application, 3 server
unreachable or the login may not enable (no operator role).`,
		Flags:  []cli.Flag{serverFlag(), passwordFileFlag(), timeoutFlag(), formatFlag(formatText, formatJSON)},
		Action: func(c *cli.Context) error { return setStateAction(c, true) },
	}
}

// setStateAction enables or disables the application of the argument.
func setStateAction(c *cli.Context, enabled bool) error {
	format, err := outputFormat(c, formatText, formatJSON)
	if err != nil {
		return err
	}
	key, file, err := oneAppArg(c)
	if err == nil && file != "" {
		key, err = fileAppKey(file)
	}
	if err == nil && len(c.String("message")) > api.MaxDisabledMessage {
		err = usageErrorf("--message is %d bytes long; at most %d", len(c.String("message")), api.MaxDisabledMessage)
	}
	if err != nil {
		return err
	}
	cl, target, err := connect(c, client.ScopeWrite)
	if err != nil {
		return err
	}
	app, err := cl.SetAppState(c.Context, key, enabled, c.String("message"))
	if err != nil {
		return err
	}
	if format == formatJSON {
		return writeJSON(c.App.Writer, app)
	}
	where := fmt.Sprintf("%s (runtime %s)", target.URL, target.Runtime)
	if !app.Disabled {
		fmt.Fprintf(c.App.Writer, "%s enabled on %s: its clients are served (revision %d)\n", key, where, app.Revision)
		return nil
	}
	fmt.Fprintf(c.App.Writer, "%s disabled on %s: its clients are refused\n", key, where)
	if app.DisabledMessage != "" {
		fmt.Fprintf(c.App.Writer, "  message: %s\n", app.DisabledMessage)
	}
	return nil
}
