package config

import (
	"strings"
	"testing"
)

// TestParseApplicationKey: the key of a file whose other members are
// invalid still reads; a file without a usable key says why.
func TestParseApplicationKey(t *testing.T) {
	key, err := ParseApplicationKey([]byte(`{"applicationKey": {"bundleId": "com.a", "clientPlatform": "ios", "version": "2.0"}, "maxTokenExpiration": -5, "bogus": 1}`))
	if err != nil || key != (AppKey{ID: "com.a", Platform: PlatformIOS, Version: "2.0"}) {
		t.Errorf("key %+v, %v", key, err)
	}
	for src, want := range map[string]string{
		`{`:                     "1:2: ",
		`[]`:                    "descriptor must be a JSON object, not array",
		`{"applicationKey": 1}`: "/applicationKey must be an object",
	} {
		if _, err := ParseApplicationKey([]byte(src)); err == nil || ErrorKind(err) != KindInvalid || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", src, err, want)
		}
	}
}
