package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"masthead/ledger"
	"masthead/store"
)

// structural reports the headers left out of the text view: they say how
// the message is encoded (and signed), which the decoded view has undone
// (--format headers lists them).
func structural(name string) bool {
	switch strings.ToLower(name) {
	case "mime-version", "content-type", "content-transfer-encoding", "dkim-signature":
		return true
	}
	return false
}

// runOutboxShow is 'masthead outbox show ID': one kept message, decoded for
// reading (headers and the text part, by default), or its HTML part, its
// headers alone, or its exact bytes.
func runOutboxShow(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	format := fs.String("format", "text", "text (decoded headers and the text part), html (the HTML part), headers (every header, decoded) or raw (the bytes as sent)")
	id, err := a.parseOne(fs, args, "message ID (see 'masthead outbox list')")
	if err != nil {
		return err
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return usageErr("%q is not a message ID (see 'masthead outbox list')", id)
	}
	switch *format {
	case "text", "html", "headers", "raw":
	default:
		return usageErr("--format must be text, html, headers or raw, not %q", *format)
	}
	st, err := a.reads(ctx)
	if err != nil {
		return err
	}
	m, err := st.OutboxByID(ctx, n)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no outbox message %d (see 'masthead outbox list')", n)
	}
	if err != nil {
		return err
	}
	out := a.env.Stdout
	if *format == "raw" {
		_, err = out.Write(m.Raw)
		return err
	}
	r, err := m.Read()
	if err != nil {
		return fmt.Errorf("%w; 'masthead outbox show %d --format raw' prints it as it is", err, n)
	}
	switch *format {
	case "headers":
		printHeaders(a, r.Headers, func(string) bool { return false })
	case "html":
		if r.HTML == "" {
			return fmt.Errorf("outbox message %d has no HTML part", n)
		}
		fmt.Fprint(out, withNewline(r.HTML))
	default:
		printHeaders(a, r.Headers, structural)
		fmt.Fprintln(out)
		if r.Text == "" {
			fmt.Fprintln(out, "(no text part: see --format html)")
			return nil
		}
		fmt.Fprint(out, withNewline(r.Text))
	}
	return nil
}

func printHeaders(a *app, hs []ledger.Header, skip func(name string) bool) {
	for _, h := range hs {
		if !skip(h.Name) {
			fmt.Fprintf(a.env.Stdout, "%s: %s\n", h.Name, h.Value)
		}
	}
}

func withNewline(s string) string {
	if strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n"
}
