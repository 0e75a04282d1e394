package bounces

import (
	"context"
	"errors"
	"log/slog"

	"masthead/ledger"
	"masthead/subscribers"
)

// Store is what applying reports needs of the database (*store.Store
// implements it; the wiring hands it over). Lookups of missing rows give
// ledger.ErrNotFound.
type Store interface {
	SubscriberByEmail(ctx context.Context, email string) (*subscribers.Subscriber, error)
	DeliveryByMessageID(ctx context.Context, messageID string) (*ledger.Delivery, error)
	ApplyBounceReport(ctx context.Context, r ledger.BounceReport, policy ledger.BouncePolicy) (bool, error)
}

// Result counts what a poll (or one Apply) did.
type Result struct {
	Messages    int // messages looked at
	Reports     int // messages that were reports (flagged or moved as processed)
	Unparseable int // messages that were no report, or too large: left in place
	Applied     int // verdicts applied now
	Repeated    int // verdicts an earlier poll applied already: nothing changed
	Ignored     int // recipients with nothing to do (delayed, delivered, not-spam ...)
	Unknown     int // recipients who are no subscriber of ours
	// Unsubscribes are the unsubscribe requests mailed to a publication's
	// unsubscribe address that were applied (flagged or moved as processed).
	Unsubscribes int
}

// Verdicts is the number of recipient verdicts looked at: applied,
// repeated, ignored or about no subscriber.
func (r Result) Verdicts() int { return r.Applied + r.Repeated + r.Ignored + r.Unknown }

// Add adds o's counts to r.
func (r *Result) Add(o Result) { r.add(o) }

func (r *Result) add(o Result) {
	r.Messages += o.Messages
	r.Reports += o.Reports
	r.Unparseable += o.Unparseable
	r.Applied += o.Applied
	r.Repeated += o.Repeated
	r.Ignored += o.Ignored
	r.Unknown += o.Unknown
	r.Unsubscribes += o.Unsubscribes
}

// Apply applies a report, whatever its source (a mailbox, the webhook, SES),
// through the store under policy, the one every bounce is judged by: each
// recipient's verdict goes to the subscriber it names (see Resolve), or, for
// a Direct report, to the address itself. Applying a report again changes
// nothing. An error is the store's (the report may be applied again later,
// safely).
func Apply(ctx context.Context, st Store, rep *Report, policy ledger.BouncePolicy, log *slog.Logger) (Result, error) {
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
		if email == "" && rep.Direct {
			email = rc.Final
		}
		if email == "" {
			res.Unknown++
			log.Info("bounce report names no subscriber", "report", rep.ID, "kind", rc.Kind,
				"final", rc.Final, "original", rc.Original, "message_id", rep.OriginalMessageID)
			continue
		}
		applied, err := st.ApplyBounceReport(ctx, ledger.BounceReport{
			ReportID: rep.ID, Email: email, Kind: kind, Detail: rc.Detail,
		}, policy)
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
		if !errors.Is(err, ledger.ErrNotFound) {
			return "", err
		}
	}
	if rep.OriginalMessageID == "" {
		return "", nil
	}
	d, err := st.DeliveryByMessageID(ctx, rep.OriginalMessageID)
	if errors.Is(err, ledger.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return d.Email, nil
}
