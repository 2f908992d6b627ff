package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
)

// Probe commits a write of one row of its own table, in a transaction
// like every other write (on SQLite: the write lock, the WAL, an fsync),
// so that it fails when writes fail: a full disk, a read-only file or
// database, a lost connection. It also fails, with a config.KindConflict
// error, once a newer scoped sharing the database has migrated it: this
// process would no longer read or write what the newer one keeps. The
// write comes first (on SQLite a read first could make the write fail on
// a stale snapshot), so a newer migration that changed health_probe
// itself reads as a failed write.
func (s *Store) Probe(ctx context.Context) error {
	var outdated error
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO health_probe (one, checked_at) VALUES (1, $1)
			ON CONFLICT (one) DO UPDATE SET checked_at = excluded.checked_at`, micros(s.Now()))
		if err != nil {
			return err
		}
		outdated, err = checkSchema(ctx, tx)
		return err
	})
	if err != nil {
		return fmt.Errorf("probe a write: %w", err)
	}
	return outdated
}
