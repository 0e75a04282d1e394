package newsletter

import (
	"errors"
	"strings"
	"testing"
)

func TestParseArticleFile(t *testing.T) {
	p := validPublication()
	p.Sections = []string{"Front Page", "News"}
	good := "---\ntitle: Rain Again\ndate: 2009-07-09\nsection: news\nauthor: Lois Lane\nposition: 2\n---\n\nIt rained.\n"
	a, err := ParseArticleFile("rain.md", []byte(good), p)
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != "Rain Again" || a.Date.String() != "2009-07-09" || a.Author != "Lois Lane" || a.Position != 2 ||
		a.Body != "It rained.\n" || a.Status != Ready {
		t.Errorf("parsed %+v", a)
	}
	cases := []struct {
		name, src, want string
	}{
		{"no front matter", "Just text\n", "bad.md:1: no front matter"},
		{"unclosed", "---\ntitle: x\n", "bad.md:1: front matter is not closed"},
		{"missing title", "---\ndate: 2009-07-09\n---\nbody\n", "bad.md:1: title: is required"},
		{"bad date", "---\ntitle: T\ndate: 2009-13-45\n---\n", "bad.md:3: date: date \"2009-13-45\" is not YYYY-MM-DD"},
		{"broken yaml", "---\ntitle: T\ndate: [2009\n---\n", "bad.md:3: front matter: line 3: did not find expected ',' or ']'"},
		{"unclosed list", "---\ntitle: T\ndate: 2009-07-09\nsection: [City\nauthor: x\n---\n", "bad.md:4: front matter: line 4:"},
		{"text after a quoted value", "---\ntitle: T\ndate: 2009-07-09\nauthor: \"x\" y\n---\n", "bad.md:4: front matter: line 4: did not find expected key"},
		{"a list item in the mapping", "---\ntitle: T\n- x\n---\n", "bad.md:3: front matter: line 3: did not find expected key"},
		{"misplaced colon", "---\ntitle: T\ndate: 2009-07-09\nsection: City: x\n---\n", "bad.md:4: front matter: line 4: mapping values"},
		{"unknown field", "---\ntitle: T\ndate: 2009-07-09\ncolour: red\n---\n", "bad.md:4: front matter: line 4: unknown field \"colour\" (known: title,"},
		{"unknown section", "---\ntitle: T\ndate: 2009-07-09\nsection: Weather\n---\n", "bad.md:4: section: unknown section \"Weather\""},
		{"not utf-8", "---\ntitle: \xff\n---\n", "bad.md: file is not valid UTF-8"},
		{"bad status", "---\ntitle: T\ndate: 2009-07-09\nstatus: maybe\n---\n", "bad.md:4: status:"},
		{"duplicate key", "---\ntitle: T\ndate: 2009-07-09\ntitle: U\n---\n", `bad.md:4: front matter: line 4: mapping key "title" already defined at line 2`},
		{"two unknown fields", "---\ntitle: T\ncolour: red\nsize: big\n---\n", `bad.md:3: front matter: line 3: unknown field "colour" (known: title, date, section, author, position, deck, status, key, image, image_alt); line 4: unknown field "size"`},
		{"a NUL", "---\ntitle: T\ndate: 2009\x00-07-09\n---\n", "bad.md:3: front matter: control characters are not allowed (U+0000 on line 3)"},
		{"a tab for indentation", "---\ntitle: T\n\tdate: 2009-07-09\n---\n", "bad.md:3: front matter: line 3: found a tab character"},
		{"empty and closed", "---\n---\nbody\n", "bad.md:1: title: is required"},
		{"empty and closed at the end", "---\n---", "bad.md:1: title: is required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseArticleFile("bad.md", []byte(c.src), p)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q\nwant it to contain %q", err, c.want)
			}
		})
	}
}

// FuzzParseArticleFile: whatever the file, parsing ends without a panic, an
// error names a line of the file (or none), and an article it accepts is
// valid for the publication.
//
//	go test -run '^$' -fuzz FuzzParseArticleFile ./newsletter/
func FuzzParseArticleFile(f *testing.F) {
	for _, seed := range []string{
		"---\ntitle: Rain Again\ndate: 2009-07-09\nsection: news\nauthor: Lois Lane\nposition: 2\n---\n\nIt rained.\n",
		"---\ntitle: T\ndate: 2009-07-09\ntitle: U\n---\n",
		"---\ntitle: T\ncolour: red\nsize: big\n---\n",
		"---\ntitle: T\ndate: 2009\x00-07-09\n---\n",
		"---\ntitle: T\n\tdate: 2009-07-09\n---\n",
		"---\n---\nbody\n",
		"---\r\ntitle: T\r\ndate: 2009-07-09\r\n---\r\n",
		"\xef\xbb\xbf---\ntitle: [x\n---\n",
		"---\ntitle: T\n",
		"Just text\n",
	} {
		f.Add([]byte(seed))
	}
	p := validPublication()
	p.Sections = []string{"Front Page", "News"}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ParseArticleFile("f.md", data, p)
		lines := strings.Count(strings.ReplaceAll(strings.ReplaceAll(string(data), "\r\n", "\n"), "\r", "\n"), "\n") + 1
		if err != nil {
			var fe *FieldError
			if errors.As(err, &fe) && fe.Line > lines {
				t.Fatalf("error on line %d of a %d-line file: %v", fe.Line, lines, err)
			}
			var errs Errors
			if errors.As(err, &errs) {
				for _, e := range errs {
					if errors.As(e, &fe) && fe.Line > lines {
						t.Fatalf("error on line %d of a %d-line file: %v", fe.Line, lines, err)
					}
				}
			}
			return
		}
		if err := a.Validate(p, "again"); err != nil {
			t.Fatalf("accepted an article that does not validate: %v", err)
		}
	})
}
