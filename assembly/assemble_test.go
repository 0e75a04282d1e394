package assembly_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"masthead/assembly"
	"masthead/newsletter"
	"masthead/store"
	"masthead/templates"
)

func openStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "masthead.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func savePub(t *testing.T, st *store.Store, slug string, numbering newsletter.Numbering) *newsletter.Publication {
	t.Helper()
	p := &newsletter.Publication{Slug: slug, Name: "The Daily Planet", Tagline: "All the news that fits",
		From: "The Daily Planet <news@planet.example>", Address: "Metropolis", TimeZone: "America/New_York",
		VolumeStart: newsletter.Date{Year: 2007, Month: 2, Day: 7}, Numbering: numbering,
		Sections: []string{"Front Page", "News", "Sports"}}
	p.Normalize()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := st.SavePublication(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	return p
}

// importFiles writes article files and imports them the way the CLI does.
func importFiles(t *testing.T, st *store.Store, p *newsletter.Publication, files map[string]string) {
	t.Helper()
	dir := t.TempDir()
	var arts []*newsletter.Article
	for name, src := range files {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(path)
		a, err := newsletter.ParseArticleFile(path, data, p)
		if err != nil {
			t.Fatal(err)
		}
		a.PublicationID = p.ID
		arts = append(arts, a)
	}
	if err := st.SaveArticles(context.Background(), arts...); err != nil {
		t.Fatal(err)
	}
}

func article(title, date, section string, pos int, body string) string {
	return "---\ntitle: " + title + "\ndate: " + date + "\nsection: " + section + "\nauthor: Lois Lane\nposition: " +
		string(rune('0'+pos)) + "\n---\n" + body + "\n"
}

var sampleFiles = map[string]string{
	"a.md": article("Council Votes on Bridge", "2009-07-09", "News", 2, "The council voted *seven to two*.\n\nDetails [here](https://planet.example/bridge)."),
	"b.md": article("Heat Wave Arrives", "2009-07-09", "Front Page", 1, "It is hot & humid. <script>alert(1)</script>"),
	"c.md": article("Planet Nine Wins", "2009-07-09", "Sports", 1, "A long report. "+strings.Repeat("The team played very well in the second half of the game. ", 10)),
	"d.md": article("Market Opens", "2009-07-09", "News", 1, "Stalls opened at dawn."),
	"e.md": article("Last Issue of Volume 2", "2009-02-06", "News", 1, "The end of a volume."),
	"f.md": article("Draft Story", "2009-07-09", "News", 3, "Not ready."),
}

func TestAssembleNumbersOrdersAndRenders(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	p := savePub(t, st, "planet", newsletter.Calendar)
	files := map[string]string{}
	for k, v := range sampleFiles {
		files[k] = v
	}
	files["f.md"] = strings.Replace(files["f.md"], "position: 3\n", "position: 3\nstatus: draft\n", 1)
	importFiles(t, st, p, files)
	asm := assembly.New(st, "https://planet.example")

	iss, err := asm.Assemble(ctx, p, newsletter.Date{Year: 2009, Month: 7, Day: 9})
	if err != nil {
		t.Fatal(err)
	}
	if iss.Volume != 3 || iss.Number != 153 {
		t.Errorf("2009-07-09 is Volume %d, Number %d; want Volume 3, Number 153", iss.Volume, iss.Number)
	}
	var titles []string
	for _, a := range iss.Articles {
		titles = append(titles, a.Title)
	}
	want := "Heat Wave Arrives|Market Opens|Council Votes on Bridge|Planet Nine Wins"
	if got := strings.Join(titles, "|"); got != want {
		t.Errorf("article order\n got %s\nwant %s", got, want)
	}
	old, err := asm.Assemble(ctx, p, newsletter.Date{Year: 2009, Month: 2, Day: 6})
	if err != nil {
		t.Fatal(err)
	}
	if old.Volume != 2 || old.Number != 366 {
		t.Errorf("2009-02-06 is Volume %d, Number %d; want Volume 2, Number 366", old.Volume, old.Number)
	}

	// HTML: parses, CSS inlined, masthead, date, headlines, anchors, footer, slot.
	who := &templates.Personal{Name: "Clark <Kent>", Email: "clark@planet.example", UnsubscribeURL: "https://planet.example/unsubscribe/TOKEN"}
	page := string(templates.Compile(iss.HTML, templates.HTML).Fill(nil, who))
	for _, s := range []string{"The Daily Planet", "Volume 3, Number 153", "Thursday, July 9, 2009", "Heat Wave Arrives",
		"Council Votes on Bridge", `href="#article-1"`, `id="article-1"`, "Copyright 2007-2009 - The Daily Planet, Metropolis. All rights reserved.",
		`href="https://planet.example/unsubscribe/TOKEN"`, "https://planet.example/issues/planet/2009-07-09", "Clark &lt;Kent&gt;"} {
		if !strings.Contains(page, s) {
			t.Errorf("HTML lacks %q", s)
		}
	}
	if strings.Contains(page, "<script") || strings.Contains(page, "[[MH:") {
		t.Error("HTML has a script or an unfilled slot")
	}
	// The stored issue keeps the slots open; filling wrote the recipient in.
	for _, slot := range []string{"[[MH:unsubscribe]]", "[[MH:greeting]]"} {
		if !strings.Contains(iss.HTML, slot) || !strings.Contains(iss.Text, slot) {
			t.Errorf("stored issue lacks the slot %s", slot)
		}
	}
	// The postal address is in the footer once: the default copyright line
	// carries it, so it is not repeated under it.
	plain := string(templates.Compile(iss.Text, templates.Text).Fill(nil, who))
	if strings.Contains(plain, "[[MH:") || !strings.Contains(plain, "https://planet.example/unsubscribe/TOKEN") {
		t.Errorf("text part not filled:\n%s", plain)
	}
	if strings.Contains(page, "<p>"+p.Address+"</p>") || strings.Contains(plain, "\n"+p.Address+"\n") {
		t.Errorf("the postal address %q is repeated under the copyright line that has it", p.Address)
	}
	if !regexp.MustCompile(`<(td|h1|h2|p|a)[^>]* style="`).MatchString(page) {
		t.Error("HTML has no inlined style attributes")
	}
	if _, err := html.Parse(strings.NewReader(page)); err != nil {
		t.Errorf("HTML does not parse: %v", err)
	}
	z := html.NewTokenizer(strings.NewReader(page))
	for z.Next() != html.ErrorToken {
	}
	if err := z.Err(); err != nil && err.Error() != "EOF" {
		t.Errorf("HTML tokenizer: %v", err)
	}

	// Text: no tags, no entities, wrapped at 78 columns.
	text := string(templates.Compile(iss.Text, templates.Text).Fill(nil, who))
	for _, s := range []string{"The Daily Planet", "Volume 3, Number 153", "Thursday, July 9, 2009", "Heat Wave Arrives",
		"Copyright 2007-2009 - The Daily Planet, Metropolis. All rights reserved.", "https://planet.example/unsubscribe/TOKEN", "Clark <Kent>"} {
		if !strings.Contains(text, s) {
			t.Errorf("text lacks %q", s)
		}
	}
	for _, m := range regexp.MustCompile(`&[a-zA-Z#0-9]+;|<[a-zA-Z/][^>]*>`).FindAllString(strings.ReplaceAll(text, "Clark <Kent>", ""), -1) {
		if !strings.Contains(m, "://") && !strings.Contains(m, "@") { // <https://...> is how text shows a link
			t.Errorf("text has markup %q", m)
		}
	}
	for i, line := range strings.Split(text, "\n") {
		if n := len([]rune(line)); n > 78 && !strings.Contains(line, "://") {
			t.Errorf("text line %d is %d columns: %q", i+1, n, line)
		}
	}
}

