package newsletter

import (
	"strings"
	"testing"
)

// An article written as a file reads back as the same article, whatever its
// headline holds (quotes, a colon, a leading dash).
func TestFormatArticleFileReadsBack(t *testing.T) {
	p := &Publication{Name: "P", Sections: []string{"News", "City"}}
	for _, a := range []*Article{
		{Title: `"Quoted": a headline`, Date: Date{2009, 7, 9}, Section: "City", Author: "Lois Lane", Position: 2,
			Deck: "- a dash", Status: Draft, Key: "feed:3:https://example.org/?p=1#x", Body: "Body\n\n---\n\nafter a rule\n"},
		{Title: "yes", Date: Date{2009, 7, 10}, Section: "News", Status: Ready, Key: "a12", Body: ""},
	} {
		data, err := FormatArticleFile(a)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseArticleFile("show.md", data, p)
		if err != nil {
			t.Fatalf("%q does not read back: %v\n%s", a.Title, err, data)
		}
		if *got != *a {
			t.Errorf("read back %+v\nwant %+v\nfrom:\n%s", got, a, data)
		}
		if !strings.HasPrefix(string(data), "---\ntitle: ") {
			t.Errorf("file starts %q", data[:20])
		}
	}
}
