package cliargstest_test

import (
	"slices"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/scopectl/scopectl/cmd/internal/cliargs/cliargstest"
)

// TestFlagsWithoutVariable: a flag without a variable, or with one of
// another prefix, is reported with its command path, at any depth.
func TestFlagsWithoutVariable(t *testing.T) {
	app := &cli.App{
		Name:  "tool",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "quiet", EnvVars: []string{"TOOL_QUIET"}}},
		Commands: []*cli.Command{{
			Name:  "app",
			Flags: []cli.Flag{&cli.StringFlag{Name: "server", EnvVars: []string{"OTHER_SERVER"}}},
			Subcommands: []*cli.Command{{
				Name:  "diff",
				Flags: []cli.Flag{&cli.StringFlag{Name: "format"}, &cli.StringFlag{Name: "rev", EnvVars: []string{"TOOL_REV"}}},
			}},
		}},
	}
	got := cliargstest.FlagsWithoutVariable(app, "TOOL_")
	if want := []string{"tool app --server", "tool app diff --format"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
