package ledger

import (
	"strings"
	"testing"
)

// Read decodes what other writers than masthead's encoder produce too: a
// base64 HTML part inside multipart/related inside multipart/alternative, a
// single-part text message with no Content-Type, and refuses bytes that are
// not a message, naming the message.
func TestOutboxReadDecodes(t *testing.T) {
	nested := "subject: =?utf-8?b?w4dhIGNvw7t0ZQ==?=\r\nX-Folded: one\r\n two\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/alternative; boundary=outer\r\n\r\n" +
		"--outer\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
		"Ca co=C3=BBte une ligne assez longue pour =\r\n=C3=AAtre coup=C3=A9e.\r\n" +
		"--outer\r\nContent-Type: multipart/related; boundary=inner\r\n\r\n" +
		"--inner\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		"PHA+w4dhIGNv\r\nw7t0ZTwvcD4=\r\n" +
		"--inner--\r\n--outer--\r\n"
	r, err := (&OutboxMessage{ID: 1, Raw: []byte(nested)}).Read()
	if err != nil {
		t.Fatal(err)
	}
	if r.Get("subject") != "Ça coûte" || r.Get("X-Folded") != "one two" {
		t.Errorf("headers: %+v", r.Headers)
	}
	if names := []string{r.Headers[0].Name, r.Headers[1].Name, r.Headers[2].Name, r.Headers[3].Name}; strings.Join(names, " ") != "subject X-Folded MIME-Version Content-Type" {
		t.Errorf("header order: %v", names)
	}
	if r.Text != "Ca coûte une ligne assez longue pour être coupée." {
		t.Errorf("text: %q", r.Text)
	}
	if r.HTML != "<p>Ça coûte</p>" {
		t.Errorf("html: %q", r.HTML)
	}

	plain, err := (&OutboxMessage{ID: 2, Raw: []byte("Subject: Hi\r\n\r\nHello.\r\n")}).Read()
	if err != nil || plain.Text != "Hello.\n" || plain.HTML != "" {
		t.Errorf("single part: %+v, %v", plain, err)
	}
	if _, err := (&OutboxMessage{ID: 3, Raw: []byte("x")}).Read(); err == nil || !strings.Contains(err.Error(), "outbox message 3") {
		t.Errorf("not a message: %v", err)
	}
}
