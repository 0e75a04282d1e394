package ledger

// Bounce and complaint verdicts that arrive after the fact (a mailbox of
// RFC 3464 delivery-status reports and RFC 5965 feedback reports, provider
// webhooks), and the policy every bounce is judged by, whatever its source:
// those reports, and the soft bounces of delivery's own give-ups.

// ReportKind is what a report says about an address.
type ReportKind string

const (
	// ReportHard: the address does not exist or refuses mail for good (5.x.x).
	ReportHard ReportKind = "hard"
	// ReportSoft: delivery failed for now (4.x.x); BouncePolicy.SoftLimit in a row make a bounce.
	ReportSoft ReportKind = "soft"
	// ReportComplaint: the recipient reported the message as spam (Feedback-Type: abuse).
	ReportComplaint ReportKind = "complaint"
)

// BounceReport is one report's verdict on one address.
type BounceReport struct {
	ReportID string // the report's own Message-ID (or a digest of it): the key that makes applying idempotent
	Email    string // the subscriber's address
	Kind     ReportKind
	Detail   string // status and diagnostic, kept in the event and the suppression
}

// DefaultSoftBounceLimit is BouncePolicy.SoftLimit when none is set.
const DefaultSoftBounceLimit = 3

// BouncePolicy is what bounces do to an address: a hard bounce or a complaint
// suppresses it at once; SoftLimit soft bounces in a row (a message accepted
// for the address resets the count) suppress it as bounced. One policy holds
// for every source: IMAP reports, webhook and SES reports, and the soft
// bounces of delivery's give-ups (serve's --soft-bounce-limit sets it).
type BouncePolicy struct {
	SoftLimit int // 0: DefaultSoftBounceLimit
}

// Limit is the number of soft bounces in a row that make a bounce.
func (p BouncePolicy) Limit() int {
	if p.SoftLimit <= 0 {
		return DefaultSoftBounceLimit
	}
	return p.SoftLimit
}
