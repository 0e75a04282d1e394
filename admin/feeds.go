package admin

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"masthead/feeds/poller"
	"masthead/newsletter"
	"masthead/store"
	"masthead/workspace"
)

// feedsData is the feeds page: the publication's feeds with their last poll
// and error, and the add form (kept as typed when it was refused).
type feedsData struct {
	Feeds    []*newsletter.Feed
	Sections []string
	Form     feedForm
}

type feedForm struct {
	URL, Section, Status, Content, Interval, Categories string
}

// listFeeds is the page of the publication's feeds.
func (a *Admin) listFeeds(w http.ResponseWriter, r *http.Request) {
	p, ok := a.publication(w, r)
	if !ok {
		return
	}
	a.showFeeds(w, r, p, http.StatusOK, "", feedForm{Status: "ready", Content: "full", Interval: newsletter.DefaultFeedInterval.String()})
}

func (a *Admin) showFeeds(w http.ResponseWriter, r *http.Request, p *newsletter.Publication, status int, msg string, form feedForm) {
	list, err := a.work.ListFeeds(r.Context(), p)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	a.render(w, r, status, "feeds", &view{Title: "Feeds", Nav: "feeds", Pub: p, Error: msg,
		Data: &feedsData{Feeds: list, Sections: p.Sections, Form: form}})
}

// addFeed adds a feed from the form; the server's poller fetches it at once.
func (a *Admin) addFeed(w http.ResponseWriter, r *http.Request) {
	p, ok := a.publication(w, r)
	if !ok {
		return
	}
	form := feedForm{URL: r.PostFormValue("url"), Section: r.PostFormValue("section"), Status: r.PostFormValue("status"),
		Content: r.PostFormValue("content"), Interval: r.PostFormValue("interval"), Categories: r.PostFormValue("categories")}
	f := &newsletter.Feed{URL: form.URL, Section: form.Section, Status: newsletter.ArticleStatus(form.Status),
		Content: newsletter.FeedContent(form.Content)}
	if form.Interval != "" {
		d, err := time.ParseDuration(strings.TrimSpace(form.Interval))
		if err != nil {
			a.showFeeds(w, r, p, http.StatusUnprocessableEntity, fmt.Sprintf("interval: %q is not a duration such as 15m or 1h", form.Interval), form)
			return
		}
		f.Interval = d
	}
	cats, err := parseCategories(form.Categories)
	if err != nil {
		a.showFeeds(w, r, p, http.StatusUnprocessableEntity, err.Error(), form)
		return
	}
	f.Categories = cats
	if err := a.work.AddFeed(r.Context(), p, f); err != nil {
		if msg, ok := a.userMessage(r, err); ok {
			a.showFeeds(w, r, p, http.StatusUnprocessableEntity, msg, form)
			return
		}
		if errors.Is(err, workspace.ErrFeedExists) {
			a.showFeeds(w, r, p, http.StatusConflict, "This publication already takes that feed.", form)
			return
		}
		a.serverError(w, r, err)
		return
	}
	a.redirect(w, r, "/admin/feeds", fmt.Sprintf("Feed %d added; it is fetched within a minute.", f.ID))
}

// parseCategories reads the form's category mapping: one CATEGORY=SECTION a
// line.
func parseCategories(s string) (map[string]string, error) {
	out := map[string]string{}
	for i, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		from, to, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(from) == "" {
			return nil, fmt.Errorf("categories, line %d: %q: write CATEGORY=SECTION", i+1, line)
		}
		out[strings.TrimSpace(from)] = strings.TrimSpace(to)
	}
	return out, nil
}

// feedID is the {id} of a feed route, or a 404.
func (a *Admin) feedID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		a.notFound(w, r)
		return 0, false
	}
	return id, true
}

// removeFeed stops taking a feed; its articles stay.
func (a *Admin) removeFeed(w http.ResponseWriter, r *http.Request) {
	p, ok := a.publication(w, r)
	if !ok {
		return
	}
	id, ok := a.feedID(w, r)
	if !ok {
		return
	}
	if err := a.work.RemoveFeed(r.Context(), p, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			a.notFound(w, r)
			return
		}
		a.serverError(w, r, err)
		return
	}
	a.redirect(w, r, "/admin/feeds", fmt.Sprintf("Feed %d removed; its articles stay.", id))
}

// pollFeed polls a feed now and says what it brought or why it failed.
func (a *Admin) pollFeed(w http.ResponseWriter, r *http.Request) {
	p, ok := a.publication(w, r)
	if !ok {
		return
	}
	id, ok := a.feedID(w, r)
	if !ok {
		return
	}
	res, err := a.work.PollFeed(r.Context(), p, id)
	if errors.Is(err, store.ErrNotFound) {
		a.notFound(w, r)
		return
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	switch {
	case errors.Is(res.Err, poller.ErrStore):
		a.log.Error("feed poll not stored", "feed", id, "err", res.Err)
		a.showFeeds(w, r, p, http.StatusOK, fmt.Sprintf("Feed %d: the articles could not be stored; the error is in the server log.", id), feedForm{})
	case res.Err != nil:
		// The fetcher's and parser's errors are written for the editor.
		a.showFeeds(w, r, p, http.StatusOK, fmt.Sprintf("Feed %d: %v", id, res.Err), feedForm{})
	default:
		a.redirect(w, r, "/admin/feeds", fmt.Sprintf("Feed %d polled: %d new, %d updated, %d unchanged.", id,
			res.Poll.New, res.Poll.Updated, res.Poll.Unchanged))
	}
}
