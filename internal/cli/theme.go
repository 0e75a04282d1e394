package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"masthead/internal/plural"
	"masthead/templates"
)

// runThemeExport is `masthead theme export DIR`: the built-in theme's files
// written to DIR, to edit into a publication's override
// (publication set --templates DIR). A directory with files in it is
// refused unless --force, which replaces the theme's files in it.
func runThemeExport(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	force := fs.Bool("force", false, "write into DIR even if it has files (the theme's files in it are replaced)")
	dir, err := a.parseOne(fs, args, "DIR to write the theme to")
	if err != nil {
		return err
	}
	if !*force {
		if err := emptyOrMissing(dir); err != nil {
			return err
		}
	}
	names, err := templates.Export(dir)
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.env.Stdout, "wrote the built-in theme's %s to %s:\n", plural.Count(len(names), "file", "files"), abs)
	for _, n := range names {
		fmt.Fprintf(a.env.Stdout, "  %s\n", n)
	}
	fmt.Fprintf(a.env.Stdout, "edit the ones to change and delete the others (a file left out comes from the built-in theme), then:\n"+
		"  masthead publication set --templates %s\n", abs)
	return nil
}

// emptyOrMissing refuses a directory that has files in it, or a path that
// is not a directory.
func emptyOrMissing(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("theme export: %w", err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("theme export: %s is not empty (%d entries, e.g. %s): choose a new directory, or --force to replace the theme's files in it",
			dir, len(entries), entries[0].Name())
	}
	return nil
}
