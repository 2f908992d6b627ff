package console

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/admin"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/store"
)

// maxHistory is how many of the latest revisions the history shows.
const maxHistory = 50

// historyData is an application's revision history, newest first.
type historyData struct {
	Key       config.AppKey
	Href      string
	Head      int64
	Revisions []revisionRow
	Older     int // revisions not shown
}

// revisionRow is one revision and what it changed from the one before.
type revisionRow struct {
	store.Revision
	Changes []string
}

// showHistory shows the latest revisions of an application with the
// semantic diff of each, and a rollback to any of them.
func (c *Console) showHistory(w http.ResponseWriter, r *http.Request) {
	s := sessionOf(r.Context())
	key := appKeyOf(r)
	// The revisions shown and the one before the first of them, whose
	// content the first one's changes are counted from: one read, so that
	// the head and the rows agree.
	latest, err := c.svc.LatestRevisions(r.Context(), c.runtime, key, maxHistory+1)
	if err != nil || len(latest) == 0 {
		c.internal(w, r, s, "read the history", notFoundOr(err, key))
		return
	}
	var prev *config.Descriptor
	if len(latest) > maxHistory {
		prev, _ = config.ParseDescriptor(latest[0].Content)
		latest = latest[1:]
	}
	// Revisions are numbered from 1 without gaps (a deleted application
	// keeps its history), so those before the first shown are its number
	// less one.
	d := historyData{Key: key, Href: appHref(key), Head: latest[len(latest)-1].Number, Older: int(latest[0].Number - 1)}
	for _, rev := range latest {
		cur, err := config.ParseDescriptor(rev.Content)
		if err != nil {
			c.internal(w, r, s, "read the history", err)
			return
		}
		row := revisionRow{Revision: rev}
		if prev != nil {
			for _, ch := range config.Diff(prev, cur) {
				row.Changes = append(row.Changes, ch.String())
			}
		}
		d.Revisions = append(d.Revisions, row)
		prev = cur
	}
	slices.Reverse(d.Revisions)
	c.render(w, http.StatusOK, "history", view{Title: key.String() + " · History", Session: s, Notice: c.sessions.takeFlash(s), Data: d})
}

func notFoundOr(err error, key config.AppKey) error {
	if err != nil {
		return err
	}
	return config.Errorf(config.KindNotFound, "application %s has no revisions", key)
}

// rollback applies the content of an old revision as a new one, with
// If-Match of the head the page showed: rolling back never overwrites a
// change the operator has not seen.
func (c *Console) rollback(w http.ResponseWriter, r *http.Request) {
	s := sessionOf(r.Context())
	key := appKeyOf(r)
	n, err1 := strconv.ParseInt(r.PostFormValue("revision"), 10, 64)
	head, err2 := strconv.ParseInt(r.PostFormValue("head"), 10, 64)
	if err1 != nil || err2 != nil || n < 1 || head < 1 { // api.Revision(0) would be no precondition at all
		c.fail(w, r, s, http.StatusBadRequest, "The rollback form names no revision.")
		return
	}
	old, err := c.svc.Revision(r.Context(), c.runtime, key, n)
	if err != nil {
		c.internal(w, r, s, "read the revision", err)
		return
	}
	res, err := c.svc.Apply(r.Context(), admin.ApplyRequest{Runtime: c.runtime, Body: old.Content, IfMatch: api.Revision(head), Author: s.caller.ID})
	switch {
	case config.ErrorKind(err) == config.KindStale:
		c.sessions.flash(s, fmt.Sprintf("Not rolled back: the application changed after revision %d; review its history and try again.", head))
	case err != nil:
		c.internal(w, r, s, "roll back", err)
		return
	case res.Response.Unchanged:
		c.sessions.flash(s, fmt.Sprintf("Nothing to roll back: revision %d equals the head.", n))
	default:
		c.sessions.flash(s, fmt.Sprintf("Rolled back to revision %d: saved revision %d.", n, res.Response.Application.Revision))
	}
	http.Redirect(w, r, appHref(key)+"/history", http.StatusSeeOther)
}
