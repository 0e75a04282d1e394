package api

import "masthead/newsletter"

// wordingJSON is a publication's wording (newsletter.Wording) as the API
// shows it: every field with its value in effect.
type wordingJSON struct {
	Greeting          string `json:"greeting"`
	Promise           string `json:"promise"`
	BackToTop         string `json:"back_to_top"`
	GoToTop           bool   `json:"go_to_top"`
	GoToTopLabel      string `json:"go_to_top_label"`
	TypographicQuotes bool   `json:"typographic_quotes"`
}

func wordingOut(w newsletter.Wording) wordingJSON {
	greeting := w.Greeting
	if greeting == "" {
		greeting = newsletter.DefaultGreeting
	}
	back := w.BackToTop
	if back == "" {
		back = newsletter.DefaultBackToTop
	}
	label := w.GoToTopLabel
	if label == "" {
		label = newsletter.DefaultGoToTop
	}
	return wordingJSON{Greeting: greeting, Promise: w.PromiseText(), BackToTop: back,
		GoToTop: w.GoToTop, GoToTopLabel: label, TypographicQuotes: w.Typographic()}
}

// wordingPatch changes the fields given of a publication's wording.
type wordingPatch struct {
	Greeting          *string `json:"greeting"`
	Promise           *string `json:"promise"`
	BackToTop         *string `json:"back_to_top"`
	GoToTop           *bool   `json:"go_to_top"`
	GoToTopLabel      *string `json:"go_to_top_label"`
	TypographicQuotes *bool   `json:"typographic_quotes"`
}

func (in *wordingPatch) apply(w *newsletter.Wording) {
	if in == nil {
		return
	}
	for _, f := range []struct {
		dst *string
		v   *string
	}{{&w.Greeting, in.Greeting}, {&w.Promise, in.Promise}, {&w.BackToTop, in.BackToTop}, {&w.GoToTopLabel, in.GoToTopLabel}} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	if in.GoToTop != nil {
		w.GoToTop = *in.GoToTop
	}
	if in.TypographicQuotes != nil {
		w.StraightQuotes = !*in.TypographicQuotes
	}
}

func languageOut(lang string) string {
	if lang == "" {
		return newsletter.DefaultLanguage
	}
	return lang
}
