package web

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"masthead/newsletter"
)

// publish stores a ready article for each title on date d, assembles the
// issue and marks it sent (or leaves it in status when given).
func (e *env) publish(p *newsletter.Publication, d newsletter.Date, titles []string, status ...newsletter.IssueStatus) *newsletter.Issue {
	e.t.Helper()
	ctx := context.Background()
	var arts []*newsletter.Article
	for i, title := range titles {
		arts = append(arts, &newsletter.Article{PublicationID: p.ID, Date: d, Title: title, Position: i,
			Author: "Lois Lane", Body: "The body of *" + title + "*.", Status: newsletter.Ready})
	}
	if err := e.st.SaveArticles(ctx, arts...); err != nil {
		e.t.Fatal(err)
	}
	iss, err := e.srv.assembler.Assemble(ctx, p, d)
	if err != nil {
		e.t.Fatal(err)
	}
	to := newsletter.Sent
	if len(status) > 0 {
		to = status[0]
	}
	if to != newsletter.Assembled {
		if err := e.st.SetIssueStatus(ctx, iss.ID, nil, to, time.Time{}); err != nil {
			e.t.Fatal(err)
		}
	}
	return iss
}

func day(s string) newsletter.Date {
	d, err := newsletter.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestFrontPageEmpty(t *testing.T) {
	e := newEnv(t)
	res, body := e.get("/")
	isPage(t, res, 200)
	accessible(t, body)
	for _, want := range []string{`lang="en"`, "The Daily Planet", `<label for="email">Email address</label>`,
		`action="/subscribe"`, "No issues have been published yet", `href="/feed.atom"`} {
		if !strings.Contains(body, want) {
			t.Errorf("front page lacks %q", want)
		}
	}
}

func TestArchivePages(t *testing.T) {
	e := newEnv(t, func(d *Deps) { d.PageSize = 2 })
	e.publish(e.pub, day("2009-07-07"), []string{"Tuesday news"})
	e.publish(e.pub, day("2009-07-08"), []string{"Wednesday news"}, newsletter.Sending)
	e.publish(e.pub, day("2009-07-09"), []string{"Thursday news"})
	e.publish(e.pub, day("2009-07-10"), []string{"Not out yet"}, newsletter.Assembled)
	e.publish(e.pub, day("2009-07-06"), []string{"Cancelled"}, newsletter.Cancelled)

	res, body := e.get("/")
	isPage(t, res, 200)
	accessible(t, body)
	thu, wed := strings.Index(body, "Thursday, July 9, 2009"), strings.Index(body, "Wednesday, July 8, 2009")
	if thu < 0 || wed < 0 || thu > wed {
		t.Errorf("page 1 does not list July 9 then July 8: %s", body)
	}
	for _, no := range []string{"July 7", "July 10", "July 6"} {
		if strings.Contains(body, no) {
			t.Errorf("page 1 lists %s", no)
		}
	}
	if !strings.Contains(body, `href="/?page=2"`) || !strings.Contains(body, "Page 1 of 2") {
		t.Errorf("page 1 has no link to page 2")
	}
	if !strings.Contains(body, `href="/issues/planet/2009-07-09"`) || !strings.Contains(body, "Volume 3, Number 153") {
		t.Errorf("page 1 has no link to the July 9 issue with its numbers")
	}
	_, body = e.get("/?page=2")
	if !strings.Contains(body, "Tuesday, July 7, 2009") || strings.Contains(body, "July 9") || !strings.Contains(body, `href="/"`) {
		t.Errorf("page 2: %s", body)
	}
	for _, path := range []string{"/?page=3", "/?page=0", "/?page=x", "/issues/nope/"} {
		if res, _ := e.get(path); res.StatusCode != 404 {
			t.Errorf("GET %s: %d, want 404", path, res.StatusCode)
		}
	}
	res, body = e.get("/issues/planet/")
	isPage(t, res, 200)
	if !strings.Contains(body, "Archive of The Daily Planet") || !strings.Contains(body, "Return to Main Page") {
		t.Errorf("publication archive: %s", body)
	}
}

func TestIssuePage(t *testing.T) {
	e := newEnv(t)
	e.publish(e.pub, day("2009-07-09"), []string{"Lead story", "Second story"})
	e.publish(e.pub, day("2009-07-10"), []string{"Draft day"}, newsletter.Assembled)

	res, body := e.get("/issues/planet/2009-07-09")
	isPage(t, res, 200)
	accessible(t, body)
	for _, want := range []string{"Lead story", "Second story", "<em>Lead story</em>", "Volume 3, Number 153",
		"Thursday, July 9, 2009", "Back to the top", "Return to Main Page", `href="https://planet.example/"`} {
		if !strings.Contains(body, want) {
			t.Errorf("issue page lacks %q", want)
		}
	}
	for _, path := range []string{"/issues/planet/2009-07-10", "/issues/planet/2009-07-11", "/issues/planet/2009-13-01",
		"/issues/planet/yesterday", "/issues/nope/2009-07-09"} {
		res, _ := e.get(path)
		isPage(t, res, 404)
	}
}

func TestIssuePageStaysAsSent(t *testing.T) {
	e := newEnv(t)
	e.publish(e.pub, day("2009-07-09"), []string{"Lead story"})
	// An article edited after the send does not change the issue's page.
	ctx := context.Background()
	arts, err := e.st.ArticlesFor(ctx, e.pub.ID, day("2009-07-09"), newsletter.Ready)
	if err != nil || len(arts) != 1 {
		t.Fatal(arts, err)
	}
	arts[0].Title = "Rewritten later"
	if err := e.st.SaveArticles(ctx, arts[0]); err != nil {
		t.Fatal(err)
	}
	_, body := e.get("/issues/planet/2009-07-09")
	if !strings.Contains(body, "Lead story") || strings.Contains(body, "Rewritten later") {
		t.Error("the issue page does not show the issue as it was sent")
	}
}

type feedDoc struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string   `xml:"title"`
	ID      string   `xml:"id"`
	Updated string   `xml:"updated"`
	Entries []struct {
		Title   string `xml:"title"`
		ID      string `xml:"id"`
		Updated string `xml:"updated"`
		Link    struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Content struct {
			Type string `xml:"type,attr"`
			Body string `xml:",chardata"`
		} `xml:"content"`
	} `xml:"entry"`
}

