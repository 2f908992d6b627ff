package transfer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/schema"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/workspace"
)

// Server is what transfer needs of a scoped connection. Its answers are
// not trusted: every key and descriptor it returns is checked here before
// it names a file or is written, compared or sent back.
type Server interface {
	Applications(ctx context.Context) ([]api.Application, error)
	Descriptor(ctx context.Context, key config.AppKey) ([]byte, int64, error)
	Revisions(ctx context.Context, key config.AppKey) ([]api.Application, error)
}

// Target names the server a project talks to, for base state and
// messages.
type Target struct {
	URL, Runtime string
}

// AllKeys lists every application of the server's runtime. A key that
// config.AppKey.Validate refuses (one that could name a file outside
// mobilefirst/) fails the whole list: the server is broken or hostile.
func AllKeys(ctx context.Context, srv Server, target Target) ([]config.AppKey, error) {
	apps, err := srv.Applications(ctx)
	if err != nil {
		return nil, err
	}
	keys := make([]config.AppKey, len(apps))
	for i, a := range apps {
		keys[i] = a.Key()
		if err := keys[i].Validate(); err != nil {
			return nil, config.Errorf(config.KindUnavailable, "%s listed an application with an invalid key (%v); nothing was pulled", target.URL, err)
		}
	}
	return keys, nil
}

// ReadServer returns the server's descriptor of key, checked as
// fetchDescriptor checks it, and its revision; nil and 0 when the server
// does not have the application.
func ReadServer(ctx context.Context, srv Server, target Target, key config.AppKey) (*config.Descriptor, int64, error) {
	d, rev, err := fetchDescriptor(ctx, srv, target, key)
	if config.ErrorKind(err) == config.KindNotFound {
		return nil, 0, nil
	}
	return d, rev, err
}

// fetchDescriptor gets the server's descriptor of key and checks it as
// the CLI checks a file (schema, lint and size rules: schema.Validate) and
// that it is the descriptor of key. An answer that fails is a
// KindUnavailable error naming the server and the application.
func fetchDescriptor(ctx context.Context, srv Server, target Target, key config.AppKey) (*config.Descriptor, int64, error) {
	content, rev, err := srv.Descriptor(ctx, key)
	if err != nil {
		return nil, 0, err
	}
	d, err := checkAnswer(target, key, fmt.Sprintf("the descriptor of %s", key), content)
	return d, rev, err
}

// checkAnswer validates content that target sent as what (the descriptor
// of key, or one of its revisions).
func checkAnswer(target Target, key config.AppKey, what string, content []byte) (*config.Descriptor, error) {
	r := schema.Validate(content)
	if !r.Valid() {
		return nil, config.Errorf(config.KindUnavailable, "%s sent %s, but it is not a valid descriptor (%s)", target.URL, what, firstError(r))
	}
	if got := r.Descriptor.ApplicationKey; got != key {
		return nil, config.Errorf(config.KindUnavailable, "%s sent, as %s, the descriptor of another application, %s", target.URL, what, got)
	}
	return r.Descriptor, nil
}

// firstError describes the first error finding of a report.
func firstError(r *schema.Report) string {
	if r.Err != nil {
		return r.Err.Error()
	}
	for _, d := range r.Diagnostics {
		if d.Severity == config.SeverityError {
			return fmt.Sprintf("%s: %s", d.Position, d.Message)
		}
	}
	return "invalid"
}

// LocalFile is a descriptor file of the project, read once: pull takes
// its content from here (PullOptions.Local) rather than reading it again.
type LocalFile struct {
	Key     config.AppKey
	Path    string
	Content []byte
}

// LocalFiles reads the applications that have a descriptor in the
// project's mobilefirst/ folder (not below it): the files there whose
// names workspace.IsDescriptorName takes, as FindDescriptors does.
func LocalFiles(proj workspace.Project) ([]LocalFile, error) {
	files, err := filepath.Glob(filepath.Join(proj.Root, workspace.DefaultDir, "*"))
	if err != nil {
		return nil, err
	}
	var local []LocalFile
	for _, f := range files {
		if !workspace.IsDescriptorName(filepath.Base(f)) {
			continue
		}
		if info, err := os.Lstat(f); err == nil && info.IsDir() { // FindDescriptors looks into it
			continue
		}
		lf, err := ReadLocalFile(proj, f)
		if err != nil {
			return nil, err
		}
		local = append(local, lf)
	}
	return local, nil
}

// ReadLocalFile reads the project's descriptor file at path and its
// application; a file that cannot be read (see readLocal), does not
// parse, or is not where the project keeps its application, is an error.
func ReadLocalFile(proj workspace.Project, path string) (LocalFile, error) {
	data, err := readLocal(path)
	var tooLarge *schema.SizeError
	switch {
	case errors.As(err, &tooLarge):
		return LocalFile{}, config.Errorf(config.KindInvalid, "%s is larger than a descriptor may be (%d bytes); move it away", path, config.MaxFileSize)
	case err != nil:
		return LocalFile{}, err
	}
	d, err := config.ParseDescriptor(data)
	if err != nil {
		return LocalFile{}, config.Errorf(config.KindInvalid, "%s: %v (run scopectl app validate)", path, err)
	}
	if err := checkFileOf(proj, path, d.ApplicationKey); err != nil {
		return LocalFile{}, err
	}
	return LocalFile{Key: d.ApplicationKey, Path: path, Content: data}, nil
}

// checkFileOf makes sure path is where the project keeps the descriptor
// of key.
func checkFileOf(proj workspace.Project, path string, key config.AppKey) error {
	want, err := proj.DescriptorPath(key)
	if err != nil {
		return config.Errorf(config.KindInvalid, "%s: %v", path, err)
	}
	switch {
	case workspace.SameFile(path, want):
		return nil
	case workspace.SameFile(filepath.Dir(path), filepath.Dir(want)):
		return config.Errorf(config.KindInvalid, "%s holds application %s; name it %s", path, key, filepath.Base(want))
	}
	return config.Errorf(config.KindInvalid, "%s holds application %s, whose file in this project is %s", path, key, want)
}
