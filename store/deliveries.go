package store

import (
	"cmp"
	"database/sql"
	"slices"

	"masthead/ledger"
)

// otherTransport is the error for a caller with transport want on an issue
// sending through have, or nil when they match. An empty transport on either
// side (a send started before transports were recorded, an engine that does
// not know its own) matches any.
func otherTransport(issueID int64, have, want string) error {
	if have == "" || want == "" || have == want {
		return nil
	}
	return &ledger.TransportError{IssueID: issueID, Have: have, Want: want}
}

const deliveryColumns = `id, issue_id, subscriber_id, email, name, status, attempts, next_attempt_at, first_attempt_at,
	lease_owner, lease_until, last_code, last_reply, accepted_at, message_id`

func scanDelivery(row interface{ Scan(...any) error }) (*ledger.Delivery, error) {
	var d ledger.Delivery
	var next, first, lease, accepted int64
	if err := row.Scan(&d.ID, &d.IssueID, &d.SubscriberID, &d.Email, &d.Name, &d.Status, &d.Attempts, &next, &first,
		&d.LeaseOwner, &lease, &d.LastCode, &d.LastReply, &accepted, &d.MessageID); err != nil {
		return nil, err
	}
	d.NextAttemptAt, d.FirstAttemptAt, d.LeaseUntil, d.AcceptedAt = fromMS(next), fromMS(first), fromMS(lease), fromMS(accepted)
	return &d, nil
}

func collectDeliveries(rows *sql.Rows) ([]*ledger.Delivery, error) {
	defer rows.Close()
	var out []*ledger.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// RETURNING gives no order; keep claims in ledger order.
	slices.SortFunc(out, func(a, b *ledger.Delivery) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}
