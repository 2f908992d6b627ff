package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/sync/gitrepo"
)

const semanticLine = "replace /scopeElementMapping/accessRestricted: +UserLogin -PinCodeAttempts"

// setUpDriver makes a repository with a descriptor and a README committed,
// runs scopectl git setup, and commits a change to both.
func setUpDriver(t *testing.T) *gitRepo {
	t.Helper()
	r := newGitRepo(t)
	scopectlOnPath(t)
	r.put(bankFixture, "bank.json")
	os.WriteFile("README", []byte("hello\n"), 0o644)
	r.git("add", ".")
	r.git("commit", "-q", "-m", "first")
	out := scopectl(t, "git", "setup").wantCode(t, exitOK).stdout
	if !strings.Contains(out, `.gitattributes: added "mobilefirst/*.json diff=scopectl"`) {
		t.Errorf("setup output: %q", out)
	}
	r.git("add", ".gitattributes")
	r.git("commit", "-q", "-m", "attributes")
	edit(t, "mobilefirst/bank.json", `"accessRestricted": "PinCodeAttempts"`, `"accessRestricted": "UserLogin"`)
	os.WriteFile("README", []byte("hello\nworld\n"), 0o644)
	return r
}

// TestGitShowsSemanticDiff: after git setup, git diff, git show --ext-diff
// and git log -p --ext-diff show descriptors by meaning and other files
// as usual.
func TestGitShowsSemanticDiff(t *testing.T) {
	r := setUpDriver(t)
	check := func(what, out string) {
		t.Helper()
		if !strings.Contains(out, "a/mobilefirst/bank.json → b/mobilefirst/bank.json\n  "+semanticLine+"\n") {
			t.Errorf("%s: no semantic diff for the descriptor:\n%s", what, out)
		}
		if strings.Contains(out, `"accessRestricted"`) {
			t.Errorf("%s: the descriptor's JSON lines are shown too:\n%s", what, out)
		}
		if !strings.Contains(out, "diff --git a/README b/README") || !strings.Contains(out, "+world") {
			t.Errorf("%s: other files lost their normal diff:\n%s", what, out)
		}
	}
	check("git diff", r.git("diff"))
	r.git("commit", "-q", "-am", "second")
	check("git show --ext-diff", r.git("show", "--ext-diff"))
	check("git log -p --ext-diff", r.git("log", "-p", "--ext-diff", "-1"))

	// Without --ext-diff, git log -p compares canonical forms (textconv).
	plain := r.git("log", "-p", "-1")
	if !strings.Contains(plain, `-    "accessRestricted": "PinCodeAttempts",`) || !strings.Contains(plain, `+    "accessRestricted": "UserLogin",`) {
		t.Errorf("git log -p without --ext-diff does not use textconv:\n%s", plain)
	}
}

// TestGitSetupIsIdempotent: a second run changes nothing and says so; a
// .gitattributes with other lines keeps them.
func TestGitSetupIsIdempotent(t *testing.T) {
	r := newGitRepo(t)
	os.WriteFile(".gitattributes", []byte("*.png binary"), 0o644) // no final newline
	before := readFile(t, filepath.Join(".git", "config")) + "# the team's comment\n[alias]\n\tst = status -sb\n"
	os.WriteFile(filepath.Join(".git", "config"), []byte(before), 0o644)
	scopectl(t, "git", "setup").wantCode(t, exitOK)
	attrs, config := readFile(t, ".gitattributes"), readFile(t, filepath.Join(".git", "config"))
	if !strings.HasPrefix(config, before) {
		t.Errorf("git config lost what was there:\n%s", config)
	}
	if attrs != "*.png binary\nmobilefirst/*.json diff=scopectl\n" {
		t.Errorf(".gitattributes: %q", attrs)
	}
	again := scopectl(t, "git", "setup").wantCode(t, exitOK)
	if again.stdout != "" || !strings.Contains(again.stderr, "already set up") {
		t.Errorf("second run: %+v", again)
	}
	if readFile(t, ".gitattributes") != attrs || readFile(t, filepath.Join(".git", "config")) != config {
		t.Error("second run changed files")
	}
	if got := strings.TrimSpace(r.git("config", "diff.scopectl.command")); got != gitrepo.DriverCommand("scopectl") {
		t.Errorf("git reads diff.scopectl.command as %q", got)
	}
	if got := strings.TrimSpace(r.git("check-attr", "diff", "mobilefirst/x.json")); got != "mobilefirst/x.json: diff: scopectl" {
		t.Errorf("git check-attr: %q", got)
	}
}

