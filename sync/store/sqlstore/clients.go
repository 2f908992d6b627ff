package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/store"
)

// Clients returns the confidential clients of a runtime, ordered by id.
func (s *Store) Clients(ctx context.Context, runtime string) ([]store.Client, error) {
	return queryClients(ctx, s.db, runtime)
}

func queryClients(ctx context.Context, q querier, runtime string) ([]store.Client, error) {
	return queryAll(ctx, q, "clients", scanClient, `
		SELECT id, display_name, secret_hash, secret_set_at, allowed_scope FROM clients
		WHERE runtime = $1 ORDER BY id`, runtime)
}

// Client returns one confidential client.
func (s *Store) Client(ctx context.Context, runtime, id string) (store.Client, error) {
	c, err := scanClient(queryRow(ctx, s.db, `
		SELECT id, display_name, secret_hash, secret_set_at, allowed_scope FROM clients
		WHERE runtime = $1 AND id = $2`, runtime, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, store.NotFound("confidential client %q does not exist in runtime %s", id, runtime)
	}
	return c, err
}

// UpdateClients replaces the clients of a runtime with update(current)
// under the dialect's client lock.
func (s *Store) UpdateClients(ctx context.Context, runtime string, update func([]store.Client) ([]store.Client, error)) error {
	if err := checkStorable(field{"runtime", runtime}); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if s.dialect.LockClients != "" {
			if _, err := tx.ExecContext(ctx, s.dialect.LockClients, "clients:"+runtime); err != nil {
				return fmt.Errorf("lock clients: %w", err)
			}
		}
		current, err := queryClients(ctx, tx, runtime)
		if err != nil {
			return err
		}
		next, err := update(current)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM clients WHERE runtime = $1`, runtime); err != nil {
			return fmt.Errorf("delete clients: %w", err)
		}
		for _, c := range next {
			if err := insertClient(ctx, tx, runtime, c); err != nil {
				return err
			}
		}
		return nil
	})
}

func insertClient(ctx context.Context, tx *sql.Tx, runtime string, c store.Client) error {
	if err := checkClient(c); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO clients (runtime, id, display_name, secret_hash, secret_set_at, allowed_scope)
		VALUES ($1, $2, $3, $4, $5, $6)`, runtime, c.ID, c.DisplayName, c.SecretHash, micros(c.SecretSetAt), c.AllowedScope.String())
	if err != nil {
		return fmt.Errorf("insert client %q: %w", c.ID, err)
	}
	return nil
}

func scanClient(row scanner) (store.Client, error) {
	var c store.Client
	var scope string
	var setAt int64
	if err := row.Scan(&c.ID, &c.DisplayName, &c.SecretHash, &setAt, &scope); err != nil {
		return c, err
	}
	c.SecretSetAt = fromMicros(setAt)
	c.AllowedScope, _ = config.ParseScope(scope) // validated before it was written
	return c, nil
}

// SigningKeys returns every signing key, newest first, retired ones marked.
func (s *Store) SigningKeys(ctx context.Context) ([]store.SigningKey, error) {
	return queryAll(ctx, s.db, "signing keys", scanSigningKey, `
		SELECT id, private_pem, created_at, retired_at FROM signing_keys ORDER BY created_at DESC, id DESC`)
}

func scanSigningKey(row scanner) (store.SigningKey, error) {
	var k store.SigningKey
	var pem string
	var at int64
	var retired sql.NullInt64
	if err := row.Scan(&k.ID, &pem, &at, &retired); err != nil {
		return k, err
	}
	k.PrivatePEM, k.Created = []byte(pem), fromMicros(at)
	if retired.Valid {
		k.Retired = fromMicros(retired.Int64)
	}
	return k, nil
}

// AddFirstSigningKey stores k unless a first key was stored already: the
// bootstrap row serializes processes that start together.
func (s *Store) AddFirstSigningKey(ctx context.Context, k store.SigningKey) error {
	if err := checkSigningKey(k); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO signing_key_bootstrap (one) VALUES (1) ON CONFLICT DO NOTHING`)
		if err != nil {
			return fmt.Errorf("bootstrap signing key: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // another process created the first key
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO signing_keys (id, private_pem, created_at) VALUES ($1, $2, $3)`,
			k.ID, string(k.PrivatePEM), micros(k.Created))
		if err != nil {
			return fmt.Errorf("add signing key: %w", err)
		}
		return nil
	})
}

// AddSigningKey stores a new signing key.
func (s *Store) AddSigningKey(ctx context.Context, k store.SigningKey) error {
	if err := checkSigningKey(k); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO signing_keys (id, private_pem, created_at) VALUES ($1, $2, $3)`,
		k.ID, string(k.PrivatePEM), micros(k.Created))
	if err != nil {
		return fmt.Errorf("add signing key: %w", err)
	}
	return nil
}

// RetireSigningKey marks key id retired unless it is the newest key. Keys
// are only ever added, so a key that is not the newest never becomes it
// again: the check needs no lock.
func (s *Store) RetireSigningKey(ctx context.Context, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var newest string
		err := tx.QueryRowContext(ctx, `SELECT id FROM signing_keys ORDER BY created_at DESC, id DESC LIMIT 1`).Scan(&newest)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("find the newest signing key: %w", err)
		}
		if newest == id {
			return config.Errorf(config.KindConflict, "signing key %q is the active one: add a new key before retiring it", id)
		}
		if retired, err := keyRetired(ctx, tx, id); err != nil || retired {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE signing_keys SET retired_at = $1 WHERE id = $2 AND retired_at IS NULL`, micros(s.Now()), id); err != nil {
			return fmt.Errorf("retire signing key: %w", err)
		}
		return nil
	})
}

// keyRetired reports whether signing key id is retired; a KindNotFound
// error when there is no such key.
func keyRetired(ctx context.Context, tx *sql.Tx, id string) (bool, error) {
	var retired sql.NullInt64
	err := queryRow(ctx, tx, `SELECT retired_at FROM signing_keys WHERE id = $1`, id).Scan(&retired)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, store.NotFound("signing key %q does not exist", id)
	case err != nil:
		return false, fmt.Errorf("find signing key: %w", err)
	}
	return retired.Valid, nil
}
