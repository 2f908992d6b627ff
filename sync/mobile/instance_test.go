package mobile

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/config"
)

var bank = config.AppKey{ID: "com.example.bank", Platform: config.PlatformAndroid, Version: "1.0"}

// TestSavedInstanceKeys: an instance saved with a P-256 or an RSA-2048
// key reads back with it; a file holding a key scoped would refuse (RSA
// under 2048 bits, P-384) is refused when read, not at the server.
func TestSavedInstanceKeys(t *testing.T) {
	rsa2048, err := NewRSAInstance(bank)
	if err != nil {
		t.Fatal(err)
	}
	p256, err := NewInstance(bank)
	if err != nil {
		t.Fatal(err)
	}
	for _, saved := range []*Instance{rsa2048, p256} {
		saved.ID = "client-1"
		var back Instance
		if err := roundTrip(saved, &back); err != nil || back.ID != "client-1" || !back.Key.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(saved.Key.Public()) {
			t.Errorf("a %T did not read back: %v", saved.Key, err)
		}
	}
	rsa1024, _ := rsa.GenerateKey(rand.Reader, 1024)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	for _, key := range []crypto.Signer{rsa1024, p384} {
		var back Instance
		err := roundTrip(&Instance{Key: key, App: bank, ID: "client-1"}, &back)
		if err == nil || !strings.Contains(err.Error(), "not a P-256 key or an RSA key of 2048 to 4096 bits") {
			t.Errorf("a saved %T read back: %v", key, err)
		}
	}
}

func roundTrip(saved, back *Instance) error {
	b, err := json.Marshal(saved)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, back)
}
