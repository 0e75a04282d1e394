package newsletter

import (
	"fmt"
	"time"
)

// IssueStatus is where an issue is in its life.
type IssueStatus string

const (
	// Assembled: numbered and rendered; may be re-assembled to pick up edits.
	Assembled IssueStatus = "assembled"
	// Scheduled: an editor set a one-off send time (SendAt); the daily schedule leaves it alone.
	Scheduled IssueStatus = "scheduled"
	// Held: an editor holds it; nothing sends it until released.
	Held IssueStatus = "held"
	// Skipped: an editor chose not to publish this date.
	Skipped IssueStatus = "skipped"
	// Missed: the scheduled time passed while masthead was down, beyond the catch-up window.
	Missed IssueStatus = "missed"
	// Sending: the audience is snapshotted and deliveries are going out. Frozen.
	Sending IssueStatus = "sending"
	// Paused: sending stopped by an editor, or by the delivery engine when
	// the mail server refuses our mail (PauseReason); resumes where it
	// stopped. Frozen.
	Paused IssueStatus = "paused"
	// Sent: every delivery is sent or has definitively failed. Frozen.
	Sent IssueStatus = "sent"
	// Cancelled: sending stopped for good; unsent deliveries were cancelled. Frozen.
	Cancelled IssueStatus = "cancelled"
)

// issueStatuses is every status, in the order of an issue's life.
var issueStatuses = []IssueStatus{Assembled, Scheduled, Held, Skipped, Missed, Sending, Paused, Sent, Cancelled}

// IssueStatuses lists every status, in the order of an issue's life.
func IssueStatuses() []IssueStatus { return append([]IssueStatus(nil), issueStatuses...) }

// Statuses lists, in life order, the statuses for which in holds: one of the
// sets below spelled out, for a query that needs it (WHERE status IN ...),
// as in Statuses(IssueStatus.CanStart).
func Statuses(in func(IssueStatus) bool) []IssueStatus {
	var out []IssueStatus
	for _, s := range issueStatuses {
		if in(s) {
			out = append(out, s)
		}
	}
	return out
}

// The lifecycle's rules, one set each. The store's conditional changes take
// them (as Statuses lists) and decide on the status they read under the row
// lock, so an editor's action that lands first wins over a fire.

// Frozen reports whether an issue in this status can no longer change: its
// send started, so the web archive and every recipient see it as it is.
func (s IssueStatus) Frozen() bool {
	switch s {
	case Sending, Paused, Sent, Cancelled:
		return true
	}
	return false
}

// Editable reports whether an editor may still schedule, hold, release, skip
// or re-assemble an issue in this status: it has not started sending.
func (s IssueStatus) Editable() bool { return s.Valid() && !s.Frozen() }

// CanStart reports whether a send can snapshot the audience of an issue in
// this status: assembled, scheduled, held or missed (not skipped, and not one
// whose send began).
func (s IssueStatus) CanStart() bool {
	switch s {
	case Assembled, Scheduled, Held, Missed:
		return true
	}
	return false
}

// EditorCanStart reports whether an editor's "send now" applies: what can
// start, and also a paused issue (it resumes) and a sending one (it is left
// as it is).
func (s IssueStatus) EditorCanStart() bool { return s.CanStart() || s == Sending || s == Paused }

// FireStarts reports whether a fire of the schedule (daily or one-off) starts
// an issue in this status: one still waiting for it, assembled or scheduled.
// A held, missed or skipped issue waits for an editor.
func (s IssueStatus) FireStarts() bool { return s == Assembled || s == Scheduled }

// Public reports whether the web edition shows an issue in this status: one
// that went (or is going) out, as its recipients got it.
func (s IssueStatus) Public() bool { return s == Sending || s == Paused || s == Sent }

// Valid reports whether s is a status at all.
func (s IssueStatus) Valid() bool {
	for _, x := range issueStatuses {
		if s == x {
			return true
		}
	}
	return false
}

// Issue is one dated edition of a publication, as assembled and stored: the
// snapshot of its articles and the email rendered from them (with per-recipient
// slots left open), so that the web archive and every recipient see the same issue.
type Issue struct {
	ID                int64
	PublicationID     int64
	Date              Date
	Volume            int
	Number            int
	NumbersOverridden bool // an editor set Volume/Number by hand
	Status            IssueStatus
	Subject           string
	Articles          []IssueArticle // snapshot taken at assembly
	HTML              string         // rendered HTML email with slots (see templates)
	Text              string         // rendered plain-text email with slots
	SendAt            time.Time      // one-off send time set by an editor; zero if none
	AssembledAt       time.Time
	StartedAt         time.Time // first send started
	FinishedAt        time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
	// PauseReason is why the delivery engine paused the send by itself (the
	// mail server refuses our mail); "" for a send paused by an editor, or
	// not paused.
	PauseReason string
	// Edition is 0 for the date's daily issue, the one the schedule makes
	// and sends; 1, 2 ... for the extra editions an editor added to the
	// date ("Extra", "Breaking news"), which have their own articles and
	// subject, go to the same list and are sent only when an editor says so.
	Edition int
	// EditionTitle is an extra's name as its masthead shows it
	// ("Volume 3, Number 153 — Breaking news"); "" for the daily issue.
	EditionTitle string
	// CustomSubject is the subject an editor gave an extra; "" keeps the
	// subject the theme makes.
	CustomSubject string
}

// Stories counts the issue's articles from the article store: a "no issue
// today" notice (an article of its own making, ArticleID 0) is not one.
func (i *Issue) Stories() int {
	n := 0
	for _, a := range i.Articles {
		if a.ArticleID != 0 {
			n++
		}
	}
	return n
}

// IssueArticle is an article as it stands in an assembled issue.
type IssueArticle struct {
	ArticleID int64  `json:"article_id"`
	Anchor    string `json:"anchor"`
	Section   string `json:"section"`
	Position  int    `json:"position"`
	Title     string `json:"title"`
	Deck      string `json:"deck,omitempty"`
	Author    string `json:"author,omitempty"`
	Markdown  string `json:"markdown"`
	HTML      string `json:"html"` // sanitised HTML of the body
	Text      string `json:"text"` // plain-text body, wrapped
	// SourceURL and SourceImage are the article's page on the newsroom's
	// site ("Read on the site") and its lead image from the site's feed.
	SourceURL   string `json:"source_url,omitempty"`
	SourceImage string `json:"source_image,omitempty"`
	// LeadImage is the article's lead image as the issue shows it; nil
	// for none.
	LeadImage *IssueImage `json:"lead_image,omitempty"`
}

// IssueImage is a picture as an assembled issue shows it: its public URL,
// the width and height to draw it at, its alt text and caption.
type IssueImage struct {
	URL     string `json:"url"`
	Width   int    `json:"width"`
	Height  int    `json:"height"`
	Alt     string `json:"alt"`
	Caption string `json:"caption,omitempty"`
}

// Label is "Volume 3, Number 153", and "Volume 3, Number 153 — Breaking news"
// for an extra edition.
func (i *Issue) Label() string {
	l := fmt.Sprintf("Volume %d, Number %d", i.Volume, i.Number)
	if i.Edition > 0 {
		l += " — " + i.EditionTitle
	}
	return l
}
