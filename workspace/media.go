package workspace

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"masthead/media"
	"masthead/newsletter"
	"masthead/store"
)

// ErrPictureRef is returned when a reference to a library picture (an id,
// a SHA-256 or its first characters) names none, or more than one.
var ErrPictureRef = errors.New("no such picture in the library")

// AddPicture reads an upload of size bytes (-1 when unknown) from r, judges
// it by its content (media.Processor: an accepted image within the limits,
// else a *media.Error saying what it looks like), makes the rendition for
// the email column and keeps both in the library, with alt and caption. An
// image uploaded again is kept once: the stored picture comes back with
// created false, its texts replaced by alt and caption where those are
// given.
func (s *Service) AddPicture(ctx context.Context, r io.Reader, size int64, alt, caption string) (p *newsletter.Picture, created bool, err error) {
	alt, caption = strings.TrimSpace(alt), strings.TrimSpace(caption)
	if err := newsletter.ValidatePictureText("alt", alt, caption); err != nil {
		return nil, false, err
	}
	data, err := s.pictures.Read(r, size)
	if err != nil {
		return nil, false, err
	}
	info, err := s.pictures.Inspect(data)
	if err != nil {
		return nil, false, err
	}
	if stored, err := s.st.MediaByHash(ctx, info.SHA256); err == nil {
		return s.retext(ctx, stored, alt, caption)
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, false, err
	}
	rend, err := s.pictures.Render(ctx, data, media.EmailWidth(media.EmailColumn))
	if err != nil {
		return nil, false, err
	}
	w, h := info.Upright()
	p = &newsletter.Picture{
		SHA256: info.SHA256, Format: string(info.Format), Width: w, Height: h, Size: info.Size,
		Alt: alt, Caption: caption,
		Renditions: []newsletter.PictureRendition{{
			Width: rend.Width, Height: rend.Height, Format: string(rend.Format), SHA256: rend.SHA256, Data: rend.Data,
		}},
	}
	created, err = s.st.AddMedia(ctx, p, data)
	if errors.Is(err, store.ErrConflict) { // the same image, uploaded at the same moment
		stored, err := s.st.MediaByHash(ctx, info.SHA256)
		if err != nil {
			return nil, false, err
		}
		return s.retext(ctx, stored, alt, caption)
	}
	if err != nil {
		return nil, false, err
	}
	if !created {
		return s.retext(ctx, p, alt, caption)
	}
	for i := range p.Renditions {
		p.Renditions[i].Data = nil
	}
	s.log.Info("picture added", "picture", p.ID, "sha256", p.SHA256, "format", p.Format, "bytes", p.Size)
	return p, true, nil
}

// retext gives a picture uploaded again the alt text and caption given with
// it, where they are given.
func (s *Service) retext(ctx context.Context, p *newsletter.Picture, alt, caption string) (*newsletter.Picture, bool, error) {
	if (alt == "" || alt == p.Alt) && (caption == "" || caption == p.Caption) {
		return p, false, nil
	}
	if alt == "" {
		alt = p.Alt
	}
	if caption == "" {
		caption = p.Caption
	}
	q, err := s.SetPictureText(ctx, p.ID, alt, caption)
	return q, false, err
}

// SetPictureText changes the alt text and caption of picture id.
func (s *Service) SetPictureText(ctx context.Context, id int64, alt, caption string) (*newsletter.Picture, error) {
	alt, caption = strings.TrimSpace(alt), strings.TrimSpace(caption)
	if err := newsletter.ValidatePictureText("alt", alt, caption); err != nil {
		return nil, err
	}
	if err := s.st.SetMediaText(ctx, id, alt, caption); err != nil {
		return nil, err
	}
	s.log.Info("picture text changed", "picture", id)
	return s.st.Media(ctx, id)
}

// Picture finds a library picture by reference: its id ("12"), the SHA-256
// of its original, or the first 8 or more characters of that, or its
// address (/media/{sha256}-{width}.{ext}, as the library shows it).
// Anything else, or a short hash that two pictures share, is ErrPictureRef.
func (s *Service) Picture(ctx context.Context, ref string) (*newsletter.Picture, error) {
	ref = strings.TrimSpace(ref)
	if sha, _, _, ok := media.ParsePath(ref); ok {
		ref = sha
	}
	ref = strings.ToLower(ref)
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil && len(ref) < 16 {
		p, err := s.st.Media(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("picture %d: %w", id, ErrPictureRef)
		}
		return p, err
	}
	if !isHex(ref) || len(ref) < 8 || len(ref) > 64 {
		return nil, fmt.Errorf("%q is neither a picture's id nor its SHA-256: %w", ref, ErrPictureRef)
	}
	if len(ref) == 64 {
		p, err := s.st.MediaByHash(ctx, ref)
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("picture %s: %w", ref, ErrPictureRef)
		}
		return p, err
	}
	list, err := s.st.MediaByHashPrefix(ctx, ref)
	if err != nil {
		return nil, err
	}
	switch len(list) {
	case 0:
		return nil, fmt.Errorf("picture %s: %w", ref, ErrPictureRef)
	case 1:
		return list[0], nil
	}
	return nil, fmt.Errorf("%s starts the SHA-256 of more than one picture; give more of it: %w", ref, ErrPictureRef)
}

func isHex(s string) bool {
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// PictureURL is the public address of a picture's rendition for the email
// column (the widest no wider than media.EmailWidth), "" when it has none:
// on pub's base URL (as its issues show it), or the process's when pub is
// nil or has none.
func (s *Service) PictureURL(pub *newsletter.Publication, p *newsletter.Picture) string {
	r, ok := p.Widest(media.EmailWidth(media.EmailColumn))
	if !ok {
		return ""
	}
	return pub.LinkBase(s.baseURL) + media.Path(p.SHA256, r.Width, media.Format(r.Format))
}

// PublicURL is path (starting with /) on the web edition's public address.
func (s *Service) PublicURL(path string) string { return s.baseURL + path }

// resolveLeadImage turns the lead image an editor named (an id, a hash, an
// address) into the picture's SHA-256 and, when the article gives no alt
// text, takes the library's; without either it refuses the article.
func (s *Service) resolveLeadImage(ctx context.Context, a *newsletter.Article) error {
	if strings.TrimSpace(a.LeadImage) == "" {
		return nil
	}
	p, err := s.Picture(ctx, a.LeadImage)
	if errors.Is(err, ErrPictureRef) {
		return &newsletter.FieldError{Field: "image", Msg: err.Error()}
	}
	if err != nil {
		return err
	}
	a.LeadImage = p.SHA256
	if a.LeadAlt = strings.TrimSpace(a.LeadAlt); a.LeadAlt == "" {
		a.LeadAlt = p.Alt
	}
	if a.LeadAlt == "" {
		return &newsletter.FieldError{Field: "image_alt",
			Msg: "is required with a lead image: say what the picture shows, for readers who cannot see it"}
	}
	return nil
}
