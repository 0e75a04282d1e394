package admin

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"masthead/media"
	"masthead/newsletter"
	"masthead/store"
	"masthead/web/httpauth"
)

// maxPicture bounds the picture upload form: the largest image media takes,
// with room for the form's other fields.
const maxPicture = media.DefaultMaxBytes + 1<<20

// pictureRow is one picture of the library page.
type pictureRow struct {
	*newsletter.Picture
	Src      string // the rendition's address on this site
	Markdown string // what to write in a body to show it
	Width    int    // the rendition's width and height, in pixels
	Height   int
}

type mediaData struct {
	Pictures []pictureRow
	Alt      string // the upload form's input, shown again after a refusal
	Caption  string
}

// pictureRows lists the newest pictures of the library, for the library
// page and the article form's choice of a lead image.
func (a *Admin) pictureRows(r *http.Request, limit int) ([]pictureRow, error) {
	list, err := a.work.Reads().MediaList(r.Context(), store.MediaFilter{Limit: limit})
	if err != nil {
		return nil, err
	}
	rows := make([]pictureRow, 0, len(list))
	for _, p := range list {
		row := pictureRow{Picture: p}
		if rend, ok := p.Widest(media.EmailWidth(media.EmailColumn)); ok {
			row.Src = media.Path(p.SHA256, rend.Width, media.Format(rend.Format))
			row.Width, row.Height = rend.Width, rend.Height
			row.Markdown = fmt.Sprintf("![%s](%s)", p.Alt, row.Src)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func (a *Admin) listMedia(w http.ResponseWriter, r *http.Request) {
	a.showMedia(w, r, http.StatusOK, &mediaData{}, "")
}

func (a *Admin) showMedia(w http.ResponseWriter, r *http.Request, status int, d *mediaData, msg string) {
	p, ok := a.publication(w, r)
	if !ok {
		return
	}
	rows, err := a.pictureRows(r, 200)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	d.Pictures = rows
	a.render(w, r, status, "media", &view{Title: "Pictures", Nav: "media", Pub: p, Data: d, Error: msg})
}

// addMedia takes the upload form: its alt and caption fields come before
// the file, which is read as it arrives, within the limit.
func (a *Admin) addMedia(w http.ResponseWriter, r *http.Request) {
	d := &mediaData{Alt: r.PostFormValue("alt"), Caption: r.PostFormValue("caption")}
	file, err := upload(r, "file")
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		a.tooLarge(w, r, httpauth.FromContext(r.Context()), maxPicture)
		return
	case err != nil:
		a.log.Info("unreadable picture form", "err", err)
		a.showMedia(w, r, http.StatusBadRequest, d, "The form could not be read. Go back, reload the page and try again.")
		return
	case file == nil:
		a.showMedia(w, r, http.StatusBadRequest, d, "Choose an image to upload (JPEG, PNG, GIF or WebP, at most 20 MB).")
		return
	}
	p, created, err := a.work.AddPicture(r.Context(), file, -1, d.Alt, d.Caption)
	var refused *media.Error
	switch {
	case errors.As(err, &refused):
		a.showMedia(w, r, http.StatusUnprocessableEntity, d, "The file was not added: "+refused.Msg+".")
		return
	case errors.As(err, &tooBig):
		a.tooLarge(w, r, httpauth.FromContext(r.Context()), maxPicture)
		return
	case err != nil:
		if msg, ok := a.userMessage(r, err); ok {
			a.showMedia(w, r, http.StatusUnprocessableEntity, d, msg)
			return
		}
		a.serverError(w, r, err)
		return
	}
	flash := fmt.Sprintf("Added picture %d (%s, %d×%d).", p.ID, p.Format, p.Width, p.Height)
	if !created {
		flash = fmt.Sprintf("Picture %d is already in the library; it is kept once.", p.ID)
	}
	a.redirect(w, r, "/admin/media#picture-"+strconv.FormatInt(p.ID, 10), flash)
}

// saveMedia changes a picture's alt text and caption.
func (a *Admin) saveMedia(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		a.notFound(w, r)
		return
	}
	p, err := a.work.SetPictureText(r.Context(), id, r.PostFormValue("alt"), r.PostFormValue("caption"))
	switch {
	case errorsIsNotFound(err):
		a.notFound(w, r)
		return
	case err != nil:
		if msg, ok := a.userMessage(r, err); ok {
			a.showMedia(w, r, http.StatusUnprocessableEntity, &mediaData{}, msg)
			return
		}
		a.serverError(w, r, err)
		return
	}
	a.redirect(w, r, "/admin/media#picture-"+strconv.FormatInt(p.ID, 10), fmt.Sprintf("Saved picture %d.", p.ID))
}
