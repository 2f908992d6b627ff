package workspace_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/workspace"
)

var bankKey = config.AppKey{ID: "com.example.bank", Platform: config.PlatformAndroid, Version: "1.0"}

// tree lists every path under dir, links as "path -> target", for
// comparing before and after.
func tree(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return nil
		}
		b.WriteString(path)
		if info.Mode()&os.ModeSymlink != 0 {
			target, _ := os.Readlink(path)
			b.WriteString(" -> " + target)
		} else if info.Mode().IsRegular() {
			data, _ := os.ReadFile(path)
			b.WriteString(": " + string(data))
		}
		b.WriteString("\n")
		return nil
	})
	return b.String()
}

func TestDescriptorPathRefusesKeysThatLeaveTheFolder(t *testing.T) {
	proj := workspace.Project{Root: t.TempDir()}
	for _, k := range []config.AppKey{
		{ID: "com.example", Platform: config.PlatformAndroid, Version: "1.0/../../.vscode/tasks"},
		{ID: "../../../../tmp/x", Platform: config.PlatformWeb, Version: "1"},
	} {
		if path, err := proj.DescriptorPath(k); err == nil {
			t.Errorf("DescriptorPath(%+v) = %s", k, path)
		}
		if err := proj.WriteDescriptor(k, []byte("{}")); err == nil {
			t.Errorf("WriteDescriptor(%+v) wrote", k)
		}
		if err := proj.SaveBase(k, workspace.Base{Server: "http://x", Runtime: "mfp", Revision: 1}); err == nil {
			t.Errorf("SaveBase(%+v) wrote", k)
		}
	}
	if entries, _ := os.ReadDir(proj.Root); len(entries) != 0 {
		t.Errorf("refused keys left files: %v", entries)
	}
	path, err := proj.DescriptorPath(bankKey)
	if err != nil || path != filepath.Join(proj.Root, "mobilefirst", "com.example.bank-android-1.0.json") {
		t.Errorf("DescriptorPath = %s, %v", path, err)
	}
}

