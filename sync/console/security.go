package console

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/admin"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/store"
)

// securityData is the Security tab of an application.
type securityData struct {
	Key      config.AppKey
	Href     string
	Head     store.Revision
	Form     *securityForm
	Conflict *conflictView
}

// conflictView is a save that found another revision at the head: the
// three-way merge of the operator's form with it, from the revision the
// form was read from.
type conflictView struct {
	Theirs    store.Revision // the head now
	Conflicts []conflictRow  // members both changed, differently
	Changes   []string       // what the merged result changes from theirs
	Merged    string         // canonical JSON of the merge, when clean
	Mine      string         // canonical JSON of the form alone
}

type conflictRow struct{ Path, Base, Mine, Theirs string }

// showSecurity shows an application's Security tab, read-only for a
// monitor.
func (c *Console) showSecurity(w http.ResponseWriter, r *http.Request) {
	s := sessionOf(r.Context())
	head, d, ok := c.head(w, r, s)
	if !ok {
		return
	}
	c.renderSecurity(w, http.StatusOK, s, head, formOf(d, head.Number), nil, "", c.sessions.takeFlash(s))
}

// head reads the head revision of the request's application and parses
// it; it answers the request itself when it cannot.
func (c *Console) head(w http.ResponseWriter, r *http.Request, s *session) (store.Revision, *config.Descriptor, bool) {
	head, err := c.svc.Head(r.Context(), c.runtime, appKeyOf(r))
	if err != nil {
		c.internal(w, r, s, "read the application", err)
		return head, nil, false
	}
	d, err := config.ParseDescriptor(head.Content)
	if err != nil {
		c.internal(w, r, s, "read the application", fmt.Errorf("stored revision %d: %w", head.Number, err))
		return head, nil, false
	}
	return head, d, true
}

func (c *Console) renderSecurity(w http.ResponseWriter, status int, s *session, head store.Revision, f *securityForm, cv *conflictView, errMsg, notice string) {
	d := securityData{Key: head.Key, Href: appHref(head.Key), Head: head, Form: f, Conflict: cv}
	c.render(w, status, "security", view{Title: head.Key.String() + " · Security", Session: s, Error: errMsg, Notice: notice, Data: d})
}

// saveSecurity saves the Security tab as a new revision through the
// admin service, with If-Match of the revision the form was read from.
// "defaults" only refills the form with the default values; "merged" and
// "mine" save the outcome of a conflict as shown.
func (c *Console) saveSecurity(w http.ResponseWriter, r *http.Request) {
	s := sessionOf(r.Context())
	head, _, ok := c.head(w, r, s)
	if !ok {
		return
	}
	f := readForm(r)
	switch r.PostFormValue("action") {
	case "defaults":
		f.MaxTokenExpiration, f.Configs = "", nil
		f.addBlankRows()
		c.renderSecurity(w, http.StatusOK, s, head, f, nil, "",
			"The form holds the default values now: a maximum token expiration of 3600 s and no security-check settings. Save to apply them.")
		return
	case "merged", "mine":
		c.apply(w, r, s, head, f, []byte(r.PostFormValue("content")))
		return
	}
	body, findings := f.body(head.Content)
	if len(findings) > 0 {
		f.setFindings(findings)
		f.addBlankRows()
		c.renderSecurity(w, http.StatusUnprocessableEntity, s, head, f, nil, fmt.Sprintf("The descriptor is invalid: %d error(s).", len(findings)), "")
		return
	}
	c.apply(w, r, s, head, f, body)
}

// apply stores body as the next revision if the head is still
// f.Revision, and answers with the outcome: the saved page, the findings
// in the form, or the conflict with the revision that came first.
func (c *Console) apply(w http.ResponseWriter, r *http.Request, s *session, head store.Revision, f *securityForm, body []byte) {
	res, err := c.svc.Apply(r.Context(), admin.ApplyRequest{Runtime: c.runtime, Body: body, IfMatch: api.Revision(f.Revision), Author: s.caller.ID})
	var ce *config.Error
	switch {
	case err == nil:
		a := res.Response.Application
		msg := fmt.Sprintf("Saved revision %d: %s.", a.Revision, a.Summary)
		if res.Response.Unchanged {
			msg = fmt.Sprintf("Nothing to save: the form equals revision %d.", a.Revision)
		}
		c.sessions.flash(s, msg)
		http.Redirect(w, r, appHref(head.Key), http.StatusSeeOther)
	case config.ErrorKind(err) == config.KindInvalid && errors.As(err, &ce):
		findings, _ := ce.Details.([]api.Finding)
		f.setFindings(findings)
		f.addBlankRows()
		c.renderSecurity(w, http.StatusUnprocessableEntity, s, head, f, nil, err.Error()+".", "")
	case config.ErrorKind(err) == config.KindStale:
		c.conflict(w, r, s, head, f, body)
	default:
		c.internal(w, r, s, "save the application", err)
	}
}

// conflict shows a save whose base is no longer the head: the merge of
// the form's changes (from its base) with the head's, and the form as the
// operator filled it.
func (c *Console) conflict(w http.ResponseWriter, r *http.Request, s *session, head store.Revision, f *securityForm, body []byte) {
	cv, err := c.merge(r, head, f.Revision, body)
	if err != nil {
		c.internal(w, r, s, "compare the application with its head", err)
		return
	}
	f.addBlankRows() // f.Revision stays its base: saving the form again merges again
	msg := fmt.Sprintf("Revision %d was saved by %s while you edited revision %d: review the merge below.", head.Number, head.Author, cv.baseNumber)
	c.renderSecurity(w, http.StatusConflict, s, head, f, &cv.conflictView, msg, "")
}

type mergeResult struct {
	conflictView
	baseNumber int64
}

// merge merges the descriptor of body, edited from revision base, with
// head, three-way (config.Merge).
func (c *Console) merge(r *http.Request, head store.Revision, base int64, body []byte) (mergeResult, error) {
	mine, err := config.ParseDescriptor(body)
	if err != nil {
		return mergeResult{}, err
	}
	theirs, err := config.ParseDescriptor(head.Content)
	if err != nil {
		return mergeResult{}, err
	}
	var baseD *config.Descriptor
	if rev, err := c.svc.Revision(r.Context(), c.runtime, head.Key, base); err == nil {
		baseD, _ = config.ParseDescriptor(rev.Content)
	}
	m := config.Merge(baseD, mine, theirs)
	cv := mergeResult{conflictView: conflictView{Theirs: head, Mine: string(mine.Canonical())}, baseNumber: base}
	for _, k := range m.Conflicts {
		cv.Conflicts = append(cv.Conflicts, conflictRow{Path: k.Path, Base: show(k.Base), Mine: show(k.Local), Theirs: show(k.Server)})
	}
	if len(m.Conflicts) == 0 {
		cv.Merged = string(m.Local.Canonical())
		for _, ch := range config.Diff(theirs, m.Local) {
			cv.Changes = append(cv.Changes, ch.String())
		}
	}
	return cv, nil
}

// show renders a merged member's value; nil is an absent member.
func show(v any) string {
	if v == nil {
		return "(absent)"
	}
	return config.FormatValue(v)
}
