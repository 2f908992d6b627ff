package config_test

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/schema"
)

// keyEdgeCases are strings at the edges of the applicationKey patterns:
// lengths around the limits, every allowed punctuation mark first and
// last, and what would make a file name leave its folder.
func keyEdgeCases() []string {
	out := []string{
		"", "a", "0", "Z", ".", "..", "-", "_", "a.", "a-", "a_", ".a", "-a", "_a",
		"1.0", "1.0/../../.vscode/tasks", "../../../../tmp/x", "a/b", `a\b`, "a b", " a", "a ",
		"a\x00", "a\n", "a\r", "a\t", "é", "aé", "a日本", "a:b", "a~b", "a+b", "a%2f", "a*", "C:x",
		"a\u202eb", "a\x1b[31m", "con", "NUL", "a..b", "a...", "a\x7f",
	}
	for _, n := range []int{62, 63, 64, 65, 66, 253, 254, 255, 256, 257, 1000} {
		out = append(out, strings.Repeat("a", n), "1"+strings.Repeat(".", n-1), strings.Repeat("a", n-1)+"/")
	}
	return out
}

// randomKeyString draws a string from an alphabet of allowed and refused
// characters, with the first character drawn alike, so that about half
// of the strings are valid.
func randomKeyString(r *rand.Rand) string {
	const alphabet = "abcXYZ0189._-._-/\\ :@+%~\x00\n\x1b"
	extra := []string{"é", "日", "\u202e", "\u00a0"}
	n := r.IntN(8) + 1
	if r.IntN(10) == 0 {
		n = r.IntN(300) + 1
	}
	var b strings.Builder
	for range n {
		if r.IntN(40) == 0 {
			b.WriteString(extra[r.IntN(len(extra))])
			continue
		}
		b.WriteByte(alphabet[r.IntN(len(alphabet))])
	}
	return b.String()
}

// schemaAccepts reports whether the descriptor schema accepts an
// applicationKey with these members (the id in the member its platform
// uses, "id" for an unknown platform).
func schemaAccepts(t *testing.T, id, platform, version string) bool {
	t.Helper()
	field := config.Platform(platform).IDField()
	if field == "" {
		field = "id"
	}
	src, err := json.Marshal(map[string]any{"applicationKey": map[string]string{field: id, "clientPlatform": platform, "version": version}})
	if err != nil {
		t.Fatal(err)
	}
	return schema.Validate(src).Valid()
}

// TestAppKeyValidateAgreesWithSchema is a differential test: on edge cases
// and thousands of random strings, AppKey.Validate accepts exactly the ids,
// versions and platforms that the schema's patterns and enum accept. The
// CLI builds file names only from keys that pass Validate, so a key the
// schema refuses can never name a file.
func TestAppKeyValidateAgreesWithSchema(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	strs := keyEdgeCases()
	for range 3000 {
		strs = append(strs, randomKeyString(r))
	}
	check := func(id, platform, version string) {
		key := config.AppKey{ID: id, Platform: config.Platform(platform), Version: version}
		got, want := key.Validate() == nil, schemaAccepts(t, id, platform, version)
		if got != want {
			t.Errorf("Validate(%q, %q, %q) accepts = %v, schema accepts = %v", id, platform, version, got, want)
		}
	}
	valid := 0
	for _, s := range strs {
		check(s, "android", "1.0")
		check("com.example", "web", s)
		if (config.AppKey{ID: s, Platform: config.PlatformWeb, Version: "1"}).Validate() == nil {
			valid++
		}
	}
	for _, p := range []string{"android", "ios", "windows", "web", "Android", "", "web ", "blackberry", "../web"} {
		check("com.example", p, "1.0")
	}
	if valid < len(strs)/10 || valid > len(strs)*9/10 {
		t.Errorf("%d of %d strings are valid ids; the generator no longer exercises both sides", valid, len(strs))
	}
}

func TestAppKeyValidateKeepsFileNamesInTheirFolder(t *testing.T) {
	for _, k := range []config.AppKey{
		{ID: "com.example", Platform: config.PlatformAndroid, Version: "1.0/../../.vscode/tasks"},
		{ID: "../../../../tmp/x", Platform: config.PlatformWeb, Version: "1"},
		{ID: "a", Platform: "android/../..", Version: "1"},
		{ID: "..", Platform: config.PlatformWeb, Version: ".."},
	} {
		err := k.Validate()
		if err == nil || config.ErrorKind(err) != config.KindInvalid {
			t.Errorf("Validate(%+v) = %v; want an invalid-input error", k, err)
		}
	}
	if _, err := config.ParseAppKey("com.example/android/..%2f"); err == nil {
		t.Error("ParseAppKey accepted a version with '%'")
	}
}
