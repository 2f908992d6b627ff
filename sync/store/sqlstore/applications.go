package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/store"
)

const revisionColumns = `runtime, app_id, platform, version, number, author, applied_at, hash, summary`

// Applications lists the head revision of every application of a runtime,
// with its state.
func (s *Store) Applications(ctx context.Context, runtime string) ([]store.Revision, error) {
	return queryAll(ctx, s.db, "applications", scanListedHead, `
		SELECT r.runtime, r.app_id, r.platform, r.version, r.number, r.author, r.applied_at, r.hash, r.summary,
		       a.disabled, a.disabled_message
		FROM applications a JOIN revisions r
		  ON r.runtime = a.runtime AND r.app_id = a.app_id AND r.platform = a.platform
		 AND r.version = a.version AND r.number = a.head
		WHERE a.runtime = $1 AND a.deleted = 0
		ORDER BY a.app_id, a.platform, a.version`, runtime)
}

// Head returns the latest revision of an application, with content and
// the application's state.
func (s *Store) Head(ctx context.Context, runtime string, key config.AppKey) (store.Revision, error) {
	rev, err := scanHead(queryRow(ctx, s.on(nil), `
		SELECT r.runtime, r.app_id, r.platform, r.version, r.number, r.author, r.applied_at, r.hash, r.summary,
		       r.content, a.disabled, a.disabled_message
		FROM applications a JOIN revisions r
		  ON r.runtime = a.runtime AND r.app_id = a.app_id AND r.platform = a.platform
		 AND r.version = a.version AND r.number = a.head
		WHERE a.runtime = $1 AND a.app_id = $2 AND a.platform = $3 AND a.version = $4 AND a.deleted = 0`,
		runtime, key.ID, string(key.Platform), key.Version), true)
	if errors.Is(err, sql.ErrNoRows) {
		return rev, appNotFound(runtime, key)
	}
	return rev, err
}

// Revisions lists every revision of an application, oldest first.
func (s *Store) Revisions(ctx context.Context, runtime string, key config.AppKey) ([]store.Revision, error) {
	revs, err := queryAll(ctx, s.db, "revisions", scanListed, `
		SELECT `+revisionColumns+` FROM revisions
		WHERE runtime = $1 AND app_id = $2 AND platform = $3 AND version = $4
		ORDER BY number`, runtime, key.ID, string(key.Platform), key.Version)
	if err == nil && len(revs) == 0 {
		return nil, appNotFound(runtime, key)
	}
	return revs, err
}

// Revision returns revision n of an application, with content.
func (s *Store) Revision(ctx context.Context, runtime string, key config.AppKey, n int64) (store.Revision, error) {
	rev, err := scanRevision(queryRow(ctx, s.on(nil), `
		SELECT `+revisionColumns+`, content FROM revisions
		WHERE runtime = $1 AND app_id = $2 AND platform = $3 AND version = $4 AND number = $5`,
		runtime, key.ID, string(key.Platform), key.Version, n), true)
	if errors.Is(err, sql.ErrNoRows) {
		return rev, store.NotFound("application %s has no revision %d", key, n)
	}
	return rev, err
}

// LatestRevisions returns the last n revisions of an application, oldest
// first, with content, as store.Store says.
func (s *Store) LatestRevisions(ctx context.Context, runtime string, key config.AppKey, n int) ([]store.Revision, error) {
	if n < 1 {
		return nil, config.Errorf(config.KindInvalid, "the number of revisions to read must be at least 1, not %d", n)
	}
	revs, err := queryAll(ctx, s.db, "revisions", scanWithContent, `
		SELECT `+revisionColumns+`, content FROM revisions
		WHERE runtime = $1 AND app_id = $2 AND platform = $3 AND version = $4
		ORDER BY number DESC LIMIT $5`, runtime, key.ID, string(key.Platform), key.Version, n)
	if err != nil {
		return nil, err
	}
	if len(revs) == 0 {
		return nil, appNotFound(runtime, key)
	}
	slices.Reverse(revs)
	return revs, nil
}

// Apply stores a descriptor as the next revision, atomically: the head is
// read and locked, the precondition checked, and the revision and the new
// head written in one transaction. A concurrent first revision of the same
// application is caught by the primary key and reported as stale.
func (s *Store) Apply(ctx context.Context, req store.ApplyRequest) (store.ApplyResult, error) {
	var res store.ApplyResult
	if err := checkApplyRequest(req); err != nil {
		return res, err
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		res, err = s.apply(ctx, tx, req)
		return err
	})
	if err != nil && s.dialect.IsUniqueViolation(err) {
		head, _ := s.Head(ctx, req.Runtime, req.Key)
		return res, store.Stale(head.Number)
	}
	return res, err
}

