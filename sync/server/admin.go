package server

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/admin"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/store"
)

func appKeyOf(r *http.Request) (config.AppKey, error) {
	key := config.AppKey{ID: r.PathValue("app"), Platform: config.Platform(r.PathValue("platform")), Version: r.PathValue("version")}
	if key.Platform.IDField() == "" {
		return key, config.Errorf(config.KindNotFound, "unknown platform %s", admin.QuoteName(string(key.Platform)))
	}
	return key, nil
}

func (s *Server) handleList(w http.ResponseWriter, r *http.Request) {
	heads, err := s.svc.Applications(r.Context(), r.PathValue("runtime"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := api.ApplicationList{Applications: []api.Application{}}
	for _, h := range heads {
		out.Applications = append(out.Applications, admin.Application(h))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleDescriptor(w http.ResponseWriter, r *http.Request) {
	key, err := appKeyOf(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	head, err := s.svc.Head(r.Context(), r.PathValue("runtime"), key)
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
	revs, err := s.svc.Revisions(r.Context(), r.PathValue("runtime"), key)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := api.RevisionList{}
	for _, rev := range revs {
		out.Revisions = append(out.Revisions, admin.Application(rev))
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
		s.writeError(w, r, config.Errorf(config.KindNotFound, "revision %s does not exist", admin.QuoteName(r.PathValue("n"))))
		return
	}
	rev, err := s.svc.Revision(r.Context(), r.PathValue("runtime"), key, n)
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
			err = s.svc.Delete(r.Context(), r.PathValue("runtime"), key, ifMatch)
		}
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleDeleteMobileClient removes a registered mobile client: its
// tokens, codes and refresh tokens are revoked.
func (s *Server) handleDeleteMobileClient(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.DeleteMobileClient(r.Context(), r.PathValue("runtime"), r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleApply is the apply endpoint: the admin service validates,
// canonicalises, compares with the head, and stores a new revision under
// the caller's If-Match precondition, atomically.
func (s *Server) handleApply(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	res, err := s.apply(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.metrics.applies.Observe(since(start))
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
	}
	w.Header().Set("ETag", api.ETag(res.Response.Application.Revision))
	writeJSON(w, status, res.Response)
}

func (s *Server) apply(r *http.Request) (*admin.ApplyResult, error) {
	dryRun, err := parseDryRun(r.URL.RawQuery)
	if err != nil {
		return nil, err
	}
	body, err := readJSONBody(r, MaxBodySize)
	if err != nil {
		return nil, err
	}
	ifMatch, err := api.ParsePrecondition(r.Header)
	if err != nil {
		return nil, err
	}
	return s.svc.Apply(r.Context(), admin.ApplyRequest{
		Runtime: r.PathValue("runtime"), Body: body, IfMatch: ifMatch, DryRun: dryRun, Author: callerOf(r.Context()).ID,
	})
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

// hasMediaType reports whether the Content-Type of r is the media type
// want, parameters aside. The usual exact value is compared without
// parsing it: every token check and apply asks.
func hasMediaType(r *http.Request, want string) bool {
	ct := r.Header.Get("Content-Type")
	if ct == want {
		return true
	}
	mt, _, _ := mime.ParseMediaType(ct)
	return mt == want
}

// readJSONBody reads a JSON request body of at most limit bytes.
func readJSONBody(r *http.Request, limit int64) ([]byte, error) {
	if !hasMediaType(r, "application/json") {
		return nil, config.Errorf(config.KindUnsupported, "the body must be application/json, not %s", admin.QuoteName(r.Header.Get("Content-Type")))
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, limit))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, config.Errorf(config.KindTooLarge, "the body is larger than %d bytes", limit)
	case err != nil:
		return nil, config.Errorf(config.KindInvalid, "the body cannot be read")
	}
	return body, nil
}
