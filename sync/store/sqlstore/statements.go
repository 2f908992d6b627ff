package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// statements holds prepared statements by query, each prepared on a
// connection the first time it runs there: SQLite spends about as long
// parsing a small statement as running it, and the statements of a
// mobile token request run thousands of times a second.
type statements struct {
	mu    sync.Mutex
	bySQL map[string]*sql.Stmt // nil for a query that cannot be prepared
}

// get returns the statement of query, prepared on db; nil when it cannot
// be prepared (remembered: it is not tried again), for the caller to run
// the query as it is. It prepares outside the lock: two callers may both
// prepare a new query, and one statement is kept.
func (st *statements) get(ctx context.Context, db *sql.DB, query string) *sql.Stmt {
	st.mu.Lock()
	s, ok := st.bySQL[query]
	st.mu.Unlock()
	if ok {
		return s
	}
	s, err := db.PrepareContext(ctx, query)
	if err != nil {
		s = nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if kept, ok := st.bySQL[query]; ok {
		if s != nil {
			s.Close()
		}
		return kept
	}
	if st.bySQL == nil {
		st.bySQL = map[string]*sql.Stmt{}
	}
	st.bySQL[query] = s
	return s
}

// close closes every statement.
func (st *statements) close() {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, s := range st.bySQL {
		if s != nil {
			s.Close()
		}
	}
	clear(st.bySQL)
}

// prepared runs queries with prepared statements on the database, or in a
// transaction when tx is not nil. It is a querier. Only the queries of hot
// paths go through it: each query text is kept for the life of the store.
type prepared struct {
	s  *Store
	tx *sql.Tx
}

// on returns what runs the hot queries of s in tx (nil: on the database).
func (s *Store) on(tx *sql.Tx) prepared { return prepared{s: s, tx: tx} }

func (p prepared) stmt(ctx context.Context, query string) *sql.Stmt {
	st := p.s.statements.get(ctx, p.s.db, query)
	if st != nil && p.tx != nil {
		st = p.tx.StmtContext(ctx, st)
	}
	return st
}

// QueryContext runs a query that returns rows.
func (p prepared) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	if p.tx != nil {
		return p.tx.QueryContext(ctx, query, args...)
	}
	return p.s.db.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query that returns at most one row.
func (p prepared) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	if p.tx != nil {
		return p.tx.QueryRowContext(ctx, query, args...)
	}
	return p.s.db.QueryRowContext(ctx, query, args...)
}

// ExecContext runs a statement that returns no rows.
func (p prepared) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	if p.tx != nil {
		return p.tx.ExecContext(ctx, query, args...)
	}
	return p.s.db.ExecContext(ctx, query, args...)
}