func (s *Store) apply(ctx context.Context, tx *sql.Tx, req store.ApplyRequest) (store.ApplyResult, error) {
	last, err := s.lockHead(ctx, tx, req.Runtime, req.Key)
	if err != nil {
		return store.ApplyResult{}, err
	}
	head := last.head
	if err := checkPrecondition(req.IfMatch, head); err != nil {
		return store.ApplyResult{}, err
	}
	if head != nil && head.Hash == req.Hash {
		return store.ApplyResult{Revision: *head, Previous: head, Unchanged: true}, nil
	}
	rev := store.Revision{
		Runtime: req.Runtime, Key: req.Key, Number: last.number + 1, Author: req.Author,
		Time: fromMicros(micros(s.Now())), Hash: req.Hash, Summary: req.Summary, Content: req.Content, State: last.state,
	}
	if _, err := s.on(tx).ExecContext(ctx, `
		INSERT INTO revisions (`+revisionColumns+`, content) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		rev.Runtime, rev.Key.ID, string(rev.Key.Platform), rev.Key.Version, rev.Number, rev.Author,
		micros(rev.Time), rev.Hash, rev.Summary, string(rev.Content)); err != nil {
		return store.ApplyResult{}, fmt.Errorf("insert revision: %w", err)
	}
	if _, err := s.on(tx).ExecContext(ctx, `
		INSERT INTO applications (runtime, app_id, platform, version, head, deleted) VALUES ($1, $2, $3, $4, $5, 0)
		ON CONFLICT (runtime, app_id, platform, version) DO UPDATE SET head = excluded.head, deleted = 0`,
		rev.Runtime, rev.Key.ID, string(rev.Key.Platform), rev.Key.Version, rev.Number); err != nil {
		return store.ApplyResult{}, fmt.Errorf("update head: %w", err)
	}
	return store.ApplyResult{Revision: rev, Previous: head}, nil
}

// headState is what lockHead found: the last revision number ever used
// (0 if none), the head revision unless the application is deleted, and
// the application's state (which a delete keeps).
type headState struct {
	number int64
	head   *store.Revision
	state  store.AppState
}

// lockHead reads the head of an application inside tx, locking its row
// where the dialect needs it; an unstorable key has none.
func (s *Store) lockHead(ctx context.Context, tx *sql.Tx, runtime string, key config.AppKey) (headState, error) {
	var n, deleted, disabled int64
	var message string
	err := queryRow(ctx, s.on(tx), `
		SELECT head, deleted, disabled, disabled_message FROM applications
		WHERE runtime = $1 AND app_id = $2 AND platform = $3 AND version = $4`+s.dialect.ForUpdate,
		runtime, key.ID, string(key.Platform), key.Version).Scan(&n, &deleted, &disabled, &message)
	if errors.Is(err, sql.ErrNoRows) {
		return headState{}, nil
	}
	if err != nil {
		return headState{}, fmt.Errorf("read head: %w", err)
	}
	state := headState{number: n, state: store.AppState{Disabled: disabled != 0, Message: message}}
	if deleted != 0 {
		return state, nil
	}
	row := s.on(tx).QueryRowContext(ctx, `
		SELECT `+revisionColumns+` FROM revisions
		WHERE runtime = $1 AND app_id = $2 AND platform = $3 AND version = $4 AND number = $5`,
		runtime, key.ID, string(key.Platform), key.Version, n)
	rev, err := scanRevision(row, false)
	if err != nil {
		return headState{}, fmt.Errorf("read head revision: %w", err)
	}
	rev.State = state.state
	state.head = &rev
	return state, nil
}

func checkPrecondition(ifMatch api.Precondition, head *store.Revision) error {
	if head == nil {
		return store.CheckPrecondition(ifMatch, 0)
	}
	return store.CheckPrecondition(ifMatch, head.Number)
}

// Delete marks an application deleted; its revisions stay.
func (s *Store) Delete(ctx context.Context, runtime string, key config.AppKey, ifMatch api.Precondition) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		state, err := s.lockHead(ctx, tx, runtime, key)
		if err != nil {
			return err
		}
		if state.head == nil {
			return appNotFound(runtime, key)
		}
		if err := checkPrecondition(ifMatch, state.head); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE applications SET deleted = 1
			WHERE runtime = $1 AND app_id = $2 AND platform = $3 AND version = $4`,
			runtime, key.ID, string(key.Platform), key.Version)
		if err != nil {
			return fmt.Errorf("delete application: %w", err)
		}
		return nil
	})
}

// SetAppState enables or disables an application that exists.
func (s *Store) SetAppState(ctx context.Context, runtime string, key config.AppKey, state store.AppState) error {
	if err := checkStorable(field{"message of a disabled application", state.Message}); err != nil {
		return err
	}
	if !storable(runtime, key.ID, string(key.Platform), key.Version) {
		return appNotFound(runtime, key)
	}
	disabled := 0
	if state.Disabled {
		disabled = 1
	}
	res, err := s.db.ExecContext(ctx, `UPDATE applications SET disabled = $5, disabled_message = $6
		WHERE runtime = $1 AND app_id = $2 AND platform = $3 AND version = $4 AND deleted = 0`,
		runtime, key.ID, string(key.Platform), key.Version, disabled, state.Message)
	if err != nil {
		return fmt.Errorf("set application state: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("set application state: %w", err)
	} else if n == 0 {
		return appNotFound(runtime, key)
	}
	return nil
}

// scanRevision reads the revision columns, the content when withContent,
// then extra.
func scanRevision(row scanner, withContent bool, extra ...any) (store.Revision, error) {
	var r store.Revision
	var platform string
	var at int64
	dest := []any{&r.Runtime, &r.Key.ID, &platform, &r.Key.Version, &r.Number, &r.Author, &at, &r.Hash, &r.Summary}
	var content string
	if withContent {
		dest = append(dest, &content)
	}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return r, err
	}
	r.Key.Platform = config.Platform(platform)
	r.Time = fromMicros(at)
	if withContent {
		r.Content = []byte(content)
	}
	return r, nil
}

// scanHead reads a revision followed by its application's state
// (disabled, disabled_message).
func scanHead(row scanner, withContent bool) (store.Revision, error) {
	var disabled int64
	var message string
	r, err := scanRevision(row, withContent, &disabled, &message)
	r.State = store.AppState{Disabled: disabled != 0, Message: message}
	return r, err
}

// scanListed reads a revision without content, as listings have it.
func scanListed(row scanner) (store.Revision, error) { return scanRevision(row, false) }

// scanWithContent reads a revision with its content.
func scanWithContent(row scanner) (store.Revision, error) { return scanRevision(row, true) }

// scanListedHead reads a listed head with its application's state.
func scanListedHead(row scanner) (store.Revision, error) { return scanHead(row, false) }
