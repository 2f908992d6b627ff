package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/cmd/internal/cliargs"
)

func TestNormalizeArgs(t *testing.T) {
	app := newApp(nil, nil, nil)
	for _, tc := range []struct{ in, want string }{
		{"app validate a.json --strict", "app validate --strict a.json"},
		{"app validate a.json --format json b.json", "app validate --format json a.json b.json"},
		{"app validate a.json --format=json", "app validate --format=json a.json"},
		{"app validate a.json -j 2", "app validate -j 2 a.json"},
		{"app push FILE --server dev --yes", "app push --server dev --yes FILE"},
		{"app rollback FILE --to 1", "app rollback --to 1 FILE"},
		{"server add prod --url http://x --login ci", "server add --url http://x --login ci prod"},
		// -- ends the flags; what follows stays positional, even if it
		// looks like a flag.
		{"app validate --strict -- --weird.json", "app validate --strict -- --weird.json"},
		{"app validate -- a.json --strict", "app validate -- a.json --strict"},
		// a global flag written after the command goes to the app ...
		{"app history FILE --no-color", "--no-color app history FILE"},
		{"schema --no-color", "--no-color schema"},
		// ... an unknown one stays with the command, which reports it.
		{"app validate a.json --bogus", "app validate --bogus a.json"},
		{"help app validate", "app validate --help"},
		{"help", "help"},
		// git runs these with paths; nothing moves.
		{"git diff-driver --x a b", "git diff-driver --x a b"},
		{"app validate - --strict", "app validate --strict -"},
	} {
		got := cliargs.Normalize(app, append([]string{"scopectl"}, strings.Fields(tc.in)...), rawArgCommands)[1:]
		if want := strings.Fields(tc.want); !slices.Equal(got, want) {
			t.Errorf("%s:\n got %q\nwant %q", tc.in, got, want)
		}
	}
}

// TestFlagsAfterArguments: flags work after the positional arguments, as
// users of git and kubectl write them.
func TestFlagsAfterArguments(t *testing.T) {
	scopectl(t, "app", "validate", validDir, "--strict").wantCode(t, exitFailed) // the fixtures have warnings
	r := scopectl(t, "app", "validate", validDir+"/com.example.bank-android-1.0.json", "--format", "json").wantCode(t, exitOK)
	if !strings.HasPrefix(r.stdout, "{") {
		t.Errorf("--format json after the path was not applied: %q", r.stdout)
	}
}

func TestUsageMessages(t *testing.T) {
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"app", "valdate"}, `unknown command "valdate"; did you mean "validate"?`},
		{[]string{"srever", "list"}, `unknown command "srever"; did you mean "server"?`},
		{[]string{"app", "validate", "--strcit"}, "unknown flag --strcit; did you mean --strict?"},
		{[]string{"app", "validate", "--jobs", "abc"}, `invalid value "abc" for --jobs: not a whole number`},
		{[]string{"app", "pull", "--timeout", "5"}, `invalid value "5" for --timeout: not a duration such as 30s or 2m`},
		{[]string{"app", "push", "--server"}, "--server needs a value"},
		{[]string{"server", "add", "x", "--url"}, "--url needs a value"},
		{[]string{"app", "push", "a.json", "--server"}, "--server needs a value"},
		{[]string{"schema", "x"}, `scopectl schema takes no arguments (got "x")`},
		{[]string{"server", "list", "extra"}, `scopectl server list takes no arguments (got "extra")`},
	} {
		r := scopectl(t, tc.args...).wantCode(t, exitUsage)
		if want := "scopectl: " + tc.msg; !strings.HasPrefix(r.stderr, want) {
			t.Errorf("%q: stderr %q, want %q", tc.args, r.stderr, want)
		}
	}
}

// TestHelpCommand: help CMD... shows that command's help, not its group's.
func TestHelpCommand(t *testing.T) {
	r := scopectl(t, "help", "app", "validate").wantCode(t, exitOK)
	if !strings.Contains(r.stdout, "scopectl app validate - check descriptors") || !strings.Contains(r.stdout, "--staged") {
		t.Errorf("help app validate:\n%s", r.stdout)
	}
}
