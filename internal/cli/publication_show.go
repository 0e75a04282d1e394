package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"masthead/internal/plural"
	"masthead/newsletter"
	"masthead/templates"
)

// runPublicationShow prints every setting of one publication (the only one,
// or SLUG).
func runPublicationShow(ctx context.Context, a *app, args []string) error {
	pos, err := a.parse(a.flags(), args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usageErr("one SLUG at most, got %d arguments", len(pos))
	}
	var slug string
	if len(pos) == 1 {
		slug = pos[0]
	}
	p, err := a.findPublication(ctx, slug, false)
	if err != nil {
		return err
	}
	or := func(v, none string) string {
		if v == "" {
			return none
		}
		return v
	}
	onOff := func(b bool) string {
		if b {
			return "on"
		}
		return "off"
	}
	tw := tabwriter.NewWriter(a.env.Stdout, 0, 4, 2, ' ', 0)
	for _, row := range append([][2]string{
		{"slug", p.Slug}, {"name", p.Name}, {"tagline", p.Tagline}, {"from", p.From},
		{"reply-to", or(p.ReplyTo, "-")}, {"address", p.Address}, {"timezone", p.TimeZone},
		{"schedule", or(p.Schedule, "- (sent when an editor sends it)")}, {"volume-start", p.VolumeStart.String()},
		{"deliver", string(p.Deliver)}, {"local-time", or(p.LocalTime, "- (the schedule's time of day)")},
		{"numbering", string(p.Numbering)}, {"copyright", or(p.Copyright, "- (default)")},
		{"sections", or(strings.Join(p.Sections, ", "), "- (any)")}, {"templates", or(p.TemplateDir, "- (built-in theme)")},
		{"base-url", or(p.BaseURL, "- (the process's --base-url: "+a.cfg.BaseURL+")")},
		{"unsubscribe-mailto", or(p.UnsubscribeMailto, "-")}, {"empty", string(p.EmptyPolicy)},
		{"subject-template", or(p.SubjectTemplate, templates.DefaultSubject+" (default)")},
		{"dkim-keys", or(dkimKeyList(p.DKIMKeys), "- (the sending process's --dkim-key, if any)")},
		{"per-subscriber-figures", onOff(p.PerSubscriberFigures)},
		{"figures-retention", plural.Count(p.FiguresRetentionDays, "day", "days")}, {"track-opens", onOff(p.TrackOpens)},
		{"signup-origins", or(strings.Join(p.SignupOrigins, ","), "- (masthead's own pages only)")},
		{"signup-confirmed-url", or(p.SignupConfirmedURL, "- (masthead's page)")},
		{"welcome-email", onOff(p.WelcomeEmail)}, {"welcome-subject", p.WelcomeSubjectLine()},
	}, wordingRows(p)...) {
		fmt.Fprintf(tw, "%s:\t%s\n", row[0], row[1])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if p.WelcomeBody != "" {
		fmt.Fprintf(a.env.Stdout, "welcome-body:\n%s\n", indent(p.WelcomeBody))
	}
	if p.Deliver == newsletter.DeliverLocal {
		work, err := a.workspace(ctx, nil)
		if err != nil {
			return err
		}
		return a.printLocalPlan(ctx, work, p)
	}
	return nil
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}

// runFormSnippet prints the HTML of a subscribe form for the newsroom's own
// pages (the publication's signup origins), which posts to this web
// edition's /subscribe without JavaScript.
func runFormSnippet(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	var slug, redirect string
	fs.StringVar(&slug, "publication", "", "publication slug (needed only when there are several)")
	fs.StringVar(&redirect, "redirect", "", "page on a signup origin to send the reader back to after subscribing (default: masthead's page)")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageErr("no arguments expected, got %d", len(pos))
	}
	p, err := a.findPublication(ctx, slug, false)
	if err != nil {
		return err
	}
	work, err := a.workspace(ctx, nil)
	if err != nil {
		return err
	}
	html, err := work.SignupSnippet(p, redirect)
	var fe *newsletter.FieldError
	if errors.As(err, &fe) {
		return usageErr("--redirect %s", fe.Msg)
	} else if err != nil {
		return err
	}
	fmt.Fprint(a.env.Stdout, html)
	if p.BaseURL == "" && a.cfg.BaseURL == "http://"+a.cfg.Addr {
		fmt.Fprintf(a.env.Stderr, "note: the form posts to %s, the default --base-url: set the publication's public address "+
			"(masthead publication set %s --base-url https://...)\n", a.cfg.BaseURL, p.Slug)
	}
	if len(p.SignupOrigins) == 0 {
		fmt.Fprintf(a.env.Stderr, "note: %s has no signup origins yet, so this form is refused on other sites' pages: "+
			"masthead publication set %s --signup-origins https://www.example.org\n", p.Slug, p.Slug)
	}
	return nil
}

// dkimKeyList is "selector (file), ..." of keys.
func dkimKeyList(keys []newsletter.DKIMKey) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k.Selector + " (" + k.KeyFile + ")"
	}
	return strings.Join(parts, ", ")
}
