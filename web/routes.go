package web

import "net/http"

// Request body limits.
const (
	formLimit    = 64 << 10  // the public forms
	webhookLimit = 256 << 10 // an SNS message is at most 256 KiB
)

// routes is the one route table of the web server.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()

	// Health.
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.HandleFunc("GET /static/style.css", s.stylesheet)
	mux.HandleFunc("GET /static/timezone.js", s.timezoneScript) // fills the subscribe form's timezone field

	// The web edition.
	mux.HandleFunc("GET /{$}", s.front)
	mux.HandleFunc("GET /feed.atom", s.feed)
	mux.HandleFunc("GET /issues/{slug}/{$}", s.archive)
	mux.HandleFunc("GET /issues/{slug}/feed.atom", s.feed)
	mux.HandleFunc("GET /issues/{slug}/{date}", s.issue)
	mux.HandleFunc("GET /media/{name}", s.picture) // renditions of the picture library

	// Subscribing and leaving.
	mux.Handle("POST /subscribe", s.signupForm(s.subscribe)) // also from the signup origins
	mux.HandleFunc("GET /subscribe/sent", s.subscribeSent)
	mux.HandleFunc("GET /confirm/{token}", s.confirmPage)
	mux.Handle("POST /confirm/{token}", s.form(s.confirm))
	mux.HandleFunc("GET /unsubscribe/{token}", s.unsubscribePage)
	mux.Handle("POST /unsubscribe/{token}", s.limitBody(formLimit, s.unsubscribe)) // no CSRF check: RFC 8058
	mux.Handle("POST /webhooks/bounces", s.limitBody(webhookLimit, s.bounceWebhook))

	// Counted links: a 302 to the link's own URL whether or not the click
	// could be recorded; 400 for a token masthead did not sign (clicks.go).
	// GET and HEAD only; any other method gets 405.
	if s.redirects != nil {
		mux.HandleFunc("/r/{token}", s.click)
		mux.HandleFunc("/o/{token}", s.open)
	}

	// Other parts.
	if s.admin != nil {
		mux.Handle("/admin/", s.admin)
	}
	if s.api != nil {
		mux.Handle("/api/", s.api)
	}
	if s.metrics != nil {
		mux.Handle("GET /metrics", s.metrics)
	}

	mux.HandleFunc("/", s.notFound)
	return mux
}