// driver runs the diff driver as git would: path old-file old-hex old-mode
// new-file new-hex new-mode.
func driver(t *testing.T, path, oldFile, newFile string, extra ...string) result {
	t.Helper()
	args := []string{"git", "diff-driver"}
	args = append(args, extra...)
	args = append(args, path, oldFile, "1111111", "100644", newFile, "2222222", "100644")
	return scopectl(t, args...).wantCode(t, exitOK)
}

func TestDiffDriverCases(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir) // no repository config, no user config: git says auto
	t.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	bank := copyFixture(t, dir, bankFixture)
	changed := filepath.Join(dir, "changed.json")
	os.WriteFile(changed, []byte(strings.Replace(readFile(t, bank), `"accessRestricted": "PinCodeAttempts"`, `"accessRestricted": "UserLogin"`, 1)), 0o644)
	reformatted := filepath.Join(dir, "reformatted.json")
	os.WriteFile(reformatted, []byte(strings.ReplaceAll(readFile(t, bank), "  ", "\t")), 0o644)
	invalid := copyFixture(t, dir, invalidFixture)

	t.Run("added file", func(t *testing.T) {
		out := driver(t, "mobilefirst/bank.json", os.DevNull, bank).stdout
		if !strings.HasPrefix(out, "/dev/null → b/mobilefirst/bank.json\n") || !strings.Contains(out, "\n  add /scopeElementMapping/accessRestricted: \"PinCodeAttempts\"\n") {
			t.Errorf("added: %q", out)
		}
	})
	t.Run("formatting only", func(t *testing.T) {
		out := driver(t, "mobilefirst/bank.json", bank, reformatted).stdout
		if out != "a/mobilefirst/bank.json → b/mobilefirst/bank.json: formatting only, same meaning\n" {
			t.Errorf("reformatted: %q", out)
		}
	})
	t.Run("invalid side falls back to lines", func(t *testing.T) {
		out := driver(t, "mobilefirst/bank.json", bank, invalid).stdout
		if !strings.Contains(out, "not a valid descriptor on one side or both; line diff") || !strings.Contains(out, "+  \"maxTokenExpiraton\"") {
			t.Errorf("invalid: %q", out)
		}
	})
	t.Run("rename", func(t *testing.T) {
		r := scopectl(t, "git", "diff-driver", "mobilefirst/old.json", bank, "1", "100644", changed, "2", "100644", "mobilefirst/new.json", "similarity index 90%\n").wantCode(t, exitOK)
		if !strings.HasPrefix(r.stdout, "a/mobilefirst/old.json → b/mobilefirst/new.json\n  "+semanticLine) {
			t.Errorf("rename: %q", r.stdout)
		}
	})
	t.Run("unreadable side still exits 0", func(t *testing.T) {
		r := driver(t, "mobilefirst/bank.json", bank, filepath.Join(dir, "gone.json"))
		if !strings.Contains(r.stderr, "b/mobilefirst/bank.json: open ") {
			t.Errorf("stderr: %q", r.stderr)
		}
	})
	t.Run("colour when asked", func(t *testing.T) {
		t.Setenv("GIT_PAGER_IN_USE", "")
		if out := driver(t, "x.json", bank, changed).stdout; strings.Contains(out, "\x1b[") {
			t.Errorf("colour into a pipe: %q", out)
		}
		if out := driver(t, "x.json", bank, changed, "--color", "always").stdout; !strings.Contains(out, "\x1b[33m"+semanticLine+"\x1b[0m") {
			t.Errorf("--color always: %q", out)
		}
	})
	t.Run("wrong arguments", func(t *testing.T) {
		r := scopectl(t, "git", "diff-driver", "a", "b").wantCode(t, exitUsage)
		if !strings.Contains(r.stderr, "takes the 7 or 9 arguments git passes") {
			t.Errorf("stderr: %q", r.stderr)
		}
	})
}

