package api

import (
	"net/http"
	"time"

	"masthead/newsletter"
	"masthead/store"
)

type articleJSON struct {
	ID          int64     `json:"id"`
	Publication string    `json:"publication"`
	Key         string    `json:"key"`
	Date        string    `json:"date"`
	Edition     int       `json:"edition"` // 0 the date's daily issue, N its extra N
	Section     string    `json:"section"`
	Position    int       `json:"position"`
	Title       string    `json:"title"`
	Deck        string    `json:"deck"`
	Author      string    `json:"author"`
	Body        string    `json:"body"`
	Status      string    `json:"status"`
	Image       string    `json:"image"`     // the lead image's SHA-256, "" for none
	ImageAlt    string    `json:"image_alt"` // what it shows
	SourceURL   string    `json:"source_url"`
	SourceImage string    `json:"source_image"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func articleOut(p *newsletter.Publication, a *newsletter.Article) articleJSON {
	return articleJSON{ID: a.ID, Publication: p.Slug, Key: a.Key, Date: a.Date.String(), Edition: a.Edition, Section: a.Section, Position: a.Position,
		Title: a.Title, Deck: a.Deck, Author: a.Author, Body: a.Body, Status: string(a.Status),
		Image: a.LeadImage, ImageAlt: a.LeadAlt,
		SourceURL: a.SourceURL, SourceImage: a.SourceImage, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

// articleIn is a new article, or (with pointers left nil) the fields of a change.
type articleIn struct {
	Publication *string `json:"publication"`
	Key         *string `json:"key"`
	Date        *string `json:"date"`
	Edition     *int    `json:"edition"`
	Section     *string `json:"section"`
	Position    *int    `json:"position"`
	Title       *string `json:"title"`
	Deck        *string `json:"deck"`
	Author      *string `json:"author"`
	Body        *string `json:"body"`
	Status      *string `json:"status"`
	// Image is the lead image: a library picture's id, SHA-256 (or its
	// first characters) or address; "" takes it away. ImageAlt is what it
	// shows (default: the library's alt text).
	Image    *string `json:"image"`
	ImageAlt *string `json:"image_alt"`
}

// apply sets the fields given; on a bad date it has answered 422 and returns
// false.
func (in *articleIn) apply(w http.ResponseWriter, a *newsletter.Article) bool {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	if in.Date != nil {
		d, ok := dateField(w, "date", *in.Date)
		if !ok {
			return false
		}
		a.Date = d
	}
	if in.Position != nil {
		a.Position = *in.Position
	}
	if in.Edition != nil {
		a.Edition = *in.Edition // checked by the workspace: the extra must exist
	}
	if in.Status != nil {
		a.Status = newsletter.ArticleStatus(*in.Status)
	}
	set(&a.Key, in.Key)
	set(&a.Section, in.Section)
	set(&a.Title, in.Title)
	set(&a.Deck, in.Deck)
	set(&a.Author, in.Author)
	set(&a.Body, in.Body)
	if in.Image != nil {
		a.LeadImage, a.LeadAlt = *in.Image, "" // a new image: its alt text, or the library's
	}
	set(&a.LeadAlt, in.ImageAlt)
	return true
}

// listArticles: ?publication=, ?date=YYYY-MM-DD, ?status=draft|ready, paginated.
func (a *API) listArticles(w http.ResponseWriter, r *http.Request) {
	pg, ok := readPage(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	p, err := a.work.Publication(r.Context(), q.Get("publication"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	f := store.ArticleFilter{PublicationID: p.ID, Limit: pg.limit(), Offset: pg.offset()}
	if v := q.Get("date"); v != "" {
		if f.Date, ok = dateParam(w, "date", v); !ok {
			return
		}
	}
	if v := q.Get("status"); v != "" {
		if f.Status, ok = oneOf(w, "status", v, []newsletter.ArticleStatus{newsletter.Draft, newsletter.Ready}); !ok {
			return
		}
	}
	rows, err := a.work.Reads().Articles(r.Context(), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	rows, more := trim(rows, pg)
	out := make([]articleJSON, 0, len(rows))
	for _, ar := range rows {
		out = append(out, articleOut(p, ar))
	}
	writeJSON(w, http.StatusOK, list{Data: out, Next: nextURL(r, more, "page", itoa(pg.num+1))})
}

func (a *API) createArticle(w http.ResponseWriter, r *http.Request) {
	var in articleIn
	if !decode(w, r, &in) {
		return
	}
	slug := ""
	if in.Publication != nil {
		slug = *in.Publication
	}
	p, err := a.work.Publication(r.Context(), slug)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	art := &newsletter.Article{Status: newsletter.Draft}
	if !in.apply(w, art) {
		return
	}
	if err := a.work.SaveArticle(r.Context(), p, art); err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/articles/"+itoa(int(art.ID)))
	writeJSON(w, http.StatusCreated, articleOut(p, art))
}

// article loads the {id} article and its publication; on failure it has answered.
func (a *API) article(w http.ResponseWriter, r *http.Request) (*newsletter.Article, *newsletter.Publication, bool) {
	id, ok := pathID(w, r)
	if !ok {
		return nil, nil, false
	}
	art, err := a.work.Reads().Article(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return nil, nil, false
	}
	p, err := a.work.Reads().Publication(r.Context(), art.PublicationID)
	if err != nil {
		a.fail(w, r, err)
		return nil, nil, false
	}
	return art, p, true
}

func (a *API) getArticle(w http.ResponseWriter, r *http.Request) {
	art, p, ok := a.article(w, r)
	if ok {
		writeJSON(w, http.StatusOK, articleOut(p, art))
	}
}

func (a *API) patchArticle(w http.ResponseWriter, r *http.Request) {
	art, p, ok := a.article(w, r)
	if !ok {
		return
	}
	var in articleIn
	if !decode(w, r, &in) {
		return
	}
	if in.Publication != nil && *in.Publication != p.Slug {
		writeError(w, http.StatusUnprocessableEntity, "invalid", "publication: an article cannot move to another publication")
		return
	}
	if !in.apply(w, art) {
		return
	}
	if err := a.work.SaveArticle(r.Context(), p, art); err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, articleOut(p, art))
}

func (a *API) deleteArticle(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	if err := a.work.DeleteArticle(r.Context(), id); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
