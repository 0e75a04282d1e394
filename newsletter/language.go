package newsletter

import "strings"

// Languages are the languages a publication's fixed wording (the web
// edition's sign-up, confirmation and unsubscribe pages, the email's
// greeting) comes in, as BCP 47 tags; the catalog is templates' messages.
var Languages = []string{"en", "es", "fr", "de", "he"}

// DefaultLanguage is a publication's language when none is set.
const DefaultLanguage = "en"

// LanguageDir is the writing direction of a language: "rtl" (Hebrew) or
// "ltr", for the pages' and the email's dir attribute.
func LanguageDir(lang string) string {
	if lang == "he" {
		return "rtl"
	}
	return "ltr"
}

func validLanguage(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

func languageList() string { return strings.Join(Languages, ", ") }
