package workspace_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"strings"
	"testing"

	"masthead/media"
	"masthead/newsletter"
	"masthead/workspace"
)

func jpegPhoto(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), uint8(x + y), 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// An editor's path through the library: a photo uploaded (kept once, with
// its rendition for the column), a PDF and an oversized file refused in
// words, and an article given the photo as its lead image by id, the alt
// text required.
func TestPicturesAndLeadImage(t *testing.T) {
	ctx := context.Background()
	w, st, p := setup(t)
	photo := jpegPhoto(t, 1600, 900)
	pic, created, err := w.AddPicture(ctx, bytes.NewReader(photo), int64(len(photo)), "", "Photo: L. Lane")
	if err != nil || !created {
		t.Fatalf("AddPicture: %v %v", created, err)
	}
	if len(pic.Renditions) != 1 || pic.Renditions[0].Width != 1200 || pic.Renditions[0].Height != 675 {
		t.Fatalf("renditions: %+v", pic.Renditions)
	}
	if url := w.PictureURL(nil, pic); url != "https://planet.example/media/"+pic.SHA256+"-1200.jpg" {
		t.Fatalf("PictureURL: %s", url)
	}
	own := &newsletter.Publication{BaseURL: "https://news.planet.example"}
	if url := w.PictureURL(own, pic); url != "https://news.planet.example/media/"+pic.SHA256+"-1200.jpg" {
		t.Fatalf("PictureURL on the publication's address: %s", url)
	}
	again, created, err := w.AddPicture(ctx, bytes.NewReader(photo), -1, "The harbour", "")
	if err != nil || created || again.ID != pic.ID || again.Alt != "The harbour" || again.Caption != "Photo: L. Lane" {
		t.Fatalf("again: %+v %v %v", again, created, err)
	}

	_, _, err = w.AddPicture(ctx, strings.NewReader("%PDF-1.7\n..."), -1, "", "")
	if !errors.Is(err, media.ErrNotImage) || !strings.Contains(err.Error(), "looks like PDF") {
		t.Fatalf("a PDF: %v", err)
	}
	small, err := workspace.New(workspace.Config{Store: st, Pictures: media.New(media.Options{MaxBytes: 1000})})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := small.AddPicture(ctx, bytes.NewReader(photo), -1, "", ""); !errors.Is(err, media.ErrTooLarge) {
		t.Fatalf("too large: %v", err)
	}

	d := newsletter.Date{Year: 2009, Month: 7, Day: 9}
	a := &newsletter.Article{Date: d, Title: "Heat", Section: "News", LeadImage: "999"}
	var fe *newsletter.FieldError
	if err := w.SaveArticle(ctx, p, a); !errors.As(err, &fe) || fe.Field != "image" || !strings.Contains(err.Error(), "no such picture") {
		t.Fatalf("unknown picture: %v", err)
	}
	bare, _, err := w.AddPicture(ctx, bytes.NewReader(jpegPhoto(t, 40, 30)), -1, "", "")
	if err != nil {
		t.Fatal(err)
	}
	a.LeadImage = bare.SHA256[:10]
	if err := w.SaveArticle(ctx, p, a); !errors.As(err, &fe) || fe.Field != "image_alt" {
		t.Fatalf("no alt text anywhere: %v", err)
	}
	a.LeadImage = "1" // by id: the library's alt text
	if err := w.SaveArticle(ctx, p, a); err != nil {
		t.Fatal(err)
	}
	stored, err := st.Article(ctx, a.ID)
	if err != nil || stored.LeadImage != pic.SHA256 || stored.LeadAlt != "The harbour" {
		t.Fatalf("stored: %+v %v", stored, err)
	}
}
