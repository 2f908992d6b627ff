package console

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/store"
)

// appRow is one application in the list.
type appRow struct {
	ID, Platform, Version string
	Href                  string
	Revision              int64
	Author                string
	Time                  time.Time
	Disabled              bool
}

// appsData is the applications page: the rows that match Query.
type appsData struct {
	Query string
	Apps  []appRow
	Total int
}

// listApps lists the runtime's applications with their head revision,
// filtered by a text that their id, platform or version contains.
func (c *Console) listApps(w http.ResponseWriter, r *http.Request) {
	s := sessionOf(r.Context())
	heads, err := c.svc.Applications(r.Context(), c.runtime)
	if err != nil {
		c.internal(w, r, s, "list applications", err)
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	d := appsData{Query: q, Total: len(heads), Apps: make([]appRow, 0, len(heads))}
	needle := strings.ToLower(q)
	for _, h := range heads {
		if needle != "" && !matches(h.Key, needle) {
			continue
		}
		d.Apps = append(d.Apps, rowOf(h))
	}
	c.render(w, http.StatusOK, "apps", view{Title: "Applications", Session: s, Notice: c.sessions.takeFlash(s), Data: d})
}

func matches(k config.AppKey, needle string) bool {
	return strings.Contains(strings.ToLower(k.ID), needle) || strings.Contains(strings.ToLower(string(k.Platform)), needle) ||
		strings.Contains(strings.ToLower(k.Version), needle)
}

func rowOf(h store.Revision) appRow {
	return appRow{
		ID: h.Key.ID, Platform: string(h.Key.Platform), Version: h.Key.Version, Href: appHref(h.Key),
		Revision: h.Number, Author: h.Author, Time: h.Time, Disabled: h.State.Disabled,
	}
}

// appHref is the path of an application's Security tab.
func appHref(k config.AppKey) string {
	return Path + "apps/" + url.PathEscape(k.ID) + "/" + url.PathEscape(string(k.Platform)) + "/" + url.PathEscape(k.Version)
}

// appKeyOf reads the application of a request's path.
func appKeyOf(r *http.Request) config.AppKey {
	return config.AppKey{ID: r.PathValue("id"), Platform: config.Platform(r.PathValue("platform")), Version: r.PathValue("version")}
}

// internal answers a failure of the service that is not the operator's:
// logged, and a page that says no more.
func (c *Console) internal(w http.ResponseWriter, r *http.Request, s *session, what string, err error) {
	switch kind := config.ErrorKind(err); kind {
	case config.KindNotFound, config.KindInvalid:
		c.fail(w, r, s, api.Status[kind], err.Error())
		return
	}
	c.log.Error("console", "op", what, "err", err)
	c.fail(w, r, s, http.StatusInternalServerError, "The server could not "+what+"; try again later.")
}
