package templates

import (
	"bytes"
	"strings"
	"testing"
)

// An article from a site's feed links to its page ("Read on the site") and
// shows the feed's lead image, in the HTML and text email and on the web
// edition; an article without them shows neither.
func TestArticleSourceLinkAndImage(t *testing.T) {
	th, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	iss := testIssue(t, th.md, 2)
	iss.Articles[0].SourceURL = "https://planet.example/2009/07/09/heat-wave/?a=1&b=2"
	iss.Articles[0].SourceImage = "https://planet.example/img/heat.jpg"
	htm, text, err := th.RenderEmail(iss)
	if err != nil {
		t.Fatal(err)
	}
	var web bytes.Buffer
	if err := th.RenderWeb(&web, iss); err != nil {
		t.Fatal(err)
	}
	for name, page := range map[string]string{"email": htm, "web": web.String()} {
		checkHTML(t, page)
		if strings.Count(page, ">Read on the site</a>") != 1 ||
			!strings.Contains(page, `href="https://planet.example/2009/07/09/heat-wave/?a=1&amp;b=2"`) {
			t.Errorf("%s: one \"Read on the site\" link to the article's page wanted:\n%s", name, page)
		}
		if strings.Count(page, `src="https://planet.example/img/heat.jpg"`) != 1 {
			t.Errorf("%s: the lead image is not shown once", name)
		}
	}
	checkText(t, text)
	if !strings.Contains(text, "Read on the site:\nhttps://planet.example/2009/07/09/heat-wave/?a=1&b=2\n") ||
		strings.Count(text, "Read on the site") != 1 {
		t.Errorf("text: the article's page is not given once under it:\n%s", text)
	}
}
