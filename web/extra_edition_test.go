package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"masthead/newsletter"
)

// An extra edition that went out is in the archive beside its date's daily
// issue, at an address of its own, with its own story; one not sent is not
// shown, and the daily's address still shows the daily.
func TestArchiveShowsExtraEdition(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	d := day("2009-07-09")
	daily := e.publish(e.pub, d, []string{"Thursday news"})
	extra, err := e.work.CreateExtra(ctx, e.pub, d, "Breaking news", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.work.SaveArticle(ctx, e.pub, &newsletter.Article{Date: d, Edition: extra.Edition, Title: "The dam has burst",
		Body: "Move to high ground.", Status: newsletter.Ready}); err != nil {
		t.Fatal(err)
	}
	res, _ := e.get("/issues/planet/2009-07-09-extra-1")
	if res.StatusCode != 404 {
		t.Errorf("an extra not sent is shown: %d", res.StatusCode)
	}
	extra, err = e.work.AssembleEdition(ctx, e.pub, d, extra.Edition)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.SetIssueStatus(ctx, extra.ID, nil, newsletter.Sent, time.Time{}); err != nil {
		t.Fatal(err)
	}

	res, body := e.get("/issues/planet/")
	isPage(t, res, 200)
	for _, want := range []string{`href="/issues/planet/2009-07-09-extra-1"`, "Volume 3, Number 153 — Breaking news",
		`href="/issues/planet/2009-07-09"`} {
		if !strings.Contains(body, want) {
			t.Errorf("archive lacks %q:\n%s", want, body)
		}
	}
	res, body = e.get("/issues/planet/2009-07-09-extra-1")
	isPage(t, res, 200)
	if !strings.Contains(body, "The dam has burst") || !strings.Contains(body, "Number 153 — Breaking news") || strings.Contains(body, "Thursday news") {
		t.Errorf("the extra's page:\n%s", body)
	}
	res, body = e.get("/issues/planet/2009-07-09")
	isPage(t, res, 200)
	if !strings.Contains(body, "Thursday news") || strings.Contains(body, "The dam has burst") {
		t.Errorf("the daily's page (issue %d):\n%s", daily.ID, body)
	}
	for _, bad := range []string{"/issues/planet/2009-07-09-extra-2", "/issues/planet/2009-07-09-extra-x", "/issues/planet/2009-07-09-extra-0"} {
		if res, _ := e.get(bad); res.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", bad, res.StatusCode)
		}
	}
}
