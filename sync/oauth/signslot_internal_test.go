package oauth

import (
	"context"
	"errors"
	"testing"
)

// TestSignSlots: with every CPU's slot taken, a signature waits for one,
// or gives up with its request; a slot given back goes to the waiter; a
// request cancelled meanwhile does not sign and gives its slot back.
func TestSignSlots(t *testing.T) {
	tk := &Tokens{signers: make(chan struct{}, 1)}
	release, err := tk.signSlot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := tk.signSlot(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled request waiting for a slot: %v", err)
	}
	got := make(chan error)
	go func() {
		rel, err := tk.signSlot(context.Background())
		if err == nil {
			rel()
		}
		got <- err
	}()
	release()
	if err := <-got; err != nil {
		t.Fatalf("the waiter after the slot was given back: %v", err)
	}
	if len(tk.signers) != 0 {
		t.Errorf("%d slots still taken after every signature", len(tk.signers))
	}
	for range 20 { // select picks either case when both are ready
		if _, err := tk.signSlot(ctx); !errors.Is(err, context.Canceled) || len(tk.signers) != 0 {
			t.Fatalf("a cancelled request with a slot free: %v, %d slots taken; want the cancellation and none", err, len(tk.signers))
		}
	}
}
