package cli

import (
	"context"
	"fmt"
	"runtime/debug"
)

// runVersion prints what the binary was built from: the module version (a
// tag, or "(devel)"), the commit and whether the tree had changes, and Go's
// version. A bug report starts with it.
func runVersion(ctx context.Context, a *app, args []string) error {
	// No a.parse: a bug report needs the version even when the environment
	// holds a setting that the other commands would refuse.
	if len(args) > 0 {
		return usageErr("version takes no arguments, got %q", args[0])
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		fmt.Fprintln(a.env.Stdout, "masthead (no build information)")
		return nil
	}
	line := "masthead " + info.Main.Version
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev != "" {
		line += ", commit " + rev[:min(12, len(rev))]
		if modified == "true" {
			line += " with local changes"
		}
	}
	fmt.Fprintln(a.env.Stdout, line+", "+info.GoVersion)
	return nil
}
