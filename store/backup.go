package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrBackupNotSQLite is returned by Backup on a PostgreSQL database, whose
// own tools (pg_dump) make its backups.
var ErrBackupNotSQLite = errors.New("db backup copies SQLite databases only; back up PostgreSQL with pg_dump " +
	"(pg_dump --format=custom --file=masthead.dump URL; restore with pg_restore --clean --if-exists --dbname=URL masthead.dump)")

// ErrBackupExists is returned by Backup when the file it would write exists
// and overwrite was not asked for.
var ErrBackupExists = errors.New("the backup file exists")

// Backup writes a consistent copy of the SQLite database to path while other
// processes go on reading and writing it: a `serve` in the middle of a send
// keeps sending. The copy holds every transaction committed before the
// backup began and none after; it is a complete database at the same schema
// version, openable by Open (restoring is putting it in place of the file).
//
// It runs VACUUM INTO rather than the online backup API of the driver:
// VACUUM INTO is one statement in one read transaction, and under WAL a
// read transaction sees one snapshot while writers go on, so the copy is
// consistent without holding anyone up and without the backup API's
// restarts when the source changes between its steps (or its hold on the
// write lock when copied in one step). It also needs no driver connection
// of its own, and the copy comes out compacted, with no -wal file beside it.
//
// The copy is written to a temporary file next to path and moved into place
// only when complete, so a failed backup leaves no half-written file. With
// overwrite false an existing path is refused (ErrBackupExists). A path with
// a -wal file beside it is always refused: it is a database in use, and the
// stale log would corrupt the copy put in its place.
func (s *Store) Backup(ctx context.Context, path string, overwrite bool) error {
	if s.dialect.name() != "sqlite" {
		return ErrBackupNotSQLite
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if _, err := os.Stat(abs + "-wal"); err == nil {
		return fmt.Errorf("backup: %s-wal exists: %s is a database in use (or one not closed cleanly); write the backup to another file", path, path)
	}
	if _, err := os.Stat(abs); err == nil && !overwrite {
		return fmt.Errorf("%w: %s (--force replaces it)", ErrBackupExists, path)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup: cannot write %s: %w", path, whyNoFile(filepath.Dir(path), err))
	}
	// VACUUM INTO writes into a file that does not exist or is empty.
	tmp, err := os.CreateTemp(filepath.Dir(abs), "."+filepath.Base(abs)+".*.tmp")
	if err != nil {
		return fmt.Errorf("backup: cannot write %s: %w", path, whyNoFile(filepath.Dir(path), err))
	}
	tmpName := tmp.Name()
	tmp.Close()
	defer os.Remove(tmpName) // gone after the move; removed if anything failed
	if _, err := s.db.ExecContext(ctx, `VACUUM INTO ?`, tmpName); err != nil {
		return fmt.Errorf("backup: copy the database: %w", err)
	}
	if overwrite {
		err = os.Rename(tmpName, abs)
	} else {
		// A link fails if path appeared meanwhile, where a rename would
		// replace it.
		err = os.Link(tmpName, abs)
		if errors.Is(err, fs.ErrExist) {
			err = fmt.Errorf("%w: %s (--force replaces it)", ErrBackupExists, path)
		}
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// whyNoFile says why a file could not be created in dir, naming dir rather
// than the temporary file's name in err.
func whyNoFile(dir string, err error) error {
	if fi, serr := os.Stat(dir); errors.Is(serr, fs.ErrNotExist) {
		return fmt.Errorf("directory %s does not exist", dir)
	} else if serr == nil && !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("directory %s: %w", dir, pe.Err)
	}
	return err
}
