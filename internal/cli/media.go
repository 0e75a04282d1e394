package cli

import (
	"context"
	"fmt"
	"os"
	"text/tabwriter"

	"masthead/newsletter"
	"masthead/store"
)

// runMediaAdd puts an image into the picture library and prints its id and
// the address of its rendition; an image already there is kept once.
func runMediaAdd(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	alt := fs.String("alt", "", "what the picture shows, for readers who cannot see it")
	caption := fs.String("caption", "", "caption and credit, shown under it")
	name, err := a.parseOne(fs, args, "image FILE (or - for stdin)")
	if err != nil {
		return err
	}
	in, src, err := a.input(name)
	if err != nil {
		return err
	}
	defer in.Close()
	size := int64(-1)
	if f, ok := in.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
	}
	work, err := a.workspace(ctx, nil)
	if err != nil {
		return err
	}
	p, created, err := work.AddPicture(ctx, in, size, *alt, *caption)
	if err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	verb := "added"
	if !created {
		verb = "already in the library:"
	}
	fmt.Fprintf(a.env.Stderr, "%s picture %d (%s, %d×%d)\n", verb, p.ID, p.Format, p.Width, p.Height)
	fmt.Fprintf(a.env.Stdout, "%d %s\n", p.ID, work.PictureURL(a.onlyPublication(ctx), p))
	if p.Alt == "" {
		fmt.Fprintf(a.env.Stderr, "it has no alt text yet: an article that shows it must give one (--alt)\n")
	}
	return nil
}

// runMediaList lists the picture library, newest first.
func runMediaList(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	limit := fs.Int("limit", 50, "at most this many")
	if pos, err := a.parse(fs, args); err != nil {
		return err
	} else if len(pos) != 0 {
		return usageErr("no arguments expected, got %d", len(pos))
	}
	work, err := a.workspace(ctx, nil)
	if err != nil {
		return err
	}
	list, err := work.Reads().MediaList(ctx, store.MediaFilter{Limit: *limit})
	if err != nil {
		return err
	}
	pub := a.onlyPublication(ctx)
	tw := tabwriter.NewWriter(a.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSHA256\tFORMAT\tSIZE\tALT\tURL")
	for _, p := range list {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d×%d\t%s\t%s\n", p.ID, p.SHA256[:12], p.Format, p.Width, p.Height,
			clip(p.Alt, 40), work.PictureURL(pub, p))
	}
	return tw.Flush()
}

// onlyPublication is the database's one publication, whose base URL its
// pictures are shown on, or nil when there are none or several (the
// process's --base-url then).
func (a *app) onlyPublication(ctx context.Context) *newsletter.Publication {
	p, err := a.findPublication(ctx, "", false)
	if err != nil {
		return nil
	}
	return p
}
