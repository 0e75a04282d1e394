package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"masthead/newsletter"
)

// A publication's language is the pages' lang (Hebrew right to left) and
// their fixed wording, along a reader's way: the form, the answer to it,
// the confirmation page and the unsubscribe page; the greeting too.
func TestPagesInThePublicationsLanguage(t *testing.T) {
	for _, c := range []struct {
		lang, dir                            string
		form, sent, confirm, unsub, greeting string
	}{
		{"fr", "ltr", "S'abonner par e-mail", "Consultez votre boîte de réception", "Confirmez votre abonnement", "Se désabonner", "Bonjour"},
		{"he", "rtl", "הרשמה בדוא״ל", "בדקו את תיבת הדואר", "אשרו את המינוי", "ביטול מינוי", "בוקר טוב"},
		{"en", "ltr", "Subscribe by email", "Check your inbox", "Confirm your subscription", "Unsubscribe", "Good morning"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			e.pub.Language = c.lang
			if err := e.work.SavePublication(ctx, e.pub); err != nil {
				t.Fatal(err)
			}
			root := `<html lang="` + c.lang + `" dir="` + c.dir + `">`
			check := func(what, body, want string) {
				t.Helper()
				if !strings.Contains(body, root) || !strings.Contains(body, want) {
					t.Errorf("%s lacks %s or %q:\n%.600s", what, root, want, body)
				}
			}
			_, home := e.get("/")
			check("the front page", home, c.form)
			res, _ := e.postForm("/subscribe", "email=ana%40example.org&publication=planet")
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("subscribe: %d", res.StatusCode)
			}
			_, sent := e.get("/subscribe/sent")
			check("the answer to the form", sent, c.sent)
			_, confirm := e.get(e.confirmPath("ana@example.org"))
			check("the confirmation page", confirm, c.confirm)
			e.postForm(e.confirmPath("ana@example.org"), "")
			sub, _ := e.subscriber("ana@example.org")
			_, unsub := e.get(e.signer.UnsubscribeURL("", sub.ID, e.pub.ID))
			check("the unsubscribe page", unsub, c.unsub)

			iss, err := e.work.Assembler().Notice(ctx, e.pub, newsletter.Date{Year: 2009, Month: 7, Day: 10}, newsletter.Assembled)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(iss.HTML, c.greeting) || !strings.Contains(iss.Text, c.greeting) || !strings.Contains(iss.HTML, root) {
				t.Errorf("the email lacks %q or %s", c.greeting, root)
			}
		})
	}
}
