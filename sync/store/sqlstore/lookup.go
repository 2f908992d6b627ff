package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/store"
)

// querier runs queries on the database or in a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

type scanner interface{ Scan(dest ...any) error }

// queryRow is QueryRowContext for a lookup, and the one place where a
// lookup meets a text that no store can hold (see storable): such an
// argument finds no row (sql.ErrNoRows), without asking the database.
func queryRow(ctx context.Context, q querier, query string, args ...any) scanner {
	if !storableArgs(args) {
		return noRow{}
	}
	return q.QueryRowContext(ctx, query, args...)
}

// noRow is the row of a lookup that cannot find anything.
type noRow struct{}

func (noRow) Scan(...any) error { return sql.ErrNoRows }

// queryAll is queryRow for a lookup of many rows, each read with scan;
// what names the rows in errors. An unstorable argument finds none.
func queryAll[T any](ctx context.Context, q querier, what string, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	if !storableArgs(args) {
		return nil, nil
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", what, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func storableArgs(args []any) bool {
	for _, a := range args {
		if s, ok := a.(string); ok && !storable(s) {
			return false
		}
	}
	return true
}

// appNotFound is the error of every lookup of an application that does
// not exist (or is deleted).
func appNotFound(runtime string, key config.AppKey) error {
	return store.NotFound("application %s does not exist in runtime %s", key, runtime)
}
