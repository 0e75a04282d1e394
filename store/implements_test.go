package store_test

import (
	"masthead/assembly"
	"masthead/delivery"
	"masthead/scheduler"
	"masthead/store"
)

// The store implements the interfaces its users declare for what they need
// of the database; those packages do not import the store for them, so the
// checks are here.
var (
	_ delivery.Ledger       = (*store.Store)(nil)
	_ delivery.OutboxStore  = (*store.Store)(nil)
	_ scheduler.Store       = (*store.Store)(nil)
	_ scheduler.WorkerStore = (*store.Store)(nil)
	_ assembly.Store        = (*store.Store)(nil)
)
