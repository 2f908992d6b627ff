package main

import (
	"encoding/json"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestBashCompletion sources the bash script in a real bash and completes
// a subcommand and a flag through the scopectl on PATH.
func TestBashCompletion(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatal("bash is needed for this test")
	}
	scopectlOnPath(t)
	for line, want := range map[string]string{
		"scopectl app va":              "validate",
		"scopectl app validate --sta":  "--staged",
		"scopectl ser":                 "server",
		"scopectl server add prod --u": "--url",
	} {
		words := strings.Fields(line)
		script := `source <(scopectl completion bash) || exit 9
COMP_WORDS=(` + strings.Join(words, " ") + `); COMP_CWORD=` + strconv.Itoa(len(words)-1) + `
_scopectl_complete; printf '%s\n' "${COMPREPLY[@]}"`
		out, err := exec.Command(bash, "-c", script).CombinedOutput()
		if err != nil || !strings.Contains(string(out), want) {
			t.Errorf("%q: completions %q (%v), want %q among them", line, out, err, want)
		}
	}
}

func TestCompletionScripts(t *testing.T) {
	for shell, want := range map[string]string{"bash": "complete -o bashdefault", "zsh": "compdef _scopectl scopectl", "fish": "complete -c scopectl"} {
		r := scopectl(t, "completion", shell).wantCode(t, exitOK)
		if !strings.Contains(r.stdout, want) {
			t.Errorf("%s script lacks %q:\n%s", shell, want, r.stdout)
		}
	}
	r := scopectl(t, "completion", "tcsh").wantCode(t, exitUsage)
	if !strings.Contains(r.stderr, `no completion for shell "tcsh"`) {
		t.Errorf("stderr %q", r.stderr)
	}
	scopectl(t, "completion").wantCode(t, exitUsage)
}

func TestVersion(t *testing.T) {
	r := scopectl(t, "version").wantCode(t, exitOK)
	flag := scopectl(t, "--version").wantCode(t, exitOK)
	if !strings.HasPrefix(r.stdout, "scopectl ") || r.stdout != flag.stdout {
		t.Errorf("version %q, --version %q", r.stdout, flag.stdout)
	}
	var info map[string]any
	if err := json.Unmarshal([]byte(scopectl(t, "version", "--format", "json").wantCode(t, exitOK).stdout), &info); err != nil || info["version"] == nil || info["go"] == nil {
		t.Errorf("version --format json: %v %v", info, err)
	}
}
