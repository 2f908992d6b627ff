package oauth_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/accesstoken/accesstokentest"
	"github.com/scopectl/scopectl/sync/oauth"
)

// TestIssueStaysWithinTheLifetime: Issue never exceeds the lifetime the
// verifier accepts, also with a TTL that is not whole seconds, and a
// token signed by the stored key but claiming a longer lifetime is
// refused. (The claim checks themselves are tested in sync/accesstoken.)
func TestIssueStaysWithinTheLifetime(t *testing.T) {
	tokens, st := newTokensAndStore(t)
	ctx := context.Background()
	keys, err := st.SigningKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	long := accesstokentest.SignPEM(t, keys[0].PrivatePEM, keys[0].ID,
		accesstokentest.Claims("https://iss/mfp", "admin", "mfpadmin", now, now.Add(2*time.Hour)))
	if _, err := tokens.Verify(ctx, long, "https://iss/mfp"); config.ErrorKind(err) != config.KindUnauthorized {
		t.Errorf("a token of the stored key living 2 h with TTL 1 h: %v; want refused", err)
	}
	tokens.TTL = 1500 * time.Millisecond
	for range 3 {
		tok, c, err := tokens.Issue(ctx, "https://iss/mfp", "admin", config.NewScope("x"), 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tokens.Verify(ctx, tok, "https://iss/mfp"); err != nil {
			t.Errorf("an issued token with TTL 1.5 s (iat %v exp %v): %v", c.IssuedAt.Time(), c.Expiry.Time(), err)
		}
	}
}

// TestRetire: retiring the active key adds a new one first; the key set
// stops verifying the retired key's tokens (cached or not) within
// KeyRefresh; an older key is never published again; unknown ids are
// not found.
func TestRetire(t *testing.T) {
	tokens, st := newTokensAndStore(t)
	ctx := context.Background()
	clock := time.Now()
	tokens.KeySet().Now = func() time.Time { return clock }
	issue := func() (string, string) {
		tok, _, err := tokens.Issue(ctx, "https://iss/mfp", "c", config.NewScope("x"), 0)
		if err != nil {
			t.Fatal(err)
		}
		keys := tokens.KeySet().JWKS(ctx).Keys
		return tok, keys[0].KeyID
	}
	tok1, k1 := issue()
	if _, err := tokens.Verify(ctx, tok1, "https://iss/mfp"); err != nil { // now cached
		t.Fatal(err)
	}
	for _, id := range []string{"nope", "", "a'b", k1 + "x", strings.Repeat("a", 200)} {
		if _, err := oauth.Retire(ctx, st, id); config.ErrorKind(err) != config.KindNotFound {
			t.Errorf("retire %q: %v; want not_found", id, err)
		}
	}
	r, err := oauth.Retire(ctx, st, k1)
	if err != nil || r.NewKey == "" || r.NewKey == k1 || r.Key.Status != oauth.KeyActive {
		t.Fatalf("retire the active key: %+v %v", r, err)
	}
	clock = clock.Add(oauth.KeyRefresh + time.Millisecond)
	if _, err := tokens.Verify(ctx, tok1, "https://iss/mfp"); err == nil || !strings.Contains(err.Error(), "retired") {
		t.Errorf("cached token of the retired key: %v", err)
	}
	tok2, k2 := issue()
	if k2 != r.NewKey {
		t.Errorf("signing with %s after retiring %s, want %s", k2, k1, r.NewKey)
	}
	if r, err := oauth.Retire(ctx, st, k1); err != nil || r.Key.Status != oauth.KeyRetired {
		t.Errorf("retiring again: %+v %v", r, err)
	}

	// k3 and k4 push k2 out; retiring k3 must not bring k2 back.
	for range 2 {
		if _, err := oauth.Rotate(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	list, _ := oauth.ListKeys(ctx, st)
	if _, err := oauth.Retire(ctx, st, list[1].ID); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(oauth.KeyRefresh + time.Millisecond)
	if _, err := tokens.Verify(ctx, tok2, "https://iss/mfp"); err == nil {
		t.Error("a key pushed out by two rotations came back when the one after it was retired")
	}
	list, _ = oauth.ListKeys(ctx, st)
	var got []oauth.KeyStatus
	for _, k := range list {
		got = append(got, k.Status)
	}
	want := []oauth.KeyStatus{oauth.KeyActive, oauth.KeyRetired, oauth.KeyUnpublished, oauth.KeyRetired}
	if len(got) != len(want) || strings.Join(statusStrings(got), " ") != strings.Join(statusStrings(want), " ") {
		t.Errorf("statuses %v, want %v", got, want)
	}
	if jwks := tokens.KeySet().JWKS(ctx).Keys; len(jwks) != 1 || jwks[0].KeyID != list[0].ID {
		t.Errorf("JWKS %v, want only the active key", jwks)
	}
}

// TestRetiredKeyNeverSignsAgain: the first token issued after keys
// retire returns is signed by the new key, without waiting for the
// refresh that verification uses.
func TestRetiredKeyNeverSignsAgain(t *testing.T) {
	tokens, st := newTokensAndStore(t)
	ctx := context.Background()
	clock := time.Now()
	tokens.KeySet().Now = func() time.Time { return clock } // frozen: no refresh is due
	kidOf := func() string {
		tok, _, err := tokens.Issue(ctx, "https://iss/mfp", "c", config.NewScope("x"), 0)
		if err != nil {
			t.Fatal(err)
		}
		header, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
		var h struct{ Kid string }
		if err != nil || json.Unmarshal(header, &h) != nil {
			t.Fatalf("token header %q: %v", header, err)
		}
		return h.Kid
	}
	old := kidOf()
	r, err := oauth.Retire(ctx, st, old)
	if err != nil {
		t.Fatal(err)
	}
	if kid := kidOf(); kid != r.NewKey {
		t.Errorf("the token issued right after retiring %s is signed by %s, want the new key %s", old, kid, r.NewKey)
	}
}

// TestNewKeyVerifiesOnEveryInstanceAtOnce: a key one process has just
// created signs at once, so another process that has not re-read its
// keys yet reads them again when a token names a key it does not know.
func TestNewKeyVerifiesOnEveryInstanceAtOnce(t *testing.T) {
	a, st := newTokensAndStore(t)
	ctx := context.Background()
	keysB, err := oauth.NewKeySet(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	b := oauth.NewTokens(keysB, time.Hour)
	clock := time.Now()
	a.KeySet().Now = func() time.Time { return clock }
	keysB.Now = func() time.Time { return clock }
	if _, err := oauth.Rotate(ctx, st); err != nil {
		t.Fatal(err)
	}
	tok, _, err := a.Issue(ctx, "https://iss/mfp", "c", config.NewScope("x"), 0)
	if err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(200 * time.Millisecond) // well within KeyRefresh
	if _, err := b.Verify(ctx, tok, "https://iss/mfp"); err != nil {
		t.Errorf("instance B refused a token of the key instance A signs with now: %v", err)
	}
	forged := strings.Replace(tok, strings.Split(tok, ".")[0], base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","kid":"forged","typ":"at+jwt"}`)), 1)
	if _, err := b.Verify(ctx, forged, "https://iss/mfp"); err == nil {
		t.Error("a token naming an unknown key was accepted")
	}
}

func statusStrings(s []oauth.KeyStatus) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = string(x)
	}
	return out
}
