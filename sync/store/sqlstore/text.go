package sqlstore

import (
	"strings"
	"unicode/utf8"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/store"
)

// storable reports whether every supported database can hold each text:
// PostgreSQL refuses NUL bytes and invalid UTF-8 in text columns (and in
// text parameters). Such a text never exists in a store, whatever the
// dialect: a lookup by it finds nothing (queryRow, queryAll) and a write
// of it is invalid (checkStorable), so that SQLite and PostgreSQL answer
// alike, and never with an internal error.
func storable(texts ...string) bool {
	for _, t := range texts {
		if !utf8.ValidString(t) || strings.IndexByte(t, 0) >= 0 {
			return false
		}
	}
	return true
}

// field is a named text to be written.
type field struct{ name, value string }

// checkStorable returns a config.KindInvalid error naming the first field
// that cannot be stored.
func checkStorable(fields ...field) error {
	for _, f := range fields {
		if !storable(f.value) {
			return config.Errorf(config.KindInvalid, "the %s contains a NUL character or invalid UTF-8, which cannot be stored", f.name)
		}
	}
	return nil
}

func checkApplyRequest(req store.ApplyRequest) error {
	return checkStorable(
		field{"runtime", req.Runtime}, field{"application id", req.Key.ID}, field{"platform", string(req.Key.Platform)},
		field{"version", req.Key.Version}, field{"author", req.Author}, field{"summary", req.Summary},
		field{"hash", req.Hash}, field{"descriptor", string(req.Content)},
	)
}

func checkClient(c store.Client) error {
	return checkStorable(
		field{"client id", c.ID}, field{"display name of a client", c.DisplayName},
		field{"secret hash of a client", c.SecretHash}, field{"allowed scope of a client", c.AllowedScope.String()},
	)
}

func checkSigningKey(k store.SigningKey) error {
	return checkStorable(field{"signing key id", k.ID}, field{"signing key", string(k.PrivatePEM)})
}
