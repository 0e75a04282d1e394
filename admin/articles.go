package admin

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"masthead/newsletter"
	"masthead/store"
	"masthead/workspace"
)

type articlesData struct {
	Date     string
	Status   string
	Articles []*newsletter.Article
}

// listArticles lists the publication's articles by date (newest first),
// filtered by ?date= and ?status=.
func (a *Admin) listArticles(w http.ResponseWriter, r *http.Request) {
	p, ok := a.publication(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	d := &articlesData{Date: q.Get("date"), Status: q.Get("status")}
	f := store.ArticleFilter{PublicationID: p.ID, Limit: 200}
	if d.Date != "" {
		date, err := newsletter.ParseDate(d.Date)
		if err != nil {
			a.errorPage(w, r, nil, http.StatusBadRequest, err.Error())
			return
		}
		f.Date = date
	}
	if d.Status == "draft" || d.Status == "ready" {
		f.Status = newsletter.ArticleStatus(d.Status)
	}
	list, err := a.work.Reads().Articles(r.Context(), f)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	d.Articles = list
	a.render(w, r, http.StatusOK, "articles", &view{Title: "Articles", Nav: "articles", Pub: p, Data: d})
}

type articleForm struct {
	Article  *newsletter.Article
	Sections []string
	Preview  any // the body rendered, for the first paint of the live preview
	// Pictures are the library's newest, to choose the lead image from;
	// Lead is the article's lead image among them (nil: none, or older).
	Pictures []pictureRow
	Lead     *pictureRow
}

func (a *Admin) newArticle(w http.ResponseWriter, r *http.Request) {
	p, ok := a.publication(w, r)
	if !ok {
		return
	}
	art := &newsletter.Article{Date: a.work.Today(p), Status: newsletter.Draft}
	if v := r.URL.Query().Get("date"); v != "" {
		if d, err := newsletter.ParseDate(v); err == nil {
			art.Date = d
		}
	}
	if v := r.URL.Query().Get("edition"); v != "" {
		if e, err := newsletter.ParseEdition(v); err == nil {
			art.Edition = e
		}
	}
	a.showArticle(w, r, http.StatusOK, p, art, "")
}

func (a *Admin) showArticle(w http.ResponseWriter, r *http.Request, status int, p *newsletter.Publication, art *newsletter.Article, msg string) {
	preview, _ := workspace.RenderMarkdown(art.Body)
	title := "New article"
	if art.ID != 0 {
		title = "Edit: " + art.Title
	}
	pics, err := a.pictureRows(r, 200)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	form := &articleForm{Article: art, Sections: p.Sections, Preview: preview, Pictures: pics}
	for i := range pics {
		if pics[i].SHA256 == art.LeadImage {
			form.Lead = &pics[i]
		}
	}
	if form.Lead == nil && art.LeadImage != "" {
		if pic, err := a.work.Reads().MediaByHash(r.Context(), art.LeadImage); err == nil {
			form.Pictures = append(form.Pictures, pictureRow{Picture: pic})
			form.Lead = &form.Pictures[len(form.Pictures)-1]
		}
	}
	a.render(w, r, status, "article", &view{Title: title, Nav: "articles", Pub: p, Error: msg, Data: form})
}

func (a *Admin) editArticle(w http.ResponseWriter, r *http.Request) {
	p, art, ok := a.article(w, r)
	if ok {
		a.showArticle(w, r, http.StatusOK, p, art, "")
	}
}

// article loads the {id} article of the current publication.
func (a *Admin) article(w http.ResponseWriter, r *http.Request) (*newsletter.Publication, *newsletter.Article, bool) {
	p, ok := a.publication(w, r)
	if !ok {
		return nil, nil, false
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		a.notFound(w, r)
		return nil, nil, false
	}
	art, err := a.work.Article(r.Context(), p, id)
	if err != nil {
		if errorsIsNotFound(err) {
			a.notFound(w, r)
		} else {
			a.serverError(w, r, err)
		}
		return nil, nil, false
	}
	return p, art, true
}

func (a *Admin) createArticle(w http.ResponseWriter, r *http.Request) {
	p, ok := a.publication(w, r)
	if !ok {
		return
	}
	a.storeArticle(w, r, p, &newsletter.Article{})
}

func (a *Admin) saveArticle(w http.ResponseWriter, r *http.Request) {
	if p, art, ok := a.article(w, r); ok {
		a.storeArticle(w, r, p, art)
	}
}

// storeArticle fills art from the form and saves it; a problem shows the form
// again with the editor's input and what to fix.
func (a *Admin) storeArticle(w http.ResponseWriter, r *http.Request, p *newsletter.Publication, art *newsletter.Article) {
	f := r.PostForm
	art.Title, art.Deck, art.Author = f.Get("title"), f.Get("deck"), f.Get("author")
	art.Section, art.Body = f.Get("section"), strings.ReplaceAll(f.Get("body"), "\r\n", "\n")
	art.LeadImage, art.LeadAlt = f.Get("image"), f.Get("image_alt")
	if _, ok := f["key"]; ok {
		art.Key = f.Get("key") // empty: assigned (a new article) or kept
	}
	art.Status = newsletter.Draft
	if f.Get("ready") != "" {
		art.Status = newsletter.Ready
	}
	var bad []string
	if d, err := newsletter.ParseDate(f.Get("date")); err != nil {
		bad = append(bad, "date: "+err.Error())
	} else {
		art.Date = d
	}
	if _, ok := f["edition"]; ok {
		e, err := newsletter.ParseEdition(f.Get("edition"))
		if err != nil {
			bad = append(bad, "edition: must be 0 (the daily issue) or an extra's number")
		}
		art.Edition = e
	}
	if v := f.Get("position"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			bad = append(bad, "position: must be a whole number")
		}
		art.Position = n
	}
	if len(bad) > 0 {
		a.showArticle(w, r, http.StatusUnprocessableEntity, p, art, strings.Join(bad, "\n"))
		return
	}
	if err := a.work.SaveArticle(r.Context(), p, art); err != nil {
		if msg, ok := a.userMessage(r, err); ok {
			a.showArticle(w, r, http.StatusUnprocessableEntity, p, art, msg)
			return
		}
		if errors.Is(err, store.ErrConflict) { // another save took the key meanwhile
			a.showArticle(w, r, http.StatusConflict, p, art, fmt.Sprintf("key: %q is already another article's", art.Key))
			return
		}
		a.serverError(w, r, err)
		return
	}
	a.redirect(w, r, "/admin/issues/"+newsletter.EditionRef(art.Date, art.Edition), fmt.Sprintf("Saved %q (%s).", art.Title, art.Status))
}

