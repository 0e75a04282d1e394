package api

import (
	"errors"
	"net/http"
	"time"

	"masthead/feeds/poller"
	"masthead/newsletter"
	"masthead/workspace"
)

// feedJSON is a feed with the record of its polls.
type feedJSON struct {
	ID          int64             `json:"id"`
	Publication string            `json:"publication"`
	URL         string            `json:"url"`
	Section     string            `json:"section"`
	Categories  map[string]string `json:"categories"`
	Status      string            `json:"status"`
	Content     string            `json:"content"`
	Interval    string            `json:"interval"`
	LastAttempt *time.Time        `json:"last_attempt"`
	LastSuccess *time.Time        `json:"last_success"`
	NextPoll    *time.Time        `json:"next_poll"`
	Failures    int               `json:"failures"`
	LastError   string            `json:"last_error"`
	CreatedAt   time.Time         `json:"created_at"`
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func feedOut(p *newsletter.Publication, f *newsletter.Feed) feedJSON {
	cats := f.Categories
	if cats == nil {
		cats = map[string]string{}
	}
	return feedJSON{ID: f.ID, Publication: p.Slug, URL: f.URL, Section: f.Section, Categories: cats,
		Status: string(f.Status), Content: string(f.Content), Interval: f.Interval.String(),
		LastAttempt: timeOrNil(f.LastAttempt), LastSuccess: timeOrNil(f.LastSuccess), NextPoll: timeOrNil(f.NextPoll),
		Failures: f.Failures, LastError: f.LastError, CreatedAt: f.CreatedAt}
}

// feedIn is a new feed.
type feedIn struct {
	Publication string            `json:"publication"`
	URL         string            `json:"url"`
	Section     string            `json:"section"`
	Categories  map[string]string `json:"categories"`
	Status      string            `json:"status"`
	Content     string            `json:"content"`
	Interval    string            `json:"interval"` // "15m", "1h"
}

// listFeeds: ?publication=.
func (a *API) listFeeds(w http.ResponseWriter, r *http.Request) {
	p, err := a.work.Publication(r.Context(), r.URL.Query().Get("publication"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	rows, err := a.work.ListFeeds(r.Context(), p)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := make([]feedJSON, 0, len(rows))
	for _, f := range rows {
		out = append(out, feedOut(p, f))
	}
	writeJSON(w, http.StatusOK, list{Data: out})
}

func (a *API) addFeed(w http.ResponseWriter, r *http.Request) {
	var in feedIn
	if !decode(w, r, &in) {
		return
	}
	p, err := a.work.Publication(r.Context(), in.Publication)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	f := &newsletter.Feed{URL: in.URL, Section: in.Section, Categories: in.Categories,
		Status: newsletter.ArticleStatus(in.Status), Content: newsletter.FeedContent(in.Content)}
	if in.Interval != "" {
		d, err := time.ParseDuration(in.Interval)
		if err != nil {
			writeError(w, http.StatusUnprocessableEntity, "invalid", "interval: "+quote(in.Interval)+" is not a duration such as 15m or 1h")
			return
		}
		f.Interval = d
	}
	if err := a.work.AddFeed(r.Context(), p, f); err != nil {
		if errors.Is(err, workspace.ErrFeedExists) {
			writeError(w, http.StatusConflict, "conflict", "the publication already takes this feed")
			return
		}
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/feeds/"+itoa(int(f.ID)))
	writeJSON(w, http.StatusCreated, feedOut(p, f))
}

// feed loads the {id} feed's publication; on failure it has answered.
func (a *API) feed(w http.ResponseWriter, r *http.Request) (int64, *newsletter.Publication, bool) {
	id, ok := pathID(w, r)
	if !ok {
		return 0, nil, false
	}
	f, err := a.work.Reads().Feed(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return 0, nil, false
	}
	p, err := a.work.Reads().Publication(r.Context(), f.PublicationID)
	if err != nil {
		a.fail(w, r, err)
		return 0, nil, false
	}
	return id, p, true
}

func (a *API) removeFeed(w http.ResponseWriter, r *http.Request) {
	id, p, ok := a.feed(w, r)
	if !ok {
		return
	}
	if err := a.work.RemoveFeed(r.Context(), p, id); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// pollJSON is what one poll did; error is the feed's (it is also kept with
// the feed), "" when the poll succeeded.
type pollJSON struct {
	Feed      feedJSON `json:"feed"`
	New       int      `json:"new"`
	Updated   int      `json:"updated"`
	Unchanged int      `json:"unchanged"`
	Frozen    int      `json:"frozen"`
	Removed   int      `json:"removed"`
	Skipped   []string `json:"skipped"`
	Error     string   `json:"error"`
}

// pollFeed polls the feed now. A feed that fails is still a 200: the
// answer's error says why.
func (a *API) pollFeed(w http.ResponseWriter, r *http.Request) {
	id, p, ok := a.feed(w, r)
	if !ok {
		return
	}
	res, err := a.work.PollFeed(r.Context(), p, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := pollJSON{Feed: feedOut(p, res.Feed), New: res.Poll.New, Updated: res.Poll.Updated, Unchanged: res.Poll.Unchanged,
		Frozen: res.Poll.Frozen, Removed: res.Poll.Removed, Skipped: res.Poll.Skipped}
	if out.Skipped == nil {
		out.Skipped = []string{}
	}
	switch {
	case errors.Is(res.Err, poller.ErrStore):
		a.log.Error("feed poll not stored", "feed", id, "err", res.Err)
		out.Error = "the articles could not be stored; see the server log"
	case res.Err != nil:
		out.Error = res.Err.Error() // the fetcher's and parser's words, for the editor
	}
	writeJSON(w, http.StatusOK, out)
}
