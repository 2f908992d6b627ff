package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sync"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/authz"
)

// grantQueue holds the AddGrant calls that arrive while a batch of them
// is being written: the next batch writes them all in one transaction, so
// that concurrent requests share one commit (one fsync on SQLite) instead
// of queueing for a commit each. This is group commit: at low load a batch
// is one call and costs what a transaction of its own would.
type grantQueue struct {
	mu      sync.Mutex
	waiting []*grantCall
	busy    bool // a batch is being written: its writer hands off the next
}

// grantCall is one AddGrant call waiting in a grantQueue.
type grantCall struct {
	grants []authz.Grant
	// withStates makes the call read its client's check states into
	// states once its grants are added.
	withStates bool
	states     map[string]authz.CheckState
	statesErr  error // the states could not be read (the grants are added)
	err        error
	lead       bool          // set before ready is closed: write the next batch
	ready      chan struct{} // closed once err is set, or to make the call lead
}

// join queues c and reports whether it must write the next batch (no
// batch is being written).
func (q *grantQueue) join(c *grantCall) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.waiting = append(q.waiting, c)
	lead := !q.busy
	q.busy = true
	return lead
}

// take returns the calls waiting, the next batch, and empties the queue.
func (q *grantQueue) take() []*grantCall {
	q.mu.Lock()
	defer q.mu.Unlock()
	batch := q.waiting
	q.waiting = nil
	return batch
}

// handOff makes the first call that arrived during the last batch write
// the next one, or marks the queue idle.
func (q *grantQueue) handOff() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.waiting) == 0 {
		q.busy = false
		return
	}
	next := q.waiting[0]
	next.lead = true
	close(next.ready)
}

// addGrantsBatched adds grants as one call of a batch (see grantQueue)
// and returns what adding them did: a call's grants are added all or none,
// whatever the other calls of its batch do.
func (s *Store) addGrantsBatched(ctx context.Context, c *grantCall) error {
	c.ready = make(chan struct{})
	if !s.grantQueue.join(c) {
		<-c.ready
		if !c.lead {
			return c.err
		}
	}
	batch := s.grantQueue.take() // c's own call among them
	// The batch is the other calls' too: the leader's cancellation must
	// not cancel them.
	s.writeGrantBatch(context.WithoutCancel(ctx), batch)
	for _, o := range batch {
		if o != c {
			close(o.ready)
		}
	}
	s.grantQueue.handOff()
	return c.err
}

// writeGrantBatch adds the grants of every call of batch in one
// transaction, each call's within a savepoint so that its failure (a
// conflict, a missing client) undoes its own grants only, and sets each
// call's error. The calls take the clients' rows in one order, so that
// two instances' batches never wait for each other in a cycle.
func (s *Store) writeGrantBatch(ctx context.Context, batch []*grantCall) {
	if len(batch) == 1 {
		c := batch[0]
		c.err = s.inTx(ctx, func(tx *sql.Tx) error { return s.addCall(ctx, tx, c) })
		return
	}
	slices.SortStableFunc(batch, func(a, b *grantCall) int {
		return cmp.Or(cmp.Compare(a.grants[0].Runtime, b.grants[0].Runtime), cmp.Compare(a.grants[0].ClientID, b.grants[0].ClientID))
	})
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, c := range batch {
			var err error
			c.err, err = s.addCallGrants(ctx, tx, c)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		for _, c := range batch {
			c.err = cmp.Or(c.err, err)
		}
	}
}

// addCallGrants adds one call's grants in tx within a savepoint: their
// error undoes them alone. The second error is one that ends the batch.
// A call of one grant (a spent jti: nearly every call) needs no
// savepoint: addGrants refuses a missing client or a stored hash without
// a failed statement, so its refusal leaves nothing to undo.
func (s *Store) addCallGrants(ctx context.Context, tx *sql.Tx, c *grantCall) (callErr, batchErr error) {
	if len(c.grants) == 1 {
		callErr = s.addCall(ctx, tx, c)
		if k := config.ErrorKind(callErr); callErr != nil && k != config.KindConflict && k != config.KindNotFound {
			return callErr, callErr // a failed statement: the transaction may be lost
		}
		return callErr, nil
	}
	if _, err := s.on(tx).ExecContext(ctx, `SAVEPOINT grant_call`); err != nil {
		return nil, fmt.Errorf("savepoint: %w", err)
	}
	if callErr = s.addCall(ctx, tx, c); callErr != nil {
		_, batchErr = s.on(tx).ExecContext(ctx, `ROLLBACK TO SAVEPOINT grant_call`)
	}
	if batchErr == nil {
		_, batchErr = s.on(tx).ExecContext(ctx, `RELEASE SAVEPOINT grant_call`)
	}
	if batchErr != nil {
		return callErr, fmt.Errorf("savepoint: %w", batchErr)
	}
	return callErr, nil
}

// addCall adds the grants of c in tx; a call withStates (one assertion
// id, from SpendAssertion) reads its client's check states with the lock
// of its client's row: states that cannot be decoded fail the call alone,
// its grant added.
func (s *Store) addCall(ctx context.Context, tx *sql.Tx, c *grantCall) error {
	if !c.withStates {
		return s.addGrants(ctx, tx, c.grants)
	}
	g := c.grants[0]
	stored, err := s.lockMobileClientStates(ctx, tx, g.Runtime, g.ClientID)
	if err != nil {
		return err
	}
	if err := s.addSpent(ctx, tx, g); err != nil {
		return err
	}
	c.states, c.statesErr = decodeCheckStates(stored, g.ClientID)
	return nil
}
