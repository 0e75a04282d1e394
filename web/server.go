package web

import (
	"errors"
	"fmt"
	"log/slog"
	"masthead/engagement"
	"net/http"
	"net/url"
	"strings"
	"time"

	"masthead/assembly"
	"masthead/newsletter"
	"masthead/subscribers"
	"masthead/subscribers/confirm"
	"masthead/templates"
	"masthead/workspace"
)

// Deps is what the web server is made of. Work, Signer and BaseURL are
// required; the rest have defaults.
type Deps struct {
	// Work is the operations layer: every change a reader's request makes
	// (subscribing, confirming, leaving) and every bounce report goes
	// through it, and the pages read through its Reads.
	Work *workspace.Service
	Log  *slog.Logger
	// BaseURL is the public address of the web edition
	// ("https://news.example.org"); links in emails and feeds are built on it.
	BaseURL string
	// Signer signs and checks the confirm and unsubscribe links.
	Signer *subscribers.Signer
	// Now is the clock; nil: time.Now.
	Now func() time.Time
	// SiteName names the web edition on pages that belong to no one
	// publication; empty: the publications' names.
	SiteName string
	// WebhookSecret authenticates POST /webhooks/bounces; empty: the webhook
	// answers 404. See DeriveWebhookSecret.
	WebhookSecret string
	// ConfirmTTL is how long a confirmation link works (the confirmation
	// queue's TTL), for the page that says so; 0: confirm.DefaultTTL.
	ConfirmTTL time.Duration
	// FormLimits rate-limit the subscribe form; zero fields take defaults.
	FormLimits FormLimits
	// TrustProxy takes the client's IP from X-Forwarded-For (the last
	// address, the one the proxy added): set it only behind a reverse proxy.
	TrustProxy bool
	// PageSize is the number of issues per archive page; 0: 30.
	PageSize int

	// Other parts of masthead mount here when set. Admin gets every path under
	// /admin/ and API every path under /api/, unstripped; Metrics gets GET /metrics.
	Admin   http.Handler
	API     http.Handler
	Metrics http.Handler
	// Redirects, when set, serves the counted links of issues (GET /r/{token})
	// and their tracking image (GET /o/{token}).
	Redirects *engagement.Redirector
}

// FormLimits are the subscribe form's rate limits: at most PerIP submissions
// from one client and PerAddress confirmation emails to one address in each
// Window.
type FormLimits struct {
	PerIP      int
	PerAddress int
	Window     time.Duration
}

func (l *FormLimits) defaults() {
	if l.PerIP <= 0 {
		l.PerIP = 20 // an office or a school shares one address
	}
	if l.PerAddress <= 0 {
		l.PerAddress = 3
	}
	if l.Window <= 0 {
		l.Window = time.Hour
	}
}

// Server is the web server. It is an http.Handler, safe for concurrent use.
type Server struct {
	work       *workspace.Service
	read       workspace.Reads // reads only: changes go through work
	log        *slog.Logger
	baseURL    string
	signer     *subscribers.Signer
	assembler  *assembly.Assembler
	now        func() time.Time
	siteName   string
	hookSecret string
	confirmTTL time.Duration
	trustProxy bool
	pageSize   int
	admin      http.Handler
	api        http.Handler
	metrics    http.Handler

	theme     *templates.Theme // the built-in theme: site pages and error pages
	csrf      *http.CrossOriginProtection
	ipLimit   *limiter
	addrLimit *limiter
	handler   http.Handler
	redirects *engagement.Redirector
}

// New checks deps, loads and checks the theme's pages, and builds the routes.
func New(d Deps) (*Server, error) {
	if d.Work == nil || d.Signer == nil {
		return nil, errors.New("web: an operations layer and a signer are required")
	}
	base := strings.TrimSuffix(strings.TrimSpace(d.BaseURL), "/")
	u, err := url.Parse(base)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("web: base URL %q must be an absolute http(s) URL", d.BaseURL)
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.ConfirmTTL <= 0 {
		d.ConfirmTTL = confirm.DefaultTTL
	}
	if d.PageSize <= 0 {
		d.PageSize = 30
	}
	d.FormLimits.defaults()
	asm := d.Work.Assembler()
	theme, err := asm.Theme(&newsletter.Publication{})
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	if err := checkPages(theme); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	csrf := http.NewCrossOriginProtection()
	if err := csrf.AddTrustedOrigin(u.Scheme + "://" + u.Host); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	s := &Server{
		work: d.Work, read: d.Work.Reads(), log: d.Log, baseURL: base, signer: d.Signer, assembler: asm,
		now: d.Now, siteName: d.SiteName, hookSecret: d.WebhookSecret,
		confirmTTL: d.ConfirmTTL, trustProxy: d.TrustProxy, pageSize: d.PageSize,
		admin: d.Admin, api: d.API, metrics: d.Metrics, redirects: d.Redirects,
		theme:     theme,
		csrf:      csrf,
		ipLimit:   newLimiter(d.FormLimits.PerIP, d.FormLimits.Window),
		addrLimit: newLimiter(d.FormLimits.PerAddress, d.FormLimits.Window),
	}
	s.handler = s.accessLog(s.recoverer(s.secureHeaders(s.routes())))
	return s, nil
}

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// HTTPServer returns an http.Server for addr that serves s, with timeouts
// that keep slow or idle clients from holding connections.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}
