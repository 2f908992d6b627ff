package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/authz"
	"github.com/scopectl/scopectl/sync/store"
)

// AddGrant stores authorization codes, refresh tokens or spent assertion
// ids of registered clients, all or none, in one transaction (a missing
// client is a config.KindNotFound error, a hash stored already a
// config.KindConflict error). It also deletes the clients' expired grants
// (see addSpent for assertion ids), holding each client's row as
// UpdateCheckStates does: a grant that is never taken lasts until its
// client gets another one or is deleted, so the tables hold about one
// flow's grants per client, and 16 expired assertion ids, at most,
// without a background sweep. Concurrent calls share a transaction (see
// grantQueue), each call's grants all or none.
func (s *Store) AddGrant(ctx context.Context, grants ...authz.Grant) error {
	for _, g := range grants {
		if err := checkGrant(g); err != nil {
			return err
		}
	}
	if len(grants) == 0 {
		return nil
	}
	return s.addGrantsBatched(ctx, &grantCall{grants: grants})
}

// SpendAssertion adds the grant of a spent assertion id as AddGrant does,
// then reads its client's check states in the same transaction.
func (s *Store) SpendAssertion(ctx context.Context, jti authz.Grant) (map[string]authz.CheckState, error) {
	if jti.Kind != authz.GrantAssertion {
		return nil, config.Errorf(config.KindInvalid, "a spent assertion id is a grant of kind %q, not %q", authz.GrantAssertion, jti.Kind)
	}
	if err := checkGrant(jti); err != nil {
		return nil, err
	}
	c := &grantCall{grants: []authz.Grant{jti}, withStates: true}
	if err := s.addGrantsBatched(ctx, c); err != nil {
		return nil, err
	}
	return c.states, c.statesErr
}

