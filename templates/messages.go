package templates

import (
	"fmt"
	"html/template"
	"strings"
)

// The fixed wording readers see in their language: the web edition's
// sign-up, confirmation and unsubscribe pages and the email's greeting. The
// theme's templates ask for it with {{msg .Lang "key" args...}}; a language
// or key the catalog lacks falls back to English. Messages are trusted HTML
// with fmt verbs; the arguments are escaped.
var messages = map[string]map[string]string{
	"en": {
		"greeting":          "Good morning",
		"back":              "Return to Main Page",
		"form.title":        "Subscribe by email",
		"form.blurb":        "Get every issue in your inbox. We send a link to confirm your address first.",
		"form.email":        "Email address",
		"form.name":         "Name",
		"form.optional":     "(optional)",
		"form.button":       "Subscribe",
		"sent.title":        "Check your inbox",
		"sent.body":         "Thank you. Unless the address you gave is already subscribed, we have sent it an email with a link to confirm your subscription. Open that link and press the button on its page: only then will issues be sent to you.",
		"sent.days":         "The link works for %[1]d days. If no email arrives within a few minutes, look in your spam folder, or check the address and try again.",
		"confirm.title":     "Confirm your subscription",
		"confirm.press":     "Press the button to have %[1]s sent to <strong>%[2]s</strong>.",
		"confirm.button":    "Confirm my subscription",
		"confirm.ignore":    "If you did not ask for this, close this page: nothing will be sent.",
		"confirmed.title":   "Subscribed",
		"confirmed.heading": "You are subscribed",
		"confirmed.body":    "%[1]s will be sent to <strong>%[2]s</strong>, starting with the next issue. Every issue has a link to unsubscribe at the bottom.",
		"unsub.title":       "Unsubscribe",
		"unsub.stop":        "Stop sending %[1]s to <strong>%[2]s</strong>?",
		"unsub.done.title":  "Unsubscribed",
		"unsub.done":        "You are unsubscribed",
		"unsub.done.left":   "%[1]s will not be sent any more, starting now.",
		"unsub.done.all":    "Nothing more will be sent, starting now.",
		"unsub.changed":     "Changed your mind? You can subscribe again on the main page at any time.",
		"unsub.none":        "You are not subscribed",
		"unsub.none.body":   "Nothing is being sent: there is nothing to unsubscribe from.",
	},
	"es": {
		"greeting":          "Buenos días",
		"back":              "Volver a la página principal",
		"form.title":        "Suscríbase por correo",
		"form.blurb":        "Reciba cada número en su correo. Primero le enviamos un enlace para confirmar su dirección.",
		"form.email":        "Correo electrónico",
		"form.name":         "Nombre",
		"form.optional":     "(opcional)",
		"form.button":       "Suscribirse",
		"sent.title":        "Revise su correo",
		"sent.body":         "Gracias. Salvo que la dirección indicada ya esté suscrita, le hemos enviado un correo con un enlace para confirmar su suscripción. Abra ese enlace y pulse el botón de su página: solo entonces le enviaremos los números.",
		"sent.days":         "El enlace funciona durante %[1]d días. Si no llega ningún correo en unos minutos, mire en la carpeta de spam, o compruebe la dirección y vuelva a intentarlo.",
		"confirm.title":     "Confirme su suscripción",
		"confirm.press":     "Pulse el botón para recibir %[1]s en <strong>%[2]s</strong>.",
		"confirm.button":    "Confirmar mi suscripción",
		"confirm.ignore":    "Si no lo ha pedido, cierre esta página: no se enviará nada.",
		"confirmed.title":   "Suscrito",
		"confirmed.heading": "Ya está suscrito",
		"confirmed.body":    "%[1]s se enviará a <strong>%[2]s</strong> a partir del próximo número. Cada número lleva al final un enlace para darse de baja.",
		"unsub.title":       "Darse de baja",
		"unsub.stop":        "¿Dejar de enviar %[1]s a <strong>%[2]s</strong>?",
		"unsub.done.title":  "Baja confirmada",
		"unsub.done":        "Se ha dado de baja",
		"unsub.done.left":   "Dejaremos de enviar %[1]s desde ahora.",
		"unsub.done.all":    "No se enviará nada más desde ahora.",
		"unsub.changed":     "¿Ha cambiado de opinión? Puede volver a suscribirse en la página principal cuando quiera.",
		"unsub.none":        "No está suscrito",
		"unsub.none.body":   "No se le envía nada: no hay ninguna suscripción que cancelar.",
	},
	"fr": {
		"greeting":          "Bonjour",
		"back":              "Retour à la page d'accueil",
		"form.title":        "S'abonner par e-mail",
		"form.blurb":        "Recevez chaque numéro dans votre boîte. Nous envoyons d'abord un lien pour confirmer votre adresse.",
		"form.email":        "Adresse e-mail",
		"form.name":         "Nom",
		"form.optional":     "(facultatif)",
		"form.button":       "S'abonner",
		"sent.title":        "Consultez votre boîte de réception",
		"sent.body":         "Merci. Sauf si l'adresse indiquée est déjà abonnée, nous lui avons envoyé un e-mail contenant un lien pour confirmer votre abonnement. Ouvrez ce lien et appuyez sur le bouton de sa page : ce n'est qu'alors que les numéros vous seront envoyés.",
		"sent.days":         "Le lien est valable %[1]d jours. Si aucun e-mail n'arrive d'ici quelques minutes, regardez dans vos indésirables, ou vérifiez l'adresse et réessayez.",
		"confirm.title":     "Confirmez votre abonnement",
		"confirm.press":     "Appuyez sur le bouton pour recevoir %[1]s à <strong>%[2]s</strong>.",
		"confirm.button":    "Confirmer mon abonnement",
		"confirm.ignore":    "Si vous ne l'avez pas demandé, fermez cette page : rien ne sera envoyé.",
		"confirmed.title":   "Abonné",
		"confirmed.heading": "Vous êtes abonné",
		"confirmed.body":    "%[1]s sera envoyé à <strong>%[2]s</strong> à partir du prochain numéro. Chaque numéro comporte en bas un lien de désabonnement.",
		"unsub.title":       "Se désabonner",
		"unsub.stop":        "Ne plus envoyer %[1]s à <strong>%[2]s</strong> ?",
		"unsub.done.title":  "Désabonné",
		"unsub.done":        "Vous êtes désabonné",
		"unsub.done.left":   "%[1]s ne vous sera plus envoyé, dès maintenant.",
		"unsub.done.all":    "Plus rien ne vous sera envoyé, dès maintenant.",
		"unsub.changed":     "Vous avez changé d'avis ? Vous pouvez vous réabonner à tout moment sur la page d'accueil.",
		"unsub.none":        "Vous n'êtes pas abonné",
		"unsub.none.body":   "Rien ne vous est envoyé : il n'y a rien à résilier.",
	},
	"de": {
		"greeting":          "Guten Morgen",
		"back":              "Zurück zur Startseite",
		"form.title":        "Per E-Mail abonnieren",
		"form.blurb":        "Jede Ausgabe in Ihrem Posteingang. Zuerst schicken wir einen Link zur Bestätigung Ihrer Adresse.",
		"form.email":        "E-Mail-Adresse",
		"form.name":         "Name",
		"form.optional":     "(optional)",
		"form.button":       "Abonnieren",
		"sent.title":        "Sehen Sie in Ihrem Posteingang nach",
		"sent.body":         "Danke. Sofern die angegebene Adresse nicht schon abonniert ist, haben wir ihr eine E-Mail mit einem Link zur Bestätigung Ihres Abonnements geschickt. Öffnen Sie diesen Link und drücken Sie die Schaltfläche auf seiner Seite: Erst dann werden Ihnen Ausgaben geschickt.",
		"sent.days":         "Der Link gilt %[1]d Tage. Kommt in einigen Minuten keine E-Mail an, sehen Sie im Spam-Ordner nach oder prüfen Sie die Adresse und versuchen Sie es erneut.",
		"confirm.title":     "Bestätigen Sie Ihr Abonnement",
		"confirm.press":     "Drücken Sie die Schaltfläche, um %[1]s an <strong>%[2]s</strong> zu erhalten.",
		"confirm.button":    "Abonnement bestätigen",
		"confirm.ignore":    "Wenn Sie das nicht angefordert haben, schließen Sie diese Seite: Es wird nichts gesendet.",
		"confirmed.title":   "Abonniert",
		"confirmed.heading": "Sie haben abonniert",
		"confirmed.body":    "%[1]s wird ab der nächsten Ausgabe an <strong>%[2]s</strong> geschickt. Jede Ausgabe hat unten einen Link zum Abbestellen.",
		"unsub.title":       "Abbestellen",
		"unsub.stop":        "%[1]s nicht mehr an <strong>%[2]s</strong> senden?",
		"unsub.done.title":  "Abbestellt",
		"unsub.done":        "Sie haben abbestellt",
		"unsub.done.left":   "%[1]s wird ab jetzt nicht mehr gesendet.",
		"unsub.done.all":    "Ab jetzt wird nichts mehr gesendet.",
		"unsub.changed":     "Anders überlegt? Sie können jederzeit auf der Startseite wieder abonnieren.",
		"unsub.none":        "Sie haben nichts abonniert",
		"unsub.none.body":   "Es wird nichts gesendet: Es gibt nichts abzubestellen.",
	},
	"he": {
		"greeting":          "בוקר טוב",
		"back":              "חזרה לדף הראשי",
		"form.title":        "הרשמה בדוא״ל",
		"form.blurb":        "קבלו כל גיליון לתיבת הדואר. קודם נשלח קישור לאישור הכתובת.",
		"form.email":        "כתובת דוא״ל",
		"form.name":         "שם",
		"form.optional":     "(לא חובה)",
		"form.button":       "הרשמה",
		"sent.title":        "בדקו את תיבת הדואר",
		"sent.body":         "תודה. אלא אם הכתובת שמסרתם כבר רשומה, שלחנו אליה דוא״ל עם קישור לאישור המינוי. פתחו את הקישור ולחצו על הכפתור בדף: רק אז יישלחו אליכם הגיליונות.",
		"sent.days":         "הקישור תקף %[1]d ימים. אם לא הגיע דוא״ל בתוך כמה דקות, בדקו בתיקיית הספאם, או בדקו את הכתובת ונסו שוב.",
		"confirm.title":     "אשרו את המינוי",
		"confirm.press":     "לחצו על הכפתור כדי לקבל את %[1]s בכתובת <strong>%[2]s</strong>.",
		"confirm.button":    "אישור המינוי",
		"confirm.ignore":    "אם לא ביקשתם זאת, סגרו את הדף: דבר לא יישלח.",
		"confirmed.title":   "נרשמתם",
		"confirmed.heading": "המינוי פעיל",
		"confirmed.body":    "%[1]s יישלח אל <strong>%[2]s</strong> החל מהגיליון הבא. בתחתית כל גיליון יש קישור לביטול המינוי.",
		"unsub.title":       "ביטול מינוי",
		"unsub.stop":        "להפסיק לשלוח את %[1]s אל <strong>%[2]s</strong>?",
		"unsub.done.title":  "המינוי בוטל",
		"unsub.done":        "המינוי בוטל",
		"unsub.done.left":   "%[1]s לא יישלח יותר, החל מעכשיו.",
		"unsub.done.all":    "דבר לא יישלח יותר, החל מעכשיו.",
		"unsub.changed":     "התחרטתם? אפשר להירשם שוב בדף הראשי בכל עת.",
		"unsub.none":        "אינכם רשומים",
		"unsub.none.body":   "לא נשלח אליכם דבר: אין מינוי לבטל.",
	},
}

