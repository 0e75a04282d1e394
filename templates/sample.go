package templates

import "html/template"

// sampleIssue is the issue every template is checked against at Load: every
// field set, so that a template referring to a missing field fails there.
func sampleIssue() *Issue {
	return &Issue{
		PublicationName: "The Daily Planet",
		Tagline:         "All the news that fits, every morning",
		Volume:          3,
		Number:          153,
		Date:            "Thursday, July 9, 2009",
		ISODate:         "2009-07-09",
		Copyright:       "Copyright 2007-2009 - The Daily Planet, Metropolis. All rights reserved.",
		Address:         "355 Main Street, Metropolis, NY 10001",
		WebURL:          "https://planet.example/issues/2009-07-09",
		HomeURL:         "https://planet.example/",
		Lang:            "en",
		Greeting:        "Good morning",
		Promise:         "by email every morning",
		BackToTop:       "Back to the top",
		GoToTop:         "Go to top",
		Articles: []Article{{
			Anchor:  "lead",
			Section: "City",
			Title:   "Sample headline",
			Deck:    "A sample deck",
			Author:  "Lois Lane",
			HTML:    template.HTML("<p>Sample body.</p>"),
			Text:    "Sample body.",
		}, {
			Anchor:      "second",
			Title:       "Second headline",
			HTML:        template.HTML("<p>Another body.</p>"),
			Text:        "Another body.",
			SourceURL:   "https://planet.example/2009/07/09/second/",
			SourceImage: "https://planet.example/images/second.jpg",
		}},
	}
}
