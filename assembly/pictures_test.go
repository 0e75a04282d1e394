package assembly_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"masthead/assembly"
	"masthead/media"
	"masthead/newsletter"
)

// An article with a lead image and a library picture in its body: the
// issue's HTML draws both at their https addresses with width and height
// (a 1200-pixel rendition at the 584-pixel column), the caption under the lead,
// an external image no wider than the column, and the text part says
// what the photo shows.
func TestIssueShowsPictures(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	p := savePub(t, st, "planet", newsletter.Calendar)
	// The publication's own address, not the process's loopback one, is
	// where its pictures are, as every other link of its email.
	p.BaseURL = "https://planet.example"
	if err := st.SavePublication(ctx, p); err != nil {
		t.Fatal(err)
	}
	lead := &newsletter.Picture{SHA256: strings.Repeat("ab", 32), Format: "jpeg", Width: 3000, Height: 2000, Size: 9,
		Alt: "Library alt", Caption: "Photo: Lois Lane",
		Renditions: []newsletter.PictureRendition{{Width: 1200, Height: 800, Format: "jpeg", SHA256: strings.Repeat("cd", 32), Data: []byte("x")}}}
	chart := &newsletter.Picture{SHA256: strings.Repeat("ef", 32), Format: "png", Width: 500, Height: 300, Size: 9,
		Renditions: []newsletter.PictureRendition{{Width: 500, Height: 300, Format: "png", SHA256: strings.Repeat("01", 32), Data: []byte("y")}}}
	for _, pic := range []*newsletter.Picture{lead, chart} {
		if _, err := st.AddMedia(ctx, pic, []byte("original")); err != nil {
			t.Fatal(err)
		}
	}
	d := newsletter.Date{Year: 2009, Month: 7, Day: 9}
	body := "The heat.\n\n![The chart](" + media.Path(chart.SHA256, 500, media.PNG) + ")\n\n![Elsewhere](https://other.example/x.jpg)\n"
	a := &newsletter.Article{PublicationID: p.ID, Date: d, Section: "News", Title: "Heat Wave Arrives", Body: body,
		Status: newsletter.Ready, LeadImage: lead.SHA256, LeadAlt: "Crowds at the fountain",
		SourceImage: "https://site.example/feed-lead.jpg"}
	if err := st.SaveArticles(ctx, a); err != nil {
		t.Fatal(err)
	}
	iss, err := assembly.New(st, "http://127.0.0.1:8080").Assemble(ctx, p, d)
	if err != nil {
		t.Fatal(err)
	}
	leadURL := "https://planet.example/media/" + lead.SHA256 + "-1200.jpg"
	for _, want := range []string{
		`src="` + leadURL + `" width="584" height="389" alt="Crowds at the fountain"`,
		`Photo: Lois Lane`,
		`src="https://planet.example/media/` + chart.SHA256 + `-500.png" alt="The chart" width="250" height="150"`,
		`src="https://other.example/x.jpg" alt="Elsewhere" width="584"`,
	} {
		if !strings.Contains(iss.HTML, want) {
			t.Errorf("the HTML lacks %s; its images:\n%s", want, strings.Join(regexp.MustCompile(`<img[^>]*>`).FindAllString(iss.HTML, -1), "\n"))
		}
	}
	if strings.Contains(iss.HTML, "feed-lead.jpg") {
		t.Errorf("the feed's image is shown beside the uploaded lead image")
	}
	if !strings.Contains(iss.Text, "[Photo: Crowds at the fountain]") || !strings.Contains(iss.Text, "Photo: Lois Lane") {
		t.Errorf("the text part:\n%s", iss.Text)
	}
	if im := iss.Articles[0].LeadImage; im == nil || im.URL != leadURL || im.Width != 584 || im.Height != 389 {
		t.Errorf("the stored lead image: %+v", im)
	}
}
