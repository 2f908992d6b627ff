package console

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"
)

// pages are the parsed templates, one set per page: the layout and the
// page's content.
type pages struct {
	byName map[string]*template.Template
}

// funcs are the template functions.
var funcs = template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04:05 UTC")
	},
	"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"inc": func(i int) int { return i + 1 },
}

func parsePages() (*pages, error) {
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, name := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(name, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", name)
		if err != nil {
			return nil, fmt.Errorf("console template %s: %w", name, err)
		}
		p.byName[base] = t
	}
	return p, nil
}

// view is what every page gets: its title, the signed-in operator, a
// notice or an error, and its own data.
type view struct {
	Title   string
	Session *session
	Notice  string
	Error   string
	Data    any
}

// User is the signed-in client's id, "" on the sign-in page.
func (v view) User() string {
	if v.Session == nil {
		return ""
	}
	return v.Session.caller.ID
}

// Role is the signed-in client's role.
func (v view) Role() string {
	if v.Session == nil {
		return ""
	}
	return v.Session.role.Scope()
}

// CSRF is the token the page's forms carry.
func (v view) CSRF() string {
	if v.Session == nil {
		return ""
	}
	return v.Session.csrf
}

// CanEdit reports whether the operator may change applications.
func (v view) CanEdit() bool { return v.Session != nil && v.Session.role >= roleOperator }

// CanManageClients reports whether the operator may change confidential
// clients.
func (v view) CanManageClients() bool { return v.Session != nil && v.Session.role >= roleDeployer }

// render writes page name with status; it is rendered into a buffer
// first, so that a template error is a 500, not half a page.
func (c *Console) render(w http.ResponseWriter, status int, name string, v view) {
	var buf bytes.Buffer
	if err := c.pages.byName[name].ExecuteTemplate(&buf, "layout", v); err != nil {
		c.log.Error("console page", "page", name, "err", err)
		http.Error(w, "the console cannot show this page", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail shows an error page with status.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, s *session, status int, msg string) {
	c.render(w, status, "error", view{Title: http.StatusText(status), Session: s, Error: msg})
}
