package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"masthead/store"
)

// runDBCopy is `masthead db copy --from SQLITE --to POSTGRES`: it moves an
// installation to another database. The target is migrated to the current
// schema, must be empty, and receives every row in one transaction that
// commits only when each table's row count matches the source's.
func runDBCopy(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	var from, to string
	var batch int
	fs.StringVar(&from, "from", "", "the database to copy: a SQLite file (default --db)")
	fs.StringVar(&to, "to", "", "the database to fill: a postgres:// URL (or another SQLite file); must be empty")
	fs.IntVar(&batch, "batch", 1000, "rows read and written at a time")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErr("db copy takes no arguments, got %q", pos[0])
	}
	if from == "" {
		from = a.cfg.DB
	}
	switch {
	case to == "":
		return usageErr("--to is required, e.g. --to postgres://user@host/masthead")
	case to == from:
		return usageErr("--from and --to are the same database")
	case batch < 1:
		return usageErr("--batch must be at least 1")
	}
	if ok, err := store.Exists(from); err != nil {
		return fmt.Errorf("source: %w", err)
	} else if !ok {
		return fmt.Errorf("source: no database at %s (a mistyped --from or --db?)", from)
	}
	src, err := store.Open(ctx, from, a.log)
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	defer src.Close()
	if src.Backend() != "sqlite" {
		return usageErr("--from must be a SQLite file, not a %s database", src.Backend())
	}
	dst, err := store.Open(ctx, to, a.log)
	if err != nil {
		return fmt.Errorf("target: %w", err)
	}
	defer dst.Close()

	start := time.Now()
	counts, err := store.Copy(ctx, src, dst, store.CopyOptions{Batch: batch,
		Progress: func(table string, done int64) {
			if done%(int64(batch)*50) == 0 {
				a.log.Info("copying", "table", table, "rows", done)
			}
		}})
	if errors.Is(err, store.ErrTargetNotEmpty) {
		return fmt.Errorf("%w; db copy only fills an empty database", err)
	}
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(a.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TABLE\tSOURCE\tTARGET")
	var total int64
	for _, c := range counts {
		fmt.Fprintf(tw, "%s\t%d\t%d\n", c.Table, c.Source, c.Target)
		total += c.Target
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(a.env.Stdout, "copied %d rows in %d tables to %s in %v; every table's count matches\n",
		total, len(counts), dst.Backend(), time.Since(start).Round(time.Millisecond))
	return nil
}

// runDBBackup is `masthead db backup FILE`: a consistent copy of the live
// SQLite database, made while serve goes on sending (store.Backup says how).
// PostgreSQL is backed up with its own pg_dump.
func runDBBackup(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	force := fs.Bool("force", false, "replace FILE if it exists")
	file, err := a.parseOne(fs, args, "FILE to write the backup to")
	if err != nil {
		return err
	}
	if kind, err := store.BackendOf(a.cfg.DB); err != nil {
		return err
	} else if kind != "sqlite" {
		return store.ErrBackupNotSQLite
	}
	st, err := a.store(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	if err := st.Backup(ctx, file, *force); err != nil {
		return err
	}
	v, err := st.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	info, err := os.Stat(file)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.env.Stdout, "backed up %s to %s (%d bytes, schema version %d) in %v\n",
		a.cfg.DB, file, info.Size(), v, time.Since(start).Round(time.Millisecond))
	fmt.Fprintln(a.env.Stdout, "to restore: stop masthead, then put this file in place of the database (removing any -wal and -shm files left beside it)")
	return nil
}
