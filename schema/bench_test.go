package schema_test

import (
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/fixtures"
	"github.com/scopectl/scopectl/schema"
)

func benchValidate(b *testing.B, name string) {
	src, err := fs.ReadFile(fixtures.FS, name)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if r := schema.Validate(src); r.Descriptor == nil {
			b.Fatal(r.Diagnostics)
		}
	}
}

// BenchmarkValidateTypical validates a typical descriptor (~0.7 KB).
func BenchmarkValidateTypical(b *testing.B) {
	benchValidate(b, "valid/com.example.bank-android-1.0.json")
}

// BenchmarkValidateLarge validates a 400-mapping, 120-check descriptor.
func BenchmarkValidateLarge(b *testing.B) {
	benchValidate(b, "valid/com.example.large-web-1.0.json")
}

// BenchmarkFormatTypical formats a typical descriptor.
func BenchmarkFormatTypical(b *testing.B) {
	src, _ := fs.ReadFile(fixtures.FS, "valid/com.example.unsorted-web-1.0.json")
	b.ReportAllocs()
	for b.Loop() {
		if out, _ := schema.Format(src); out == nil {
			b.Fatal("not formatted")
		}
	}
}

// hostile returns inputs under the 1 MiB limit that once cost minutes or
// gigabytes: a long member name over a wide array, a huge scope string,
// and tens of thousands of findings on one line.
func hostile() map[string][]byte {
	key := strings.Repeat("k", 500000)
	items := strings.Repeat("1,", 230000) + "1"
	unknown := new(strings.Builder)
	unknown.WriteString(`{"applicationKey":{"id":"a","clientPlatform":"web","version":"1"}`)
	for i := range 40000 {
		fmt.Fprintf(unknown, `,"u%d":1`, i)
	}
	unknown.WriteString("}")
	return map[string][]byte{
		"LongKeyWideArray": []byte(`{"` + key + `":[` + items + `]}`),
		"HugeScope":        []byte(`{"applicationKey":{"id":"a","clientPlatform":"web","version":"1"},"mandatoryScope":"` + strings.Repeat("a ", 500000) + `"}`),
		"ManyFindings":     []byte(unknown.String()),
	}
}

// BenchmarkValidateHostile validates each hostile input; each must stay
// within a fraction of a second (see docs/benchmarks.md).
func BenchmarkValidateHostile(b *testing.B) {
	for name, src := range hostile() {
		if len(src) > 1<<20 {
			b.Fatalf("%s is %d bytes, over the limit", name, len(src))
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				schema.Validate(src)
			}
		})
	}
}
