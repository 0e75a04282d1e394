package store

import (
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/mattn/go-sqlite3"
)

// dialect is what differs between the SQL databases the store speaks.
type dialect interface {
	name() string
	open(dsn string) (*sql.DB, error)
	describe(dsn string) string
	// rebind rewrites ? placeholders into the database's own form.
	rebind(query string) string
	// ddl rewrites the portable type words of a migration ({{pk}}, {{blob}}).
	ddl(stmt string) string
	isUnique(err error) bool
	// forUpdate is appended to a SELECT inside a transaction to lock its rows
	// where the database locks rows ("" where the transaction already holds the
	// whole database, as SQLite's BEGIN IMMEDIATE does).
	forUpdate() string
}

func dialectFor(dsn string) (dialect, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return postgresDialect{}, nil
	}
	if dsn == "" {
		return nil, errors.New("no database given (--db or MASTHEAD_DB)")
	}
	return sqliteDialect{}, nil
}

// BackendOf names the kind of database dsn selects, "sqlite" or "postgres",
// without opening it.
func BackendOf(dsn string) (string, error) {
	d, err := dialectFor(dsn)
	if err != nil {
		return "", err
	}
	return d.name(), nil
}

// sqlitePath is the file a SQLite dsn names ("masthead.db",
// "sqlite://masthead.db", "file:masthead.db?...").
func sqlitePath(dsn string) string {
	path := strings.TrimPrefix(dsn, "sqlite://")
	path = strings.TrimPrefix(path, "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	return path
}

// Exists reports whether the database dsn names is there already. A SQLite
// file is created by Open; a PostgreSQL database is the server's business
// and counts as there.
func Exists(dsn string) (bool, error) {
	d, err := dialectFor(dsn)
	if err != nil {
		return false, err
	}
	if d.name() != "sqlite" {
		return true, nil
	}
	_, err = os.Stat(sqlitePath(dsn))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

type sqliteDialect struct{}

func (sqliteDialect) name() string { return "sqlite" }

func (sqliteDialect) describe(dsn string) string { return dsn }

// open opens a SQLite file in WAL mode with a busy timeout and foreign keys on.
// BEGIN IMMEDIATE (txlock) makes every transaction take the write lock up front, so
// two writers queue on the busy timeout instead of failing on lock upgrade.
func (sqliteDialect) open(dsn string) (*sql.DB, error) {
	return openSQLite(sqlitePath(dsn), 8, "_journal_mode", "WAL", "_synchronous", "NORMAL", "_txlock", "immediate")
}

// readPool opens the file again read-only (query_only), for the editors'
// listings: WAL lets it read while the ledger writes, and its few
// connections (half the cores, at least one) bound how much of the machine
// searches take from a send. Queries beyond them wait their turn.
func (sqliteDialect) readPool(dsn string) (*sql.DB, error) {
	return openSQLite(sqlitePath(dsn), max(1, runtime.GOMAXPROCS(0)/2), "mode", "ro", "_query_only", "true")
}

// openSQLite opens a pool of conns connections to the file, with a busy
// timeout, foreign keys on, and the driver parameters given as pairs.
func openSQLite(path string, conns int, params ...string) (*sql.DB, error) {
	v := url.Values{}
	v.Set("_busy_timeout", "15000")
	v.Set("_foreign_keys", "on")
	for i := 0; i+1 < len(params); i += 2 {
		v.Set(params[i], params[i+1])
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?"+v.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	return db, nil
}

func (sqliteDialect) rebind(q string) string { return q }

func (sqliteDialect) forUpdate() string { return "" }

func (sqliteDialect) ddl(stmt string) string {
	return strings.NewReplacer("{{pk}}", "INTEGER PRIMARY KEY", "{{blob}}", "BLOB").Replace(stmt)
}

func (sqliteDialect) isUnique(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.Code == sqlite3.ErrConstraint &&
			(se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey)
	}
	return false
}

// rebindDollar rewrites ? into $1, $2, ... outside quoted strings.
func rebindDollar(q string) string {
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	inQuote := false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			inQuote = !inQuote
			b.WriteByte(c)
		case c == '?' && !inQuote:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