// Message is the catalog's wording of key in lang (English when the
// language or the key is missing), with args put in as fmt does.
func Message(lang, key string, args ...any) string {
	m, ok := messages[lang][key]
	if !ok {
		m, ok = messages[baseLanguage(lang)][key] // "fr-CA" reads as "fr"
	}
	if !ok {
		m = messages["en"][key]
	}
	if m == "" {
		return key
	}
	if len(args) == 0 {
		return m
	}
	return fmt.Sprintf(m, args...)
}

// htmlMessage is Message for HTML templates: the catalog's markup kept, the
// arguments escaped.
func htmlMessage(lang, key string, args ...any) template.HTML {
	esc := make([]any, len(args))
	for i, a := range args {
		if s, ok := a.(string); ok {
			a = template.HTMLEscapeString(s)
		}
		esc[i] = a
	}
	return template.HTML(Message(lang, key, esc...))
}

// langOf is the language of a page's data: its Language method's (the
// web edition's pages, issues), else English.
func langOf(data any) string {
	if l, ok := data.(interface{ Language() string }); ok && l.Language() != "" {
		return l.Language()
	}
	return "en"
}

// Dir is the writing direction of lang for a dir attribute: "rtl" for
// the languages written right to left (Hebrew, Arabic, Persian, Urdu,
// Yiddish), else "ltr".
func Dir(lang string) string {
	switch baseLanguage(lang) {
	case "he", "iw", "ar", "fa", "ur", "yi":
		return "rtl"
	}
	return "ltr"
}

// baseLanguage is a BCP 47 tag's language: "pt" of "pt-BR".
func baseLanguage(tag string) string {
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	return strings.ToLower(tag)
}
