package console_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/sync/server/servertest"
)

const clientsPath = "/mfpconsole/clients"

var secretCode = regexp.MustCompile(`<code class="secret"[^>]*>([^<]*)</code>`)

// shownSecret returns the secret a page shows once, and fails the test
// unless the page says it will not be shown again and is not cached.
func shownSecret(t *testing.T, p page) string {
	t.Helper()
	m := secretCode.FindStringSubmatch(p.Body)
	if m == nil || !strings.Contains(p.Text(), "it will not be shown again") {
		t.Fatalf("no one-time secret on the page (%d):\n%s", p.Status, p.Body)
	}
	if cc := p.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("secret page Cache-Control = %q, want no-store", cc)
	}
	if len(m[1]) < 24 {
		t.Errorf("generated secret %q has %d characters, want 24 or more", m[1], len(m[1]))
	}
	return m[1]
}

// createClient creates a client through the list page's form as b.
func createClient(b *consoleSession, id, name, scope string) page {
	b.t.Helper()
	return b.postForm(clientsPath, clientsPath, url.Values{"id": {id}, "displayName": {name}, "allowedScope": {scope}})
}

// storedIDs are the ids of the clients of runtime mfp in the store.
func storedIDs(t *testing.T, srv *servertest.Server) []string {
	t.Helper()
	list, err := srv.Store.Clients(context.Background(), "mfp")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range list {
		ids = append(ids, c.ID)
	}
	return ids
}

func wantStatus(t *testing.T, p page, status int, texts ...string) {
	t.Helper()
	if p.Status != status {
		t.Fatalf("status %d at %s, want %d:\n%s", p.Status, p.URL, status, p.Body)
	}
	for _, s := range texts {
		if !strings.Contains(p.Text(), s) {
			t.Errorf("page %s does not say %q:\n%s", p.URL, s, p.Body)
		}
	}
}

func TestDeployerCreatesClientAndSeesSecretOnce(t *testing.T) {
	srv := startScoped(t)
	b := signInConsole(t, srv.URL, deployerUser.ID, deployerUser.Secret, clientsPath)

	p := createClient(b, "reporting", "Reporting job", "app.read")
	wantStatus(t, p, http.StatusCreated, `Client reporting was created`)
	secret := shownSecret(t, p)

	list := b.get(clientsPath)
	wantStatus(t, list, http.StatusOK, `Created client "reporting".`, "Reporting job", "app.read")
	if strings.Contains(list.Body, secret) || strings.Contains(list.Body, "$2a$") {
		t.Errorf("the list shows a secret or a hash:\n%s", list.Body)
	}
	if again := b.get(clientsPath); strings.Contains(again.Text(), "Created client") {
		t.Error("the notice is shown twice")
	}
	if page := b.get(clientsPath + "/reporting"); strings.Contains(page.Body, secret) {
		t.Errorf("the client's page shows its secret:\n%s", page.Body)
	}
	if got := tokenStatus(t, srv.URL, "reporting", secret); got != http.StatusOK {
		t.Errorf("token with the shown secret: %d, want 200", got)
	}
	// The other clients keep their secrets: the deployer is still signed in.
	wantStatus(t, b.get(clientsPath), http.StatusOK, "reporting")
	if got := tokenStatus(t, srv.URL, adminUser.ID, adminUser.Secret); got != http.StatusOK {
		t.Errorf("token of the admin after the change: %d, want 200", got)
	}
}

func TestDeployerCannotGrantMfpadmin(t *testing.T) {
	srv := startScoped(t)
	b := signInConsole(t, srv.URL, deployerUser.ID, deployerUser.Secret, clientsPath)

	p := createClient(b, "sneaky", "", "mfpadmin")
	wantStatus(t, p, http.StatusForbidden, `client "sneaky" would be allowed "mfpadmin", which the caller "mfpdeployer" is not`)
	if hiddenValue(p.Body, "id") != "sneaky" || hiddenValue(p.Body, "allowedScope") != "mfpadmin" {
		t.Errorf("the form lost what the user typed:\n%s", p.Body)
	}
	if secretCode.MatchString(p.Body) {
		t.Errorf("a refused client's secret is shown:\n%s", p.Body)
	}
	for _, id := range storedIDs(t, srv) {
		if id == "sneaky" {
			t.Fatal("the refused client was stored")
		}
	}
}

func TestCreateExistingOrInvalidClient(t *testing.T) {
	srv := startScoped(t)
	b := signInConsole(t, srv.URL, deployerUser.ID, deployerUser.Secret, clientsPath)
	wantStatus(t, createClient(b, monitorUser.ID, "", "mfpmonitor"), http.StatusConflict, `Client "mfpmonitor" exists already`)
	wantStatus(t, createClient(b, "a:b", "", "app.read"), http.StatusBadRequest, "a client id is 1 to 128 visible characters")
	if got := len(storedIDs(t, srv)); got != 4 {
		t.Errorf("%d clients stored, want the 4 of the start", got)
	}
}

