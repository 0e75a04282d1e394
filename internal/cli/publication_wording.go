package cli

import (
	"flag"
	"strings"

	"masthead/newsletter"
)

// wordingFlags are `publication set`'s flags for how the email reads
// (newsletter.Wording) and the publication's language.
type wordingFlags struct {
	greeting, promise, backToTop, goToTop, goToTopLabel, quotes, language string
}

func addWordingFlags(fs *flag.FlagSet) *wordingFlags {
	w := &wordingFlags{}
	fs.StringVar(&w.greeting, "greeting", "", `the greeting before the reader's name: none, time ("Good morning/afternoon/evening" by the send's hour in the publication's zone) or a fixed text (default "Good morning")`)
	fs.StringVar(&w.promise, "promise", "", `the web pages' "Get NAME ..." promise (default "by email every morning")`)
	fs.StringVar(&w.backToTop, "back-to-top", "", `the link after each article (default "Back to the top"; none: no link)`)
	fs.StringVar(&w.goToTop, "go-to-top", "", "on|off: a link to the top after each headline (default off)")
	fs.StringVar(&w.goToTopLabel, "go-to-top-label", "", `that link's label (default "Go to top")`)
	fs.StringVar(&w.quotes, "typographic-quotes", "", "on|off: curly quotes, dashes and ellipses in bodies, headlines, decks and the tagline (default on)")
	fs.StringVar(&w.language, "language", "", `BCP 47 language tag of the email and the web pages, e.g. en, he, pt-BR (default "en")`)
	return w
}

// apply sets the flags given on cur.
func (w *wordingFlags) apply(set map[string]bool, cur *newsletter.Publication) error {
	text := func(name string, dst *string, v string) {
		if set[name] {
			*dst = strings.TrimSpace(v)
		}
	}
	text("greeting", &cur.Wording.Greeting, w.greeting)
	text("promise", &cur.Wording.Promise, w.promise)
	text("back-to-top", &cur.Wording.BackToTop, w.backToTop)
	text("go-to-top-label", &cur.Wording.GoToTopLabel, w.goToTopLabel)
	if set["go-to-top"] {
		on, err := parseOnOff("go-to-top", w.goToTop)
		if err != nil {
			return err
		}
		cur.Wording.GoToTop = on
	}
	if set["typographic-quotes"] {
		on, err := parseOnOff("typographic-quotes", w.quotes)
		if err != nil {
			return err
		}
		cur.Wording.StraightQuotes = !on
	}
	if set["language"] {
		lang, err := newsletter.ParseLanguage(w.language)
		if err != nil {
			return usageErr("--language: %v", err)
		}
		cur.Language = lang
	}
	return nil
}

func parseOnOff(name, v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "on":
		return true, nil
	case "off":
		return false, nil
	}
	return false, usageErr("--%s: %q must be on or off", name, v)
}

// wordingRows are `publication show`'s lines for the wording.
func wordingRows(p *newsletter.Publication) [][2]string {
	w := p.Wording
	greeting := w.Greeting
	switch strings.ToLower(greeting) {
	case "":
		greeting = newsletter.DefaultGreeting + " (default)"
	case newsletter.GreetingTime:
		greeting = "time (Good morning/afternoon/evening by the send's hour)"
	case newsletter.GreetingNone:
		greeting = "none"
	}
	onOff := func(b bool) string {
		if b {
			return "on"
		}
		return "off"
	}
	back := w.BackToTopText()
	if back == "" {
		back = "none"
	}
	lang := p.Language
	if lang == "" {
		lang = newsletter.DefaultLanguage
	}
	return [][2]string{
		{"greeting", greeting}, {"promise", w.PromiseText()}, {"back-to-top", back},
		{"go-to-top", onOff(w.GoToTop)}, {"go-to-top-label", orDefaultLabel(w.GoToTopLabel)},
		{"typographic-quotes", onOff(w.Typographic())}, {"language", lang},
	}
}

func orDefaultLabel(s string) string {
	if s == "" {
		return newsletter.DefaultGoToTop
	}
	return s
}
