package workspace

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"masthead/engagement"
	"masthead/newsletter"
	"masthead/store"
)

// LinkTables is where an issue's link table is kept (*store.Store).
type LinkTables interface {
	SaveIssueLinks(ctx context.Context, issueID int64, links []engagement.Link) error
}

// Links rewrites an issue's links to counted redirects when its send starts
// (delivery.Links): once per issue, from the stored rendering, so the
// message's wire layout is still built once and only the per-message part
// of a link (per-subscriber figures only) is filled per recipient. The link
// table is in the database before the engine composes the first message.
type Links struct {
	tables  LinkTables
	signer  *engagement.Signer
	baseURL string
}

// NewLinks returns the rewriting of links under baseURL (a publication's
// own base URL first), signed with the server secret.
func NewLinks(tables LinkTables, secret []byte, baseURL string) *Links {
	return &Links{tables: tables, signer: engagement.NewSigner(secret), baseURL: strings.TrimSuffix(baseURL, "/")}
}

// Signer is the links' signer, which the redirect verifies tokens with.
func (l *Links) Signer() *engagement.Signer { return l.signer }

// Prepare returns a copy of iss with its article links rewritten, once the
// table is stored. The unsubscribe and confirm links (under the base URL or
// slots) and the List-* headers are never rewritten.
func (l *Links) Prepare(ctx context.Context, pub *newsletter.Publication, iss *newsletter.Issue) (*newsletter.Issue, error) {
	rw, err := engagement.NewRewriter(l.signer, engagement.RewriteOptions{
		BaseURL: pub.LinkBase(l.baseURL), PerRecipient: pub.PerSubscriberFigures, OpenImage: pub.TrackOpens,
	})
	if err != nil {
		return nil, err
	}
	out, err := rw.Rewrite(iss.ID, iss.HTML, iss.Text)
	if err != nil {
		return nil, fmt.Errorf("rewrite links: %w", err)
	}
	if err := l.tables.SaveIssueLinks(ctx, iss.ID, out.Links); err != nil {
		if errors.Is(err, store.ErrLinksDiffer) {
			return nil, fmt.Errorf("%w; this process makes %s's links under %s: give every process that sends it the same --base-url, "+
				"or the publication its own ('masthead publication set %s --base-url URL')", err, pub.Slug, pub.LinkBase(l.baseURL), pub.Slug)
		}
		return nil, err
	}
	c := *iss
	c.HTML, c.Text = out.HTML, out.Text
	return &c, nil
}

// RecipientPart is the per-message part naming the subscriber and when the
// message was made.
func (l *Links) RecipientPart(issueID, subscriberID int64, at time.Time) string {
	return l.signer.RecipientPart(issueID, subscriberID, at)
}
