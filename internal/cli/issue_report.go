package cli

import (
	"context"
	"fmt"
)

// runIssueReport prints what readers did with an issue: each link with its
// URL, clicks and unique readers, the automatic clicks apart, and the hours
// that had any (--format text), or the links as CSV (--format csv).
func runIssueReport(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	format := fs.String("format", "text", "text or csv (one row per link)")
	p, iss, err := a.issueByDate(ctx, fs, args)
	if err != nil {
		return err
	}
	if *format != "text" && *format != "csv" {
		return usageErr("--format %q: want text or csv", *format)
	}
	work, err := a.workspace(ctx, nil)
	if err != nil {
		return err
	}
	rep, err := work.IssueReport(ctx, p, iss)
	if err != nil {
		return err
	}
	if *format == "csv" {
		return rep.WriteLinksCSV(a.env.Stdout)
	}
	if err := rep.WriteText(a.env.Stdout); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}
