package workspace

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"masthead/ledger"
	"masthead/newsletter"
	"masthead/store"
	"masthead/subscribers"
)

// AddSubscriber adds (or finds) a person and subscribes them to p: active at
// once (an editor's add), or pending with a confirmation to come. zone, when
// not "", is their IANA time zone (of an existing subscriber too, as name
// is their name).
func (s *Service) AddSubscriber(ctx context.Context, p *newsletter.Publication, email, name, zone string, pending bool, via subscribers.Via) (*subscribers.Subscriber, error) {
	if _, err := subscribers.Normalize(email); err != nil {
		return nil, &newsletter.FieldError{Field: "email", Msg: fmt.Sprintf("%q: %v", email, err)}
	}
	if _, err := subscribers.NormalizeName(name); err != nil {
		return nil, &newsletter.FieldError{Field: "name", Msg: err.Error()}
	}
	zone, err := newsletter.ParseTimeZone(zone)
	if err != nil {
		return nil, &newsletter.FieldError{Field: "timezone", Msg: err.Error()}
	}
	st := subscribers.Active
	if pending {
		st = subscribers.Pending
	}
	sub, err := s.st.AddArrival(ctx, store.Arrival{Email: email, Name: name, TimeZone: zone, PublicationID: p.ID, Status: st, Via: via})
	if err == nil {
		s.log.Info("subscriber added", "publication", p.Slug, "email", sub.Email, "via", via)
	}
	return sub, err
}

