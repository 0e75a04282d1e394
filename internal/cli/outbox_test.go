package cli

import (
	"context"
	"strings"
	"testing"

	"masthead/store"
)

// outbox show decodes a kept message for reading: its headers out of RFC
// 2047, its text part out of quoted-printable (by default), its HTML part,
// every header, or the bytes as sent; a bad format or ID is refused.
func TestOutboxShowFormats(t *testing.T) {
	db := newDB(t)
	setupPlanet(t, db)
	runCLI(t, db, "Ça coûte cher — très cher, said the council, and a line long enough to be wrapped at seventy-eight columns.\n",
		"article", "add", "-", "--date", "2009-07-09", "--title", "Pont: le vote", "--section", "News")
	if code, _, errs := runCLI(t, db, "", "subscriber", "add", "zoe@example.org", "--name", "Zoë Ünter"); code != 0 {
		t.Fatal(errs)
	}
	if code, out, errs := runCLI(t, db, "", "issue", "send", "--date", "2009-07-09"); code != 0 {
		t.Fatalf("issue send: %s%s", out, errs)
	}
	st := openStoreAt(t, db)
	list, err := st.Outbox(context.Background(), store.OutboxFilter{})
	if err != nil || len(list) != 1 {
		t.Fatalf("outbox: %v %v", list, err)
	}
	id := itoa(int(list[0].ID))
	raw, err := st.OutboxByID(context.Background(), list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	// The fixture is encoded as the test expects to decode.
	for _, enc := range []string{"=?UTF-8?q?", "Zo=C3=AB", "=C3=87a co=C3=BBte"} {
		if !strings.Contains(string(raw.Raw), enc) {
			t.Fatalf("the message does not carry %q: the test would prove nothing\n%.1500s", enc, raw.Raw)
		}
	}

	cases := []struct {
		args    []string
		want    []string
		notWant []string
	}{
		{[]string{"outbox", "show", id},
			[]string{" — The Daily Planet, Vol. 3 No. 153\n", "\nSubject: ", "\nTo: Zoë Ünter <zoe@example.org>\n",
				"List-Unsubscribe-Post: List-Unsubscribe=One-Click\n", "THE DAILY PLANET\n",
				"Ça coûte cher — très cher, said the council, and a line long enough to be\nwrapped at seventy-eight columns.\n"},
			[]string{"=C3", "=3D", "=?UTF-8?", "Content-Transfer-Encoding", "<html"}},
		{[]string{"outbox", "show", id, "--format", "text"}, []string{"Ça coûte cher"}, []string{"=C3"}},
		{[]string{"outbox", "show", "--format", "html", id},
			[]string{"<!DOCTYPE html>", "<h1", "Ça coûte cher — très cher"}, []string{"=C3", "Subject:", "=3D"}},
		{[]string{"outbox", "show", id, "--format", "headers"},
			[]string{"Subject: ", "— The Daily Planet, Vol. 3 No. 153", "Content-Type: multipart/alternative; boundary=", "MIME-Version: 1.0\n", "Message-ID: <"},
			[]string{"=?UTF-8?", "THE DAILY PLANET", "<html"}},
		{[]string{"outbox", "show", id, "--format", "raw"}, []string{"=?UTF-8?q?", "Content-Transfer-Encoding: quoted-printable"}, nil},
	}
	for _, c := range cases {
		code, out, errs := runCLI(t, db, "", c.args...)
		if code != 0 {
			t.Errorf("%v: exit %d %s", c.args, code, errs)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: lacks %q:\n%.3000s", c.args, w, out)
			}
		}
		for _, w := range c.notWant {
			if strings.Contains(out, w) {
				t.Errorf("%v: has %q:\n%.3000s", c.args, w, out)
			}
		}
	}
	if _, out, _ := runCLI(t, db, "", "outbox", "show", id, "--format", "raw"); out != string(raw.Raw) {
		t.Error("--format raw is not the bytes as kept")
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"outbox", "show", id, "--format", "pdf"}, 2, `--format must be text, html, headers or raw, not "pdf"`},
		{[]string{"outbox", "show", "x1"}, 2, `"x1" is not a message ID`},
		{[]string{"outbox", "show", "999"}, 1, "no outbox message 999"},
	} {
		if code, _, errs := runCLI(t, db, "", c.args...); code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d %s; want %d %q", c.args, code, errs, c.code, c.want)
		}
	}
}
