package web

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"masthead/newsletter"
)

// BenchmarkArchivePage measures the web edition's pages over an archive of
// 3,000 sent issues (about eight years of a daily) in SQLite:
//
//	go test -run '^$' -bench ArchivePage -benchtime 2s ./web/
func BenchmarkArchivePage(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	// One issue assembled the ordinary way, then copied to 3,000 dates.
	tmpl := e.publish(e.pub, day("2007-02-07"), []string{"Lead story", "Second story", "Third story"})
	start := day("2007-02-08")
	for i := range 2999 {
		d := start.AddDays(i)
		iss, err := e.st.AssembleIssue(ctx, e.pub.ID, d, func(_ *newsletter.Issue, _ newsletter.Numberer) (*newsletter.Issue, error) {
			c := *tmpl
			c.Status, c.Volume, c.Number = newsletter.Assembled, 1+i/365, 1+i%365
			return &c, nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if err := e.st.SetIssueStatus(ctx, iss.ID, nil, newsletter.Sent, time.Time{}); err != nil {
			b.Fatal(err)
		}
	}
	if n, err := e.st.CountPublicIssues(ctx, 0); err != nil || n != 3000 {
		b.Fatalf("%d public issues, %v", n, err)
	}
	last := start.AddDays(2998).String()
	for _, bb := range []struct{ name, path string }{
		{"front", "/"},
		{"page50", "/?page=50"},
		{"last-page", "/?page=100"},
		{"publication", "/issues/planet/"},
		{"issue", "/issues/planet/" + last},
		{"feed", "/feed.atom"},
	} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				e.srv.ServeHTTP(w, httptest.NewRequest("GET", bb.path, nil))
				if w.Code != 200 {
					b.Fatalf("GET %s: %d", bb.path, w.Code)
				}
			}
		})
	}
}
