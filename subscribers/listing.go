package subscribers

// Listing is a subscriber with their subscriptions, as lists and exports show them.
type Listing struct {
	Subscriber
	Subscriptions []Subscription // ordered by publication slug
}

// Subscription returns the subscription to a publication, or nil.
func (l *Listing) Subscription(publicationID int64) *Subscription {
	for i := range l.Subscriptions {
		if l.Subscriptions[i].PublicationID == publicationID {
			return &l.Subscriptions[i]
		}
	}
	return nil
}

// StatusIn is the subscriber's status for one publication: Bounced or
// Complained when suppressed, else their subscription's status ("" when they
// have none).
func (l *Listing) StatusIn(publicationID int64) Status {
	if l.Status.Suppressed() {
		return l.Status
	}
	if sub := l.Subscription(publicationID); sub != nil {
		return sub.Status
	}
	return ""
}