func TestReassembleKeepsNumbersAndFreezesAfterSend(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	p := savePub(t, st, "planet", newsletter.Calendar)
	importFiles(t, st, p, map[string]string{"a.md": sampleFiles["a.md"]})
	asm := assembly.New(st, "https://planet.example")
	d := newsletter.Date{Year: 2009, Month: 7, Day: 9}
	first, err := asm.Assemble(ctx, p, d)
	if err != nil {
		t.Fatal(err)
	}
	importFiles(t, st, p, map[string]string{"b.md": sampleFiles["b.md"]})
	second, err := asm.Assemble(ctx, p, d)
	if err != nil {
		t.Fatal(err)
	}
	if second.ID != first.ID || second.Number != first.Number || len(second.Articles) != 2 {
		t.Errorf("re-assembly: id %d->%d number %d->%d articles %d", first.ID, second.ID, first.Number, second.Number, len(second.Articles))
	}
	if err := st.SetIssueStatus(ctx, second.ID, nil, newsletter.Sent, second.SendAt); err != nil {
		t.Fatal(err)
	}
	if _, err := asm.Assemble(ctx, p, d); !errors.Is(err, newsletter.ErrFrozen) {
		t.Errorf("assembling a sent issue: %v, want ErrFrozen", err)
	}
	if _, err := asm.Assemble(ctx, p, newsletter.Date{Year: 2009, Month: 7, Day: 10}); !errors.Is(err, newsletter.ErrEmptyIssue) {
		t.Errorf("empty date: %v, want ErrEmptyIssue", err)
	}
}

func TestSequentialNumbering(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	p := savePub(t, st, "weekly", newsletter.Sequential)
	dates := []string{"2009-01-29", "2009-02-05", "2009-02-12", "2009-02-19"}
	files := map[string]string{}
	for i, d := range dates {
		files[d+".md"] = article("Week "+string(rune('A'+i)), d, "News", 1, "Body.")
	}
	importFiles(t, st, p, files)
	asm := assembly.New(st, "https://planet.example")
	want := [][2]int{{2, 1}, {2, 2}, {3, 1}, {3, 2}} // the volume turns on 2009-02-07
	for i, ds := range dates {
		d, _ := newsletter.ParseDate(ds)
		iss, err := asm.Assemble(ctx, p, d)
		if err != nil {
			t.Fatal(err)
		}
		if iss.Volume != want[i][0] || iss.Number != want[i][1] {
			t.Errorf("%s: Volume %d, Number %d; want Volume %d, Number %d", ds, iss.Volume, iss.Number, want[i][0], want[i][1])
		}
	}
	// An empty date consumes no number.
	if _, err := asm.Assemble(ctx, p, newsletter.Date{Year: 2009, Month: 2, Day: 26}); !errors.Is(err, newsletter.ErrEmptyIssue) {
		t.Fatal(err)
	}
	importFiles(t, st, p, map[string]string{"m.md": article("Week E", "2009-03-05", "News", 1, "Body.")})
	iss, err := asm.Assemble(ctx, p, newsletter.Date{Year: 2009, Month: 3, Day: 5})
	if err != nil {
		t.Fatal(err)
	}
	if iss.Number != 3 {
		t.Errorf("after an empty week: Number %d, want 3", iss.Number)
	}
}