// addGrants adds grants in tx, as AddGrant says.
func (s *Store) addGrants(ctx context.Context, tx *sql.Tx, grants []authz.Grant) error {
	for _, g := range grants {
		if err := s.lockMobileClient(ctx, tx, g.Runtime, g.ClientID); err != nil {
			return err
		}
		var err error
		if g.Kind == authz.GrantAssertion {
			err = s.addSpent(ctx, tx, g)
		} else {
			err = s.addCodeOrRefresh(ctx, tx, g)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// addCodeOrRefresh deletes the expired codes and refresh tokens of g's
// client, then adds g.
func (s *Store) addCodeOrRefresh(ctx context.Context, tx *sql.Tx, g authz.Grant) error {
	_, err := s.on(tx).ExecContext(ctx, `DELETE FROM mobile_grants WHERE runtime = $1 AND client_id = $2 AND expires_at <= $3`,
		g.Runtime, g.ClientID, micros(s.Now()))
	if err != nil {
		return fmt.Errorf("delete expired grants: %w", err)
	}
	return s.insertGrant(ctx, tx, g)
}

// addSpent records a spent assertion id, over an expired record of the
// same hash; one that has not expired is a config.KindConflict error that
// leaves tx as it was (see insertGrant), and so is an id that expires
// before it is recorded: a copy of its assertion verified in time but
// stored late would otherwise find its record expired, and pass. One
// spend in 16, drawn at random (never by anything the client chooses,
// such as its jti), first deletes the client's expired records: the sweep
// finds nothing nearly every time, and it was a third of a spend's store
// time when every spend ran it; a client keeps about 16 expired records
// more.
func (s *Store) addSpent(ctx context.Context, tx *sql.Tx, g authz.Grant) error {
	now := micros(s.Now())
	if micros(g.Expires) <= now {
		return config.Errorf(config.KindConflict, "the assertion expired before its id was spent")
	}
	if rand.N(sweepEvery) == 0 {
		_, err := s.on(tx).ExecContext(ctx, `DELETE FROM mobile_spent_assertions WHERE runtime = $1 AND client_id = $2 AND expires_at <= $3`,
			g.Runtime, g.ClientID, now)
		if err != nil {
			return fmt.Errorf("delete expired assertion ids: %w", err)
		}
	}
	res, err := s.on(tx).ExecContext(ctx, `
		INSERT INTO mobile_spent_assertions (runtime, client_id, hash, expires_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (runtime, client_id, hash) DO UPDATE SET expires_at = excluded.expires_at
		WHERE mobile_spent_assertions.expires_at <= $5`,
		g.Runtime, g.ClientID, g.Hash, micros(g.Expires), now)
	return added(res, err, "the assertion id was spent already")
}

// sweepEvery is how many spends of a client's assertion ids there are for
// one sweep of its expired ones, on average.
const sweepEvery = 16

// added answers the result of an insert that does nothing on a conflict:
// no row added is a config.KindConflict error that says conflict.
func added(res sql.Result, err error, conflict string) error {
	var n int64
	if err == nil {
		n, err = res.RowsAffected()
	}
	if err != nil {
		return fmt.Errorf("add grant: %w", err)
	}
	if n == 0 {
		return config.Errorf(config.KindConflict, "%s", conflict)
	}
	return nil
}

// insertGrant adds g in tx (its client's expired grants swept just
// before); a grant of its hash is a config.KindConflict error that leaves
// tx as it was (no failed statement: on PostgreSQL that would end the
// transaction, and with it a batch of other requests' grants, and a call
// of one grant needs no savepoint).
func (s *Store) insertGrant(ctx context.Context, tx *sql.Tx, g authz.Grant) error {
	res, err := s.on(tx).ExecContext(ctx, `
		INSERT INTO mobile_grants (hash, kind, runtime, client_id, app_id, platform, version, scope, lifetime, user_name, redirect_uri, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		ON CONFLICT (hash) DO NOTHING`,
		g.Hash, string(g.Kind), g.Runtime, g.ClientID, g.App.ID, string(g.App.Platform), g.App.Version,
		g.Scope.String(), int64(g.Lifetime), g.User, g.RedirectURI, micros(g.Expires))
	return added(res, err, "a grant with this hash exists already")
}

func checkGrant(g authz.Grant) error {
	if g.Kind != authz.GrantCode && g.Kind != authz.GrantRefresh && g.Kind != authz.GrantAssertion {
		return config.Errorf(config.KindInvalid, "unknown grant kind %q: want %q, %q or %q", g.Kind, authz.GrantCode, authz.GrantRefresh, authz.GrantAssertion)
	}
	if _, err := config.ParseScope(g.Scope.String()); err != nil {
		return config.Errorf(config.KindInvalid, "the scope of a grant: %v", err)
	}
	return checkStorable(
		field{"grant hash", g.Hash}, field{"runtime", g.Runtime}, field{"mobile client id", g.ClientID},
		field{"application id", g.App.ID}, field{"platform", string(g.App.Platform)}, field{"version", g.App.Version},
		field{"scope of a grant", g.Scope.String()}, field{"user", g.User}, field{"redirect URI", g.RedirectURI},
	)
}

// TakeGrant deletes the grant of runtime with hash and returns it, in one
// statement (DELETE ... RETURNING): of several instances taking it at
// once, one gets it and the others a config.KindNotFound error. An
// expired grant is deleted too, and is a config.KindNotFound error like a
// grant that does not exist or was taken already. The grants of spend (a
// spent assertion id) are added first in the same transaction, as
// AddGrant adds them: when one exists already (a config.KindConflict
// error) nothing is taken, and when there is no grant to take nothing is
// added.
func (s *Store) TakeGrant(ctx context.Context, key authz.GrantKey, spend ...authz.Grant) (authz.Grant, error) {
	if !storable(key.Runtime, key.ClientID, string(key.Kind), key.Hash) {
		return authz.Grant{}, grantNotFound()
	}
	for _, g := range spend {
		if err := checkGrant(g); err != nil {
			return authz.Grant{}, err
		}
	}
	var g authz.Grant
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		err := s.addGrants(ctx, tx, spend)
		if err == nil {
			g, err = takeGrant(ctx, tx, key)
		}
		return err
	})
	if err != nil {
		return authz.Grant{}, err
	}
	if !s.Now().Before(g.Expires) {
		return authz.Grant{}, grantNotFound()
	}
	return g, nil
}

// Grant returns the grant of runtime with hash, of key's kind and
// client, without taking it; an expired grant is a config.KindNotFound
// error like one that does not exist.
func (s *Store) Grant(ctx context.Context, key authz.GrantKey) (authz.Grant, error) {
	g, err := scanGrant(queryRow(ctx, s.db, `
		SELECT `+grantColumns+` FROM mobile_grants WHERE hash = $1 AND runtime = $2 AND client_id = $3 AND kind = $4`,
		key.Hash, key.Runtime, key.ClientID, string(key.Kind)), key)
	if err == nil && !s.Now().Before(g.Expires) {
		return authz.Grant{}, grantNotFound()
	}
	return g, err
}

// takeGrant deletes and returns the grant key names in tx.
func takeGrant(ctx context.Context, tx *sql.Tx, key authz.GrantKey) (authz.Grant, error) {
	return scanGrant(tx.QueryRowContext(ctx, `
		DELETE FROM mobile_grants WHERE hash = $1 AND runtime = $2 AND client_id = $3 AND kind = $4
		RETURNING `+grantColumns, key.Hash, key.Runtime, key.ClientID, string(key.Kind)), key)
}

// grantColumns are the columns scanGrant reads.
const grantColumns = `app_id, platform, version, scope, lifetime, user_name, redirect_uri, expires_at`

// scanGrant reads the grant key names from row (grantColumns).
func scanGrant(row scanner, key authz.GrantKey) (authz.Grant, error) {
	g := authz.Grant{Hash: key.Hash, Runtime: key.Runtime, ClientID: key.ClientID, Kind: key.Kind}
	var platform, scope string
	var lifetime, expires int64
	err := row.Scan(&g.App.ID, &platform, &g.App.Version, &scope, &lifetime, &g.User, &g.RedirectURI, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return authz.Grant{}, grantNotFound()
	}
	if err != nil {
		return authz.Grant{}, fmt.Errorf("read grant: %w", err)
	}
	g.App.Platform, g.Lifetime, g.Expires = config.Platform(platform), time.Duration(lifetime), fromMicros(expires)
	g.Scope, _ = config.ParseScope(scope) // checked by AddGrant
	return g, nil
}

// grantNotFound does not tell an unknown grant from a used or expired
// one: the caller answers invalid_grant to all alike.
func grantNotFound() error {
	return store.NotFound("the authorization code or refresh token is unknown, used already, or expired")
}
