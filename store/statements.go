package store

import (
	"context"
	"database/sql"
	"sync"
)

// statements keeps the delivery ledger's hottest statements prepared on the
// writer pool, so that recording a batch of outcomes does not parse the same
// SQL again for every batch (a send records a batch every few dozen
// messages). A transaction uses a cached statement through Tx.StmtContext,
// which re-prepares it only on a connection that has not seen it yet.
//
// The cache holds at most maxStatements texts; a text beyond that is
// prepared per use as before, so an unusual batch size cannot grow it.
type statements struct {
	db *sql.DB

	mu sync.Mutex
	m  map[string]*sql.Stmt
}

const maxStatements = 96

// in returns the statement for query (already in the dialect's form) bound
// to tx. The returned statement is closed with the transaction.
func (c *statements) in(ctx context.Context, tx *sql.Tx, query string) (*sql.Stmt, error) {
	c.mu.Lock()
	st, ok := c.m[query]
	full := len(c.m) >= maxStatements
	c.mu.Unlock()
	if ok {
		return tx.StmtContext(ctx, st), nil
	}
	if full {
		return tx.PrepareContext(ctx, query)
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if prev, dup := c.m[query]; dup { // prepared meanwhile by another caller
		st.Close()
		st = prev
	} else {
		if c.m == nil {
			c.m = map[string]*sql.Stmt{}
		}
		c.m[query] = st
	}
	c.mu.Unlock()
	return tx.StmtContext(ctx, st), nil
}

// close closes every cached statement.
func (c *statements) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.m {
		st.Close()
		delete(c.m, q)
	}
}
