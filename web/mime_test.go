package web

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"strings"
	"testing"

	"masthead/store"
)

// parts decodes a raw message into its leaf parts' bodies by media type.
func parts(t testing.TB, raw []byte) (map[string]string, mail.Header) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse message: %v", err)
	}
	out := map[string]string{}
	var walk func(ct, cte string, body io.Reader)
	walk = func(ct, cte string, body io.Reader) {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil {
			t.Fatalf("content type %q: %v", ct, err)
		}
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				p, err := mr.NextRawPart()
				if err == io.EOF {
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p)
			}
		}
		if strings.EqualFold(cte, "quoted-printable") {
			body = quotedprintable.NewReader(body)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		out[mt] = string(b)
	}
	walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	return out, msg.Header
}

var confirmURLRE = regexp.MustCompile(`https?://[^\s"<>]+/confirm/[A-Za-z0-9_-]+`)

// outboxMail returns the newest outbox message to rcpt, decoded; nil when none.
func outboxMail(t testing.TB, st *store.Store, rcpt string) (map[string]string, mail.Header) {
	t.Helper()
	ctx := context.Background()
	list, err := st.Outbox(ctx, store.OutboxFilter{Recipient: rcpt, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) == 0 {
		return nil, nil
	}
	m, err := st.OutboxByID(ctx, list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return parts(t, m.Raw)
}

func outboxCount(t testing.TB, st *store.Store, rcpt string) int {
	t.Helper()
	list, err := st.Outbox(context.Background(), store.OutboxFilter{Recipient: rcpt})
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}
