package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/authz"
	"github.com/scopectl/scopectl/sync/store"
)

// AddMobileClient stores a newly registered client of the mobile runtime;
// an ID that exists already in its runtime is a config.KindConflict error.
func (s *Store) AddMobileClient(ctx context.Context, c authz.Client) error {
	if err := checkMobileClient(c); err != nil {
		return err
	}
	device, err := json.Marshal(c.Device)
	if err != nil {
		return fmt.Errorf("encode device: %w", err)
	}
	_, err = s.db.ExecContext(ctx, `
		INSERT INTO mobile_clients (runtime, id, app_id, platform, version, public_key, device, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		c.Runtime, c.ID, c.App.ID, string(c.App.Platform), c.App.Version, string(c.PublicKey), string(device), micros(c.Created))
	if err != nil && s.dialect.IsUniqueViolation(err) {
		return config.Errorf(config.KindConflict, "mobile client %q exists already in runtime %s", c.ID, c.Runtime)
	}
	if err != nil {
		return fmt.Errorf("add mobile client: %w", err)
	}
	return nil
}

func checkMobileClient(c authz.Client) error {
	return checkStorable(
		field{"runtime", c.Runtime}, field{"mobile client id", c.ID}, field{"application id", c.App.ID},
		field{"platform", string(c.App.Platform)}, field{"version", c.App.Version},
		field{"public key", string(c.PublicKey)}, field{"device id", c.Device.ID},
		field{"device model", c.Device.Model}, field{"device OS", c.Device.OS},
	)
}

// MobileClient returns a registered client of the mobile runtime.
func (s *Store) MobileClient(ctx context.Context, runtime, id string) (authz.Client, error) {
	c := authz.Client{Runtime: runtime, ID: id}
	var platform, key, device string
	var created int64
	err := queryRow(ctx, s.on(nil), `
		SELECT app_id, platform, version, public_key, device, created_at FROM mobile_clients
		WHERE runtime = $1 AND id = $2`, runtime, id).Scan(&c.App.ID, &platform, &c.App.Version, &key, &device, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return c, mobileClientNotFound(runtime, id)
	}
	if err != nil {
		return c, fmt.Errorf("read mobile client: %w", err)
	}
	c.App.Platform, c.PublicKey, c.Created = config.Platform(platform), []byte(key), fromMicros(created)
	if err := json.Unmarshal([]byte(device), &c.Device); err != nil {
		return c, fmt.Errorf("read the device of mobile client %q: %w", id, err)
	}
	return c, nil
}

// DeleteMobileClient removes a client; its check states and grants go
// with it (ON DELETE CASCADE), in the same statement.
func (s *Store) DeleteMobileClient(ctx context.Context, runtime, id string) error {
	if !storable(runtime, id) {
		return mobileClientNotFound(runtime, id)
	}
	res, err := s.db.ExecContext(ctx, `DELETE FROM mobile_clients WHERE runtime = $1 AND id = $2`, runtime, id)
	if err != nil {
		return fmt.Errorf("delete mobile client: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return mobileClientNotFound(runtime, id)
	}
	return nil
}

func mobileClientNotFound(runtime, id string) error {
	return store.NotFound("mobile client %q does not exist in runtime %s", id, runtime)
}

// lockMobileClient locks the row of a client for the rest of tx (SQLite's
// write transactions exclude each other already), so that the updates of
// one client's states and grants take turns; a missing client is a
// config.KindNotFound error.
func (s *Store) lockMobileClient(ctx context.Context, tx *sql.Tx, runtime, id string) error {
	var one int
	err := s.on(tx).QueryRowContext(ctx, `SELECT 1 FROM mobile_clients WHERE runtime = $1 AND id = $2`+s.dialect.ForUpdate,
		runtime, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return mobileClientNotFound(runtime, id)
	}
	if err != nil {
		return fmt.Errorf("lock mobile client: %w", err)
	}
	return nil
}

// lockMobileClientStates is lockMobileClient that also returns the
// client's stored check states. Where transactions serialize writers
// (SQLite) one statement does both; where the lock is a row lock
// (PostgreSQL: FOR UPDATE), a statement reads what was committed when it
// started, before it waited for the lock, so the states are read after.
func (s *Store) lockMobileClientStates(ctx context.Context, tx *sql.Tx, runtime, id string) (string, error) {
	if s.dialect.ForUpdate != "" {
		if err := s.lockMobileClient(ctx, tx, runtime, id); err != nil {
			return "", err
		}
		return storedCheckStates(ctx, s.on(tx), runtime, id)
	}
	var stored string
	err := s.on(tx).QueryRowContext(ctx, `
		SELECT COALESCE((SELECT states FROM mobile_check_states WHERE runtime = $1 AND client_id = $2), '`+noStates+`')
		FROM mobile_clients WHERE runtime = $1 AND id = $2`,
		runtime, id).Scan(&stored)
	if errors.Is(err, sql.ErrNoRows) {
		return "", mobileClientNotFound(runtime, id)
	}
	if err != nil {
		return "", fmt.Errorf("lock mobile client: %w", err)
	}
	return stored, nil
}
