package assembly_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"masthead/assembly"
	"masthead/newsletter"
)

// BenchmarkAssemble20 measures assembling and rendering an issue of 20 articles
// (~40 KB of HTML) end to end: reading the articles from SQLite, Markdown, the
// templates, CSS inlining, and storing the issue.
//
//	go test -run X -bench Assemble20 -benchmem ./newsletter/
func BenchmarkAssemble20(b *testing.B) {
	ctx := context.Background()
	st := openStore(b)
	p := &newsletter.Publication{Slug: "bench", Name: "The Daily Planet", From: "news@planet.example",
		Address: "Metropolis", TimeZone: "UTC", VolumeStart: newsletter.Date{Year: 2007, Month: 2, Day: 7}}
	p.Normalize()
	if err := st.SavePublication(ctx, p); err != nil {
		b.Fatal(err)
	}
	d := newsletter.Date{Year: 2009, Month: 7, Day: 9}
	para := strings.Repeat("The council met on Tuesday and voted on the *new bridge* after a long debate. ", 6)
	var arts []*newsletter.Article
	for i := range 20 {
		arts = append(arts, &newsletter.Article{PublicationID: p.ID, Date: d, Section: []string{"News", "Sports", "Opinion"}[i%3],
			Position: i, Title: fmt.Sprintf("Story number %d", i+1), Author: "Lois Lane", Status: newsletter.Ready,
			Body: para + "\n\n" + para + "\n\n- one\n- two\n\n[More](https://planet.example/more)\n"})
	}
	if err := st.SaveArticles(ctx, arts...); err != nil {
		b.Fatal(err)
	}
	asm := assembly.New(st, "https://planet.example")
	b.ReportAllocs()
	var size int
	for b.Loop() {
		iss, err := asm.Assemble(ctx, p, d)
		if err != nil {
			b.Fatal(err)
		}
		size = len(iss.HTML)
	}
	b.ReportMetric(float64(size)/1024, "KB-html")
}
