package api

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"masthead/media"
	"masthead/newsletter"
	"masthead/store"
)

// maxMedia bounds an upload's request body: the largest image media takes,
// with room for a multipart form's other fields.
const maxMedia = media.DefaultMaxBytes + 1<<20

type renditionJSON struct {
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Format string `json:"format"`
	Size   int64  `json:"size"`
	URL    string `json:"url"`
}

type mediaJSON struct {
	ID         int64           `json:"id"`
	SHA256     string          `json:"sha256"`
	Format     string          `json:"format"`
	Width      int             `json:"width"`
	Height     int             `json:"height"`
	Size       int64           `json:"size"`
	Alt        string          `json:"alt"`
	Caption    string          `json:"caption"`
	URL        string          `json:"url"` // the rendition for the email column
	Renditions []renditionJSON `json:"renditions"`
	CreatedAt  time.Time       `json:"created_at"`
}

func (a *API) mediaOut(p *newsletter.Picture) mediaJSON {
	out := mediaJSON{ID: p.ID, SHA256: p.SHA256, Format: p.Format, Width: p.Width, Height: p.Height, Size: p.Size,
		Alt: p.Alt, Caption: p.Caption, URL: a.work.PictureURL(nil, p), CreatedAt: p.CreatedAt, Renditions: []renditionJSON{}}
	for _, r := range p.Renditions {
		out.Renditions = append(out.Renditions, renditionJSON{Width: r.Width, Height: r.Height, Format: r.Format, Size: r.Size,
			URL: a.work.PublicURL(media.Path(p.SHA256, r.Width, media.Format(r.Format)))})
	}
	return out
}

// addMedia: POST /api/media, the image as a multipart form's "file" field
// (with "alt" and "caption" fields), or as the raw body (with ?alt= and
// ?caption=). 201 for a new picture, 200 for one already in the library.
func (a *API) addMedia(w http.ResponseWriter, r *http.Request) {
	var body io.Reader
	size := r.ContentLength
	alt, caption := r.URL.Query().Get("alt"), r.URL.Query().Get("caption")
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				writeError(w, http.StatusRequestEntityTooLarge, "too_large", "too large: the limit is 20 MB")
				return
			}
			badRequest(w, "the multipart form could not be read")
			return
		}
		defer r.MultipartForm.RemoveAll()
		f, fh, err := r.FormFile("file")
		if err != nil {
			badRequest(w, `send the image as the form's "file" field`)
			return
		}
		defer f.Close()
		body, size = f, fh.Size
		if v := r.FormValue("alt"); v != "" {
			alt = v
		}
		if v := r.FormValue("caption"); v != "" {
			caption = v
		}
	} else {
		body = r.Body
	}
	p, created, err := a.work.AddPicture(r.Context(), body, size, alt, caption)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	w.Header().Set("Location", "/api/media/"+itoa(int(p.ID)))
	writeJSON(w, status, a.mediaOut(p))
}

// listMedia: the picture library, newest first, paginated.
func (a *API) listMedia(w http.ResponseWriter, r *http.Request) {
	pg, ok := readPage(w, r)
	if !ok {
		return
	}
	rows, err := a.work.Reads().MediaList(r.Context(), store.MediaFilter{Limit: pg.limit(), Offset: pg.offset()})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	rows, more := trim(rows, pg)
	out := make([]mediaJSON, 0, len(rows))
	for _, p := range rows {
		out = append(out, a.mediaOut(p))
	}
	writeJSON(w, http.StatusOK, list{Data: out, Next: nextURL(r, more, "page", itoa(pg.num+1))})
}

func (a *API) getMedia(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	p, err := a.work.Reads().Media(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.mediaOut(p))
}

// patchMedia changes a picture's alt text and caption.
func (a *API) patchMedia(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	p, err := a.work.Reads().Media(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in struct {
		Alt     *string `json:"alt"`
		Caption *string `json:"caption"`
	}
	if !decode(w, r, &in) {
		return
	}
	alt, caption := p.Alt, p.Caption
	if in.Alt != nil {
		alt = *in.Alt
	}
	if in.Caption != nil {
		caption = *in.Caption
	}
	if p, err = a.work.SetPictureText(r.Context(), id, strings.TrimSpace(alt), strings.TrimSpace(caption)); err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.mediaOut(p))
}
