package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrTargetNotEmpty is returned by Copy when the target database has rows.
var ErrTargetNotEmpty = errors.New("target database is not empty")

// TableCount is how many rows one table has in the source and, after a copy,
// in the target.
type TableCount struct {
	Table          string
	Source, Target int64
}

// CopyOptions tune Copy.
type CopyOptions struct {
	Batch    int                            // rows read and written at a time [1000]
	Progress func(table string, done int64) // called after each batch; may be nil
}

// Copy copies every row of src, a SQLite database, into dst (PostgreSQL, or
// another SQLite file), table by table in foreign-key order and in batches,
// keeping ids. Both stores are already migrated to the same schema by Open.
// dst must be empty (ErrTargetNotEmpty). The whole copy is one transaction on
// dst, committed only when every table's row count in dst equals its count in
// src: a failed or interrupted copy leaves dst empty. src is read inside one
// transaction, so stop the processes writing to it first (they would wait).
func Copy(ctx context.Context, src, dst *Store, opt CopyOptions) ([]TableCount, error) {
	if src.dialect.name() != "sqlite" {
		return nil, fmt.Errorf("copy: the source must be a SQLite database, not %s", src.dialect.name())
	}
	if opt.Batch <= 0 {
		opt.Batch = 1000
	}
	sv, err := src.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	if dv, err := dst.SchemaVersion(ctx); err != nil || dv != sv {
		return nil, fmt.Errorf("copy: schema versions differ (source %d, target %d): %v", sv, dv, err)
	}
	stx, err := src.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("copy: read source: %w", err)
	}
	defer stx.Rollback()
	tables, err := sqliteTables(ctx, stx)
	if err != nil {
		return nil, err
	}
	var counts []TableCount
	err = dst.inTx(ctx, func(dtx *sql.Tx) error {
		for _, t := range tables {
			var one int
			err := dtx.QueryRowContext(ctx, `SELECT 1 FROM `+t+` LIMIT 1`).Scan(&one)
			if err == nil {
				return fmt.Errorf("%w: table %s has rows", ErrTargetNotEmpty, t)
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("copy: check target table %s: %w", t, err)
			}
		}
		for _, t := range tables {
			c, err := dst.copyTable(ctx, stx, dtx, t, opt)
			if err != nil {
				return fmt.Errorf("copy table %s: %w", t, err)
			}
			counts = append(counts, c)
		}
		for _, c := range counts {
			if c.Source != c.Target {
				return fmt.Errorf("copy: table %s has %d rows in the source but %d in the target", c.Table, c.Source, c.Target)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return counts, nil
}

// copyTable copies one table into s in batches of rows, keyed by SQLite's rowid.
func (s *Store) copyTable(ctx context.Context, stx, dtx *sql.Tx, table string, opt CopyOptions) (TableCount, error) {
	c := TableCount{Table: table}
	if err := stx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&c.Source); err != nil {
		return c, err
	}
	probe, err := stx.QueryContext(ctx, `SELECT * FROM `+table+` LIMIT 0`)
	if err != nil {
		return c, err
	}
	cols, err := probe.Columns()
	probe.Close()
	if err != nil {
		return c, err
	}
	// Stay under both databases' limit on bound parameters per statement.
	perInsert := max(1, min(opt.Batch, 30000/len(cols)))
	head := `INSERT INTO ` + table + ` (` + strings.Join(cols, ", ") + `) VALUES `
	row := `(` + placeholders(len(cols)) + `)`
	var last int64
	for {
		rows, err := stx.QueryContext(ctx, `SELECT rowid, * FROM `+table+` WHERE rowid > ? ORDER BY rowid LIMIT ?`, last, opt.Batch)
		if err != nil {
			return c, err
		}
		var batch [][]any
		for rows.Next() {
			vals := make([]any, len(cols)+1)
			ptrs := make([]any, len(vals))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return c, err
			}
			last = vals[0].(int64)
			batch = append(batch, vals[1:])
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return c, err
		}
		for part := range slices.Chunk(batch, perInsert) {
			args := make([]any, 0, len(part)*len(cols))
			for _, r := range part {
				args = append(args, r...)
			}
			q := head + strings.TrimSuffix(strings.Repeat(row+", ", len(part)), ", ")
			if _, err := dtx.ExecContext(ctx, s.q(q), args...); err != nil {
				return c, err
			}
		}
		c.Target += int64(len(batch))
		if opt.Progress != nil && len(batch) > 0 {
			opt.Progress(table, c.Target)
		}
		if len(batch) < opt.Batch {
			break
		}
	}
	if r, ok := s.dialect.(identityResetter); ok && slices.Contains(cols, "id") {
		if err := r.resetIdentity(ctx, dtx, table); err != nil {
			return c, fmt.Errorf("reset id sequence: %w", err)
		}
	}
	// Count what the target now holds, not what was sent to it.
	if err := dtx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&c.Target); err != nil {
		return c, err
	}
	return c, nil
}

// identityResetter is a dialect whose auto-assigned ids come from a sequence
// that rows inserted with explicit ids do not advance (PostgreSQL).
type identityResetter interface {
	resetIdentity(ctx context.Context, tx *sql.Tx, table string) error
}

// sqliteTables lists a SQLite database's tables, each after the tables its
// foreign keys refer to (schema_version, which Open writes, is left out).
func sqliteTables(ctx context.Context, tx *sql.Tx) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' AND name <> 'schema_version' ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	refs := map[string][]string{}
	for _, n := range names {
		fk, err := tx.QueryContext(ctx, `SELECT "table" FROM pragma_foreign_key_list(?)`, n)
		if err != nil {
			return nil, fmt.Errorf("foreign keys of %s: %w", n, err)
		}
		for fk.Next() {
			var ref string
			if err := fk.Scan(&ref); err != nil {
				fk.Close()
				return nil, err
			}
			if ref != n && slices.Contains(names, ref) {
				refs[n] = append(refs[n], ref)
			}
		}
		fk.Close()
		if err := fk.Err(); err != nil {
			return nil, err
		}
	}
	var order []string
	state := map[string]int{} // 1: visiting, 2: done
	var visit func(n string) error
	visit = func(n string) error {
		switch state[n] {
		case 1:
			return fmt.Errorf("list tables: foreign keys form a cycle through %s", n)
		case 2:
			return nil
		}
		state[n] = 1
		for _, r := range refs[n] {
			if err := visit(r); err != nil {
				return err
			}
		}
		state[n] = 2
		order = append(order, n)
		return nil
	}
	for _, n := range names {
		if err := visit(n); err != nil {
			return nil, err
		}
	}
	return order, nil
}