// TestWriteDescriptorNeverWritesThroughLinks: a descriptor that is a
// symbolic link, a mobilefirst/ linked outside the project and a linked
// .scopectl/ are refused, and nothing outside the project changes.
func TestWriteDescriptorNeverWritesThroughLinks(t *testing.T) {
	outside := t.TempDir()
	victim := filepath.Join(outside, "tasks.json")
	write(t, victim, "precious")
	newProject := func() workspace.Project {
		proj := workspace.Project{Root: t.TempDir()}
		os.Mkdir(filepath.Join(proj.Root, "mobilefirst"), 0o755)
		return proj
	}
	t.Run("descriptor link", func(t *testing.T) {
		proj := newProject()
		path, _ := proj.DescriptorPath(bankKey)
		os.Symlink(victim, path)
		err := proj.WriteDescriptor(bankKey, []byte("server content"))
		if err == nil || !strings.Contains(err.Error(), "symbolic link") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("mobilefirst linked outside", func(t *testing.T) {
		proj := workspace.Project{Root: t.TempDir()}
		os.Symlink(outside, filepath.Join(proj.Root, "mobilefirst"))
		err := proj.WriteDescriptor(bankKey, []byte("server content"))
		if err == nil || !strings.Contains(err.Error(), "outside the project") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("state folder linked outside", func(t *testing.T) {
		proj := newProject()
		os.Symlink(outside, filepath.Join(proj.Root, ".scopectl"))
		err := proj.SaveBase(bankKey, workspace.Base{Server: "http://x", Runtime: "mfp", Revision: 1, Content: "server content"})
		if err == nil || !strings.Contains(err.Error(), "real .scopectl/ folder") {
			t.Errorf("got %v", err)
		}
		if _, err := proj.Base("http://x", "mfp", bankKey); err == nil {
			t.Error("Base read through a linked state folder")
		}
	})
	t.Run("base folder linked outside", func(t *testing.T) {
		proj := newProject()
		os.Mkdir(filepath.Join(proj.Root, ".scopectl"), 0o755)
		os.Symlink(outside, filepath.Join(proj.Root, ".scopectl", "base"))
		if err := proj.SaveBase(bankKey, workspace.Base{Server: "http://x", Runtime: "mfp"}); err == nil {
			t.Error("SaveBase wrote through .scopectl/base")
		}
	})
	if got := tree(t, outside); got != outside+"\n"+victim+": precious\n" {
		t.Errorf("outside the project:\n%s", got)
	}
}

func TestWriteDescriptorInsideTheProject(t *testing.T) {
	proj := workspace.Project{Root: t.TempDir()}
	// No mobilefirst/ yet: it is created.
	if err := proj.WriteDescriptor(bankKey, []byte("one")); err != nil {
		t.Fatal(err)
	}
	path, _ := proj.DescriptorPath(bankKey)
	if data, _ := os.ReadFile(path); string(data) != "one" {
		t.Errorf("content %q", data)
	}
	// mobilefirst/ may be a link to a folder inside the project.
	other := workspace.Project{Root: t.TempDir()}
	os.MkdirAll(filepath.Join(other.Root, "config", "mf"), 0o755)
	os.Symlink(filepath.Join("config", "mf"), filepath.Join(other.Root, "mobilefirst"))
	if err := other.WriteDescriptor(bankKey, []byte("two")); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(filepath.Join(other.Root, "config", "mf", bankKey.FileName())); string(data) != "two" {
		t.Errorf("content %q", data)
	}
	// A read-only file is left alone.
	os.Chmod(path, 0o444)
	if err := proj.WriteDescriptor(bankKey, []byte("three")); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("read-only: %v", err)
	}
	if err := proj.SaveBase(bankKey, workspace.Base{Server: "http://x", Runtime: "mfp", Revision: 2, Content: "one"}); err != nil {
		t.Fatal(err)
	}
	if b, err := proj.Base("http://x", "mfp", bankKey); err != nil || b.Revision != 2 {
		t.Errorf("base %+v, %v", b, err)
	}
}

// TestWriteDescriptorNameTooLong: a valid key whose file name the file
// system cannot hold is refused by CheckWrite, before anything is written.
func TestWriteDescriptorNameTooLong(t *testing.T) {
	proj := workspace.Project{Root: t.TempDir()}
	long := config.AppKey{ID: strings.Repeat("a", 255), Platform: config.PlatformAndroid, Version: "1.0"}
	if err := long.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := proj.CheckWrite(long); err == nil || !strings.Contains(err.Error(), "too long") {
		t.Errorf("got %v", err)
	}
	ok := config.AppKey{ID: strings.Repeat("a", 200), Platform: config.PlatformAndroid, Version: "1.0"}
	if err := proj.WriteDescriptor(ok, []byte("x")); err != nil {
		t.Errorf("200-character id: %v", err)
	}
}

// TestWriteDescriptorHardLink: a descriptor with a second hard link is
// refused, with its link count, and both names keep their content.
func TestWriteDescriptorHardLink(t *testing.T) {
	proj := workspace.Project{Root: t.TempDir()}
	if err := proj.WriteDescriptor(bankKey, []byte("one")); err != nil {
		t.Fatal(err)
	}
	path, _ := proj.DescriptorPath(bankKey)
	other := filepath.Join(proj.Root, "copy.json")
	if err := os.Link(path, other); err != nil {
		t.Skipf("no hard links here: %v", err)
	}
	err := proj.WriteDescriptor(bankKey, []byte("two"))
	if err == nil || !strings.Contains(err.Error(), "has 2 hard links; not written") || config.ErrorKind(err) != config.KindInvalid {
		t.Errorf("got %v", err)
	}
	for _, p := range []string{path, other} {
		if data, _ := os.ReadFile(p); string(data) != "one" {
			t.Errorf("%s: %q", p, data)
		}
	}
}

// TestCheckedWriteReplacesALinkMadeSince: a write is checked once, by
// CheckWrite; a symbolic link put in the file's place afterwards is
// replaced by the new file, never written through.
func TestCheckedWriteReplacesALinkMadeSince(t *testing.T) {
	proj := workspace.Project{Root: t.TempDir()}
	os.Mkdir(filepath.Join(proj.Root, "mobilefirst"), 0o755)
	victim := filepath.Join(t.TempDir(), "victim.json")
	write(t, victim, "precious")
	w, err := proj.CheckWrite(bankKey)
	if err != nil {
		t.Fatal(err)
	}
	path, _ := proj.DescriptorPath(bankKey)
	if err := os.Symlink(victim, path); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	if err := w.Write([]byte("server content")); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(victim); string(data) != "precious" {
		t.Errorf("written through the link: %q", data)
	}
	if info, err := os.Lstat(path); err != nil || !info.Mode().IsRegular() {
		t.Errorf("the file is not a plain file after the write: %v, %v", info, err)
	}
}
