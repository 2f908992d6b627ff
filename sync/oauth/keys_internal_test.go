package oauth

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/scopectl/scopectl/sync/accesstoken/accesstokentest"
	"github.com/scopectl/scopectl/sync/store"
	"github.com/scopectl/scopectl/sync/store/postgres"
	"github.com/scopectl/scopectl/sync/store/sqlite"
	"github.com/scopectl/scopectl/sync/store/storetest"
)

// BenchmarkActiveKey is what finding the signing key costs a token
// issue, without the RSA signing: a store read, so that a retired key
// never signs again. One caller at a time shows its latency, 16 at once
// (a token endpoint under load) what the store sees; with the 2 keys of
// a new deployment and the 50 of one that has rotated for years; on
// SQLite and, when SCOPED_TEST_POSTGRES is set, PostgreSQL.
func BenchmarkActiveKey(b *testing.B) {
	stores := map[string]func(testing.TB) KeyStore{"sqlite": benchSQLite, "postgres": benchPostgres}
	for _, name := range []string{"sqlite", "postgres"} {
		for _, keys := range []int{2, 50} {
			for _, callers := range []int{1, 16} {
				b.Run(fmt.Sprintf("%s/keys=%d/callers=%d", name, keys, callers), func(b *testing.B) {
					ks := benchKeySet(b, stores[name](b), keys)
					runCallers(b, callers, func() {
						if _, err := ks.active(context.Background()); err != nil {
							b.Fatal(err)
						}
					})
				})
			}
		}
	}
}

// runCallers runs f b.N times in all, from callers goroutines.
func runCallers(b *testing.B, callers int, f func()) {
	if callers == 1 {
		for b.Loop() {
			f()
		}
		return
	}
	b.SetParallelism(max(1, callers/runtime.GOMAXPROCS(0)))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			f()
		}
	})
}

func benchSQLite(tb testing.TB) KeyStore {
	st, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "k.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

func benchPostgres(tb testing.TB) KeyStore {
	st, err := postgres.Open(context.Background(), storetest.PostgresDSN(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// benchKeySet returns the key set of st after storing n keys in it,
// created in the last n seconds. They share accesstokentest.Key under n
// ids: only the newest two are ever parsed.
func benchKeySet(tb testing.TB, st KeyStore, n int) *KeySet {
	ctx := context.Background()
	k := store.SigningKey{PrivatePEM: accesstokentest.KeyPEM()}
	for i := range n {
		k.ID, k.Created = fmt.Sprintf("bench-%03d", i), time.Now().Add(time.Duration(i-n)*time.Second)
		if err := st.AddSigningKey(ctx, k); err != nil {
			tb.Fatal(err)
		}
	}
	ks, err := NewKeySet(ctx, st)
	if err != nil {
		tb.Fatal(err)
	}
	return ks
}

// slowStore is a KeyStore whose key reads, once slow is set, read the
// keys and then wait for release before answering: reads that started
// before a change answer what was stored before it.
type slowStore struct {
	KeyStore
	slow    bool
	started chan struct{} // a read has read the keys
	release chan struct{} // closed: reads answer
}

func (s *slowStore) SigningKeys(ctx context.Context) ([]store.SigningKey, error) {
	keys, err := s.KeyStore.SigningKeys(ctx)
	if s.slow {
		s.started <- struct{}{}
		<-s.release
	}
	return keys, err
}

// TestIssueAfterRetireWaitsForItsOwnRead: issues share key reads, but a
// token issued after scoped keys retire has returned is signed by the new
// key even while the read of an issue that began before is still under
// way (and answers the retired key). The issue that began before may
// sign with either.
func TestIssueAfterRetireWaitsForItsOwnRead(t *testing.T) {
	ctx := context.Background()
	st := &slowStore{KeyStore: benchSQLite(t), started: make(chan struct{}, 10), release: make(chan struct{})}
	ks := benchKeySet(t, st, 1)
	old := ks.JWKS(ctx).Keys[0].KeyID
	st.slow = true
	issue := func(kid chan<- string) {
		k, err := ks.active(ctx)
		if err != nil {
			t.Error(err)
		}
		kid <- k.id
	}
	before, after := make(chan string), make(chan string)
	go issue(before)
	<-st.started // the first issue has read the keys, before the retirement
	r, err := Retire(ctx, st.KeyStore, old)
	if err != nil {
		t.Fatal(err)
	}
	inFlight := ks.pending()
	go issue(after)
	for deadline := time.Now().Add(10 * time.Second); ; runtime.Gosched() {
		if p := ks.pending(); p != nil && p != inFlight {
			break // the second issue waits for a read of its own
		}
		if time.Now().After(deadline) {
			t.Fatal("the issue that began after the retirement did not wait for a read that starts after it")
		}
	}
	close(st.release)
	if first := <-before; first != old && first != r.NewKey {
		t.Errorf("the issue that began before the retirement signed with %s, want %s or %s", first, old, r.NewKey)
	}
	if second := <-after; second != r.NewKey {
		t.Errorf("the issue that began after the retirement signed with %s, want the new key %s", second, r.NewKey)
	}
}

// pending is the read that callers of fresh arriving now would share.
func (ks *KeySet) pending() *keyRead {
	ks.freshMu.Lock()
	defer ks.freshMu.Unlock()
	return ks.next
}
