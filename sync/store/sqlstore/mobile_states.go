package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/scopectl/scopectl/sync/authz"
)

// UpdateCheckStates replaces the check states of a client with what
// update returns for the current ones, in a transaction that holds the
// client's row (lockMobileClient): concurrent updates of one client take
// turns, each seeing what the one before stored. States equal to the
// current ones are not written again.
func (s *Store) UpdateCheckStates(ctx context.Context, runtime, clientID string, update func(map[string]authz.CheckState) (map[string]authz.CheckState, error)) error {
	if !storable(runtime, clientID) {
		return mobileClientNotFound(runtime, clientID)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.lockMobileClient(ctx, tx, runtime, clientID); err != nil {
			return err
		}
		stored, current, err := readCheckStates(ctx, s.on(tx), runtime, clientID)
		if err != nil {
			return err
		}
		next, err := update(current)
		if err != nil {
			return err
		}
		encoded, err := encodeCheckStates(next)
		if err != nil || encoded == stored {
			return err
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO mobile_check_states (runtime, client_id, states) VALUES ($1, $2, $3)
			ON CONFLICT (runtime, client_id) DO UPDATE SET states = excluded.states`, runtime, clientID, encoded)
		if err != nil {
			return fmt.Errorf("write check states: %w", err)
		}
		return nil
	})
}

// CheckStates returns the check states of a client as they are stored
// now, without holding the client (no states for a client that does not
// exist).
func (s *Store) CheckStates(ctx context.Context, runtime, clientID string) (map[string]authz.CheckState, error) {
	_, states, err := readCheckStates(ctx, s.on(nil), runtime, clientID)
	return states, err
}

// noStates is the stored form of a client without check states.
const noStates = "{}"

// readCheckStates returns the stored JSON of a client's check states and
// what it decodes to.
func readCheckStates(ctx context.Context, tx querier, runtime, clientID string) (string, map[string]authz.CheckState, error) {
	stored, err := storedCheckStates(ctx, tx, runtime, clientID)
	if err != nil {
		return "", nil, err
	}
	states, err := decodeCheckStates(stored, clientID)
	return stored, states, err
}

// storedCheckStates returns the stored JSON of a client's check states.
func storedCheckStates(ctx context.Context, tx querier, runtime, clientID string) (string, error) {
	stored := noStates
	err := queryRow(ctx, tx, `SELECT states FROM mobile_check_states WHERE runtime = $1 AND client_id = $2`,
		runtime, clientID).Scan(&stored)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("read check states: %w", err)
	}
	return stored, nil
}

// decodeCheckStates decodes the stored check states of a client.
func decodeCheckStates(stored, clientID string) (map[string]authz.CheckState, error) {
	states := map[string]authz.CheckState{}
	if err := json.Unmarshal([]byte(stored), &states); err != nil {
		return nil, fmt.Errorf("read check states of mobile client %q: %w", clientID, err)
	}
	return states, nil
}

// encodeCheckStates returns the stored form of states, their times in
// UTC to the microsecond as every time in a store; a check name or user
// that cannot be stored is a config.KindInvalid error.
func encodeCheckStates(states map[string]authz.CheckState) (string, error) {
	out := make(map[string]authz.CheckState, len(states))
	for name, st := range states {
		err := checkStorable(field{"check name", name}, field{"check state", string(st.State)}, field{"user of a check", st.User})
		if err != nil {
			return "", err
		}
		st.Expires, st.RememberUntil = fromMicros(micros(st.Expires)), fromMicros(micros(st.RememberUntil))
		out[name] = st
	}
	b, err := json.Marshal(out) // keys sorted: equal states encode alike
	if err != nil {
		return "", fmt.Errorf("encode check states: %w", err)
	}
	return string(b), nil
}
