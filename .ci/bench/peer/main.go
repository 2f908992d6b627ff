// Command peer is the yardstick that .ci/bench-latency runs beside scoped:
// a minimal net/http server on 127.0.0.1 that parses each request's form
// and answers a JSON object about the size of scoped's. With -sign it
// first signs the request's scope with RSA-2048 (RS256, as scoped signs
// its tokens), every signature at once: the token endpoint's ceiling on
// the same cores. Without it, it answers at once: introspection's ceiling.
// It prints its URL on the first line of standard output.
package main

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"strings"
)

func main() {
	sign := flag.Bool("sign", false, "sign each request's scope with RSA-2048 (RS256)")
	flag.Parse()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		log.Fatal(err)
	}
	fixed := `{"active":true,"scope":"accessRestricted","client_id":"test","token_type":"Bearer","exp":1800000000,"iat":1799996400,"sub":"test","aud":"http://127.0.0.1","iss":"http://127.0.0.1","jti":"` + strings.Repeat("x", 22) + `"}`
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if !*sign {
			fmt.Fprint(w, fixed)
			return
		}
		digest := sha256.Sum256([]byte(r.PostForm.Get("scope")))
		sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:])
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, `{"access_token":"%s","token_type":"Bearer","expires_in":3600}`, base64.RawURLEncoding.EncodeToString(sig))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("http://%s\n", ln.Addr())
	log.Fatal(http.Serve(ln, nil))
}
