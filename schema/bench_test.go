package schema_test

import (
	"io/fs"
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
