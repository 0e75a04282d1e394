package workspace

import (
	"context"
	"fmt"
	"io"

	"masthead/newsletter"
	"masthead/store"
	"masthead/subscribers"
)

// AddSubscriber adds (or finds) a person and subscribes them to p: active at
// once (an editor's add), or pending with a confirmation to come.
func (s *Service) AddSubscriber(ctx context.Context, p *newsletter.Publication, email, name string, pending bool, via subscribers.Via) (*subscribers.Subscriber, error) {
	if _, err := subscribers.Normalize(email); err != nil {
		return nil, &newsletter.FieldError{Field: "email", Msg: fmt.Sprintf("%q: %v", email, err)}
	}
	if _, err := subscribers.NormalizeName(name); err != nil {
		return nil, &newsletter.FieldError{Field: "name", Msg: err.Error()}
	}
	st := subscribers.Active
	if pending {
		st = subscribers.Pending
	}
	sub, err := s.st.AddSubscriber(ctx, email, name, p.ID, st, via)
	if err == nil {
		s.log.Info("subscriber added", "publication", p.Slug, "email", sub.Email, "via", via)
	}
	return sub, err
}

// Unsubscribe ends a subscriber's subscription to p.
func (s *Service) Unsubscribe(ctx context.Context, p *newsletter.Publication, id int64, via subscribers.Via) error {
	return s.st.Unsubscribe(ctx, id, p.ID, via, "")
}

// LiftSuppression lets mail go to a bounced or complained address again.
func (s *Service) LiftSuppression(ctx context.Context, email string, via subscribers.Via, why string) error {
	return s.st.LiftSuppression(ctx, email, via, why)
}

// LiftSendSuppressions undoes every suppression the send of iss made by
// itself (its hard bounces, and soft-bounce limits its give-ups reached),
// the safety net for a relay that refused everyone in words masthead took
// for the readers': each subscriber is back as before the send, with a
// "lifted" event naming who did it, and their failed row goes back to the
// queue while the issue is sending or paused (store.LiftSendSuppressions).
// Reports and complaints that came later are not undone. Lifting again
// finds nothing more to lift.
func (s *Service) LiftSendSuppressions(ctx context.Context, iss *newsletter.Issue, via subscribers.Via, who string) (store.SendLift, error) {
	detail := fmt.Sprintf("bounce from the send of %s lifted with the send's other suppressions by %s", iss.Date, who)
	lift, err := s.st.LiftSendSuppressions(ctx, iss.ID, via, detail)
	if err == nil {
		s.log.Warn("suppressions made by a send lifted", "issue", iss.ID, "date", iss.Date.String(),
			"lifted", len(lift.Lifted), "requeued", lift.Requeued, "by", who, "via", via)
	}
	return lift, err
}

// History is one subscriber with everything that happened to them.
type History struct {
	Subscriber    *subscribers.Subscriber
	Subscriptions []subscribers.Subscription
	Events        []subscribers.Event
	Suppression   *subscribers.Suppression // nil when not suppressed
}

// SubscriberHistory gathers one subscriber's history.
func (s *Service) SubscriberHistory(ctx context.Context, id int64) (*History, error) {
	sub, err := s.st.Subscriber(ctx, id)
	if err != nil {
		return nil, err
	}
	h := &History{Subscriber: sub}
	if h.Subscriptions, err = s.st.Subscriptions(ctx, id); err != nil {
		return nil, err
	}
	if h.Events, err = s.st.SubscriberEvents(ctx, id); err != nil {
		return nil, err
	}
	if sup, err := s.st.Suppression(ctx, sub.Email); err == nil {
		h.Suppression = sup
	}
	return h, nil
}

// Import reads a subscriber CSV into p and reports what it did.
func (s *Service) Import(ctx context.Context, p *newsletter.Publication, r io.Reader, pending bool) (*subscribers.ImportReport, error) {
	sink, err := s.st.BeginImport(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	defer sink.Close()
	im := &subscribers.Importer{Status: subscribers.Active, Log: s.log}
	if pending {
		im.Status = subscribers.Pending
	}
	rep, err := im.Import(ctx, r, sink)
	if err == nil {
		s.log.Info("subscribers imported", "publication", p.Slug, "rows", rep.Rows, "added", rep.Added, "bad", rep.Bad)
	}
	return rep, err
}

// Export writes every subscriber as CSV, with a status column for each
// publication (or only p's when p is not nil).
func (s *Service) Export(ctx context.Context, w io.Writer, p *newsletter.Publication) error {
	pubs, err := s.st.Publications(ctx)
	if err != nil {
		return err
	}
	cols := make([]subscribers.ExportPublication, 0, len(pubs))
	for _, x := range pubs {
		if p == nil || x.ID == p.ID { // one publication's export has its column only
			cols = append(cols, subscribers.ExportPublication{ID: x.ID, Slug: x.Slug})
		}
	}
	var pubID int64
	f := store.SubscriberFilter{}
	if p != nil {
		pubID, f.PublicationID = p.ID, p.ID
	}
	ex, err := subscribers.NewCSVExporter(w, cols, pubID)
	if err != nil {
		return err
	}
	if err := s.st.EachSubscriber(ctx, f, ex.Write); err != nil {
		return err
	}
	return ex.Flush()
}

// SubscriberDeliveries lists a subscriber's latest deliveries, newest first.
func (s *Service) SubscriberDeliveries(ctx context.Context, subscriberID int64, limit int) ([]*store.Delivery, error) {
	return s.st.SubscriberDeliveries(ctx, subscriberID, limit)
}