func (a *Admin) deleteArticle(w http.ResponseWriter, r *http.Request) {
	_, art, ok := a.article(w, r)
	if !ok {
		return
	}
	if err := a.work.DeleteArticle(r.Context(), art.ID); err != nil {
		a.serverError(w, r, err)
		return
	}
	a.redirect(w, r, "/admin/issues/"+newsletter.EditionRef(art.Date, art.Edition), fmt.Sprintf("Deleted %q.", art.Title))
}

// moveArticle moves an article up or down within its section of the issue.
func (a *Admin) moveArticle(w http.ResponseWriter, r *http.Request) {
	p, art, ok := a.article(w, r)
	if !ok {
		return
	}
	delta := 1
	if r.PostFormValue("dir") == "up" {
		delta = -1
	}
	if err := a.work.Move(r.Context(), p, art.ID, delta); err != nil {
		a.serverError(w, r, err)
		return
	}
	a.redirect(w, r, "/admin/issues/"+newsletter.EditionRef(art.Date, art.Edition)+"#articles", "")
}

// markdownPreview renders the editor's Markdown as the issue will (the live
// preview; the page's script posts the body with the CSRF header).
func (a *Admin) markdownPreview(w http.ResponseWriter, r *http.Request) {
	html, err := workspace.RenderMarkdown(r.PostFormValue("body"))
	if err != nil {
		http.Error(w, "cannot render this Markdown", http.StatusUnprocessableEntity)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write([]byte(html))
}
