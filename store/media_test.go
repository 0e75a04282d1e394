package store_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"masthead/newsletter"
	"masthead/store"
	"masthead/store/storetest"
)

// The picture library on both backends: an original and its rendition kept
// by hash (bytes intact, BLOB and BYTEA alike), one row for an image added
// twice, texts changed, lookups by id, hash and prefix, the rendition
// served by (hash, width), and an article's lead image kept with its alt.
func TestBackendsMedia(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		original := append([]byte("\xFF\xD8\xFF\x00\x01"), bytes.Repeat([]byte{0, 0xFF, 0x80, 0x7F}, 2000)...)
		rendition := append([]byte("\xFF\xD8\xFF\xE0"), bytes.Repeat([]byte{0xFE, 0x00, 0x01}, 1000)...)
		sha := strings.Repeat("ab", 32)
		p := &newsletter.Picture{SHA256: sha, Format: "jpeg", Width: 3000, Height: 2000, Size: int64(len(original)),
			Alt: "A harbour at dawn", Caption: "Photo: L. Lane",
			Renditions: []newsletter.PictureRendition{{Width: 1200, Height: 800, Format: "jpeg", SHA256: strings.Repeat("cd", 32), Data: rendition}}}
		created, err := st.AddMedia(ctx, p, original)
		if err != nil || !created || p.ID == 0 {
			t.Fatalf("AddMedia: created %v, id %d, %v", created, p.ID, err)
		}
		again := &newsletter.Picture{SHA256: sha, Format: "jpeg", Width: 3000, Height: 2000, Alt: "other"}
		if created, err := st.AddMedia(ctx, again, original); err != nil || created || again.ID != p.ID || again.Alt != "A harbour at dawn" {
			t.Fatalf("second AddMedia: created %v, %+v, %v", created, again, err)
		}
		if len(again.Renditions) != 1 || again.Renditions[0].Width != 1200 || again.Renditions[0].Size != int64(len(rendition)) {
			t.Fatalf("second AddMedia renditions: %+v", again.Renditions)
		}
		if err := st.SetMediaText(ctx, p.ID, "The harbour", "Photo: J. Olsen"); err != nil {
			t.Fatal(err)
		}
		if err := st.SetMediaText(ctx, p.ID+99, "x", ""); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("SetMediaText of no picture: %v", err)
		}
		got, err := st.Media(ctx, p.ID)
		if err != nil || got.Alt != "The harbour" || got.Caption != "Photo: J. Olsen" || got.Width != 3000 || got.Format != "jpeg" {
			t.Fatalf("Media: %+v, %v", got, err)
		}
		if got, err := st.MediaByHash(ctx, strings.ToUpper(sha)); err != nil || got.ID != p.ID {
			t.Fatalf("MediaByHash: %+v, %v", got, err)
		}
		if list, err := st.MediaByHashPrefix(ctx, "abababab"); err != nil || len(list) != 1 {
			t.Fatalf("MediaByHashPrefix: %v, %v", list, err)
		}
		if list, err := st.MediaByHashPrefix(ctx, "abab%"); err != nil || len(list) != 0 {
			t.Fatalf("MediaByHashPrefix with a wildcard: %v, %v", list, err)
		}
		r, err := st.MediaRendition(ctx, sha, 1200)
		if err != nil || !bytes.Equal(r.Data, rendition) || r.Format != "jpeg" || r.Height != 800 || r.SHA256 != strings.Repeat("cd", 32) {
			t.Fatalf("MediaRendition: %v", err)
		}
		if _, err := st.MediaRendition(ctx, sha, 600); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("MediaRendition of a width not made: %v", err)
		}
		if data, err := st.MediaOriginal(ctx, p.ID); err != nil || !bytes.Equal(data, original) {
			t.Fatalf("MediaOriginal: %d bytes, %v", len(data), err)
		}
		list, err := st.MediaList(ctx, store.MediaFilter{Limit: 10})
		if err != nil || len(list) != 1 || len(list[0].Renditions) != 1 || list[0].Renditions[0].Data != nil {
			t.Fatalf("MediaList: %+v, %v", list, err)
		}

		pub := bkPublication(t, st, "daily")
		a := &newsletter.Article{PublicationID: pub.ID, Date: bkDate(t, "2009-07-09"), Section: "News", Title: "Heat",
			Status: newsletter.Ready, LeadImage: sha, LeadAlt: "The harbour in the heat"}
		if err := st.SaveArticles(ctx, a); err != nil {
			t.Fatal(err)
		}
		back, err := st.Article(ctx, a.ID)
		if err != nil || back.LeadImage != sha || back.LeadAlt != "The harbour in the heat" {
			t.Fatalf("Article: %+v, %v", back, err)
		}
	})
}
