package transfer_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/sync/gitrepo"
	"github.com/scopectl/scopectl/sync/transfer"
	"github.com/scopectl/scopectl/sync/workspace"
)

// gitIn runs the real git program in dir.
func gitIn(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// TestOneRuleForDescriptorFiles: validate and fmt (FindDescriptors), the
// pre-commit hook (gitrepo.StagedDescriptors) and pull and push of every local
// application (LocalFiles) take the same files of mobilefirst/ for
// descriptors. LocalFiles looks only at mobilefirst/ itself, and the hook
// skips a staged symbolic link (git records the link, not the file).
func TestOneRuleForDescriptorFiles(t *testing.T) {
	cases := []struct {
		name string // below mobilefirst/
		kind string // "file", "link" (to a file outside mobilefirst/) or "dir"
		want bool   // a descriptor when mobilefirst/ is searched
	}{
		{"x.json", "file", true},
		{".x.json", "file", false},
		{".json", "file", false},
		{"x.JSON", "file", false},
		{"x.json~", "file", false},
		{"x.json.swp", "file", false},
		{"x", "file", false},
		{"dir/x.json", "file", true},
		{".dir/x.json", "file", false},
		{"dir/.x.json", "file", false},
		{"link.json", "link", true},
		{"folder.json", "dir", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			mf := filepath.Join(root, workspace.DefaultDir)
			path := filepath.Join(mf, filepath.FromSlash(c.name))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			var err error
			switch c.kind {
			case "file":
				err = os.WriteFile(path, []byte("{}\n"), 0o644)
			case "link":
				if err = os.WriteFile(filepath.Join(root, "outside.json"), []byte("{}\n"), 0o644); err == nil {
					err = os.Symlink(filepath.Join("..", "outside.json"), path)
				}
			case "dir":
				if err = os.Mkdir(path, 0o755); err == nil { // with a file that is no descriptor, so git sees it
					err = os.WriteFile(filepath.Join(path, "notes.txt"), []byte("x\n"), 0o644)
				}
			}
			if err != nil {
				t.Fatal(err)
			}
			gitIn(t, root, "init", "-q")
			gitIn(t, root, "add", "-A")

			if got := workspace.IsDescriptorPath(c.name); c.kind != "dir" && got != c.want { // a rule for file names
				t.Errorf("IsDescriptorPath(%q) = %v, want %v", c.name, got, c.want)
			}

			files, err := workspace.FindDescriptors([]string{mf})
			found := err == nil && len(files) == 1 && files[0] == path
			if found != c.want {
				t.Errorf("FindDescriptors took it: %v (files %q, error %v), want %v", found, files, err, c.want)
			}

			blobs, err := gitrepo.StagedDescriptors(root, "", []string{workspace.DefaultDir})
			if err != nil {
				t.Fatal(err)
			}
			staged := len(blobs) == 1 && filepath.ToSlash(blobs[0].Name) == workspace.DefaultDir+"/"+c.name
			if want := c.want && c.kind != "link"; staged != want {
				t.Errorf("StagedDescriptors took it: %v (%d blobs), want %v", staged, len(blobs), want)
			}

			// LocalFiles reads every file it takes; "{}" is no descriptor,
			// so a file it takes is an error that names it.
			keys, err := transfer.LocalFiles(workspace.Project{Root: root})
			local := err != nil && strings.Contains(err.Error(), filepath.Base(path))
			if len(keys) != 0 || err != nil && !local {
				t.Fatalf("LocalFiles = %v, %v", keys, err)
			}
			if want := c.want && !strings.Contains(c.name, "/"); local != want {
				t.Errorf("LocalFiles took it: %v (error %v), want %v", local, err, want)
			}
		})
	}
}
