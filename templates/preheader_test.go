package templates

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestPreheader: the inbox preview is the lead article's deck, or its first
// sentence, and it is hidden without the tiny fonts and page-coloured text
// that spam filters score (SpamAssassin's FONT_INVIS_MSGID and
// HTML_FONT_LOW_CONTRAST).
func TestPreheader(t *testing.T) {
	th, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("word ", 60)
	for _, tc := range []struct {
		name string
		lead Article
		want string
	}{
		{"deck", Article{Title: "Peres in Azerbaijan", Deck: "  He frustrates\nIran. ", Text: "First. Second."}, "He frustrates Iran."},
		{"first sentence", Article{Title: "T", Text: "Peres (pictured at right)\nvisited Baku on Monday. Iran\nprotested."}, "Peres (pictured at right) visited Baku on Monday."},
		{"links left out", Article{Title: "T", Text: "Read the speech at <https://x.example/a>. Or\nnot."}, "Read the speech at."},
		{"cut at a word", Article{Title: "T", Deck: long}, strings.TrimSpace(strings.Repeat("word ", 28)) + "…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			iss := &Issue{PublicationName: "P", Date: "Thursday, July 9, 2009", Articles: []Article{tc.lead, {Title: "Second", Deck: "Not this"}}}
			if got := iss.Preheader(); got != tc.want {
				t.Errorf("Preheader() = %q, want %q", got, tc.want)
			}
			if utf8.RuneCountInString(iss.Preheader()) > preheaderMax+1 {
				t.Errorf("preheader of %d characters", utf8.RuneCountInString(iss.Preheader()))
			}
			htm, _, err := th.RenderEmail(iss)
			if err != nil {
				t.Fatal(err)
			}
			div := regexp.MustCompile(`<div class="preheader" style="([^"]*)">([^<]*)</div>`).FindStringSubmatch(htm)
			if div == nil {
				t.Fatalf("no preheader in\n%s", htm[:min(len(htm), 3000)])
			}
			style := strings.ReplaceAll(div[1], " ", "")
			for _, bad := range []string{"font-size", "color", "line-height"} {
				if strings.Contains(style, bad) {
					t.Errorf("preheader style %q has %s", style, bad)
				}
			}
			for _, need := range []string{"display:none", "max-height:0", "mso-hide:all"} {
				if !strings.Contains(style, need) {
					t.Errorf("preheader style %q lacks %s", style, need)
				}
			}
		})
	}
	if got := (&Issue{}).Preheader(); got != "" {
		t.Errorf("no articles: %q", got)
	}
}
