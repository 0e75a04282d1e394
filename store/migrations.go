package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// migrations is the ordered schema history. Entry i brings the schema to version
// i+1; each runs in its own transaction together with its version bump. Never edit
// or reorder an entry that has shipped: append a new one.
//
// The SQL is portable between the dialects: {{pk}} is an auto-assigned 64-bit
// primary key and {{blob}} a byte string; times are Unix milliseconds (BIGINT);
// dates are 'YYYY-MM-DD' text; booleans are 0/1 integers. A statement that
// starts with {{sqlite}} or {{postgres}} runs on that database only.
var migrations = [][]string{
	// 1: the base schema.
	{
		`CREATE TABLE settings (
			key   TEXT PRIMARY KEY,
			value TEXT NOT NULL
		)`,
		`CREATE TABLE publications (
			id                 {{pk}},
			slug               TEXT NOT NULL UNIQUE,
			name               TEXT NOT NULL,
			tagline            TEXT NOT NULL DEFAULT '',
			from_addr          TEXT NOT NULL,
			reply_to           TEXT NOT NULL DEFAULT '',
			postal_address     TEXT NOT NULL DEFAULT '',
			timezone           TEXT NOT NULL DEFAULT 'UTC',
			schedule           TEXT NOT NULL DEFAULT '',
			volume_start       TEXT NOT NULL,
			numbering          TEXT NOT NULL DEFAULT 'calendar',
			copyright          TEXT NOT NULL DEFAULT '',
			sections           TEXT NOT NULL DEFAULT '',
			template_dir       TEXT NOT NULL DEFAULT '',
			unsubscribe_mailto TEXT NOT NULL DEFAULT '',
			empty_policy       TEXT NOT NULL DEFAULT 'skip',
			created_at         BIGINT NOT NULL,
			updated_at         BIGINT NOT NULL
		)`,
		`CREATE TABLE articles (
			id             {{pk}},
			publication_id BIGINT NOT NULL REFERENCES publications(id) ON DELETE CASCADE,
			issue_date     TEXT NOT NULL,
			section        TEXT NOT NULL DEFAULT '',
			position       INTEGER NOT NULL DEFAULT 0,
			title          TEXT NOT NULL,
			deck           TEXT NOT NULL DEFAULT '',
			author         TEXT NOT NULL DEFAULT '',
			body           TEXT NOT NULL DEFAULT '',
			status         TEXT NOT NULL DEFAULT 'ready',
			created_at     BIGINT NOT NULL,
			updated_at     BIGINT NOT NULL
		)`,
		`CREATE INDEX articles_by_date ON articles (publication_id, issue_date, status)`,
		`CREATE TABLE issues (
			id                 {{pk}},
			publication_id     BIGINT NOT NULL REFERENCES publications(id) ON DELETE CASCADE,
			issue_date         TEXT NOT NULL,
			volume             INTEGER NOT NULL,
			number             INTEGER NOT NULL,
			numbers_overridden INTEGER NOT NULL DEFAULT 0,
			status             TEXT NOT NULL,
			subject            TEXT NOT NULL DEFAULT '',
			content            TEXT NOT NULL DEFAULT '',
			html               TEXT NOT NULL DEFAULT '',
			text_body          TEXT NOT NULL DEFAULT '',
			send_at            BIGINT NOT NULL DEFAULT 0,
			assembled_at       BIGINT NOT NULL DEFAULT 0,
			started_at         BIGINT NOT NULL DEFAULT 0,
			finished_at        BIGINT NOT NULL DEFAULT 0,
			created_at         BIGINT NOT NULL,
			updated_at         BIGINT NOT NULL,
			UNIQUE (publication_id, issue_date)
		)`,
		`CREATE INDEX issues_by_status ON issues (status, send_at)`,
		`CREATE TABLE subscribers (
			id           {{pk}},
			email        TEXT NOT NULL UNIQUE,
			name         TEXT NOT NULL DEFAULT '',
			status       TEXT NOT NULL,
			soft_bounces INTEGER NOT NULL DEFAULT 0,
			created_at   BIGINT NOT NULL,
			updated_at   BIGINT NOT NULL
		)`,
		`CREATE TABLE subscriptions (
			subscriber_id  BIGINT NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
			publication_id BIGINT NOT NULL REFERENCES publications(id) ON DELETE CASCADE,
			status         TEXT NOT NULL,
			created_at     BIGINT NOT NULL,
			updated_at     BIGINT NOT NULL,
			PRIMARY KEY (subscriber_id, publication_id)
		)`,
		`CREATE INDEX subscriptions_audience ON subscriptions (publication_id, status, subscriber_id)`,
		`CREATE TABLE subscriber_events (
			id             {{pk}},
			subscriber_id  BIGINT NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
			publication_id BIGINT,
			kind           TEXT NOT NULL,
			via            TEXT NOT NULL,
			detail         TEXT NOT NULL DEFAULT '',
			created_at     BIGINT NOT NULL
		)`,
		`CREATE INDEX subscriber_events_by_subscriber ON subscriber_events (subscriber_id, id)`,
		`CREATE TABLE suppressions (
			email      TEXT PRIMARY KEY,
			reason     TEXT NOT NULL,
			detail     TEXT NOT NULL DEFAULT '',
			created_at BIGINT NOT NULL
		)`,
		`CREATE TABLE deliveries (
			id              {{pk}},
			issue_id        BIGINT NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
			subscriber_id   BIGINT NOT NULL,
			email           TEXT NOT NULL,
			name            TEXT NOT NULL DEFAULT '',
			status          TEXT NOT NULL,
			attempts        INTEGER NOT NULL DEFAULT 0,
			next_attempt_at BIGINT NOT NULL DEFAULT 0,
			lease_owner     TEXT NOT NULL DEFAULT '',
			lease_until     BIGINT NOT NULL DEFAULT 0,
			last_code       INTEGER NOT NULL DEFAULT 0,
			last_reply      TEXT NOT NULL DEFAULT '',
			accepted_at     BIGINT NOT NULL DEFAULT 0,
			message_id      TEXT NOT NULL,
			UNIQUE (issue_id, subscriber_id)
		)`,
		`CREATE INDEX deliveries_due ON deliveries (issue_id, status, next_attempt_at)`,
		`CREATE INDEX deliveries_by_email ON deliveries (email)`,
		`CREATE TABLE outbox (
			id          {{pk}},
			issue_id    BIGINT,
			delivery_id BIGINT,
			recipient   TEXT NOT NULL,
			subject     TEXT NOT NULL,
			message_id  TEXT NOT NULL,
			raw         {{blob}} NOT NULL,
			created_at  BIGINT NOT NULL
		)`,
		`CREATE TABLE users (
			id            {{pk}},
			email         TEXT NOT NULL UNIQUE,
			password_hash TEXT NOT NULL,
			role          TEXT NOT NULL,
			created_at    BIGINT NOT NULL
		)`,
		`CREATE TABLE sessions (
			token_hash TEXT PRIMARY KEY,
			user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
			csrf       TEXT NOT NULL,
			expires_at BIGINT NOT NULL,
			created_at BIGINT NOT NULL
		)`,
		`CREATE TABLE api_tokens (
			id           {{pk}},
			user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
			name         TEXT NOT NULL DEFAULT '',
			token_hash   TEXT NOT NULL UNIQUE,
			created_at   BIGINT NOT NULL,
			last_used_at BIGINT NOT NULL DEFAULT 0
		)`,
		`CREATE TABLE leases (
			name  TEXT PRIMARY KEY,
			owner TEXT NOT NULL,
			until BIGINT NOT NULL
		)`,
	},
	// 2: deliveries remember when their first attempt failed, for the give-up time.
	{`ALTER TABLE deliveries ADD COLUMN first_attempt_at BIGINT NOT NULL DEFAULT 0`},
	// 3: the scheduler records each daily fire per (publication, date) and what
	// it decided, so a fire is acted on once across restarts and processes.
	{`CREATE TABLE schedule_runs (
			publication_id BIGINT NOT NULL REFERENCES publications(id) ON DELETE CASCADE,
			issue_date     TEXT NOT NULL,
			fire_at        BIGINT NOT NULL,
			decision       TEXT NOT NULL,
			detail         TEXT NOT NULL DEFAULT '',
			owner          TEXT NOT NULL DEFAULT '',
			until          BIGINT NOT NULL DEFAULT 0,
			created_at     BIGINT NOT NULL,
			updated_at     BIGINT NOT NULL,
			PRIMARY KEY (publication_id, issue_date)
		)`},
	// 4: bounce and complaint reports applied, one row per (report, address), so
	// a report read twice (a mailbox polled again) is applied once.
	{`CREATE TABLE bounce_reports (
			report_id  TEXT NOT NULL,
			email      TEXT NOT NULL,
			kind       TEXT NOT NULL,
			detail     TEXT NOT NULL DEFAULT '',
			created_at BIGINT NOT NULL,
			PRIMARY KEY (report_id, email)
		)`},
	// 5: rate limits shared by every process of one database: the next free
	// send slot of each limit, in microseconds (see store.ReserveRate).
	{`CREATE TABLE rate_limits (
			name    TEXT PRIMARY KEY,
			next_at BIGINT NOT NULL
		)`},
	// 6: a subscriber's page lists their deliveries across issues.
	{`CREATE INDEX deliveries_by_subscriber ON deliveries (subscriber_id, id)`},
	// 7: the web archive lists public issues newest first (of every
	// publication, or of one) from an index alone, without reading any
	// issue's row and its bodies.
	{
		`CREATE INDEX issues_public ON issues (status, issue_date, publication_id, volume, number, subject)`,
		`CREATE INDEX issues_public_by_publication ON issues (publication_id, issue_date, status, volume, number, subject)`,
	},
	// 8: claims find an issue's due rows in ledger order without walking the
	// rows already sent (on PostgreSQL a claim otherwise reads every row of
	// the issue once the send is under way).
	{`CREATE INDEX deliveries_claim ON deliveries (issue_id, id) WHERE status IN ('queued', 'sending')`},
	// 9: one word per suppression reason, the subscriber status it stands
	// for: the delivery engine's bounces used to write 'bounce'.
	{
		`UPDATE suppressions SET reason = 'bounced' WHERE reason = 'bounce'`,
		`UPDATE suppressions SET reason = 'complained' WHERE reason = 'complaint'`,
	},
	// 10: an issue remembers the transport its send was started with
	// ("outbox", "smtp://host:port"), and only processes sending through that
	// transport claim its rows. Empty (sends started before): any process.
	{`ALTER TABLE issues ADD COLUMN transport TEXT NOT NULL DEFAULT ''`},
	// 11: the confirmation queue. A pending subscription whose confirmation
	// email has not gone out (confirm_sent_at 0) is sent by serve's
	// confirmation loop, which leases it (confirm_lease_until) while sending.
	// Pending subscriptions from before: those made on the subscribe form
	// were emailed at once, the others (editors, imports, the API) never were
	// and are queued now.
	{
		`ALTER TABLE subscriptions ADD COLUMN confirm_sent_at BIGINT NOT NULL DEFAULT 0`,
		`ALTER TABLE subscriptions ADD COLUMN confirm_lease_until BIGINT NOT NULL DEFAULT 0`,
		`UPDATE subscriptions SET confirm_sent_at = updated_at WHERE status = 'pending' AND EXISTS (
			SELECT 1 FROM subscriber_events e WHERE e.subscriber_id = subscriptions.subscriber_id
				AND e.publication_id = subscriptions.publication_id AND e.kind = 'subscribed' AND e.via = 'form')`,
		`CREATE INDEX subscriptions_confirm_queue ON subscriptions (subscriber_id, publication_id)
			WHERE status = 'pending' AND confirm_sent_at = 0`,
	},
	// 12: an issue's counts by status (the progress view, issue status, the
	// end of a run) read the index alone instead of every row of the ledger:
	// attempts joins the due index, which every status change rewrites anyway.
	{
		`DROP INDEX deliveries_due`,
		`CREATE INDEX deliveries_due ON deliveries (issue_id, status, next_attempt_at, attempts)`,
	},
	// 13: a send the engine paused by itself says why (the relay refuses our
	// mail), until it is resumed; a suppression made by a send's own
	// bounces remembers the issue, so that an editor can lift every
	// suppression one send caused at once (a relay that refused everyone).
	{
		`ALTER TABLE issues ADD COLUMN pause_reason TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE suppressions ADD COLUMN issue_id BIGINT NOT NULL DEFAULT 0`,
		`CREATE INDEX suppressions_by_issue ON suppressions (issue_id) WHERE issue_id <> 0`,
	},
	// 14: what readers did (engagement). issue_links is an issue's link
	// table, stored when its send starts and before its first message;
	// engagement_counts adds clicks and opens per (issue, link, hour),
	// automatic ones apart, and names no one; engagement_readers holds a
	// subscriber's clicks only for publications that chose per-subscriber
	// figures, and only for their retention period. The publication's
	// settings: per-subscriber figures (off), their retention in days, and
	// the tracking image (off).
	{
		`CREATE TABLE issue_links (
			issue_id BIGINT NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
			idx      INTEGER NOT NULL,
			url      TEXT NOT NULL,
			text     TEXT NOT NULL DEFAULT '',
			anchor   TEXT NOT NULL DEFAULT '',
			PRIMARY KEY (issue_id, idx)
		)`,
		`CREATE TABLE engagement_counts (
			publication_id BIGINT NOT NULL,
			issue_id       BIGINT NOT NULL,
			kind           INTEGER NOT NULL,
			link           INTEGER NOT NULL,
			hour           BIGINT NOT NULL,
			automatic      INTEGER NOT NULL,
			events         BIGINT NOT NULL DEFAULT 0,
			readers        BIGINT NOT NULL DEFAULT 0,
			issue_readers  BIGINT NOT NULL DEFAULT 0,
			PRIMARY KEY (publication_id, issue_id, kind, link, hour, automatic)
		)`,
		`CREATE INDEX engagement_counts_by_issue ON engagement_counts (issue_id, hour)`,
		`CREATE TABLE engagement_readers (
			publication_id BIGINT NOT NULL,
			issue_id       BIGINT NOT NULL,
			subscriber_id  BIGINT NOT NULL,
			kind           INTEGER NOT NULL,
			link           INTEGER NOT NULL,
			hour           BIGINT NOT NULL,
			automatic      INTEGER NOT NULL
		)`,
		`CREATE INDEX engagement_readers_by_hour ON engagement_readers (publication_id, hour)`,
		`ALTER TABLE publications ADD COLUMN per_subscriber_figures INTEGER NOT NULL DEFAULT 0`,
		`ALTER TABLE publications ADD COLUMN figures_retention_days INTEGER NOT NULL DEFAULT 90`,
		`ALTER TABLE publications ADD COLUMN track_opens INTEGER NOT NULL DEFAULT 0`,
	},
	// 15: signup from the newsroom's own site and the welcome email. The
	// publication's signup origins (newline-separated), the page readers
	// land on after confirming, and its welcome email (off). A subscription
	// confirmed while the welcome email is on is due one (welcome_due 1,
	// set in the confirming transaction); the sender leases it
	// (welcome_lease_until) while sending and marks it sent (welcome_due 0,
	// welcome_sent_at).
	{
		`ALTER TABLE publications ADD COLUMN signup_origins TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE publications ADD COLUMN signup_confirmed_url TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE publications ADD COLUMN welcome_email INTEGER NOT NULL DEFAULT 0`,
		`ALTER TABLE publications ADD COLUMN welcome_subject TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE publications ADD COLUMN welcome_body TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE subscriptions ADD COLUMN welcome_due INTEGER NOT NULL DEFAULT 0`,
		`ALTER TABLE subscriptions ADD COLUMN welcome_lease_until BIGINT NOT NULL DEFAULT 0`,
		`ALTER TABLE subscriptions ADD COLUMN welcome_sent_at BIGINT NOT NULL DEFAULT 0`,
		`CREATE INDEX subscriptions_welcome_queue ON subscriptions (subscriber_id, publication_id) WHERE welcome_due = 1`,
	},
	// 16: an article's key names it for good within its publication (an
	// article file's key:, a feed item's GUID, or "a" and its id when none
	// is given): imports and feeds update the article with their key, no
	// longer the one with their date and headline. The articles stored
	// before get the key masthead assigns, so every one of them stays.
	{
		`ALTER TABLE articles ADD COLUMN article_key TEXT NOT NULL DEFAULT ''`,
		`UPDATE articles SET article_key = 'a' || CAST(id AS TEXT)`,
		`CREATE UNIQUE INDEX articles_by_key ON articles (publication_id, article_key)`,
	},
	// 17: pictures. media keeps each uploaded image once, by the SHA-256 of
	// its bytes, with its alt text and caption; media_renditions the sizes
	// made for showing it (re-encoded, metadata stripped), served by the web
	// edition under /media/{sha256}-{width}.{ext}. Both live in the database
	// so that a backup or a move to PostgreSQL carries them. An article's
	// lead image names a picture by its SHA-256, with the article's own alt
	// text.
	{
		`CREATE TABLE media (
			id         {{pk}},
			sha256     TEXT NOT NULL UNIQUE,
			format     TEXT NOT NULL,
			width      INTEGER NOT NULL,
			height     INTEGER NOT NULL,
			size       BIGINT NOT NULL,
			alt        TEXT NOT NULL DEFAULT '',
			caption    TEXT NOT NULL DEFAULT '',
			original   {{blob}} NOT NULL,
			created_at BIGINT NOT NULL,
			updated_at BIGINT NOT NULL
		)`,
		`CREATE TABLE media_renditions (
			media_id   BIGINT NOT NULL REFERENCES media(id) ON DELETE CASCADE,
			width      INTEGER NOT NULL,
			height     INTEGER NOT NULL,
			format     TEXT NOT NULL,
			sha256     TEXT NOT NULL,
			size       BIGINT NOT NULL,
			data       {{blob}} NOT NULL,
			created_at BIGINT NOT NULL,
			PRIMARY KEY (media_id, width)
		)`,
		`ALTER TABLE articles ADD COLUMN lead_image TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE articles ADD COLUMN lead_alt TEXT NOT NULL DEFAULT ''`,
	},
	// 18: extra editions. A date may have, besides its daily issue (edition
	// 0, every issue before), extras 1, 2 ... with their own name, subject
	// and articles: issues and articles gain an edition column, and the
	// one-issue-a-date rule becomes one issue per (date, edition). SQLite
	// cannot drop a table's UNIQUE rule, so its issues table is rebuilt, the
	// way SQLite documents (foreign keys are off while migrating, and
	// checked before the commit); PostgreSQL drops the constraint. The
	// archive's covering indexes gain the edition's columns.
	{
		`ALTER TABLE articles ADD COLUMN edition INTEGER NOT NULL DEFAULT 0`,
		`DROP INDEX articles_by_date`,
		`CREATE INDEX articles_by_date ON articles (publication_id, issue_date, edition, status)`,
		`{{sqlite}} CREATE TABLE issues_new (
			id                 {{pk}},
			publication_id     BIGINT NOT NULL REFERENCES publications(id) ON DELETE CASCADE,
			issue_date         TEXT NOT NULL,
			volume             INTEGER NOT NULL,
			number             INTEGER NOT NULL,
			numbers_overridden INTEGER NOT NULL DEFAULT 0,
			status             TEXT NOT NULL,
			subject            TEXT NOT NULL DEFAULT '',
			content            TEXT NOT NULL DEFAULT '',
			html               TEXT NOT NULL DEFAULT '',
			text_body          TEXT NOT NULL DEFAULT '',
			send_at            BIGINT NOT NULL DEFAULT 0,
			assembled_at       BIGINT NOT NULL DEFAULT 0,
			started_at         BIGINT NOT NULL DEFAULT 0,
			finished_at        BIGINT NOT NULL DEFAULT 0,
			created_at         BIGINT NOT NULL,
			updated_at         BIGINT NOT NULL,
			transport          TEXT NOT NULL DEFAULT '',
			pause_reason       TEXT NOT NULL DEFAULT '',
			edition            INTEGER NOT NULL DEFAULT 0,
			edition_title      TEXT NOT NULL DEFAULT '',
			custom_subject     TEXT NOT NULL DEFAULT ''
		)`,
		`{{sqlite}} INSERT INTO issues_new (id, publication_id, issue_date, volume, number, numbers_overridden, status,
			subject, content, html, text_body, send_at, assembled_at, started_at, finished_at, created_at, updated_at,
			transport, pause_reason)
			SELECT id, publication_id, issue_date, volume, number, numbers_overridden, status,
			subject, content, html, text_body, send_at, assembled_at, started_at, finished_at, created_at, updated_at,
			transport, pause_reason FROM issues`,
		`{{sqlite}} DROP TABLE issues`,
		`{{sqlite}} ALTER TABLE issues_new RENAME TO issues`,
		`{{sqlite}} CREATE INDEX issues_by_status ON issues (status, send_at)`,
		`{{postgres}} ALTER TABLE issues DROP CONSTRAINT issues_publication_id_issue_date_key`,
		`{{postgres}} ALTER TABLE issues ADD COLUMN edition INTEGER NOT NULL DEFAULT 0`,
		`{{postgres}} ALTER TABLE issues ADD COLUMN edition_title TEXT NOT NULL DEFAULT ''`,
		`{{postgres}} ALTER TABLE issues ADD COLUMN custom_subject TEXT NOT NULL DEFAULT ''`,
		`{{postgres}} DROP INDEX issues_public`,
		`{{postgres}} DROP INDEX issues_public_by_publication`,
		`CREATE UNIQUE INDEX issues_by_edition ON issues (publication_id, issue_date, edition)`,
		`CREATE INDEX issues_public ON issues (status, issue_date, publication_id, volume, number, subject, edition, edition_title)`,
		`CREATE INDEX issues_public_by_publication ON issues (publication_id, issue_date, edition, status, volume, number, subject, edition_title)`,
	},
	// 19: articles from a newsroom's own feeds. An article remembers its
	// page on the site and the feed's lead image; feeds holds each feed's
	// settings and the record of its polls (validators, failures in a row,
	// the next attempt); feed_items ties an item's key within its feed to
	// the article it made (kept when the editor deletes the article, so
	// that it is not made again) with the digest that tells an edit.
	{
		`ALTER TABLE articles ADD COLUMN source_url TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE articles ADD COLUMN source_image TEXT NOT NULL DEFAULT ''`,
		`CREATE TABLE feeds (
			id             {{pk}},
			publication_id BIGINT NOT NULL REFERENCES publications(id) ON DELETE CASCADE,
			url            TEXT NOT NULL,
			section        TEXT NOT NULL DEFAULT '',
			categories     TEXT NOT NULL DEFAULT '',
			status         TEXT NOT NULL DEFAULT 'ready',
			content        TEXT NOT NULL DEFAULT 'full',
			interval_ms    BIGINT NOT NULL,
			etag           TEXT NOT NULL DEFAULT '',
			last_modified  TEXT NOT NULL DEFAULT '',
			last_attempt   BIGINT NOT NULL DEFAULT 0,
			last_success   BIGINT NOT NULL DEFAULT 0,
			failures       INTEGER NOT NULL DEFAULT 0,
			last_error     TEXT NOT NULL DEFAULT '',
			next_poll      BIGINT NOT NULL DEFAULT 0,
			created_at     BIGINT NOT NULL,
			UNIQUE (publication_id, url)
		)`,
		`CREATE INDEX feeds_due ON feeds (next_poll)`,
		`CREATE TABLE feed_items (
			feed_id    BIGINT NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
			item_key   TEXT NOT NULL,
			article_id BIGINT NOT NULL,
			hash       TEXT NOT NULL,
			PRIMARY KEY (feed_id, item_key)
		)`,
	},
	// 20: the publication's subject template (empty: the lead headline,
	// then the paper and its numbers). An issue's own subject stays in
	// issues.custom_subject, now for daily issues as well as extras.
	{`ALTER TABLE publications ADD COLUMN subject_template TEXT NOT NULL DEFAULT ''`},
	// 21: how the email reads. A publication's wording (greeting, the web
	// pages' promise, the "Back to the top" and "Go to top" labels,
	// typographic quotes) is one JSON object, '{}' reading as before; its
	// language is the BCP 47 tag of the email's and the web pages' lang.
	{
		`ALTER TABLE publications ADD COLUMN wording TEXT NOT NULL DEFAULT '{}'`,
		`ALTER TABLE publications ADD COLUMN language TEXT NOT NULL DEFAULT 'en'`,
	},
	// 22: the publication's own DKIM keys, "selector=file" lines (empty:
	// the sending process's --dkim-key).
	{`ALTER TABLE publications ADD COLUMN dkim_keys TEXT NOT NULL DEFAULT ''`},
	// 23: a feed remembers the digest of the last body it took, so that a
	// feed without validators that answers the same bytes again is not
	// parsed again.
	{`ALTER TABLE feeds ADD COLUMN body_digest TEXT NOT NULL DEFAULT ''`},
	// 24: a publication's own base URL, the public address its emails'
	// links are made under (empty: the process's --base-url).
	{
		`ALTER TABLE publications ADD COLUMN base_url TEXT NOT NULL DEFAULT ''`,
	},
	// 25: each reader's morning. A subscriber's IANA time zone ('': the
	// publication's); a publication delivers at-once or at each reader's
	// local time (deliver 'local', local_time 'HH:MM', '': the schedule's
	// time of day); a delivery row that waits for the same reader's row of
	// an earlier issue to settle (after_issue, 0: none), so that no reader
	// gets issue D+1 before issue D.
	{
		`ALTER TABLE subscribers ADD COLUMN timezone TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE publications ADD COLUMN deliver TEXT NOT NULL DEFAULT 'at-once'`,
		`ALTER TABLE publications ADD COLUMN local_time TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE deliveries ADD COLUMN after_issue BIGINT NOT NULL DEFAULT 0`,
	},
	// 26: the time zone a subscribe form reported with a pending
	// subscription of an existing subscriber, applied to the subscriber
	// when the reader confirms ('': none); any change of the
	// subscription's status clears it.
	{`ALTER TABLE subscriptions ADD COLUMN confirm_timezone TEXT NOT NULL DEFAULT ''`},
}

