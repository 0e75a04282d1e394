package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"masthead/delivery"
	"masthead/internal/plural"
	"masthead/newsletter"
	"masthead/store"
	"masthead/templates"
)

// runPublicationSet creates a publication or changes the flags given of an
// existing one; flags not given keep their values.
func runPublicationSet(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	var p newsletter.Publication
	var volStart, numbering, sections, deliverTo, empty, origins, welcomeFile string
	var dkimKeys, dkimSelectors listFlag
	fs.StringVar(&p.Name, "name", "", "name of the publication, e.g. \"The Daily Planet\"")
	fs.StringVar(&p.Tagline, "tagline", "", "tagline under the name")
	fs.StringVar(&p.From, "from", "", "From address, e.g. \"The Daily Planet <news@example.org>\"")
	fs.StringVar(&p.ReplyTo, "reply-to", "", "Reply-To address")
	fs.StringVar(&p.Address, "address", "", "postal address printed in every footer (required by law for bulk email)")
	fs.StringVar(&p.TimeZone, "timezone", "", "IANA time zone of the publication, e.g. America/New_York (default UTC)")
	fs.StringVar(&p.Schedule, "schedule", "", "daily send time as a cron spec in the publication's zone, e.g. \"0 6 * * *\" (optional seconds field)")
	fs.StringVar(&deliverTo, "deliver", "", "at-once (every reader from the release on, the default) or local (each reader at --local-time on their own clock)")
	fs.StringVar(&p.LocalTime, "local-time", "", "with --deliver local, the hour each reader gets the issue, HH:MM on their own clock (\"\": the schedule's time of day)")
	fs.StringVar(&volStart, "volume-start", "", "first day of Volume 1, YYYY-MM-DD (default today)")
	fs.StringVar(&numbering, "numbering", "", "calendar (days since the volume began) or sequential (issues published)")
	fs.StringVar(&p.Copyright, "copyright", "", "copyright line (default: Copyright START-YEAR - NAME, ADDRESS. All rights reserved.)")
	fs.StringVar(&sections, "sections", "", "section order, comma-separated, e.g. \"Front Page,News,Sports\" (default: any section)")
	fs.StringVar(&p.TemplateDir, "templates", "", "directory of template overrides, stored absolute (start one with 'masthead theme export DIR'; \"\": the built-in theme)")
	fs.StringVar(&p.UnsubscribeMailto, "unsubscribe-mailto", "", "address for mailto: List-Unsubscribe")
	fs.Var(&dkimKeys, "dkim-key", "PEM file of a key to DKIM-sign this publication's mail with, repeatable, each paired with a --dkim-selector (instead of the sending process's keys; \"\": none of its own)")
	fs.Var(&dkimSelectors, "dkim-selector", "DKIM selector of the --dkim-key in the same place")
	fs.StringVar(&p.SubjectTemplate, "subject-template", "", "each issue's subject, with {headline} {name} {date} {isodate} {volume} {number} {edition} (default \""+templates.DefaultSubject+"\")")
	// Here --base-url is the publication's own address, not the process's.
	bu := fs.Lookup("base-url")
	bu.Value, bu.DefValue = (*stringFlag)(&p.BaseURL), ""
	bu.Usage = "the publication's public address, e.g. https://news.example.org: its emails' links and web edition (\"\": the process's --base-url / MASTHEAD_BASE_URL)"
	fs.StringVar(&empty, "empty", "", "on a date with no ready articles: skip, notice or hold")
	// Engagement (see docs/ENGAGEMENT.md).
	fs.BoolVar(&p.PerSubscriberFigures, "per-subscriber-figures", false, "keep who clicked, for --figures-retention days (default off: counts only, no one named)")
	fs.IntVar(&p.FiguresRetentionDays, "figures-retention", 0, "days per-subscriber clicks are kept before only their counts remain (default 90)")
	fs.BoolVar(&p.TrackOpens, "track-opens", false, "add the tracking image, to count opens (inflated by Apple Mail Privacy Protection; default off)")
	// Signup from the newsroom's own site, and the welcome email.
	fs.StringVar(&origins, "signup-origins", "", "origins whose pages may post the subscribe form, comma-separated, e.g. \"https://www.example.org,https://example.org\" (empty: masthead's own pages only)")
	fs.StringVar(&p.SignupConfirmedURL, "signup-confirmed-url", "", "page on a signup origin readers land on after confirming (empty: masthead's page)")
	fs.BoolVar(&p.WelcomeEmail, "welcome-email", false, "send a welcome email once a subscription is confirmed (default off)")
	fs.StringVar(&p.WelcomeSubject, "welcome-subject", "", "the welcome email's subject (default \"Welcome to NAME\")")
	fs.StringVar(&p.WelcomeBody, "welcome-body", "", "the welcome email's text, plain text with blank lines between paragraphs")
	fs.StringVar(&welcomeFile, "welcome-body-file", "", "read the welcome email's text from FILE")
	wording := addWordingFlags(fs)
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usageErr("one SLUG at most, got %d arguments", len(pos))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	st, err := a.reads(ctx)
	if err != nil {
		return err
	}
	var slug string
	if len(pos) == 1 {
		slug = pos[0]
	}
	if slug == "" {
		pubs, err := st.Publications(ctx)
		if err != nil {
			return err
		}
		switch {
		case len(pubs) == 1:
			// With one publication, set changes it; a second one is created by
			// naming its slug.
			slug = pubs[0].Slug
		case len(pubs) > 1 && !set["name"]:
			return usageErr("there are %d publications: name the one to change (masthead publication set SLUG ...)", len(pubs))
		default:
			slug = slugify(p.Name)
		}
	}
	cur, err := st.PublicationBySlug(ctx, slug)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	created := cur == nil
	if created {
		cur = &newsletter.Publication{Slug: slug}
		if !set["volume-start"] {
			volStart = newsletter.DateOf(a.now()).String()
			set["volume-start"] = true
		}
	}
	apply := func(name string, dst *string, v string) {
		if set[name] {
			*dst = strings.TrimSpace(v)
		}
	}
	apply("name", &cur.Name, p.Name)
	apply("tagline", &cur.Tagline, p.Tagline)
	apply("from", &cur.From, p.From)
	apply("reply-to", &cur.ReplyTo, p.ReplyTo)
	apply("address", &cur.Address, p.Address)
	apply("timezone", &cur.TimeZone, p.TimeZone)
	apply("schedule", &cur.Schedule, p.Schedule)
	apply("copyright", &cur.Copyright, p.Copyright)
	if set["templates"] {
		dir, err := templateDir(p.TemplateDir)
		if err != nil {
			return err
		}
		cur.TemplateDir = dir
	}
	apply("unsubscribe-mailto", &cur.UnsubscribeMailto, p.UnsubscribeMailto)
	apply("subject-template", &cur.SubjectTemplate, p.SubjectTemplate)
	if set["base-url"] {
		b, err := newsletter.ParseBaseURL(p.BaseURL)
		if err != nil {
			return usageErr("--base-url: %v", err)
		}
		cur.BaseURL = b
	}
	if set["deliver"] {
		d, err := newsletter.ParseDeliver(deliverTo)
		if err != nil {
			return usageErr("--deliver: %v", err)
		}
		cur.Deliver = d
	}
	apply("local-time", &cur.LocalTime, p.LocalTime)
	if set["numbering"] {
		cur.Numbering = newsletter.Numbering(numbering)
	}
	if set["empty"] {
		cur.EmptyPolicy = newsletter.EmptyPolicy(empty)
	}
	if set["per-subscriber-figures"] {
		cur.PerSubscriberFigures = p.PerSubscriberFigures
	}
	if set["figures-retention"] {
		cur.FiguresRetentionDays = p.FiguresRetentionDays
	}
	if set["track-opens"] {
		cur.TrackOpens = p.TrackOpens
	}
	if set["signup-origins"] {
		list, err := newsletter.ParseOrigins(origins)
		if err != nil {
			return usageErr("--signup-origins: %v", err)
		}
		cur.SignupOrigins = list
	}
	apply("signup-confirmed-url", &cur.SignupConfirmedURL, p.SignupConfirmedURL)
	if set["welcome-email"] {
		cur.WelcomeEmail = p.WelcomeEmail
	}
	apply("welcome-subject", &cur.WelcomeSubject, p.WelcomeSubject)
	switch {
	case set["welcome-body"] && set["welcome-body-file"]:
		return usageErr("--welcome-body or --welcome-body-file, not both")
	case set["welcome-body"]:
		cur.WelcomeBody = strings.TrimSpace(p.WelcomeBody)
	case set["welcome-body-file"]:
		b, err := os.ReadFile(welcomeFile)
		if err != nil {
			return fmt.Errorf("--welcome-body-file: %w", err)
		}
		cur.WelcomeBody = strings.TrimSpace(string(b))
	}
	if err := wording.apply(set, cur); err != nil {
		return err
	}
	if set["sections"] {
		cur.Sections = nil
		for _, s := range strings.Split(sections, ",") {
			if s = strings.TrimSpace(s); s != "" {
				cur.Sections = append(cur.Sections, s)
			}
		}
	}
	if set["volume-start"] {
		d, err := newsletter.ParseDate(volStart)
		if err != nil {
			return usageErr("--volume-start: %v", err)
		}
		cur.VolumeStart = d
	}
	if set["dkim-key"] || set["dkim-selector"] {
		if cur.DKIMKeys, err = publicationDKIMKeys(cur, dkimKeys.vals, dkimSelectors.vals); err != nil {
			return err
		}
	}
	work, err := a.workspace(ctx, nil)
	if err != nil {
		return err
	}
	// A broken theme override fails now, not at send time.
	if err := work.SavePublication(ctx, cur); err != nil {
		var late *newsletter.LateRelease
		if errors.As(err, &late) {
			return fmt.Errorf("publication %s not saved: %s", cur.Slug, late.Explain("--schedule '%s'", "--local-time %s"))
		}
		var fe *newsletter.FieldError
		if errors.As(err, &fe) && fe.Field == "templates" {
			return fmt.Errorf("publication %s not saved: %s", cur.Slug, fe.Msg)
		}
		if errors.As(err, &fe) || errors.As(err, new(newsletter.Errors)) {
			return fmt.Errorf("publication %s not saved:\n%w", cur.Slug, err)
		}
		return err
	}
	verb := "updated"
	if created {
		verb = "created"
	}
	fmt.Fprintf(a.env.Stdout, "%s publication %s (%s)\n", verb, cur.Slug, cur.Name)
	if cur.Deliver == newsletter.DeliverLocal && (set["deliver"] || set["local-time"] || set["schedule"] || set["timezone"]) {
		if err := a.printLocalPlan(ctx, work, cur); err != nil {
			return err
		}
	}
	if set["base-url"] && cur.BaseURL != "" {
		// Saved all the same (local testing uses http); the send refuses it
		// by the same check.
		if problem := newsletter.PublicLinkProblem(cur.BaseURL); problem != "" {
			fmt.Fprintf(a.env.Stderr, "warning: --base-url %s: %s; sending by SMTP refuses it (links in emails "+
				"must be https on a public host), unless --allow-local-links / MASTHEAD_ALLOW_LOCAL_LINKS=1 for local testing\n",
				cur.BaseURL, problem)
		}
	}
	return nil
}