func TestOperatorAndMonitorCannotChangeClients(t *testing.T) {
	srv := startScoped(t)
	for _, u := range []servertest.Client{operatorUser, monitorUser} {
		t.Run(u.ID, func(t *testing.T) {
			b := signInConsole(t, srv.URL, u.ID, u.Secret, clientsPath)
			list := b.get(clientsPath)
			wantStatus(t, list, http.StatusOK, deployerUser.ID, "mfpdeployer app.read")
			if strings.Contains(list.Body, "Create client") {
				t.Errorf("%s sees the new-client form", u.ID)
			}
			if p := b.get(clientsPath + "/" + monitorUser.ID); strings.Contains(p.Body, "Rotate secret") || strings.Contains(p.Body, `action="/mfpconsole/clients/mfpmonitor/delete"`) {
				t.Errorf("%s sees the client's change forms:\n%s", u.ID, p.Body)
			}
			wantStatus(t, createClient(b, "x-"+u.ID, "", "mfpmonitor"), http.StatusForbidden, "cannot do this: it needs mfpdeployer")
			for _, path := range []string{"/" + monitorUser.ID, "/" + monitorUser.ID + "/secret", "/" + monitorUser.ID + "/delete"} {
				p := b.postForm(clientsPath, clientsPath+path, url.Values{"displayName": {"x"}, "allowedScope": {"mfpmonitor"}})
				wantStatus(t, p, http.StatusForbidden, "it needs mfpdeployer")
			}
			if tokenStatus(t, srv.URL, monitorUser.ID, monitorUser.Secret) != http.StatusOK || len(storedIDs(t, srv)) != 4 {
				t.Error("a refused request changed the clients")
			}
		})
	}
}

func TestRotateSecret(t *testing.T) {
	srv := startScoped(t)
	b := signInConsole(t, srv.URL, deployerUser.ID, deployerUser.Secret, clientsPath)
	old := shownSecret(t, createClient(b, "batch", "Batch", "app.read"))

	p := b.postForm(clientsPath+"/batch", clientsPath+"/batch/secret", nil)
	wantStatus(t, p, http.StatusOK, "The new secret of client batch is")
	rotated := shownSecret(t, p)
	if rotated == old {
		t.Fatal("the rotated secret is the old one")
	}
	if got := tokenStatus(t, srv.URL, "batch", old); got != http.StatusUnauthorized {
		t.Errorf("token with the old secret: %d, want 401", got)
	}
	if got := tokenStatus(t, srv.URL, "batch", rotated); got != http.StatusOK {
		t.Errorf("token with the new secret: %d, want 200", got)
	}
	list := b.get(clientsPath)
	wantStatus(t, list, http.StatusOK, `Rotated the secret of client "batch"`)
	if strings.Contains(list.Body, rotated) {
		t.Error("the list shows the rotated secret")
	}
}

func TestRotateOwnSecretEndsSession(t *testing.T) {
	srv := startScoped(t)
	b := signInConsole(t, srv.URL, deployerUser.ID, deployerUser.Secret, clientsPath)

	p := b.postForm(clientsPath+"/"+deployerUser.ID, clientsPath+"/"+deployerUser.ID+"/secret", nil)
	wantStatus(t, p, http.StatusOK, "your session has ended", "Sign in again with the new secret")
	secret := shownSecret(t, p)
	if strings.Contains(p.Body, "Sign out") {
		t.Error("the page still shows the ended session")
	}

	after := b.get(clientsPath)
	if after.URL.Path != "/mfpconsole/login" {
		t.Fatalf("after rotating its own secret the deployer is at %s, want the sign-in page", after.URL)
	}
	if p := b.signIn(deployerUser.ID, deployerUser.Secret, clientsPath); p.Status != http.StatusUnauthorized {
		t.Errorf("sign-in with the old secret: %d, want 401", p.Status)
	}
	signInConsole(t, srv.URL, deployerUser.ID, secret, clientsPath)
}

