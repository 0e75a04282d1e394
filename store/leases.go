package store

import (
	"context"
	"fmt"
	"time"
)

// AcquireLease takes the named lease for owner until now+ttl, or renews it when
// owner holds it already. It reports whether owner holds the lease afterwards:
// false means another owner holds it and its time has not run out. Leases make
// one process the leader for a job (the scheduler's fires); they are an
// optimisation, not a guarantee, so what they guard must be safe without them.
func (s *Store) AcquireLease(ctx context.Context, name, owner string, ttl time.Duration) (bool, error) {
	now := s.now()
	res, err := s.db.ExecContext(ctx, s.q(`INSERT INTO leases (name, owner, until) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until
		WHERE leases.owner = excluded.owner OR leases.until < ?`), name, owner, ms(now.Add(ttl)), ms(now))
	if err != nil {
		return false, fmt.Errorf("acquire lease %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("acquire lease %s: %w", name, err)
	}
	return n > 0, nil
}

// RenewLease extends a lease owner holds; it is AcquireLease by another name,
// for readability at the call site.
func (s *Store) RenewLease(ctx context.Context, name, owner string, ttl time.Duration) (bool, error) {
	return s.AcquireLease(ctx, name, owner, ttl)
}

// ReleaseLease gives up a lease owner holds, so another process can take it
// at once instead of waiting for it to run out.
func (s *Store) ReleaseLease(ctx context.Context, name, owner string) error {
	if _, err := s.db.ExecContext(ctx, s.q(`DELETE FROM leases WHERE name = ? AND owner = ?`), name, owner); err != nil {
		return fmt.Errorf("release lease %s: %w", name, err)
	}
	return nil
}

// LeaseHolder returns who holds the named lease and until when; ErrNotFound
// when nobody ever took it or it was released.
func (s *Store) LeaseHolder(ctx context.Context, name string) (owner string, until time.Time, err error) {
	var u int64
	err = s.db.QueryRowContext(ctx, s.q(`SELECT owner, until FROM leases WHERE name = ?`), name).Scan(&owner, &u)
	if err != nil {
		return "", time.Time{}, s.mapErr(err)
	}
	return owner, fromMS(u), nil
}
