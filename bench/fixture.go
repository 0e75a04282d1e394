package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"masthead/delivery"
	"masthead/newsletter"
	"masthead/store"
	"masthead/subscribers"
)

// benchSecret signs the links of the bench's messages and web requests.
const benchSecret = "masthead-bench-secret-0123456789abcdef"

// baseURL is the web edition's address in the messages (never contacted).
const baseURL = "https://news.bench.example"

// issueDate is the date of the issue sent; the archive has earlier ones.
var issueDate = newsletter.Date{Year: 2009, Month: 7, Day: 9}

// archiveIssues is how many sent issues the web archive shows besides (the
// first page of the archive).
const archiveIssues = 30

// Fixture is the database every measurement starts from.
type Fixture struct {
	Path          string `json:"-"`
	PublicationID int64  `json:"publication_id"`
	Slug          string `json:"slug"`
	IssueID       int64  `json:"issue_id"`
	Subscribers   int    `json:"subscribers"`
	HTMLBytes     int    `json:"html_bytes"` // the issue's rendered HTML
	TextBytes     int    `json:"text_bytes"`
	// MessageBytes is the size of a subscriber's message on the wire
	// (headers, both parts quoted-printable), unsigned.
	MessageBytes int   `json:"message_bytes"`
	DBBytes      int64 `json:"db_bytes"` // before any send
	// ImportSeconds is how long the subscribers took to import (the real CSV
	// import, in the parent process).
	ImportSeconds   float64 `json:"import_seconds"`
	AssembleSeconds float64 `json:"assemble_seconds"`
}

// buildFixture makes the template database at path: a publication, n
// subscribers imported from a generated CSV, the issue of issueDate with
// articles articles and, for the web archive, archive earlier issues marked
// sent.
func buildFixture(ctx context.Context, path string, n, articles, archive int) (*Fixture, error) {
	st, err := store.Open(ctx, path, nil)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	pub := &newsletter.Publication{Slug: "planet", Name: "The Daily Planet", Tagline: "All the news that fits",
		From: "The Daily Planet <news@planet.example>", ReplyTo: "letters@planet.example",
		UnsubscribeMailto: "unsubscribe@planet.example", Address: "355 Main Street, Metropolis",
		VolumeStart: newsletter.Date{Year: 2007, Month: 2, Day: 7}, TimeZone: "UTC"}
	pub.Normalize()
	if err := st.SavePublication(ctx, pub); err != nil {
		return nil, fmt.Errorf("publication: %w", err)
	}
	f := &Fixture{Path: path, PublicationID: pub.ID, Slug: pub.Slug, Subscribers: n}

	start := time.Now()
	if err := importSubscribers(ctx, st, pub.ID, n); err != nil {
		return nil, err
	}
	f.ImportSeconds = time.Since(start).Seconds()

	start = time.Now()
	asm := newsletter.NewAssembler(st, baseURL)
	for i := archive; i >= 1; i-- {
		d := issueDate.AddDays(-i)
		if err := st.SaveArticles(ctx, makeArticles(pub.ID, d, 3)...); err != nil {
			return nil, fmt.Errorf("articles of %s: %w", d, err)
		}
		iss, err := asm.Assemble(ctx, pub, d)
		if err != nil {
			return nil, fmt.Errorf("assemble %s: %w", d, err)
		}
		if err := st.SetIssueStatus(ctx, iss.ID, nil, newsletter.Sent, time.Time{}); err != nil {
			return nil, fmt.Errorf("archive %s: %w", d, err)
		}
	}
	if err := st.SaveArticles(ctx, makeArticles(pub.ID, issueDate, articles)...); err != nil {
		return nil, fmt.Errorf("articles: %w", err)
	}
	iss, err := asm.Assemble(ctx, pub, issueDate)
	if err != nil {
		return nil, fmt.Errorf("assemble: %w", err)
	}
	f.AssembleSeconds = time.Since(start).Seconds()
	f.IssueID, f.HTMLBytes, f.TextBytes = iss.ID, len(iss.HTML), len(iss.Text)
	comp, err := delivery.NewComposer(pub, iss, delivery.ComposerConfig{BaseURL: baseURL, Signer: subscribers.NewSigner([]byte(benchSecret))})
	if err != nil {
		return nil, err
	}
	m, err := comp.Compose(delivery.Recipient{SubscriberID: 1, Email: "reader.0000000@example0.org", Name: "Reader Number 0",
		MessageID: "<bench.1@planet.example>"}, &delivery.Buffers{})
	if err != nil {
		return nil, err
	}
	f.MessageBytes = m.Len()
	if err := st.Close(); err != nil { // checkpoints the WAL into the file
		return nil, err
	}
	f.DBBytes = fileSize(path)
	return f, nil
}

// importSubscribers imports n active subscribers through the real CSV import
// (subscribers.Importer into the store's import sink), reading a CSV generated
// on the fly.
func importSubscribers(ctx context.Context, st *store.Store, pubID int64, n int) error {
	pr, pw := io.Pipe()
	go func() {
		w := bufio.NewWriterSize(pw, 64<<10)
		fmt.Fprintln(w, "email,name,status")
		for i := range n {
			fmt.Fprintf(w, "reader.%07d@example%d.org,Reader Number %d,active\n", i, i%97, i)
		}
		pw.CloseWithError(w.Flush())
	}()
	sink, err := st.BeginImport(ctx, pubID)
	if err != nil {
		pr.Close()
		return err
	}
	rep, err := (&subscribers.Importer{Status: subscribers.Active}).Import(ctx, pr, sink)
	pr.Close()
	if cerr := sink.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("import subscribers: %w", err)
	}
	if rep.Added != n {
		return fmt.Errorf("import subscribers: added %d of %d (%v)", rep.Added, n, rep.Problems)
	}
	return nil
}

// articleBody is about 0.7 KB of Markdown: 20 of them make an issue of about
// 40 KB of HTML with the theme.
var articleBody = strings.Repeat("The city council voted on Thursday to extend the *tramway* to the harbour, "+
	"ending a debate that had run since the spring. ", 2) + "\n\n" +
	strings.Repeat("Residents of the old town, who had asked for a stop near the market, "+
		"said they would [keep watching](https://planet.example/trams) the works. ", 2) + "\n\n" +
	"- the first section opens in **March**\n- the second in the autumn\n- the third when funds allow\n"

func makeArticles(pubID int64, d newsletter.Date, n int) []*newsletter.Article {
	sections := []string{"City", "Business", "Sports", "Opinion"}
	out := make([]*newsletter.Article, n)
	for i := range n {
		out[i] = &newsletter.Article{PublicationID: pubID, Date: d, Section: sections[i%len(sections)], Position: i,
			Title: fmt.Sprintf("Council extends the tramway, part %d", i+1), Author: "Lois Lane",
			Status: newsletter.Ready, Body: articleBody}
	}
	return out
}

// copyDB copies the template database (closed, so no WAL) to a new file.
func copyDB(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
