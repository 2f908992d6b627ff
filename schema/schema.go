// Package schema holds the JSON Schema of the application descriptor
// (app-descriptor.schema.json, draft 2020-12, embedded) and the validator
// that checks descriptor files against it and against the lint rules of
// package config, reporting every finding with a JSON pointer and the line
// and column where it was written.
package schema

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// URL is the $id of the descriptor schema.
const URL = "https://scopectl.github.io/schema/app-descriptor.schema.json"

//go:embed app-descriptor.schema.json
var source []byte

// Source returns the schema document, for editors and `scopectl schema`.
func Source() []byte { return bytes.Clone(source) }

// Preload starts compiling the schema in the background, so that a caller
// that reads its input first (from git, say) overlaps the two; Validate
// waits for the compilation as it always does.
func Preload() { go load() }

// compiled is the schema compiled once per process.
type compiled struct {
	schema *jsonschema.Schema
}

var load = sync.OnceValue(func() *compiled {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	if err := c.AddResource(URL, bytes.NewReader(source)); err != nil {
		panic("schema: embedded schema does not load: " + err.Error())
	}
	s, err := c.Compile(URL)
	if err != nil {
		panic("schema: embedded schema does not compile: " + err.Error())
	}
	return &compiled{schema: s}
})

// raw is the schema as JSON values, decoded on the first finding (a valid
// file needs none), for looking up the members (x-rule, x-message,
// properties) that error messages are built from.
var raw = sync.OnceValue(func() map[string]any {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(source))
	dec.UseNumber() // keep limits such as 9007199254740991 as written
	if err := dec.Decode(&m); err != nil {
		panic("schema: embedded schema is not JSON: " + err.Error())
	}
	return m
})
