package oauth

import (
	"runtime"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// TestCachedSecretsDoNotWaitForBcrypt: with every bcrypt slot taken (a
// flood of guesses), a secret that verified before is still accepted at
// once; an unverified one runs when a slot frees up.
func TestCachedSecretsDoNotWaitForBcrypt(t *testing.T) {
	v := NewSecretVerifier()
	v.Cost = bcrypt.MinCost
	if cap(v.bcryptSlots) != max(1, runtime.GOMAXPROCS(0)/2) {
		t.Errorf("%d bcrypt slots", cap(v.bcryptSlots))
	}
	hash, _ := v.Hash("known-secret")
	if !v.Verify("c", "known-secret", hash) {
		t.Fatal("refused")
	}
	for range cap(v.bcryptSlots) {
		v.bcryptSlots <- struct{}{}
	}
	cached := make(chan bool)
	go func() { cached <- v.Verify("c", "known-secret", hash) }()
	select {
	case ok := <-cached:
		if !ok {
			t.Fatal("cached secret refused")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a cached secret waited for a bcrypt slot")
	}
	uncached := make(chan bool)
	go func() { uncached <- v.Verify("d", "known-secret", hash) }()
	<-v.bcryptSlots // a slot frees up: the comparison can run
	if !<-uncached {
		t.Error("uncached right secret refused")
	}
}
