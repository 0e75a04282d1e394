package workspace

import (
	"context"
	"errors"
	"fmt"

	"masthead/feeds/poller"
	"masthead/newsletter"
	"masthead/store"
)

// The feeds a publication takes articles from: an editor adds one, lists
// them with their last poll and error, removes one (its articles stay), and
// polls one or all now; `masthead serve` polls each when it is due by
// itself, with the same Poller.

// ErrFeedExists is returned when a publication already takes a feed from
// the same address.
var ErrFeedExists = errors.New("the publication already takes this feed")

// AddFeed validates a feed for p and stores it, due at once: the process's
// poller (serve's) is woken to fetch it.
func (s *Service) AddFeed(ctx context.Context, p *newsletter.Publication, f *newsletter.Feed) error {
	f.ID, f.PublicationID = 0, p.ID
	if err := f.Validate(p); err != nil {
		return err
	}
	f.NextPoll = s.now()
	if err := s.st.CreateFeed(ctx, f); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("%s: %w", f.URL, ErrFeedExists)
		}
		return err
	}
	s.log.Info("feed added", "publication", p.Slug, "feed", f.ID, "url", f.URL)
	if s.feeds != nil {
		s.feeds.Wake()
	}
	return nil
}

// ListFeeds lists p's feeds, oldest first, with their last poll, next poll
// and last error.
func (s *Service) ListFeeds(ctx context.Context, p *newsletter.Publication) ([]*newsletter.Feed, error) {
	return s.st.Feeds(ctx, p.ID)
}

// Feed returns one of p's feeds.
func (s *Service) Feed(ctx context.Context, p *newsletter.Publication, id int64) (*newsletter.Feed, error) {
	f, err := s.st.Feed(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("feed %d: %w", id, err)
	}
	if f.PublicationID != p.ID {
		return nil, fmt.Errorf("feed %d: %w", id, store.ErrNotFound)
	}
	return f, nil
}

// RemoveFeed removes one of p's feeds. The articles it made stay, and an
// issue that has them keeps them.
func (s *Service) RemoveFeed(ctx context.Context, p *newsletter.Publication, id int64) error {
	f, err := s.Feed(ctx, p, id)
	if err != nil {
		return err
	}
	if err := s.st.DeleteFeed(ctx, f.ID); err != nil {
		return err
	}
	s.log.Info("feed removed", "publication", p.Slug, "feed", f.ID, "url", f.URL)
	return nil
}

// PollFeed polls one of p's feeds now. The error is the feed's (recorded
// with it, so ListFeeds shows it) or the database's (poller.ErrStore).
func (s *Service) PollFeed(ctx context.Context, p *newsletter.Publication, id int64) (poller.Result, error) {
	if s.feeds == nil {
		return poller.Result{}, fmt.Errorf("polling feeds: %w", ErrUnavailable)
	}
	f, err := s.Feed(ctx, p, id)
	if err != nil {
		return poller.Result{}, err
	}
	res, err := s.feeds.Poll(ctx, f)
	return poller.Result{Feed: f, Poll: res, Err: err}, nil
}

// PollFeeds polls every one of p's feeds now, a few at once, and says what
// each poll did.
func (s *Service) PollFeeds(ctx context.Context, p *newsletter.Publication) ([]poller.Result, error) {
	if s.feeds == nil {
		return nil, fmt.Errorf("polling feeds: %w", ErrUnavailable)
	}
	list, err := s.st.Feeds(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	return s.feeds.PollAll(ctx, list), nil
}
