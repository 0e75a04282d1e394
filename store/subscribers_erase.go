package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"

	"masthead/subscribers"
)

// Erasure (GDPR art. 17) of an address: the subscriber, their subscriptions
// (and with them their place in the confirmation queue), their history,
// their click records, stored copies of the messages sent to them and the
// bounce reports about them are deleted; their rows of the delivery ledger
// are kept for the issues' counts but lose the address, the name and the
// server's reply (which may quote the address), and their subscriber id is
// negated, so that no subscriber, now or later, has them. One suppression
// stays, keyed by subscribers.ErasedForm, which AddSubscriber, imports,
// Suppress and ApplyBounceReport check.

// erasureKey is the key of the erased addresses' hashes: the one set by
// SetErasureKey, else the database's own secret (Secret), read once.
type erasureKey struct {
	mu  sync.Mutex
	key []byte
}

// SetErasureKey sets the key erased addresses are hashed with: the
// installation's secret when it comes from outside the database
// (MASTHEAD_SECRET); without it the store uses its own (Secret). The key
// must not change: an address erased under another key is no longer known.
func (s *Store) SetErasureKey(key []byte) {
	s.erasure.mu.Lock()
	defer s.erasure.mu.Unlock()
	s.erasure.key = append([]byte(nil), key...)
}

// erasedForm is the stored form of an erased normalised address, read
// through q (a transaction or the database). Without a key set, the key is
// the database's secret, made here if there is none yet (in q's
// transaction: it is remembered only once read back from the database, so a
// transaction rolled back forgets it too).
func (s *Store) erasedForm(ctx context.Context, q querier, norm string) (string, error) {
	key, err := s.erasureKeyIn(ctx, q)
	if err != nil {
		return "", err
	}
	return subscribers.ErasedForm(key, norm), nil
}

func (s *Store) erasureKeyIn(ctx context.Context, q querier) ([]byte, error) {
	s.erasure.mu.Lock()
	defer s.erasure.mu.Unlock()
	if s.erasure.key != nil {
		return s.erasure.key, nil
	}
	var v string
	err := q.QueryRowContext(ctx, s.q(`SELECT value FROM settings WHERE key = ?`), "secret").Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		if _, err := q.ExecContext(ctx, s.q(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`),
			"secret", hex.EncodeToString(b)); err != nil {
			return nil, fmt.Errorf("store secret: %w", err)
		}
		if err := q.QueryRowContext(ctx, s.q(`SELECT value FROM settings WHERE key = ?`), "secret").Scan(&v); err != nil {
			return nil, fmt.Errorf("erasure key: %w", err)
		}
		return hex.DecodeString(v)
	}
	if err != nil {
		return nil, fmt.Errorf("erasure key: %w", err)
	}
	key, err := hex.DecodeString(v)
	if err != nil {
		return nil, fmt.Errorf("erasure key: %w", err)
	}
	s.erasure.key = key
	return key, nil
}

// EraseSubscriber erases an address in one transaction (see above) and says
// what it removed. Erasing an address that was erased before, or that no
// table holds, gives ErrNotFound and changes nothing.
func (s *Store) EraseSubscriber(ctx context.Context, email string) (subscribers.Erasure, error) {
	out := subscribers.Erasure{}
	norm, err := subscribers.Normalize(email)
	if err != nil {
		return out, fmt.Errorf("%q: %w", email, err)
	}
	out.Email = norm
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		out = subscribers.Erasure{Email: norm}
		erased, err := s.erasedForm(ctx, tx, norm)
		if err != nil {
			return err
		}
		sub, err := s.subscriberByEmail(ctx, tx, norm)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		id := int64(0)
		if sub != nil {
			id = sub.ID
			out.SubscriberID = id
		}
		var dropped, lifted int
		steps := []struct {
			n     *int
			query string
			args  []any
		}{
			{&out.Skipped, `UPDATE deliveries SET status = 'skipped' WHERE (subscriber_id = ? OR email = ?) AND status = 'queued'`, []any{id, norm}},
			{&out.Deliveries, `UPDATE deliveries SET subscriber_id = -ABS(subscriber_id), email = '', name = '', last_reply = ''
				WHERE subscriber_id = ? OR email = ?`, []any{id, norm}},
			{&out.Outbox, `DELETE FROM outbox WHERE LOWER(recipient) = ?`, []any{norm}},
			{&out.BounceReports, `DELETE FROM bounce_reports WHERE email = ?`, []any{norm}},
			{&out.Clicks, `DELETE FROM engagement_readers WHERE subscriber_id = ?`, []any{id}},
			{&out.Events, `DELETE FROM subscriber_events WHERE subscriber_id = ?`, []any{id}},
			{&out.Subscriptions, `DELETE FROM subscriptions WHERE subscriber_id = ?`, []any{id}},
			{&dropped, `DELETE FROM subscribers WHERE id = ?`, []any{id}},
			{&lifted, `DELETE FROM suppressions WHERE email = ?`, []any{norm}},
		}
		for _, st := range steps {
			res, err := tx.ExecContext(ctx, s.q(st.query), st.args...)
			if err != nil {
				return fmt.Errorf("erase %s: %w", norm, err)
			}
			n, _ := res.RowsAffected()
			*st.n = int(n)
		}
		out.Suppression = lifted > 0
		if id == 0 && lifted == 0 && out.Deliveries == 0 && out.Outbox == 0 && out.BounceReports == 0 {
			return fmt.Errorf("%s: no subscriber or record of the address (erased before?): %w", norm, ErrNotFound)
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO suppressions (email, reason, detail, created_at, issue_id)
			VALUES (?, ?, '', ?, 0) ON CONFLICT (email) DO NOTHING`), erased, string(subscribers.Erased), ms(s.now()))
		if err != nil {
			return fmt.Errorf("keep the erased address's suppression: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO settings (key, value) VALUES (?, '1') ON CONFLICT (key) DO NOTHING`),
			erasuresKey); err != nil {
			return fmt.Errorf("note the erasure: %w", err)
		}
		return nil
	})
	if err != nil {
		return subscribers.Erasure{Email: norm}, err
	}
	return out, nil
}

// erasuresKey is the setting present once an address was erased: imports
// look up the erased forms of their addresses only then.
const erasuresKey = "erasures"

// hasErasures reports whether any address was ever erased.
func (s *Store) hasErasures(ctx context.Context, q querier) (bool, error) {
	var v string
	err := q.QueryRowContext(ctx, s.q(`SELECT value FROM settings WHERE key = ?`), erasuresKey).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("erasures: %w", err)
	}
	return true, nil
}

// wasErased reports whether the normalised address was erased: its keyed
// hash is suppressed. A report or a bounce of such an address is not
// recorded (it would write the address in clear again).
func (s *Store) wasErased(ctx context.Context, q querier, norm string) (bool, error) {
	erased, err := s.erasedForm(ctx, q, norm)
	if err != nil {
		return false, err
	}
	var n int
	err = q.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM suppressions WHERE email = ?`), erased).Scan(&n)
	return n > 0, err
}
