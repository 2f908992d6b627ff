package server

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/schema"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/store"
)

func applicationJSON(r store.Revision) api.Application {
	return api.Application{
		ID: r.Key.ID, Platform: string(r.Key.Platform), Version: r.Key.Version,
		Revision: r.Number, Author: r.Author, Time: r.Time, Hash: r.Hash, Summary: r.Summary,
	}
}

func appKeyOf(r *http.Request) (config.AppKey, error) {
	key := config.AppKey{ID: r.PathValue("app"), Platform: config.Platform(r.PathValue("platform")), Version: r.PathValue("version")}
	if key.Platform.IDField() == "" {
		return key, config.Errorf(config.KindNotFound, "unknown platform %s", quote(string(key.Platform)))
	}
	return key, nil
}

func (s *Server) handleList(w http.ResponseWriter, r *http.Request) {
	heads, err := s.store.Applications(r.Context(), r.PathValue("runtime"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := api.ApplicationList{Applications: []api.Application{}}
	for _, h := range heads {
		out.Applications = append(out.Applications, applicationJSON(h))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleDescriptor(w http.ResponseWriter, r *http.Request) {
	key, err := appKeyOf(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	head, err := s.store.Head(r.Context(), r.PathValue("runtime"), key)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeDescriptor(w, head)
}

func writeDescriptor(w http.ResponseWriter, rev store.Revision) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("ETag", api.ETag(rev.Number))
	w.Write(rev.Content)
}

func (s *Server) handleRevisions(w http.ResponseWriter, r *http.Request) {
	key, err := appKeyOf(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	revs, err := s.store.Revisions(r.Context(), r.PathValue("runtime"), key)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := api.RevisionList{}
	for _, rev := range revs {
		out.Revisions = append(out.Revisions, applicationJSON(rev))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleRevision(w http.ResponseWriter, r *http.Request) {
	key, err := appKeyOf(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	n, err := strconv.ParseInt(r.PathValue("n"), 10, 64)
	if err != nil || n < 1 {
		s.writeError(w, r, config.Errorf(config.KindNotFound, "revision %s does not exist", quote(r.PathValue("n"))))
		return
	}
	rev, err := s.store.Revision(r.Context(), r.PathValue("runtime"), key, n)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeDescriptor(w, rev)
}

func (s *Server) handleDelete(w http.ResponseWriter, r *http.Request) {
	key, err := appKeyOf(r)
	if err == nil {
		var ifMatch api.Precondition
		if ifMatch, err = api.ParsePrecondition(r.Header); err == nil {
			err = s.store.Delete(r.Context(), r.PathValue("runtime"), key, ifMatch)
		}
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleApply is the apply endpoint: validate with the shared schema,
// canonicalise, compare with the head, and store a new revision under the
// caller's If-Match precondition, atomically.
func (s *Server) handleApply(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	resp, status, err := s.apply(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.metrics.applies.Observe(since(start))
	w.Header().Set("ETag", api.ETag(resp.Application.Revision))
	writeJSON(w, status, resp)
}

func (s *Server) apply(r *http.Request) (*api.ApplyResponse, int, error) {
	dryRun, err := parseDryRun(r.URL.RawQuery)
	if err != nil {
		return nil, 0, err
	}
	body, err := readJSONBody(r)
	if err != nil {
		return nil, 0, err
	}
	ifMatch, err := api.ParsePrecondition(r.Header)
	if err != nil {
		return nil, 0, err
	}
	report := schema.Validate(body)
	if !report.Valid() {
		return nil, 0, invalidDescriptor(report)
	}
	d := report.Descriptor
	runtime := r.PathValue("runtime")
	if dryRun {
		return s.dryRun(r, runtime, d, ifMatch)
	}
	req := applyRequest(runtime, d, callerOf(r.Context()).clientID)
	// Applies of one application in this process take turns: they would
	// queue in the store anyway, and two unconditional pushers in lockstep
	// could otherwise keep making each other retry until one gave up.
	unlock := s.applyLocks.lock(runtime, d.ApplicationKey.String())
	defer unlock()
	// Without If-Match the apply is unconditional, but it still runs
	// against the head it compared with, so that the stored summary and
	// the answered diff are exact; an apply by another process makes it
	// retry.
	for attempt := 0; ; attempt++ {
		resp, status, err := s.applyOnce(r, req, d, ifMatch)
		if !ifMatch.IsAny() || config.ErrorKind(err) != config.KindStale || attempt == maxApplyAttempts {
			return resp, status, err
		}
	}
}

// parseDryRun reads the apply endpoint's one query parameter. Anything
// else is refused before the body is read: another parameter, a repeated
// dryRun, or a value other than exactly true or false, so that a
// misspelt dry run can never store a revision.
func parseDryRun(rawQuery string) (bool, error) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return false, config.Errorf(config.KindInvalid, "malformed query string: %v", err)
	}
	for name := range q {
		if name != "dryRun" {
			return false, config.Errorf(config.KindInvalid, "unknown query parameter %q: the apply endpoint takes only dryRun=true or dryRun=false", name)
		}
	}
	values, ok := q["dryRun"]
	switch {
	case !ok:
		return false, nil
	case len(values) != 1:
		return false, config.Errorf(config.KindInvalid, "dryRun is given %d times: give it once", len(values))
	case values[0] != "true" && values[0] != "false":
		return false, config.Errorf(config.KindInvalid, "dryRun=%q: use dryRun=true or dryRun=false", values[0])
	}
	return values[0] == "true", nil
}

// keyLocks is a fixed set of mutexes picked by hashing a key: bounded
// memory, and two keys rarely share one.
type keyLocks [64]sync.Mutex

// lock locks the mutex of (runtime, key) and returns its unlock.
func (l *keyLocks) lock(runtime, key string) func() {
	h := fnv.New32a()
	h.Write([]byte(runtime))
	h.Write([]byte{0})
	h.Write([]byte(key))
	m := &l[h.Sum32()%uint32(len(l))]
	m.Lock()
	return m.Unlock
}

// maxApplyAttempts bounds the retries of an unconditional apply.
const maxApplyAttempts = 10

func (s *Server) applyOnce(r *http.Request, req store.ApplyRequest, d *config.Descriptor, ifMatch api.Precondition) (*api.ApplyResponse, int, error) {
	head, err := s.store.Head(r.Context(), req.Runtime, req.Key)
	created := config.ErrorKind(err) == config.KindNotFound
	switch {
	case created:
		head.Content = (&config.Descriptor{ApplicationKey: d.ApplicationKey}).Canonical()
		req.IfMatch = api.Absent()
	case err != nil:
		return nil, 0, err
	default:
		req.IfMatch = api.Revision(head.Number)
	}
	if !ifMatch.IsAny() {
		req.IfMatch = ifMatch
	}
	diff, err := diffFrom(head.Content, d)
	if err != nil {
		return nil, 0, err
	}
	req.Summary = summarize(diff, created)
	res, err := s.store.Apply(r.Context(), req)
	if err != nil {
		return nil, 0, err
	}
	status := http.StatusOK
	if res.Previous == nil {
		status = http.StatusCreated
	}
	return &api.ApplyResponse{Application: applicationJSON(res.Revision), Unchanged: res.Unchanged, Diff: orEmpty(diff)}, status, nil
}

func (s *Server) dryRun(r *http.Request, runtime string, d *config.Descriptor, ifMatch api.Precondition) (*api.ApplyResponse, int, error) {
	head, err := s.store.Head(r.Context(), runtime, d.ApplicationKey)
	exists := err == nil
	if err != nil && config.ErrorKind(err) != config.KindNotFound {
		return nil, 0, err
	}
	if err := store.CheckPrecondition(ifMatch, head.Number); err != nil {
		return nil, 0, err
	}
	if !exists {
		diff := config.DiffOrAbsent(nil, d)
		app := api.Application{ID: d.ApplicationKey.ID, Platform: string(d.ApplicationKey.Platform), Version: d.ApplicationKey.Version}
		return &api.ApplyResponse{Application: app, DryRun: true, Diff: orEmpty(diff)}, http.StatusOK, nil
	}
	diff, err := diffFrom(head.Content, d)
	if err != nil {
		return nil, 0, err
	}
	return &api.ApplyResponse{Application: applicationJSON(head), DryRun: true, Unchanged: len(diff) == 0, Diff: orEmpty(diff)}, http.StatusOK, nil
}

// diffFrom compares a stored canonical descriptor with d. Stored content
// was validated when it was applied; if it no longer parses, the store is
// damaged and that is an internal error, not an empty diff.
func diffFrom(stored []byte, d *config.Descriptor) ([]config.Change, error) {
	old, err := config.ParseDescriptor(stored)
	if err != nil {
		return nil, &config.Error{Kind: config.KindInternal, Message: "a stored revision does not parse", Err: err}
	}
	return config.Diff(old, d), nil
}

func orEmpty(c []config.Change) []config.Change {
	if c == nil {
		return []config.Change{}
	}
	return c
}

// summarize describes a change in one line for the revision history.
func summarize(diff []config.Change, created bool) string {
	if created {
		return "created"
	}
	parts := make([]string, 0, 3)
	for _, c := range diff[:min(len(diff), 3)] {
		parts = append(parts, c.String())
	}
	s := strings.Join(parts, "; ")
	if len(diff) > 3 {
		s += "; and " + strconv.Itoa(len(diff)-3) + " more"
	}
	return s
}

// readJSONBody reads a JSON request body of at most MaxBodySize bytes.
func readJSONBody(r *http.Request) ([]byte, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" {
		return nil, config.Errorf(config.KindUnsupported, "the body must be application/json, not %s", quote(r.Header.Get("Content-Type")))
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBodySize))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, config.Errorf(config.KindTooLarge, "the body is larger than %d bytes", MaxBodySize)
	case err != nil:
		return nil, config.Errorf(config.KindInvalid, "the body cannot be read")
	}
	return body, nil
}

func invalidDescriptor(r *schema.Report) error {
	findings := make([]api.Finding, 0, len(r.Diagnostics))
	for _, d := range r.Diagnostics {
		findings = append(findings, api.Finding{
			Severity: d.Severity, Rule: d.Rule, Pointer: d.Pointer, Line: d.Line, Column: d.Column, Message: d.Message, Hint: d.Hint,
		})
	}
	errs, _ := r.Count()
	return &config.Error{Kind: config.KindInvalid, Message: fmt.Sprintf("the descriptor is invalid: %d error(s)", errs), Details: findings}
}
