package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"masthead/newsletter"
)

const publicationColumns = `id, slug, name, tagline, from_addr, reply_to, postal_address, timezone, schedule,
	volume_start, numbering, copyright, sections, template_dir, unsubscribe_mailto, empty_policy, created_at, updated_at,
	per_subscriber_figures, figures_retention_days, track_opens,
	signup_origins, signup_confirmed_url, welcome_email, welcome_subject, welcome_body,
	subject_template, wording, language, dkim_keys,
	base_url, deliver, local_time`

func scanPublication(row interface{ Scan(...any) error }) (*newsletter.Publication, error) {
	var p newsletter.Publication
	var volStart, sections string
	var created, updated int64
	var perSub, opens, welcome int
	var origins, wording, dkimKeys string
	err := row.Scan(&p.ID, &p.Slug, &p.Name, &p.Tagline, &p.From, &p.ReplyTo, &p.Address, &p.TimeZone, &p.Schedule,
		&volStart, &p.Numbering, &p.Copyright, &sections, &p.TemplateDir, &p.UnsubscribeMailto, &p.EmptyPolicy, &created, &updated,
		&perSub, &p.FiguresRetentionDays, &opens,
		&origins, &p.SignupConfirmedURL, &welcome, &p.WelcomeSubject, &p.WelcomeBody,
		&p.SubjectTemplate, &wording, &p.Language, &dkimKeys,
		&p.BaseURL, &p.Deliver, &p.LocalTime)
	p.PerSubscriberFigures, p.TrackOpens, p.WelcomeEmail = perSub != 0, opens != 0, welcome != 0
	if err != nil {
		return nil, err
	}
	if p.Wording, err = newsletter.ParseWording(wording); err != nil {
		return nil, fmt.Errorf("publication %s: %w", p.Slug, err)
	}
	if p.DKIMKeys, err = newsletter.ParseDKIMKeys(dkimKeys); err != nil {
		return nil, fmt.Errorf("publication %s: %w", p.Slug, err)
	}
	if origins != "" {
		p.SignupOrigins = strings.Split(origins, "\n")
	}
	if p.VolumeStart, err = newsletter.ParseDate(volStart); err != nil {
		return nil, fmt.Errorf("publication %s: %w", p.Slug, err)
	}
	if sections != "" {
		p.Sections = strings.Split(sections, "\n")
	}
	p.CreatedAt, p.UpdatedAt = fromMS(created), fromMS(updated)
	return &p, nil
}

// withTemplateDir resolves a relative template directory against the SQLite
// database file's directory. `publication set --templates` stores the
// directory absolute; older versions stored it as typed, relative to where
// the command ran, which was the database's directory with the default --db.
// Resolving it there keeps such a theme found by a serve or a send started
// from another directory. On PostgreSQL (no database file) it is left as it
// is, relative to the process's working directory.
func (s *Store) withTemplateDir(p *newsletter.Publication, err error) (*newsletter.Publication, error) {
	if err == nil && p.TemplateDir != "" && !filepath.IsAbs(p.TemplateDir) && s.fileDir != "" {
		p.TemplateDir = filepath.Join(s.fileDir, p.TemplateDir)
	}
	return p, err
}

