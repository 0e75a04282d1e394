package workspace

import (
	"context"
	"time"

	"masthead/auth"
	"masthead/ledger"
	"masthead/newsletter"
	"masthead/store"
	"masthead/subscribers"
)

// Reads is every read the front ends make of the database: listings, pages,
// lookups and counts. It has no method that writes (*store.Store implements
// it), so a front end holding it cannot change anything but through the
// Service's operations.
type Reads interface {
	Backend() string
	Ping(ctx context.Context) error
	Ready(ctx context.Context) error
	LeaseHolder(ctx context.Context, name string) (owner string, until time.Time, err error)
	SendSuppressions(ctx context.Context, issueID int64) (int, error)

	Publication(ctx context.Context, id int64) (*newsletter.Publication, error)
	PublicationBySlug(ctx context.Context, slug string) (*newsletter.Publication, error)
	Publications(ctx context.Context) ([]*newsletter.Publication, error)

	Article(ctx context.Context, id int64) (*newsletter.Article, error)
	ArticleByKey(ctx context.Context, publicationID int64, key string) (*newsletter.Article, error)
	Articles(ctx context.Context, f store.ArticleFilter) ([]*newsletter.Article, error)
	ArticlesFor(ctx context.Context, publicationID int64, d newsletter.Date, status newsletter.ArticleStatus) ([]*newsletter.Article, error)
	EditionArticles(ctx context.Context, publicationID int64, d newsletter.Date, edition int, status newsletter.ArticleStatus) ([]*newsletter.Article, error)

	Feed(ctx context.Context, id int64) (*newsletter.Feed, error)
	Feeds(ctx context.Context, publicationID int64) ([]*newsletter.Feed, error)

	Issue(ctx context.Context, id int64) (*newsletter.Issue, error)
	IssueByDate(ctx context.Context, publicationID int64, d newsletter.Date) (*newsletter.Issue, error)
	IssueByEdition(ctx context.Context, publicationID int64, d newsletter.Date, edition int) (*newsletter.Issue, error)
	IssuesOn(ctx context.Context, publicationID int64, d newsletter.Date) ([]*newsletter.Issue, error)
	IssueStatus(ctx context.Context, issueID int64) (newsletter.IssueStatus, error)
	Issues(ctx context.Context, f store.IssueFilter) ([]*newsletter.Issue, error)
	PublicIssues(ctx context.Context, publicationID int64, limit, offset int) ([]store.IssueSummary, error)
	CountPublicIssues(ctx context.Context, publicationID int64) (int, error)

	SendTransport(ctx context.Context, issueID int64) (string, error)
	Counts(ctx context.Context, issueID int64) (ledger.DeliveryCounts, error)
	Deliveries(ctx context.Context, f store.DeliveryFilter) ([]*ledger.Delivery, error)
	DeliveryByID(ctx context.Context, id int64) (*ledger.Delivery, error)
	SubscriberDeliveries(ctx context.Context, subscriberID int64, limit int) ([]*ledger.Delivery, error)
	Outbox(ctx context.Context, f store.OutboxFilter) ([]*ledger.OutboxMessage, error)
	OutboxCount(ctx context.Context, f store.OutboxFilter) (int, error)
	OutboxByID(ctx context.Context, id int64) (*ledger.OutboxMessage, error)

	Subscriber(ctx context.Context, id int64) (*subscribers.Subscriber, error)
	SubscriberByEmail(ctx context.Context, email string) (*subscribers.Subscriber, error)
	SubscriberEvents(ctx context.Context, subscriberID int64) ([]subscribers.Event, error)
	SubscriberCounts(ctx context.Context, publicationID int64) (map[subscribers.Status]int, error)
	SearchSubscribers(ctx context.Context, f store.SubscriberFilter) ([]*subscribers.Listing, error)
	EachSubscriber(ctx context.Context, f store.SubscriberFilter, fn func(*subscribers.Listing) error) error
	Subscriptions(ctx context.Context, subscriberID int64) ([]subscribers.Subscription, error)
	Suppression(ctx context.Context, email string) (*subscribers.Suppression, error)
	IsSuppressed(ctx context.Context, email string) (bool, error)
	ConfirmationsDue(ctx context.Context) (int, error)

	User(ctx context.Context, id int64) (*auth.User, error)
	UserByEmail(ctx context.Context, email string) (*auth.User, error)
	Users(ctx context.Context) ([]*auth.User, error)
	APITokens(ctx context.Context, userID int64) ([]*auth.APIToken, error)

	Media(ctx context.Context, id int64) (*newsletter.Picture, error)
	MediaByHash(ctx context.Context, sha string) (*newsletter.Picture, error)
	MediaList(ctx context.Context, f store.MediaFilter) ([]*newsletter.Picture, error)
	MediaRendition(ctx context.Context, sha string, width int) (*newsletter.PictureRendition, error)

	EngagementReads
	ReaderRows(ctx context.Context, publicationID int64) (int, error)
}

var _ Reads = (*store.Store)(nil)