// TestDiffDriverColourFollowsGit: through git's pager, colour follows
// color.diff as git's own diff does.
func TestDiffDriverColourFollowsGit(t *testing.T) {
	r := setUpDriver(t)
	for _, tc := range []struct {
		setting string
		color   bool
	}{{"always", true}, {"auto", true}, {"never", false}} {
		r.git("config", "color.diff", tc.setting)
		t.Setenv("GIT_PAGER_IN_USE", "true") // what git sets when it pipes into its pager
		out := r.git("diff", "mobilefirst/bank.json")
		if got := strings.Contains(out, "\x1b["); got != tc.color {
			t.Errorf("color.diff=%s: coloured %v, want %v:\n%q", tc.setting, got, tc.color, out)
		}
	}
}

func TestTextconv(t *testing.T) {
	dir := t.TempDir()
	bank := copyFixture(t, dir, bankFixture)
	messy := filepath.Join(dir, "messy.json")
	os.WriteFile(messy, []byte(strings.ReplaceAll(readFile(t, bank), "  ", "\t")), 0o644)
	scopectl(t, "app", "fmt", bank).wantCode(t, exitOK)
	if got := scopectl(t, "git", "textconv", messy).wantCode(t, exitOK).stdout; got != readFile(t, bank) {
		t.Errorf("textconv is not the canonical form:\n%s", got)
	}
	invalid := copyFixture(t, dir, invalidFixture)
	if got := scopectl(t, "git", "textconv", invalid).wantCode(t, exitOK).stdout; got != readFile(t, invalid) {
		t.Errorf("an invalid file is not passed through: %q", got)
	}
	scopectl(t, "git", "textconv", filepath.Join(dir, "gone.json")).wantCode(t, exitUsage)
}

