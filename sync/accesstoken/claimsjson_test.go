package accesstoken

import (
	"encoding/json"
	"reflect"
	"testing"
)

var claimsSamples = []string{
	`{"iss":"http://127.0.0.1:9080/mfp/api/az/v1","sub":"reader","aud":["http://127.0.0.1:9080/mfp/api/az/v1"],"client_id":"reader","scope":"orders.read","iat":1796400000,"exp":1796403600,"jti":"e9Z7e92je-GmaW7XL3G8Sg","sv":1796400000123456}`,
	`{"app_id":"com.example.bank","app_platform":"android","app_version":"1.0","aud":"x","client_id":"c","exp":2,"iat":1,"iss":"i","jti":"j","scope":"","sub":"alice","user":"alice","nbf":1}`,
	` { } `,
	`{"aud":[]}`,
	`{"iss":"a\u00e9"}`,         // an escape: encoding/json
	`{"ISS":"upper"}`,           // a name in another case: encoding/json matches it
	`{"iss":"a","iss":"b"}`,     // a name twice: encoding/json keeps the last
	`{"exp":1.5}`,               // a fraction
	`{"exp":null}`,              // null
	`{"sv":01}`,                 // not JSON
	`{"iss":"\xff"}`,            // invalid UTF-8
	`{"extra":{"nested":true}}`, // another name
	`{"iss":"a"} trailing`,
}

// TestDecodeClaimsAsEncodingJSON: the fast path decodes scoped's claims,
// and every sample decodes exactly as encoding/json decodes it.
func TestDecodeClaimsAsEncodingJSON(t *testing.T) {
	if _, ok := fastClaims([]byte(claimsSamples[0])); !ok {
		t.Error("the fast path does not take scoped's claims")
	}
	for _, src := range claimsSamples {
		sameAsEncodingJSON(t, []byte(src))
	}
}

func sameAsEncodingJSON(t *testing.T, src []byte) {
	t.Helper()
	got, gotErr := decodeClaims(src)
	var want Claims
	wantErr := json.Unmarshal(src, &want)
	if (gotErr == nil) != (wantErr == nil) || gotErr == nil && !reflect.DeepEqual(got, want) {
		t.Errorf("%q: decodeClaims %+v, %v; encoding/json %+v, %v", src, got, gotErr, want, wantErr)
	}
}

func FuzzDecodeClaims(f *testing.F) {
	for _, s := range claimsSamples {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		sameAsEncodingJSON(t, src)
	})
}
