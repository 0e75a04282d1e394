package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strings"

	"masthead/subscribers"
)

// SubscriberImport writes the rows of one CSV import (subscribers.Importer) to
// one publication. It holds one connection for the import's life, with a
// temporary table of the existing subscribers' addresses seen so far (see
// markDuplicates for how repeated addresses are found).
type SubscriberImport struct {
	s     *Store
	conn  *sql.Conn
	pubID int64
	// watermark is the highest subscriber id when the import began: higher
	// ids are new, and lines[id-watermark-1] says which line created each
	// (0: someone else, such as the subscribe form, during the import).
	watermark int64
	lines     []uint32
}

var _ subscribers.ImportSink = (*SubscriberImport)(nil)

// BeginImport starts an import into a publication. Close it when done.
func (s *Store) BeginImport(ctx context.Context, publicationID int64) (*SubscriberImport, error) {
	if publicationID == 0 {
		return nil, errors.New("an import needs a publication")
	}
	if _, err := s.Publication(ctx, publicationID); err != nil {
		return nil, fmt.Errorf("import into publication %d: %w", publicationID, err)
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	key := "BIGINT PRIMARY KEY"
	if s.dialect.name() == "sqlite" {
		key = "INTEGER PRIMARY KEY" // the rowid itself: one B-tree, not two
	}
	setup := []string{
		`CREATE TEMP TABLE IF NOT EXISTS import_seen (h ` + key + `, email TEXT NOT NULL, line BIGINT NOT NULL)`,
		`DELETE FROM import_seen`,
	}
	if s.dialect.name() == "sqlite" {
		// A bigger page cache for this connection only: each batch writes
		// all over a large list's email index (its addresses are sorted, but
		// spread over the whole alphabet), and with SQLite's default 2 MB
		// cache most inserts re-read index pages from the file.
		setup = append(setup, fmt.Sprintf(`PRAGMA main.cache_size = -%d`, importCacheKiB),
			fmt.Sprintf(`PRAGMA temp.cache_size = -%d`, importCacheKiB/4))
	}
	for _, q := range setup {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			conn.Close()
			return nil, fmt.Errorf("begin import: %w", err)
		}
	}
	im := &SubscriberImport{s: s, conn: conn, pubID: publicationID}
	if err := conn.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM subscribers`).Scan(&im.watermark); err != nil {
		conn.Close()
		return nil, fmt.Errorf("begin import: %w", err)
	}
	return im, nil
}

// importCacheKiB is the SQLite page cache of an import's connection (KiB).
const importCacheKiB = 64 << 10

// Close drops the import's temporary table and releases its connection.
func (im *SubscriberImport) Close() error {
	ctx := context.Background()
	_, err := im.conn.ExecContext(ctx, `DROP TABLE IF EXISTS import_seen`)
	if im.s.dialect.name() == "sqlite" && err == nil {
		_, err = im.conn.ExecContext(ctx, `PRAGMA main.cache_size = -2000`) // SQLite's default, for the pool
	}
	if cerr := im.conn.Close(); err == nil {
		err = cerr
	}
	return err
}

// WriteBatch writes rows in one transaction and sets each row's Outcome.
// Suppressed addresses are never written; people who unsubscribed are not
// subscribed again; an active subscription is never made pending again; an
// empty name or time zone keeps the stored one. So importing the same file twice changes
// nothing the second time.
func (im *SubscriberImport) WriteBatch(ctx context.Context, rows []subscribers.ImportRow) error {
	tx, err := im.conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := im.writeBatch(ctx, tx, rows); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// existingSub is what an import needs to know of a stored subscriber.
type existingSub struct {
	id     int64
	name   string
	zone   string
	status subscribers.Status
	sub    subscribers.Status // subscription to the import's publication; "" if none
}

// batchWrites gathers one batch's writes so each kind is one statement.
type batchWrites struct {
	renames   []any // id, name
	zones     []any // id, timezone
	subs      []any // subscriber_id, publication_id, status, created_at, updated_at
	events    []any // subscriber_id, publication_id, kind, via, detail, created_at
	unsubbed  []any // ids whose subscription ended: skip their queued deliveries
	recompute []any // ids whose status follows from changed subscriptions
}

func (w *batchWrites) event(id, pubID int64, kind subscribers.EventKind, detail string, now int64) {
	var pub any
	if pubID != 0 {
		pub = pubID
	}
	w.events = append(w.events, id, pub, string(kind), string(subscribers.ViaImport), detail, now)
}

func (im *SubscriberImport) writeBatch(ctx context.Context, tx *sql.Tx, rows []subscribers.ImportRow) error {
	s := im.s
	// Repeats within the batch.
	first := make(map[string]int, len(rows))
	live := make([]int, 0, len(rows))
	emails := make([]any, 0, len(rows))
	for i := range rows {
		r := &rows[i]
		if j, ok := first[r.Email]; ok {
			r.Outcome, r.FirstLine = subscribers.OutcomeDuplicate, rows[j].Line
			continue
		}
		first[r.Email] = i
		live = append(live, i)
		emails = append(emails, r.Email)
	}
	suppressed, err := im.suppressedOf(ctx, tx, emails)
	if err != nil {
		return err
	}
	// Create every address not suppressed; those already stored are left.
	now := ms(s.now())
	var w batchWrites
	var tryNew []int
	for _, i := range live {
		r := &rows[i]
		switch {
		case r.Status.Suppressed():
		case suppressed[r.Email] != subscribers.OutcomeNone:
			r.Outcome = suppressed[r.Email]
		default:
			tryNew = append(tryNew, i)
		}
	}
	if err := im.insertNew(ctx, tx, rows, tryNew, &w, now); err != nil {
		return err
	}
	// The others were stored already: repeats of earlier lines, or updates.
	var rest []int
	emails = emails[:0]
	for _, i := range live {
		if rows[i].Outcome == subscribers.OutcomeNone {
			rest = append(rest, i)
			emails = append(emails, rows[i].Email)
		}
	}
	existing, err := im.existingOf(ctx, tx, emails)
	if err != nil {
		return err
	}
	if rest, err = im.markRepeats(ctx, tx, rows, rest, existing); err != nil {
		return err
	}
	var suppressing []int
	for _, i := range rest {
		r := &rows[i]
		ex := existing[r.Email]
		switch {
		case r.Status.Suppressed():
			suppressing = append(suppressing, i)
		case ex == nil: // deleted meanwhile
			r.Outcome = subscribers.OutcomeUnchanged
		case ex.status.Suppressed():
			r.Outcome = subscribers.OutcomeSuppressed
		default:
			im.update(r, ex, &w, now)
		}
	}
	if err := im.apply(ctx, tx, &w, now); err != nil {
		return err
	}
	for _, i := range suppressing {
		if err := im.importSuppression(ctx, tx, &rows[i], existing[rows[i].Email]); err != nil {
			return err
		}
	}
	return nil
}

// insertNew creates, with one multi-row INSERT, the subscribers of the rows
// whose address is not stored yet, marks those rows Added and gathers their
// subscriptions and events. The other rows keep OutcomeNone.
func (im *SubscriberImport) insertNew(ctx context.Context, tx *sql.Tx, rows []subscribers.ImportRow, try []int, w *batchWrites, now int64) error {
	if len(try) == 0 {
		return nil
	}
	// In address order: the email index is then written from left to right
	// within the batch, each of its pages once, instead of at random. New
	// subscribers' ids so follow address order within a batch (file order
	// from one batch to the next); nothing reads the file's order from ids.
	// (`-bench BenchmarkImport`: 1,000,000 rows 23-28 s before, 19-22 s after.)
	slices.SortFunc(try, func(a, b int) int { return strings.Compare(rows[a].Email, rows[b].Email) })
	args := make([]any, 0, 6*len(try))
	for _, i := range try {
		args = append(args, rows[i].Email, rows[i].Name, string(rows[i].Status), rows[i].TimeZone, now, now)
	}
	ids := make(map[string]int64, len(try))
	err := im.s.queryBulk(ctx, tx, `INSERT INTO subscribers (email, name, status, timezone, created_at, updated_at)`, `(?, ?, ?, ?, ?, ?)`, args,
		`ON CONFLICT (email) DO NOTHING RETURNING id, email`, nil, func(r *sql.Rows) error {
			var id int64
			var email string
			err := r.Scan(&id, &email)
			ids[email] = id
			return err
		})
	if err != nil {
		return fmt.Errorf("import subscribers: %w", err)
	}
	for _, i := range try {
		r := &rows[i]
		id, ok := ids[r.Email]
		if !ok {
			continue
		}
		r.Outcome = subscribers.OutcomeAdded
		im.created(id, r.Line)
		kind := subscribers.EventSubscribed
		if r.Status == subscribers.Unsubscribed {
			kind = subscribers.EventUnsubscribed
		}
		w.subs = append(w.subs, id, im.pubID, string(r.Status), now, now)
		w.event(id, im.pubID, kind, string(r.Status), now)
	}
	return nil
}

// apply runs a batch's gathered writes, one statement (or a few) per kind.
func (im *SubscriberImport) apply(ctx context.Context, tx *sql.Tx, w *batchWrites, now int64) error {
	s := im.s
	steps := []struct {
		what string
		run  func() error
	}{
		{"names", func() error {
			return s.execBulk(ctx, tx, `WITH v (id, name) AS (`, `(CAST(? AS BIGINT), CAST(? AS TEXT))`, w.renames,
				`) UPDATE subscribers SET name = (SELECT v.name FROM v WHERE v.id = subscribers.id), updated_at = ?
				WHERE id IN (SELECT id FROM v)`, []any{now})
		}},
		{"time zones", func() error {
			return s.execBulk(ctx, tx, `WITH v (id, timezone) AS (`, `(CAST(? AS BIGINT), CAST(? AS TEXT))`, w.zones,
				`) UPDATE subscribers SET timezone = (SELECT v.timezone FROM v WHERE v.id = subscribers.id), updated_at = ?
				WHERE id IN (SELECT id FROM v)`, []any{now})
		}},
		{"subscriptions", func() error {
			return s.execBulk(ctx, tx, `INSERT INTO subscriptions (subscriber_id, publication_id, status, created_at, updated_at)`,
				`(?, ?, ?, ?, ?)`, w.subs, `ON CONFLICT (subscriber_id, publication_id)
				DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at, confirm_timezone = ''`, nil)
		}},
		{"events", func() error {
			return s.execBulk(ctx, tx, `INSERT INTO subscriber_events (subscriber_id, publication_id, kind, via, detail, created_at)`,
				`(?, ?, ?, ?, ?, ?)`, w.events, ``, nil)
		}},
		{"queued deliveries", func() error {
			return s.execIn(ctx, tx, `UPDATE deliveries SET status = 'skipped' WHERE status = 'queued'
				AND issue_id IN (SELECT id FROM issues WHERE publication_id = ?) AND subscriber_id IN`, []any{im.pubID}, w.unsubbed)
		}},
		{"statuses", func() error {
			return s.execIn(ctx, tx, `UPDATE subscribers SET updated_at = ?, status =
				CASE WHEN EXISTS (SELECT 1 FROM subscriptions WHERE subscriber_id = subscribers.id AND status = 'active') THEN 'active'
				     WHEN EXISTS (SELECT 1 FROM subscriptions WHERE subscriber_id = subscribers.id AND status = 'pending') THEN 'pending'
				     ELSE 'unsubscribed' END
				WHERE status NOT IN ('bounced', 'complained') AND id IN`, []any{now}, w.recompute)
		}},
	}
	for _, step := range steps {
		if err := step.run(); err != nil {
			return fmt.Errorf("import %s: %w", step.what, err)
		}
	}
	return nil
}

// markRepeats marks the rows (indexes into rows, of addresses already stored,
// with existing their subscribers) whose address came earlier in the file,
// and returns the others. Within a batch the caller finds repeats with a map;
// across batches, without holding the file in memory:
//   - a subscriber this import created is known by its id: lines records the
//     line that created each new id (4 bytes per new subscriber);
//   - a subscriber that existed before is looked up in the temporary table
//     import_seen, keyed by a 64-bit hash of the address (an integer key is
//     several times cheaper to index than the text); the stored address tells
//     a real repeat from a hash collision.
func (im *SubscriberImport) markRepeats(ctx context.Context, tx *sql.Tx, rows []subscribers.ImportRow, idx []int, existing map[string]*existingSub) ([]int, error) {
	var hashes []any // of rows whose subscriber existed before the import
	for _, i := range idx {
		r := &rows[i]
		ex := existing[r.Email]
		switch {
		case ex == nil:
		case im.createdLine(ex.id) > 0:
			r.Outcome, r.FirstLine = subscribers.OutcomeDuplicate, im.createdLine(ex.id)
		case ex.id <= im.watermark:
			hashes = append(hashes, emailHash(r.Email))
		}
	}
	if len(hashes) > 0 {
		seen := make(map[string]int) // address -> line it first appeared on
		err := im.s.queryIn(ctx, tx, `SELECT email, line FROM import_seen WHERE h IN`, nil, hashes, func(r *sql.Rows) error {
			var email string
			var line int
			err := r.Scan(&email, &line)
			seen[email] = line
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("import duplicates: %w", err)
		}
		args := make([]any, 0, 3*len(hashes))
		for _, i := range idx {
			r := &rows[i]
			if ex := existing[r.Email]; ex == nil || ex.id > im.watermark {
				continue
			}
			if line, ok := seen[r.Email]; ok {
				r.Outcome, r.FirstLine = subscribers.OutcomeDuplicate, line
				continue
			}
			args = append(args, emailHash(r.Email), r.Email, r.Line)
		}
		err = im.s.execBulk(ctx, tx, `INSERT INTO import_seen (h, email, line)`, `(?, ?, ?)`, args, `ON CONFLICT (h) DO NOTHING`, nil)
		if err != nil {
			return nil, fmt.Errorf("import duplicates: %w", err)
		}
	}
	out := idx[:0]
	for _, i := range idx {
		if rows[i].Outcome != subscribers.OutcomeDuplicate {
			out = append(out, i)
		}
	}
	return out, nil
}

// created records that this import created subscriber id from line.
func (im *SubscriberImport) created(id int64, line int) {
	k := id - im.watermark - 1
	if k < 0 || line <= 0 || line > math.MaxUint32 {
		return
	}
	if k >= int64(len(im.lines)) {
		im.lines = append(im.lines, make([]uint32, k-int64(len(im.lines))+1)...)
	}
	im.lines[k] = uint32(line)
}

// createdLine is the line that created subscriber id in this import, 0 if
// this import did not create it.
func (im *SubscriberImport) createdLine(id int64) int {
	k := id - im.watermark - 1
	if k < 0 || k >= int64(len(im.lines)) {
		return 0
	}
	return int(im.lines[k])
}

// emailHash is FNV-1a, 64 bits, as a signed integer key.
func emailHash(email string) int64 {
	h := fnv.New64a()
	h.Write([]byte(email))
	return int64(h.Sum64())
}

// suppressedOf is the batch's suppressed addresses: suppressed, or erased
// (their keyed hash is). The hashes are looked up only once an address was
// erased at all (hasErasures, one key read per batch), so that imports into
// a database where nobody was erased cost what they did.
// suppressedOf maps each suppressed address of emails to its outcome:
// OutcomeSuppressed, or OutcomeErased when only its keyed hash is kept.
func (im *SubscriberImport) suppressedOf(ctx context.Context, tx *sql.Tx, emails []any) (map[string]subscribers.ImportOutcome, error) {
	erasures, err := im.s.hasErasures(ctx, tx)
	if err != nil {
		return nil, err
	}
	forms := emails
	var erasedOf map[string]string
	if erasures {
		key, err := im.s.erasureKeyIn(ctx, tx)
		if err != nil {
			return nil, err
		}
		forms = make([]any, 0, 2*len(emails))
		erasedOf = make(map[string]string, len(emails))
		for _, e := range emails {
			f := subscribers.ErasedForm(key, e.(string))
			erasedOf[f] = e.(string)
			forms = append(forms, e, f)
		}
	}
	out := map[string]subscribers.ImportOutcome{}
	err = im.s.queryIn(ctx, tx, `SELECT email FROM suppressions WHERE email IN`, nil, forms, func(r *sql.Rows) error {
		var email string
		err := r.Scan(&email)
		outcome := subscribers.OutcomeSuppressed
		if clear, ok := erasedOf[email]; ok {
			email, outcome = clear, subscribers.OutcomeErased
		}
		if out[email] != subscribers.OutcomeSuppressed {
			out[email] = outcome
		}
		return err
	})
	return out, err
}

func (im *SubscriberImport) existingOf(ctx context.Context, tx *sql.Tx, emails []any) (map[string]*existingSub, error) {
	out := make(map[string]*existingSub)
	err := im.s.queryIn(ctx, tx, `SELECT s.email, s.id, s.name, s.timezone, s.status, COALESCE(sub.status, '')
		FROM subscribers s LEFT JOIN subscriptions sub ON sub.subscriber_id = s.id AND sub.publication_id = ?
		WHERE s.email IN`, []any{im.pubID}, emails, func(r *sql.Rows) error {
		var email string
		var ex existingSub
		err := r.Scan(&email, &ex.id, &ex.name, &ex.zone, &ex.status, &ex.sub)
		out[email] = &ex
		return err
	})
	return out, err
}

// update decides what one row changes of an existing subscriber and gathers
// the writes.
func (im *SubscriberImport) update(r *subscribers.ImportRow, ex *existingSub, w *batchWrites, now int64) {
	changed := false
	if r.Name != "" && r.Name != ex.name {
		w.renames = append(w.renames, ex.id, r.Name)
		w.event(ex.id, 0, subscribers.EventRenamed, "", now)
		changed = true
	}
	if r.TimeZone != "" && r.TimeZone != ex.zone {
		w.zones = append(w.zones, ex.id, r.TimeZone)
		w.event(ex.id, 0, subscribers.EventTimeZone, r.TimeZone, now)
		changed = true
	}
	var to subscribers.Status
	kind := subscribers.EventSubscribed
	switch {
	case r.Status == ex.sub:
	case ex.sub == subscribers.Unsubscribed:
		// They left; an import is not their consent to come back.
		if !changed {
			r.Outcome = subscribers.OutcomeKeptUnsubscribed
			return
		}
	case r.Status == subscribers.Unsubscribed:
		to, kind = subscribers.Unsubscribed, subscribers.EventUnsubscribed
		w.unsubbed = append(w.unsubbed, ex.id)
	case r.Status == subscribers.Active:
		to = subscribers.Active
		if ex.sub == subscribers.Pending {
			kind = subscribers.EventConfirmed
		}
	case ex.sub == "": // pending asked, no subscription yet
		to = subscribers.Pending
	}
	if to != "" {
		w.subs = append(w.subs, ex.id, im.pubID, string(to), now, now)
		w.event(ex.id, im.pubID, kind, string(to), now)
		w.recompute = append(w.recompute, ex.id)
		changed = true
	}
	r.Outcome = subscribers.OutcomeUnchanged
	if changed {
		r.Outcome = subscribers.OutcomeUpdated
	}
}

// importSuppression takes a row whose status is bounced or complained (a
// suppression list from another system): the address is suppressed.
func (im *SubscriberImport) importSuppression(ctx context.Context, tx *sql.Tx, r *subscribers.ImportRow, ex *existingSub) error {
	s := im.s
	if ex != nil && ex.status == r.Status {
		r.Outcome = subscribers.OutcomeUnchanged
		return nil
	}
	r.Outcome = subscribers.OutcomeUpdated
	if ex == nil {
		now := ms(s.now())
		var id int64
		if err := tx.QueryRowContext(ctx, s.q(`INSERT INTO subscribers (email, name, status, timezone, created_at, updated_at)
			VALUES (?, ?, 'unsubscribed', ?, ?, ?) RETURNING id`), r.Email, r.Name, r.TimeZone, now, now).Scan(&id); err != nil {
			return fmt.Errorf("line %d: %w", r.Line, err)
		}
		r.Outcome = subscribers.OutcomeAdded
		im.created(id, r.Line)
	}
	return s.suppressTx(ctx, tx, r.Email, r.Status, subscribers.ViaImport, fmt.Sprintf("imported as %s", r.Status), 0)
}
