package workspace

import (
	"context"
	"fmt"
	"time"

	"masthead/engagement"
	"masthead/newsletter"
	"masthead/reports"
	"masthead/store"
	"masthead/subscribers"
)

// EngagementReads are the reads the reports are built from (*store.Store).
type EngagementReads interface {
	Links(ctx context.Context, issueID int64) ([]engagement.Link, error)
	EngagementCounts(ctx context.Context, issueID int64) ([]engagement.Count, error)
	DeliveredPerHour(ctx context.Context, issueID int64) ([]store.HourCount, error)
	SubscriberChanges(ctx context.Context, publicationID int64, from, to time.Time) ([]store.SubscriberChange, error)
}

// IssueReport is an issue's report: its deliveries, its clicks over the
// first 48 hours and per link (automatic ones apart), and the unsubscribes
// and bounces it caused. The admin page, the API, the CSV and `masthead
// issue report` all show this one value. Unsubscribes are the publication's
// in the report's 48 hours from the send's start (an unsubscribe link names
// the subscriber, not the issue); bounces are the suppressions the send's
// own bounces made.
func (s *Service) IssueReport(ctx context.Context, p *newsletter.Publication, iss *newsletter.Issue) (*reports.IssueReport, error) {
	r := s.st
	in := reports.IssueInput{IssueID: iss.ID, Publication: p.Name, Date: iss.Date, Label: iss.Label(),
		Subject: iss.Subject, SentAt: iss.StartedAt, Location: p.Location(), Opens: p.TrackOpens,
		Articles: map[string]string{}}
	for _, a := range iss.Articles {
		in.Articles[a.Anchor] = a.Title
	}
	counts, err := r.Counts(ctx, iss.ID)
	if err != nil {
		return nil, fmt.Errorf("issue report: %w", err)
	}
	in.Deliveries = reports.Deliveries{Recipients: counts.Total, Delivered: counts.Sent, Failed: counts.Failed, Pending: counts.Pending()}
	hours, err := r.DeliveredPerHour(ctx, iss.ID)
	if err != nil {
		return nil, fmt.Errorf("issue report: %w", err)
	}
	for _, h := range hours {
		in.DeliveredPerHour = append(in.DeliveredPerHour, reports.HourCount{Hour: time.Unix(h.Hour, 0).UTC(), Count: h.Count})
	}
	if in.Links, err = r.Links(ctx, iss.ID); err != nil {
		return nil, fmt.Errorf("issue report: %w", err)
	}
	if in.Counts, err = r.EngagementCounts(ctx, iss.ID); err != nil {
		return nil, fmt.Errorf("issue report: %w", err)
	}
	if in.Bounces, err = r.SendSuppressions(ctx, iss.ID); err != nil {
		return nil, fmt.Errorf("issue report: %w", err)
	}
	if !iss.StartedAt.IsZero() {
		changes, err := r.SubscriberChanges(ctx, p.ID, iss.StartedAt, iss.StartedAt.Add(reports.Hours*time.Hour))
		if err != nil {
			return nil, fmt.Errorf("issue report: %w", err)
		}
		for _, c := range changes {
			if c.Kind == string(subscribers.EventUnsubscribed) {
				in.Unsubscribes++
			}
		}
	}
	return reports.NewIssueReport(in), nil
}

// GrowthReport is a publication's subscriber changes per day and click rate
// per issue over the days days to today (reports.GrowthDays by default).
func (s *Service) GrowthReport(ctx context.Context, p *newsletter.Publication, days int) (*reports.GrowthReport, error) {
	if days <= 0 {
		days = reports.GrowthDays
	}
	r := s.st
	loc := p.Location()
	to := p.Today(s.now())
	from := to.AddDays(-(days - 1))
	in := reports.GrowthInput{Publication: p.Name, From: from, To: to}
	byStatus, err := r.SubscriberCounts(ctx, p.ID)
	if err != nil {
		return nil, fmt.Errorf("growth report: %w", err)
	}
	in.Subscribers = byStatus[subscribers.Active]
	start := from.Time(loc)
	changes, err := r.SubscriberChanges(ctx, p.ID, start, to.AddDays(1).Time(loc))
	if err != nil {
		return nil, fmt.Errorf("growth report: %w", err)
	}
	for _, c := range changes {
		d := reports.DayFigures{Date: newsletter.DateIn(c.At, loc)}
		switch subscribers.EventKind(c.Kind) {
		case subscribers.EventConfirmed:
			d.Subscribes = 1
		case subscribers.EventSubscribed:
			if c.Via == string(subscribers.ViaForm) {
				continue // pending until confirmed
			}
			d.Subscribes = 1
		case subscribers.EventUnsubscribed:
			d.Unsubscribes = 1
		case subscribers.EventBounced, subscribers.EventComplained:
			d.Bounces = 1
		}
		in.Days = append(in.Days, d)
	}
	issues, err := r.Issues(ctx, store.IssueFilter{PublicationID: p.ID, From: from, To: to,
		Statuses: []newsletter.IssueStatus{newsletter.Sending, newsletter.Paused, newsletter.Sent}})
	if err != nil {
		return nil, fmt.Errorf("growth report: %w", err)
	}
	for _, iss := range issues {
		rep, err := s.IssueReport(ctx, p, iss)
		if err != nil {
			return nil, err
		}
		in.Issues = append(in.Issues, reports.IssueRate{IssueID: iss.ID, Date: iss.Date, Label: iss.Label(),
			Delivered: rep.Deliveries.Delivered, Readers: rep.Readers})
	}
	return reports.NewGrowthReport(in)
}
