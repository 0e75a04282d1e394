package templates

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Export writes the embedded default theme's files into dir (created if
// missing), replacing files of the same names: the start of an override
// directory for `publication set --templates`. It returns the names
// written, sorted.
func Export(dir string) ([]string, error) {
	entries, err := fs.ReadDir(defaultTheme, "theme")
	if err != nil {
		return nil, fmt.Errorf("templates: default theme: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("templates: export: %w", err)
	}
	var names []string
	for _, e := range entries {
		src, err := defaultTheme.ReadFile("theme/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("templates: default theme: %w", err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), src, 0o644); err != nil {
			return nil, fmt.Errorf("templates: export: %w", err)
		}
		names = append(names, e.Name())
	}
	return names, nil
}
