package bounces

import (
	"context"
	"errors"
	"log/slog"

	"masthead/ledger"
	"masthead/store"
	"masthead/subscribers"
)

// Store is what applying reports needs of the store.
type Store interface {
	SubscriberByEmail(ctx context.Context, email string) (*subscribers.Subscriber, error)
	DeliveryByMessageID(ctx context.Context, messageID string) (*ledger.Delivery, error)
	ApplyBounceReport(ctx context.Context, r ledger.BounceReport, softLimit int) (bool, error)
}

var _ Store = (*store.Store)(nil)

// Result counts what a poll (or one Apply) did.
type Result struct {
	Messages    int // messages looked at
	Reports     int // messages that were reports (flagged or moved as processed)
	Unparseable int // messages that were no report, or too large: left in place
	Applied     int // verdicts applied now
	Repeated    int // verdicts an earlier poll applied already: nothing changed
	Ignored     int // recipients with nothing to do (delayed, delivered, not-spam ...)
	Unknown     int // recipients who are no subscriber of ours
}

func (r *Result) add(o Result) {
	r.Messages += o.Messages
	r.Reports += o.Reports
	r.Unparseable += o.Unparseable
	r.Applied += o.Applied
	r.Repeated += o.Repeated
	r.Ignored += o.Ignored
	r.Unknown += o.Unknown
}

// Apply applies a parsed report through the store: each recipient's verdict
// goes to the subscriber it names (see Resolve). softLimit is the number of
// soft bounces in a row that make a bounce (0: ledger.DefaultSoftBounceLimit).
// An error is the store's (the report may be applied again later, safely).
func Apply(ctx context.Context, st Store, rep *Report, softLimit int, log *slog.Logger) (Result, error) {
	res := Result{Reports: 1}
	for _, rc := range rep.Recipients {
		kind := storeKind(rc.Kind)
		if kind == "" {
			res.Ignored++
			continue
		}
		email, err := Resolve(ctx, st, rep, rc)
		if err != nil {
			return res, err
		}
		if email == "" {
			res.Unknown++
			log.Info("bounce report names no subscriber", "report", rep.ID, "kind", rc.Kind,
				"final", rc.Final, "original", rc.Original, "message_id", rep.OriginalMessageID)
			continue
		}
		applied, err := st.ApplyBounceReport(ctx, ledger.BounceReport{
			ReportID: rep.ID, Email: email, Kind: kind, Detail: rc.Detail,
		}, softLimit)
		if err != nil {
			return res, err
		}
		if !applied {
			res.Repeated++
			continue
		}
		res.Applied++
		log.Info("bounce report applied", "report", rep.ID, "kind", rc.Kind, "email", email, "status", rc.Status)
	}
	return res, nil
}

func storeKind(k Kind) ledger.ReportKind {
	switch k {
	case Hard:
		return ledger.ReportHard
	case Soft:
		return ledger.ReportSoft
	case Complaint:
		return ledger.ReportComplaint
	}
	return ""
}

// Resolve finds the subscriber a recipient of a report is about and returns
// their address, or "" when it is none of ours. It tries the Final-Recipient
// (the address the receiving server judged), then the Original-Recipient,
// then the Message-ID masthead gave the returned message (which still leads
// to the subscriber when their mail was forwarded elsewhere, or when a
// feedback report redacts the recipient).
func Resolve(ctx context.Context, st Store, rep *Report, rc Recipient) (string, error) {
	for _, a := range []string{rc.Final, rc.Original} {
		if a == "" {
			continue
		}
		norm, err := subscribers.Normalize(a)
		if err != nil {
			continue
		}
		sub, err := st.SubscriberByEmail(ctx, norm)
		if err == nil {
			return sub.Email, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return "", err
		}
	}
	if rep.OriginalMessageID == "" {
		return "", nil
	}
	d, err := st.DeliveryByMessageID(ctx, rep.OriginalMessageID)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return d.Email, nil
}