// RequestConfirmation is a reader asking, on the web edition's form, for
// publications pubs to be sent to email: a pending subscription to each,
// which puts it in the confirmation queue (again, if it was pending already),
// and the process's queue is woken to send the email at once. An active
// subscription stays active and gets no email; a suppressed address gets
// nothing (and no error: the form's answer must not tell). An existing
// subscriber's name is not changed: anyone can type anyone's address.
//
// zone is the time zone the reader's browser reported ("" when it reported
// none, or none that is an IANA name: the form still subscribes). For the
// same reason it is not an existing subscriber's zone at once: it is kept
// with each subscription this makes pending and becomes theirs when they
// confirm one (the link proves the address is theirs); a new subscriber's
// row has it from the start (the row is nobody else's, and pending).
func (s *Service) RequestConfirmation(ctx context.Context, email, name, zone string, pubs []*newsletter.Publication) error {
	if _, err := s.st.SubscriberByEmail(ctx, email); err == nil {
		name = ""
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	zone, err := newsletter.ParseTimeZone(zone)
	if err != nil {
		zone = ""
	}
	for _, p := range pubs {
		_, err := s.st.AddArrival(ctx, store.Arrival{Email: email, Name: name, TimeZone: zone, PublicationID: p.ID,
			Status: subscribers.Pending, Via: subscribers.ViaForm, ZoneOnConfirm: true})
		if errors.Is(err, subscribers.ErrSuppressed) {
			s.log.Info("subscribe form: address is suppressed; no email sent", "subscriber_email_domain", domainOf(email))
			return nil
		}
		if err != nil {
			return fmt.Errorf("subscribe: %w", err)
		}
	}
	if s.confirm != nil {
		s.confirm.Wake()
	}
	return nil
}

// SetSubscriberTimeZone is an editor's change of subscriber id's time
// zone: an IANA name, or "" for the publication's.
func (s *Service) SetSubscriberTimeZone(ctx context.Context, id int64, zone string, via subscribers.Via) (*subscribers.Subscriber, error) {
	zone, err := newsletter.ParseTimeZone(zone)
	if err != nil {
		return nil, &newsletter.FieldError{Field: "timezone", Msg: err.Error()}
	}
	sub, err := s.st.SetSubscriberTimeZone(ctx, id, zone, via)
	if err == nil {
		s.log.Info("subscriber time zone set", "subscriber", id, "timezone", zone, "via", via)
	}
	return sub, err
}

// SendsConfirmations reports whether this process has a confirmation queue
// that sends what RequestConfirmation queues (the web edition's form is
// closed without one).
func (s *Service) SendsConfirmations() bool { return s.confirm != nil }

// domainOf is the domain of an address, which logs may show.
func domainOf(email string) string {
	if i := strings.LastIndexByte(email, '@'); i >= 0 {
		return email[i+1:]
	}
	return ""
}

// Confirm activates a pending subscription (the reader's confirm link);
// confirming twice is fine. One that was cancelled meanwhile gives
// subscribers.ErrNotPending, a suppressed address subscribers.ErrSuppressed.
func (s *Service) Confirm(ctx context.Context, subscriberID, publicationID int64, via subscribers.Via) error {
	return s.ConfirmFrom(ctx, subscriberID, publicationID, via, "")
}

// ConfirmFrom is Confirm from the reader's browser, which reports zone (the
// confirm page's hidden field): a valid IANA name becomes the reader's zone,
// rather than the one the subscribe form reported (anyone may post a form
// with anyone's address; only the reader opens the link). An invalid or
// empty one is ignored.
func (s *Service) ConfirmFrom(ctx context.Context, subscriberID, publicationID int64, via subscribers.Via, zone string) error {
	if z, err := newsletter.ParseTimeZone(zone); err == nil {
		zone = z
	} else {
		zone = ""
	}
	if err := s.st.ConfirmFrom(ctx, subscriberID, publicationID, via, zone); err != nil {
		return err
	}
	s.log.Info("subscription confirmed", "subscriber", subscriberID, "publication", publicationID, "via", via)
	return nil
}

// Unsubscribe ends subscriber id's subscription to publication pubID, or to
// every publication when pubID is 0; the subscriber's queued deliveries are
// skipped at once. Ending one that already ended is fine.
func (s *Service) Unsubscribe(ctx context.Context, pubID, id int64, via subscribers.Via) error {
	if err := s.st.Unsubscribe(ctx, id, pubID, via, ""); err != nil {
		return err
	}
	s.log.Info("unsubscribed", "via", via, "subscriber", id, "publication", pubID)
	return nil
}

// LiftSuppression lets mail go to a bounced or complained address again.
func (s *Service) LiftSuppression(ctx context.Context, email string, via subscribers.Via, why string) error {
	return s.st.LiftSuppression(ctx, email, via, why)
}

// EraseSubscriber erases a person (GDPR art. 17): their address and name
// and everything that held them, from every table, in one transaction
// (store.EraseSubscriber); only a keyed hash of the address stays, as a
// suppression, so that a re-import or a sign-up of the address is refused
// as suppressed. who names the one who asked, for the log (which does not
// name the person: a log is a copy too).
func (s *Service) EraseSubscriber(ctx context.Context, email, who string) (subscribers.Erasure, error) {
	if _, err := subscribers.Normalize(email); err != nil {
		return subscribers.Erasure{}, &newsletter.FieldError{Field: "email", Msg: fmt.Sprintf("%q: %v", email, err)}
	}
	e, err := s.st.EraseSubscriber(ctx, email)
	if err == nil {
		s.log.Warn("subscriber erased", "subscriber", e.SubscriberID, "subscriber_email_domain", domainOf(e.Email),
			"deliveries_anonymised", e.Deliveries, "by", who)
	}
	return e, err
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

// ImportOptions say how to read a subscriber CSV.
type ImportOptions struct {
	// Pending: rows without a status are pending (each must confirm), not
	// active (the editor vouches for their consent).
	Pending bool
	// OnProblem, when set, is told of each refused row as it is found, in
	// the file's order.
	OnProblem func(subscribers.Problem)
}

// Import streams a subscriber CSV from r into p, a batch at a time (a
// million rows without holding them in memory), and reports what it did:
// the good rows are imported, each bad one is reported by line.
func (s *Service) Import(ctx context.Context, p *newsletter.Publication, r io.Reader, o ImportOptions) (*subscribers.ImportReport, error) {
	sink, err := s.st.BeginImport(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	defer sink.Close()
	im := &subscribers.Importer{Status: subscribers.Active, Log: s.log, OnProblem: o.OnProblem}
	if o.Pending {
		im.Status = subscribers.Pending
	}
	rep, err := im.Import(ctx, r, sink)
	if err == nil {
		s.log.Info("subscribers imported", "publication", p.Slug, "rows", rep.Rows, "added", rep.Added, "bad", rep.Bad)
	}
	return rep, err
}

// Export writes every subscriber as CSV, with a status column for each
// publication (or only p's when p is not nil), of any status (or only
// status when not empty).
func (s *Service) Export(ctx context.Context, w io.Writer, p *newsletter.Publication, status subscribers.Status) error {
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
	f := store.SubscriberFilter{Status: status}
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
func (s *Service) SubscriberDeliveries(ctx context.Context, subscriberID int64, limit int) ([]*ledger.Delivery, error) {
	return s.st.SubscriberDeliveries(ctx, subscriberID, limit)
}
