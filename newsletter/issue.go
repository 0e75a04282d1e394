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

// Frozen reports whether an issue in this status can no longer change.
func (s IssueStatus) Frozen() bool {
	switch s {
	case Sending, Paused, Sent, Cancelled:
		return true
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
}

// Label is "Volume 3, Number 153".
func (i *Issue) Label() string { return fmt.Sprintf("Volume %d, Number %d", i.Volume, i.Number) }
