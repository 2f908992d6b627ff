package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/client"
	"github.com/scopectl/scopectl/sync/transfer"
)

func appExplainCommand() *cli.Command {
	return &cli.Command{
		Name:      "explain",
		Usage:     "show which security checks a scope runs and how long its tokens live",
		ArgsUsage: "FILE | APPID/PLATFORM/VERSION",
		Description: `Resolves --scope for one application as scoped's runtime does: each
element through scopeElementMapping (an element without a mapping is the
check of the same name, a mapping to "" is no check), plus the elements of
mandatoryScope. For every check it shows the effective properties, which
the descriptor configures and which are defaults, and it shows the token
lifetime: the smallest success-state expiration of the checks that run,
capped by maxTokenExpiration.

A FILE is explained offline; APPID/PLATFORM/VERSION is read from --server.
The checks and their defaults are scoped's built-in ones, or those of
--known-checks FILE (the list a server publishes at
/RUNTIME/api/az/v1/securitychecks).

Exit status: 0 explained, 2 usage error or invalid descriptor, 3 server
unreachable.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "scope", Usage: "the `SCOPE` a client asks for, elements separated by spaces", EnvVars: []string{"SCOPECTL_SCOPE"}},
			knownChecksFlag(), serverFlag(), passwordFileFlag(), timeoutFlag(), formatFlag(formatText, formatJSON),
		},
		Action: explainAction,
	}
}

func explainAction(c *cli.Context) error {
	format, err := outputFormat(c, formatText, formatJSON)
	if err != nil {
		return err
	}
	scope, err := config.ParseScope(c.String("scope"))
	if err != nil {
		return usageErrorf("--scope: %v", err)
	}
	d, source, err := explainedDescriptor(c)
	if err != nil {
		return err
	}
	known, err := knownChecks(c)
	if err != nil {
		return err
	}
	if known == nil {
		known = config.BuiltinChecks
	}
	r := config.Resolve(d, scope, known)
	if format == formatJSON {
		return writeJSON(c.App.Writer, r)
	}
	return writeExplanation(c.App.Writer, source, d, r)
}

// explainedDescriptor reads the one argument: a descriptor FILE, validated
// as by app validate, or APPID/PLATFORM/VERSION read from the server.
func explainedDescriptor(c *cli.Context) (*config.Descriptor, string, error) {
	if c.NArg() != 1 {
		return nil, "", usageErrorf("name one descriptor FILE or APPID/PLATFORM/VERSION")
	}
	arg := c.Args().First()
	if _, statErr := os.Stat(arg); statErr != nil {
		key, err := config.ParseAppKey(arg)
		if err != nil {
			return nil, "", usageErrorf("%s: %s (name a descriptor FILE or APPID/PLATFORM/VERSION)", arg, describeReadError(statErr))
		}
		return serverDescriptor(c, key)
	}
	ds, err := readDescriptors(c, []string{arg})
	if err != nil {
		return nil, "", err
	}
	return ds[0], relative(arg), nil
}

func serverDescriptor(c *cli.Context, key config.AppKey) (*config.Descriptor, string, error) {
	cl, target, err := connect(c, client.ScopeRead)
	if err != nil {
		return nil, "", err
	}
	d, rev, err := transfer.ReadServer(c.Context, cl, target, key)
	if err != nil {
		return nil, "", err
	}
	if d == nil {
		return nil, "", usageErrorf("%s has no application %s in runtime %s", target.URL, key, target.Runtime)
	}
	return d, fmt.Sprintf("%s on %s, revision %d", key, target.URL, rev), nil
}

// writeExplanation writes r for a person: elements, checks with their
// properties, and the token lifetime with what caps it.
func writeExplanation(w io.Writer, source string, d *config.Descriptor, r config.Resolution) error {
	fmt.Fprintf(w, "%s, scope %q\n\nscope elements:\n", source, r.Scope.String())
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, e := range r.Elements {
		fmt.Fprintf(tw, "  %s\t→ %s\t%s\n", e.Name, checkList(e.Checks), elementReason(e))
	}
	if len(r.Elements) == 0 {
		fmt.Fprintln(tw, "  (none: no scope asked for and no mandatoryScope)")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nsecurity checks:")
	for _, ch := range r.Checks {
		writeCheck(tw, ch)
	}
	if len(r.Checks) == 0 {
		fmt.Fprintln(tw, "  (none run)")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\ntoken lifetime: %s\n", lifetimeReason(r.Lifetime, d))
	fmt.Fprintf(w, "granted scope (in the token): %q\n", r.Scope.String())
	return nil
}

func checkList(checks config.Scope) string {
	if len(checks) == 0 {
		return "no check"
	}
	return strings.Join(checks, ", ")
}

func elementReason(e config.ResolvedElement) string {
	var why []string
	if e.Mandatory {
		why = append(why, "mandatoryScope")
	}
	if e.Mapped {
		why = append(why, "scopeElementMapping")
	} else {
		why = append(why, "no mapping: the check of the same name")
	}
	return "(" + strings.Join(why, "; ") + ")"
}

func writeCheck(w io.Writer, ch config.ResolvedCheck) {
	known := ""
	if !ch.Known {
		known = ", unknown to the runtime: no client can pass it"
	}
	fmt.Fprintf(w, "  %s\t(for %s%s)\n", ch.Name, strings.Join(ch.Elements, ", "), known)
	for _, p := range ch.Properties {
		origin := "default"
		if p.Configured {
			origin = "configured"
		}
		fmt.Fprintf(w, "    %s\t%v\t%s\n", p.Name, p.Value, origin)
	}
}

func lifetimeReason(lt config.TokenLifetime, d *config.Descriptor) string {
	if lt.CappedBy != "" {
		return fmt.Sprintf("%d s, the %s of %s (maxTokenExpiration %d s)", lt.Seconds, lt.Property, lt.CappedBy, d.EffectiveMaxTokenExpiration())
	}
	if d.MaxTokenExpiration == 0 {
		return fmt.Sprintf("%d s, the default maxTokenExpiration", lt.Seconds)
	}
	return fmt.Sprintf("%d s, the maxTokenExpiration", lt.Seconds)
}