// SavePublication creates the publication, or updates the one with the same ID
// (or, when ID is 0, the same slug). It sets p.ID.
func (s *Store) SavePublication(ctx context.Context, p *newsletter.Publication) error {
	now := s.now()
	args := []any{p.Slug, p.Name, p.Tagline, p.From, p.ReplyTo, p.Address, p.TimeZone, p.Schedule,
		p.VolumeStart.String(), string(p.Numbering), p.Copyright, strings.Join(p.Sections, "\n"), p.TemplateDir,
		p.UnsubscribeMailto, string(p.EmptyPolicy),
		boolInt(p.PerSubscriberFigures), retentionDays(p), boolInt(p.TrackOpens),
		strings.Join(p.SignupOrigins, "\n"), p.SignupConfirmedURL, boolInt(p.WelcomeEmail), p.WelcomeSubject, p.WelcomeBody,
		p.SubjectTemplate, newsletter.MarshalWording(p.Wording), language(p), newsletter.FormatDKIMKeys(p.DKIMKeys),
		p.BaseURL, deliver(p), p.LocalTime}
	if p.ID != 0 {
		res, err := s.db.ExecContext(ctx, s.q(`UPDATE publications SET slug = ?, name = ?, tagline = ?, from_addr = ?,
			reply_to = ?, postal_address = ?, timezone = ?, schedule = ?, volume_start = ?, numbering = ?, copyright = ?,
			sections = ?, template_dir = ?, unsubscribe_mailto = ?, empty_policy = ?,
			per_subscriber_figures = ?, figures_retention_days = ?, track_opens = ?,
			signup_origins = ?, signup_confirmed_url = ?, welcome_email = ?, welcome_subject = ?, welcome_body = ?,
			subject_template = ?, wording = ?, language = ?, dkim_keys = ?, base_url = ?,
			deliver = ?, local_time = ?, updated_at = ? WHERE id = ?`),
			append(args, ms(now), p.ID)...)
		if err != nil {
			return s.mapErr(fmt.Errorf("update publication %s: %w", p.Slug, err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		p.UpdatedAt = now
		return nil
	}
	err := s.db.QueryRowContext(ctx, s.q(`INSERT INTO publications (slug, name, tagline, from_addr, reply_to,
		postal_address, timezone, schedule, volume_start, numbering, copyright, sections, template_dir,
		unsubscribe_mailto, empty_policy, per_subscriber_figures, figures_retention_days, track_opens,
		signup_origins, signup_confirmed_url, welcome_email, welcome_subject, welcome_body,
		subject_template, wording, language, dkim_keys, base_url,
		deliver, local_time, created_at, updated_at)
		VALUES (`+placeholders(32)+`) RETURNING id`), append(args, ms(now), ms(now))...).Scan(&p.ID)
	if err != nil {
		return s.mapErr(fmt.Errorf("create publication %s: %w", p.Slug, err))
	}
	p.CreatedAt, p.UpdatedAt = now, now
	return nil
}

// Publication returns the publication with the given ID.
func (s *Store) Publication(ctx context.Context, id int64) (*newsletter.Publication, error) {
	p, err := s.withTemplateDir(scanPublication(s.db.QueryRowContext(ctx, s.q(`SELECT `+publicationColumns+` FROM publications WHERE id = ?`), id)))
	return p, s.mapErr(err)
}

// PublicationBySlug returns the publication with the given slug.
func (s *Store) PublicationBySlug(ctx context.Context, slug string) (*newsletter.Publication, error) {
	p, err := s.withTemplateDir(scanPublication(s.db.QueryRowContext(ctx, s.q(`SELECT `+publicationColumns+` FROM publications WHERE slug = ?`), slug)))
	return p, s.mapErr(err)
}

// Publications lists every publication by slug.
func (s *Store) Publications(ctx context.Context) ([]*newsletter.Publication, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+publicationColumns+` FROM publications ORDER BY slug`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*newsletter.Publication
	for rows.Next() {
		p, err := s.withTemplateDir(scanPublication(rows))
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// retentionDays is the publication's retention of per-subscriber figures,
// the default when unset.
func retentionDays(p *newsletter.Publication) int {
	if p.FiguresRetentionDays <= 0 {
		return newsletter.DefaultFiguresRetention
	}
	return p.FiguresRetentionDays
}

// language is the publication's language tag, the default when unset.
func language(p *newsletter.Publication) string {
	if p.Language == "" {
		return newsletter.DefaultLanguage
	}
	return p.Language
}

func deliver(p *newsletter.Publication) string {
	if p.Deliver == "" {
		return string(newsletter.DeliverAtOnce)
	}
	return string(p.Deliver)
}