func TestFeed(t *testing.T) {
	e := newEnv(t)
	sport := savePub(t, e.st, "sport", "The Sporting Planet")
	e.publish(e.pub, day("2009-07-08"), []string{"Older story"})
	e.publish(e.pub, day("2009-07-09"), []string{"Lead <story> & more"})
	e.publish(sport, day("2009-07-09"), []string{"Match report"})
	e.publish(e.pub, day("2009-07-10"), []string{"Unsent"}, newsletter.Assembled)

	for _, tt := range []struct {
		path    string
		entries []string // entry ids
	}{
		{"/feed.atom", []string{"https://planet.example/issues/sport/2009-07-09", "https://planet.example/issues/planet/2009-07-09",
			"https://planet.example/issues/planet/2009-07-08"}},
		{"/issues/sport/feed.atom", []string{"https://planet.example/issues/sport/2009-07-09"}},
	} {
		res, body := e.get(tt.path)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/atom+xml; charset=utf-8" {
			t.Fatalf("%s: %d %s", tt.path, res.StatusCode, res.Header.Get("Content-Type"))
		}
		var f feedDoc
		if err := xml.Unmarshal([]byte(body), &f); err != nil {
			t.Fatalf("%s does not parse: %v\n%s", tt.path, err, body)
		}
		if _, err := time.Parse(time.RFC3339, f.Updated); err != nil || f.ID == "" || f.Title == "" {
			t.Errorf("%s: feed id %q title %q updated %q", tt.path, f.ID, f.Title, f.Updated)
		}
		var ids []string
		for _, en := range f.Entries {
			ids = append(ids, en.ID)
			if en.Link.Href != en.ID || en.Content.Type != "html" || en.Title == "" {
				t.Errorf("%s: entry %+v", tt.path, en)
			}
		}
		if fmt.Sprint(ids) != fmt.Sprint(tt.entries) {
			t.Errorf("%s: entries %v, want %v", tt.path, ids, tt.entries)
		}
		if tt.path == "/feed.atom" && !strings.Contains(f.Entries[1].Content.Body, "<h2>Lead &lt;story&gt; &amp; more</h2>") {
			t.Errorf("entry content: %q", f.Entries[1].Content.Body)
		}
	}
	if res, _ := e.get("/issues/nope/feed.atom"); res.StatusCode != http.StatusNotFound {
		t.Errorf("feed of an unknown publication: %d", res.StatusCode)
	}
}

func TestFrontPageSeveralPublications(t *testing.T) {
	e := newEnv(t)
	savePub(t, e.st, "sport", "The Sporting Planet")
	_, body := e.get("/")
	accessible(t, body)
	for _, want := range []string{"<legend>Publications</legend>", `name="publication" value="planet" checked`,
		`name="publication" value="sport"`, "The Daily Planet · The Sporting Planet"} {
		if !strings.Contains(body, want) {
			t.Errorf("front page lacks %q", want)
		}
	}
}
