package store

import (
	"context"
	"errors"
	"fmt"
)

// ErrNotMigrated is returned by Ready when the database's schema is older than
// this build's (another process is still migrating it).
var ErrNotMigrated = errors.New("database schema is not up to date")

// Ready reports whether the database answers and its schema is at this
// build's version; the web server's /readyz asks it.
func (s *Store) Ready(ctx context.Context) error {
	if err := s.Ping(ctx); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	v, err := s.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("schema version: %w", err)
	}
	if v < len(migrations) {
		return fmt.Errorf("%w: at version %d of %d", ErrNotMigrated, v, len(migrations))
	}
	return nil
}
