package web

import (
	"context"
	"strings"
	"testing"

	"masthead/newsletter"
)

// The web issue page reads as the publication's wording says: its promise,
// its labels and its language, the articles' text with dir="auto".
func TestIssuePageWording(t *testing.T) {
	e := newEnv(t)
	e.pub.Wording = newsletter.Wording{Promise: "by email every weekday", BackToTop: "Top of page",
		GoToTop: true, GoToTopLabel: "Go to top of right column"}
	e.pub.Language = "fr"
	if err := e.st.SavePublication(context.Background(), e.pub); err != nil {
		t.Fatal(err)
	}
	e.publish(e.pub, day("2009-07-09"), []string{"Lead story"})
	res, body := e.get("/issues/planet/2009-07-09")
	isPage(t, res, 200)
	for _, want := range []string{`<html lang="fr"`, "Get The Daily Planet by email every weekday:", ">Top of page</a>",
		">Go to top of right column</a>", `class="body" dir="auto"`} {
		if !strings.Contains(body, want) {
			t.Errorf("issue page lacks %q", want)
		}
	}
	if strings.Contains(body, "Back to the top") || strings.Contains(body, "every morning") {
		t.Error("the default wording is left on the page")
	}
}