func TestEditClient(t *testing.T) {
	srv := startScoped(t)
	b := signInConsole(t, srv.URL, deployerUser.ID, deployerUser.Secret, clientsPath)
	secret := shownSecret(t, createClient(b, "batch", "Batch", "app.read"))

	p := b.postForm(clientsPath+"/batch", clientsPath+"/batch", url.Values{"displayName": {"Nightly batch"}, "allowedScope": {""}})
	wantStatus(t, p, http.StatusOK, `Saved client "batch".`, "Nightly batch")
	if p.URL.Path != clientsPath {
		t.Errorf("after saving, the user is at %s, want the list", p.URL)
	}
	if got := tokenStatus(t, srv.URL, "batch", secret); got != http.StatusOK {
		t.Errorf("the edit changed the secret: token %d", got)
	}
	p = b.postForm(clientsPath+"/batch", clientsPath+"/batch", url.Values{"displayName": {"Nightly batch"}, "allowedScope": {"mfpadmin"}})
	wantStatus(t, p, http.StatusForbidden, `would be allowed "mfpadmin"`)
	if hiddenValue(p.Body, "allowedScope") != "mfpadmin" {
		t.Errorf("the refused form lost what the user typed:\n%s", p.Body)
	}
	wantStatus(t, b.get(clientsPath+"/nobody"), http.StatusNotFound, `There is no client "nobody".`)
	wantStatus(t, b.postForm(clientsPath, clientsPath+"/nobody/delete", nil), http.StatusNotFound, `There is no client "nobody".`)
}

func TestDeleteClient(t *testing.T) {
	srv := startScoped(t)
	b := signInConsole(t, srv.URL, deployerUser.ID, deployerUser.Secret, clientsPath)
	secret := shownSecret(t, createClient(b, "old-job", "Old job", "app.read"))

	if page := b.get(clientsPath + "/old-job"); !strings.Contains(page.Body, `data-confirm="Delete client old-job?`) {
		t.Errorf("the delete form does not ask first:\n%s", page.Body)
	}
	p := b.postForm(clientsPath+"/old-job", clientsPath+"/old-job/delete", nil)
	wantStatus(t, p, http.StatusOK, `Deleted client "old-job"`)
	if strings.Contains(p.Body, `href="/mfpconsole/clients/old-job"`) {
		t.Error("the list still shows the deleted client")
	}
	if got := tokenStatus(t, srv.URL, "old-job", secret); got != http.StatusUnauthorized {
		t.Errorf("token of the deleted client: %d, want 401", got)
	}
}

func TestPostWithoutCSRFIsRefused(t *testing.T) {
	srv := startScoped(t)
	b := signInConsole(t, srv.URL, adminUser.ID, adminUser.Secret, clientsPath)
	form := url.Values{"id": {"forged"}, "displayName": {"Forged"}, "allowedScope": {"mfpadmin"}}
	wantStatus(t, b.post(clientsPath, form), http.StatusForbidden, "This form is stale or came from another site")
	form.Set("csrf", "not-the-token")
	wantStatus(t, b.post(clientsPath, form), http.StatusForbidden, "This form is stale or came from another site")
	wantStatus(t, b.post(clientsPath+"/"+monitorUser.ID+"/delete", url.Values{}), http.StatusForbidden, "This form is stale")
	if got := len(storedIDs(t, srv)); got != 4 {
		t.Errorf("%d clients stored, want the 4 of the start", got)
	}
}

func TestNoLockout(t *testing.T) {
	srv := startScoped(t)
	admin := signInConsole(t, srv.URL, adminUser.ID, adminUser.Secret, clientsPath)
	own := clientsPath + "/" + adminUser.ID
	wantStatus(t, admin.get(own), http.StatusOK, "You cannot delete the client you are signed in with")
	wantStatus(t, admin.postForm(own, own+"/delete", nil), http.StatusConflict,
		`the list drops client "mfpadmin", which this request is using`)
	wantStatus(t, admin.postForm(own, own, url.Values{"allowedScope": {"mfpmonitor"}}), http.StatusConflict,
		"the list leaves no client with scope mfpadmin")

	deployer := signInConsole(t, srv.URL, deployerUser.ID, deployerUser.Secret, clientsPath)
	p := deployer.postForm(own, own+"/delete", nil)
	wantStatus(t, p, http.StatusConflict, "the list leaves no client with scope mfpadmin", "Client mfpadmin")
	if got := hiddenValue(p.Body, "allowedScope"); got != "mfpadmin" {
		t.Errorf("the refusal shows the form of another client (allowed scope %q)", got)
	}
	if got := tokenStatus(t, srv.URL, adminUser.ID, adminUser.Secret); got != http.StatusOK {
		t.Errorf("the last admin's token: %d, want 200", got)
	}
}

func TestClientWithSlashInID(t *testing.T) {
	srv := startScoped(t)
	b := signInConsole(t, srv.URL, deployerUser.ID, deployerUser.Secret, clientsPath)
	shownSecret(t, createClient(b, "team/batch", "Team batch", "app.read"))
	href := clientsPath + "/team%2Fbatch"
	if list := b.get(clientsPath); !strings.Contains(list.Body, `href="`+href+`"`) {
		t.Fatalf("the list does not link to %s:\n%s", href, list.Body)
	}
	wantStatus(t, b.get(href), http.StatusOK, "Client team/batch")
	wantStatus(t, b.postForm(href, href+"/delete", nil), http.StatusOK, `Deleted client "team/batch"`)
}