// migrationLocker is the hook for databases that several processes may open
// at once (PostgreSQL): it holds a lock across the whole migration. SQLite
// needs none: BEGIN IMMEDIATE serialises the migration transactions.
type migrationLocker interface {
	lockMigrations(ctx context.Context, db *sql.DB) (release func(), err error)
}

// migrate applies every migration up to version upTo the database has not
// seen yet. On SQLite they run on one connection with foreign keys off, as
// SQLite's way of changing a table's rules asks (a table rebuilt is dropped
// without its rows' cascades: migration 17); each migration's foreign keys
// are checked before its commit, and the connection has them on again before
// it goes back to the pool.
func (s *Store) migrate(ctx context.Context, upTo int) (err error) {
	if l, ok := s.dialect.(migrationLocker); ok {
		release, err := l.lockMigrations(ctx, s.db)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		defer release()
	}
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var db txBeginner = s.db
	sqlite := s.dialect.name() == "sqlite"
	if sqlite {
		conn, err := s.db.Conn(ctx)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		defer func() {
			if _, ferr := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = ON`); ferr != nil && err == nil {
				err = fmt.Errorf("migrate: foreign keys on again: %w", ferr)
			}
		}()
		db = conn
	}
	for i, stmts := range migrations[:upTo] {
		version := i + 1
		err := inTxOn(ctx, db, func(tx *sql.Tx) error {
			var have int
			if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&have); err != nil {
				return err
			}
			if have >= version {
				return nil
			}
			for j, stmt := range stmts {
				stmt, ok := forDialect(s.dialect.name(), stmt)
				if !ok {
					continue
				}
				if _, err := tx.ExecContext(ctx, s.dialect.ddl(stmt)); err != nil {
					return fmt.Errorf("statement %d: %w", j+1, err)
				}
			}
			if sqlite {
				if err := foreignKeyCheck(ctx, tx); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM schema_version`)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, s.q(`INSERT INTO schema_version (version) VALUES (?)`), version)
			if err == nil {
				s.log.Debug("schema migrated", "version", version)
			}
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate to version %d: %w", version, err)
		}
	}
	return nil
}

// txBeginner is a *sql.DB or one of its connections.
type txBeginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// inTxOn runs fn in a transaction on db, committing if it returns nil.
func inTxOn(ctx context.Context, db txBeginner, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// forDialect is a migration statement for the database named (without its
// {{sqlite}} or {{postgres}} mark), and false when it is for the other one.
func forDialect(dialect, stmt string) (string, bool) {
	for _, d := range [...]string{"sqlite", "postgres"} {
		if rest, ok := strings.CutPrefix(stmt, "{{"+d+"}}"); ok {
			return strings.TrimSpace(rest), d == dialect
		}
	}
	return stmt, true
}

// foreignKeyCheck fails when a row of the SQLite database refers to a row
// that is not there (what a migration run with foreign keys off must not
// leave behind).
func foreignKeyCheck(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return fmt.Errorf("foreign key check: %w", err)
	}
	defer rows.Close()
	if rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fk int
		if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
			return fmt.Errorf("foreign key check: %w", err)
		}
		return fmt.Errorf("foreign key check: a row of %s (rowid %d) refers to a missing row of %s", table, rowid.Int64, parent)
	}
	return rows.Err()
}

// SchemaVersion reports the schema version the database is at.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v)
	return v, err
}

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
