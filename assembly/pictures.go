package assembly

import (
	"context"
	"errors"
	"fmt"

	"masthead/ledger"
	"masthead/media"
	"masthead/newsletter"
	"masthead/templates"
)

// pictures finds the library pictures an issue shows, once each, and says
// how to draw them in the email column.
type pictures struct {
	ctx     context.Context
	store   Store
	baseURL string
	seen    map[string]*newsletter.Picture // by SHA-256; nil: not in the library
	err     error                          // the first failure to read the library
}

// find returns the picture whose original has the SHA-256 sha, nil when the
// library has none.
func (p *pictures) find(sha string) (*newsletter.Picture, error) {
	if pic, ok := p.seen[sha]; ok {
		return pic, nil
	}
	pic, err := p.store.MediaByHash(p.ctx, sha)
	if errors.Is(err, ledger.ErrNotFound) {
		pic, err = nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("picture %s: %w", sha, err)
	}
	p.seen[sha] = pic
	return pic, nil
}

// draw is the public URL and the width and height attributes of pic's
// rendition for the email column (templates.ColumnWidth at most: the
// 1200-pixel rendition is sharp at it on high-density screens).
func (p *pictures) draw(pic *newsletter.Picture) (url string, w, h int, ok bool) {
	r, ok := pic.Widest(media.EmailWidth(media.EmailColumn))
	if !ok {
		return "", 0, 0, false
	}
	w, h = media.DisplaySize(r.Width, r.Height, templates.ColumnWidth)
	return p.baseURL + media.Path(pic.SHA256, r.Width, media.Format(r.Format)), w, h, true
}

// image is templates.Images over the library: an address of
// /media/{sha256}-{width}.{ext} (relative, or on any host) that names a
// library picture is drawn as its rendition for the column.
func (p *pictures) image(src string) (string, int, int, bool) {
	sha, _, _, ok := media.ParsePath(src)
	if !ok {
		return "", 0, 0, false
	}
	pic, err := p.find(sha)
	if err != nil {
		if p.err == nil {
			p.err = err
		}
		return "", 0, 0, false
	}
	if pic == nil {
		return "", 0, 0, false
	}
	return p.draw(pic)
}

// lead is the lead image of ar as the issue shows it.
func (p *pictures) lead(ar *newsletter.Article) (*newsletter.IssueImage, error) {
	pic, err := p.find(ar.LeadImage)
	if err != nil {
		return nil, err
	}
	if pic == nil {
		return nil, fmt.Errorf("its lead image %s is not in the picture library", ar.LeadImage)
	}
	url, w, h, ok := p.draw(pic)
	if !ok {
		return nil, fmt.Errorf("its lead image %s has no rendition", ar.LeadImage)
	}
	alt := ar.LeadAlt
	if alt == "" {
		alt = pic.Alt
	}
	return &newsletter.IssueImage{URL: url, Width: w, Height: h, Alt: alt, Caption: pic.Caption}, nil
}