func runPublicationList(ctx context.Context, a *app, args []string) error {
	if _, err := a.parse(a.flags(), args); err != nil {
		return err
	}
	st, err := a.reads(ctx)
	if err != nil {
		return err
	}
	pubs, err := st.Publications(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(a.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SLUG\tNAME\tZONE\tSCHEDULE\tDELIVER\tNUMBERING\tVOLUME START\tBASE URL\tSIGNUP ORIGINS\tTEMPLATES")
	for _, p := range pubs {
		origins := strings.Join(p.SignupOrigins, ",")
		if origins == "" {
			origins = "-"
		}
		tpl := p.TemplateDir
		if tpl == "" {
			tpl = "-"
		}
		base := p.BaseURL
		if base == "" {
			base = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.Slug, p.Name, p.TimeZone, p.Schedule, deliverSummary(p), p.Numbering, p.VolumeStart, base, origins, tpl)
	}
	return tw.Flush()
}

// templateDir is the --templates value as stored: absolute (resolved
// against the current directory now, so that a serve or a send started
// elsewhere finds the same directory), and a directory that exists; empty
// is the built-in theme. Whether its templates parse is checked when the
// publication is saved.
func templateDir(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	abs, err := filepath.Abs(v)
	if err != nil {
		return "", fmt.Errorf("--templates %s: %w", v, err)
	}
	fi, err := os.Stat(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("--templates %s: no such directory (%s); 'masthead theme export %s' writes the built-in theme there to start from", v, abs, v)
	}
	if err != nil {
		return "", fmt.Errorf("--templates: %w", err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("--templates %s: not a directory", v)
	}
	return abs, nil
}

// findPublication resolves a --publication/SLUG value: empty means the only
// publication there is. With allowNone, no publication at all is ErrNotFound.
func (a *app) findPublication(ctx context.Context, slug string, allowNone bool) (*newsletter.Publication, error) {
	st, err := a.reads(ctx)
	if err != nil {
		return nil, err
	}
	if slug != "" {
		p, err := st.PublicationBySlug(ctx, slug)
		if errors.Is(err, store.ErrNotFound) && !allowNone {
			return nil, fmt.Errorf("no publication %q (see 'masthead publication list')", slug)
		}
		return p, err
	}
	pubs, err := st.Publications(ctx)
	if err != nil {
		return nil, err
	}
	switch len(pubs) {
	case 0:
		if allowNone {
			return nil, store.ErrNotFound
		}
		return nil, errors.New("no publication yet: create one with 'masthead publication set --name NAME --from ADDRESS'")
	case 1:
		return pubs[0], nil
	}
	names := make([]string, len(pubs))
	for i, p := range pubs {
		names[i] = p.Slug
	}
	if allowNone {
		return nil, store.ErrNotFound
	}
	return nil, usageErr("there are %d publications (%s): name one with --publication", len(pubs), strings.Join(names, ", "))
}

// slugify makes a URL-safe slug from a name.
func slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.TrimSuffix(b.String(), "-")
	if len(s) > 40 {
		s = strings.TrimSuffix(s[:40], "-")
	}
	if s == "" {
		s = "news"
	}
	return s
}

// publicationDKIMKeys pairs publication set's --dkim-key and --dkim-selector
// values, with the key files made absolute (a scheduled send may run from
// another directory) and read now, so that a wrong path or a key that is
// not one fails here rather than at the next send. One empty --dkim-key
// takes the publication's own keys away.
func publicationDKIMKeys(p *newsletter.Publication, files, selectors []string) ([]newsletter.DKIMKey, error) {
	if len(files) == 1 && files[0] == "" && len(selectors) == 0 {
		return nil, nil
	}
	if len(files) != len(selectors) {
		return nil, usageErr("--dkim-key needs --dkim-selector: %s, %s (each key pairs with the selector in the same place)", plural.Count(len(files), "key", "keys"), plural.Count(len(selectors), "selector", "selectors"))
	}
	keys := make([]newsletter.DKIMKey, len(files))
	for i, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			return nil, err
		}
		keys[i] = newsletter.DKIMKey{Selector: selectors[i], KeyFile: abs}
	}
	check := *p
	check.DKIMKeys = keys
	if _, err := delivery.PublicationDKIM(&check); err != nil {
		return nil, fmt.Errorf("publication %s not saved: %w", p.Slug, err)
	}
	return keys, nil
}

// stringFlag is a flag.Value that sets a string.
type stringFlag string

func (s *stringFlag) Set(v string) error { *s = stringFlag(v); return nil }
func (s *stringFlag) String() string {
	if s == nil {
		return ""
	}
	return string(*s)
}
