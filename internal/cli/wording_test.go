package cli

import (
	"strings"
	"testing"
)

// How the email reads, set on the command line and seen in the preview.
func TestWordingSettingsInPreview(t *testing.T) {
	db := newDB(t)
	setupPlanet(t, db)
	body := "The mayor said \"not today\" -- and left.\n"
	if code, _, errs := runCLI(t, db, body, "article", "add", "-", "--date", "2009-07-09", "--title", `Mayor says "no"`,
		"--section", "Front Page"); code != 0 {
		t.Fatalf("article add: %s", errs)
	}
	preview := func(format string) string {
		t.Helper()
		code, out, errs := runCLI(t, db, "", "issue", "preview", "--date", "2009-07-09", "--format", format)
		if code != 0 {
			t.Fatalf("preview: %s", errs)
		}
		return out
	}
	set := func(args ...string) {
		t.Helper()
		if code, _, errs := runCLI(t, db, "", append([]string{"publication", "set"}, args...)...); code != 0 {
			t.Fatalf("publication set %v: %s", args, errs)
		}
	}
	// The defaults: as masthead always read.
	html, text := preview("html"), preview("text")
	for _, want := range []string{`<html lang="en" dir="ltr">`, "Good morning, Reader.", ">Back to the top</a>", "“no”", "“not today” –"} {
		if !strings.Contains(html, want) {
			t.Errorf("default html lacks %q", want)
		}
	}
	if strings.Contains(html, "Go to top") || !strings.Contains(text, "Good morning, Reader.") || !strings.Contains(text, "“no”") {
		t.Errorf("default text:\n%s", text)
	}

	// Greeting by the schedule's hour on that date, in the publication's zone.
	set("--greeting", "time", "--schedule", "0 17 * * *")
	if html := preview("html"); !strings.Contains(html, "Good afternoon, Reader.") {
		t.Errorf("greeting time at 17:00 New York: %s", between(html, `class="greeting"`, "</p>"))
	}
	set("--schedule", "30 19 * * *")
	if text := preview("text"); !strings.Contains(text, "Good evening, Reader.") {
		t.Errorf("greeting time at 19:30:\n%s", text)
	}
	set("--greeting", "Shalom")
	if text := preview("text"); !strings.Contains(text, "Shalom, Reader.") {
		t.Errorf("fixed greeting:\n%s", text)
	}
	set("--greeting", "none")
	html, text = preview("html"), preview("text")
	if strings.Contains(html, `class="greeting"`) || strings.Contains(text, "Reader.") {
		t.Errorf("greeting none still greets:\n%s", text)
	}

	// The labels, the quotes and the language.
	set("--back-to-top", "Top of page", "--go-to-top", "on", "--go-to-top-label", "Go to top of right column",
		"--typographic-quotes", "off", "--language", "he")
	html, text = preview("html")+"", preview("text")
	for _, want := range []string{`<html lang="he" dir="rtl">`, ">Top of page</a>", ">Go to top of right column</a>",
		`dir="auto"`, `Mayor says &#34;no&#34;`, `said &#34;not today&#34; -- and`} {
		if !strings.Contains(html, want) {
			t.Errorf("html lacks %q", want)
		}
	}
	if i, j := strings.Index(html, ">Go to top of right column</a>"), strings.LastIndex(html, "said &#34;not today"); i < 0 || j < i {
		t.Error("the headline's link is not between the headline and the body")
	}
	if strings.Contains(html, "Back to the top") || strings.ContainsAny(html+text, "“”–") {
		t.Error("the old label or a curly quote is left")
	}
	if !strings.Contains(text, `Mayor says "no"`) || strings.Contains(text, "Top of page") {
		t.Errorf("text part:\n%s", text)
	}
	_, out, _ := runCLI(t, db, "", "publication", "show")
	for _, want := range []string{"greeting:                none", "back-to-top:             Top of page",
		"go-to-top:               on", "go-to-top-label:         Go to top of right column",
		"typographic-quotes:      off", "language:                he", "promise:                 by email every morning"} {
		if !strings.Contains(out, want) {
			t.Errorf("publication show lacks %q:\n%s", want, out)
		}
	}
	for _, c := range []struct{ args, want string }{
		{"--typographic-quotes maybe", `--typographic-quotes: "maybe" must be on or off`},
		{"--go-to-top yes", `--go-to-top: "yes" must be on or off`},
		{"--typographic-quotes true", `--typographic-quotes: "true" must be on or off`},
		{"--language x_y!", `--language: "x_y!" is not a BCP 47 language tag`},
	} {
		if code, _, errs := runCLI(t, db, "", append([]string{"publication", "set"}, strings.Fields(c.args)...)...); code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%s: exit %d %s", c.args, code, errs)
		}
	}
}

func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	s = s[i:]
	if j := strings.Index(s, to); j >= 0 {
		return s[:j]
	}
	return s
}