// TestDiffBetweenRevisions: --rev A..B compares what a pull request
// changes, added and deleted descriptors included, with no working copy
// involved; the github format is a markdown table for a PR comment.
func TestDiffBetweenRevisions(t *testing.T) {
	r := newGitRepo(t)
	r.put(bankFixture, "bank.json")
	r.put("valid/com.example.capped-ios-1.0.json", "capped.json")
	r.git("add", ".")
	r.git("commit", "-q", "-m", "base")
	edit(t, "mobilefirst/bank.json", `"accessRestricted": "PinCodeAttempts"`, `"accessRestricted": "UserLogin"`)
	edit(t, "mobilefirst/bank.json", `"mandatoryScope": "appAuthenticity"`, `"mandatoryScope": "appAuthenticity deviceCheck"`)
	r.git("rm", "-q", "mobilefirst/capped.json")
	r.put("valid/com.example.bank-web-1.0.json", "web.json")
	r.git("add", ".")
	r.git("commit", "-q", "-m", "change")
	os.Remove("mobilefirst/bank.json") // the working tree plays no part

	out := scopectl(t, "app", "diff", "--rev", "HEAD~1..HEAD").wantCode(t, exitFailed).stdout
	for _, want := range []string{
		"mobilefirst/bank.json@HEAD~1 → mobilefirst/bank.json@HEAD\n  replace /mandatoryScope: +deviceCheck\n  " + semanticLine + "\n",
		"mobilefirst/capped.json@HEAD~1 → mobilefirst/capped.json@HEAD\n  remove /",
		"mobilefirst/web.json@HEAD~1 → mobilefirst/web.json@HEAD\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	md := scopectl(t, "app", "diff", "--rev", "HEAD~1..", "--format", "github", "mobilefirst/bank.json").wantCode(t, exitFailed).stdout
	golden(t, "diff-revisions.github", md)

	scopectl(t, "app", "diff", "--rev", "HEAD..HEAD").wantCode(t, exitOK)
	for args, msg := range map[string]string{
		"HEAD~1...HEAD": "use A..B (the A...B form is not supported)",
		"nope..HEAD":    `unknown git revision "nope"`,
		"main@{1}..":    `reflog forms (@{...}) are not supported`,
	} {
		e := scopectl(t, "app", "diff", "--rev", args).wantCode(t, exitUsage)
		if !strings.Contains(e.stderr, msg) {
			t.Errorf("--rev %s: %q", args, e.stderr)
		}
	}
	e := scopectl(t, "app", "diff", "--rev", "HEAD~1..HEAD", "elsewhere").wantCode(t, exitUsage)
	if !strings.Contains(e.stderr, "no descriptors under elsewhere in HEAD~1 or HEAD") {
		t.Errorf("empty path: %q", e.stderr)
	}
}

// TestDiffDriverBinaryAndMode: content that is not text is not dumped, and
// a mode change is named.
func TestDiffDriverBinaryAndMode(t *testing.T) {
	dir := t.TempDir()
	bank := copyFixture(t, dir, bankFixture)
	blob := filepath.Join(dir, "blob.json")
	os.WriteFile(blob, []byte("{\x00\x01\x02}"), 0o644)
	out := driver(t, "x.json", bank, blob).stdout
	if out != "Binary files a/x.json and b/x.json differ\n" {
		t.Errorf("binary: %q", out)
	}
	r := scopectl(t, "git", "diff-driver", "x.json", bank, "1", "100644", bank, "1", "100755").wantCode(t, exitOK)
	if r.stdout != "a/x.json → b/x.json: mode 100644 → 100755\n" {
		t.Errorf("mode change: %q", r.stdout)
	}
	r = scopectl(t, "git", "diff-driver", "x.json", bank, "1", "100644", bank, "1", "100644", "y.json", "similarity index 100%\n").wantCode(t, exitOK)
	if r.stdout != "a/x.json → b/y.json: renamed, same content\n" {
		t.Errorf("pure rename: %q", r.stdout)
	}
}

// TestGitSetupProgramWithSpaces: a program path with spaces is quoted for
// git's shell, a relative one made absolute, and a second setup with
// another program replaces the values (git config still reads one).
func TestGitSetupProgramWithSpaces(t *testing.T) {
	r := setUpDriver(t)
	tools := filepath.Join(t.TempDir(), "My Tools")
	os.Mkdir(tools, 0o755)
	exe, _ := os.Executable()
	os.WriteFile(filepath.Join(tools, "scopectl"), fmt.Appendf(nil, "#!/bin/sh\n%s=1 exec '%s' \"$@\"\n", runAsCLI, exe), 0o755)
	scopectl(t, "git", "setup", "--program", filepath.Join(tools, "scopectl")).wantCode(t, exitOK)
	if out := r.git("diff"); !strings.Contains(out, semanticLine) {
		t.Errorf("git diff through a program path with spaces:\n%s", out)
	}
	if got := strings.TrimSpace(r.git("config", "diff.scopectl.textconv")); got != gitrepo.TextconvCommand("'"+tools+"/scopectl'") {
		t.Errorf("textconv: %q", got)
	}
	configPath := filepath.Join(".git", "config")
	os.WriteFile(configPath, []byte(readFile(t, configPath)+"# the team's comment\n[alias]\n\tst = status -sb\n"), 0o644)
	scopectl(t, "git", "setup").wantCode(t, exitOK)
	if got := r.git("config", "--get-all", "diff.scopectl.command"); got != gitrepo.DriverCommand("scopectl")+"\n" {
		t.Errorf("after a second setup git reads %q", got)
	}
	if !strings.Contains(readFile(t, configPath), "# the team's comment\n[alias]\n\tst = status -sb\n") {
		t.Errorf("the second setup lost the rest of the config:\n%s", readFile(t, configPath))
	}
}

// TestGitDiffWithoutScopectl: where scopectl is not on PATH (a GUI
// client, another machine), git diff and git log -p still work: a plain
// diff after a one-line note, and the file as it is for textconv.
func TestGitDiffWithoutScopectl(t *testing.T) {
	r := setUpDriver(t)
	t.Setenv("PATH", filepath.Dir(gitProgram(t)))
	out := r.git("diff")
	if !strings.Contains(out, "(scopectl not found: plain diff of mobilefirst/bank.json)") ||
		!strings.Contains(out, `-    "accessRestricted": "PinCodeAttempts",`) || !strings.Contains(out, "+world") {
		t.Errorf("git diff without scopectl:\n%s", out)
	}
	r.git("commit", "-q", "-a", "-m", "edit")
	if out := r.git("log", "-p", "-1"); !strings.Contains(out, `+    "accessRestricted": "UserLogin",`) {
		t.Errorf("git log -p without scopectl:\n%s", out)
	}
}

// gitProgram is the git the tests run.
func gitProgram(t *testing.T) string {
	t.Helper()
	git, err := exec.LookPath("git")
	if err != nil {
		t.Fatal(err)
	}
	return git
}
