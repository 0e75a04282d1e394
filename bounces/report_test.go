package bounces

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// crlf gives a fixture the line ends it has on the wire.
func crlf(b []byte) []byte {
	return bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
}

func TestParseFixtures(t *testing.T) {
	type rcpt struct {
		kind            Kind
		final, original string
		status          string
	}
	tests := []struct {
		file, typ, id, origID string
		rcpts                 []rcpt
	}{
		{"postfix-hard.eml", TypeDeliveryStatus, "20090709060211.3F1A21C0A5@mail.daily.example.org",
			"<1.1.0a1b2c3d4e5f@daily.example.org>",
			[]rcpt{{Hard, "alice@example.org", "alice@example.org", "5.1.1"}}},
		{"postfix-delayed.eml", TypeDeliveryStatus, "20090709100211.8C2D01C0B7@mail.daily.example.org",
			"<1.2.0a1b2c3d4e5f@daily.example.org>",
			[]rcpt{{Ignore, "bob@example.net", "bob@example.net", "4.4.1"}}},
		{"exim-soft.eml", TypeDeliveryStatus, "E1qXyZa-000Abc-2B@relay.example.net",
			"<1.2.0a1b2c3d4e5f@daily.example.org>",
			[]rcpt{{Soft, "bob@example.net", "", "4.4.7"}}},
		{"exim-legacy-hard.eml", TypeExim, "E1MOx8s-0001Qa-Eh@old.example.net",
			"<1.7.0a1b2c3d4e5f@daily.example.org>",
			[]rcpt{{Hard, "Grace@Example.net", "", "5.1.1"}}},
		{"gmail-hard.eml", TypeDeliveryStatus, "5f6a7b8c.050a0220.1234.abcdGMR@mx.google.com",
			"<1.3.0a1b2c3d4e5f@daily.example.org>",
			[]rcpt{{Hard, "carol@example.com", "", "5.1.1"}}},
		{"gmail-quota.eml", TypeDeliveryStatus, "6a7b8c9d.050a0220.5678.efghGMR@mx.google.com",
			"<1.8.0a1b2c3d4e5f@daily.example.org>",
			[]rcpt{{Soft, "heidi@example.com", "", "5.2.2"}}}, // RFC 3463: X.2.2 is persistent transient
		{"microsoft-hard.eml", TypeDeliveryStatus, "e7a1c0d2-3b4f-4a5e-9c8d-1f2e3d4c5b6a@AM0PR01MB1234.eurprd01.prod.exchangelabs.com",
			"<1.4.0a1b2c3d4e5f@daily.example.org>",
			[]rcpt{{Hard, "Dave@Contoso.example", "", "5.1.10"}}},
		{"arf-abuse.eml", TypeFeedback, "fbl.20090710091403.42@fbl.example.com",
			"<1.5.0a1b2c3d4e5f@daily.example.org>",
			[]rcpt{{Complaint, "frank@example.com", "frank@example.com", "abuse"}}},
		{"arf-redacted.eml", TypeFeedback, "JMRP.0a1b2c3d@jmrp.hotmail.example",
			"<1.6.0a1b2c3d4e5f@daily.example.org>",
			[]rcpt{{Complaint, "", "", "abuse"}}},
	}
	for _, tt := range tests {
		for _, form := range []string{"lf", "crlf"} {
			t.Run(tt.file+"/"+form, func(t *testing.T) {
				raw := fixture(t, tt.file)
				if form == "crlf" {
					raw = crlf(raw)
				}
				rep, err := Parse(raw)
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if rep.Type != tt.typ || rep.ID != tt.id || rep.OriginalMessageID != tt.origID {
					t.Errorf("got type %q id %q original %q; want %q %q %q",
						rep.Type, rep.ID, rep.OriginalMessageID, tt.typ, tt.id, tt.origID)
				}
				if len(rep.Recipients) != len(tt.rcpts) {
					t.Fatalf("recipients %+v, want %+v", rep.Recipients, tt.rcpts)
				}
				for i, want := range tt.rcpts {
					got := rep.Recipients[i]
					if got.Kind != want.kind || got.Final != want.final || got.Original != want.original || got.Status != want.status {
						t.Errorf("recipient %d: got %v %q %q %q, want %v %q %q %q", i,
							got.Kind, got.Final, got.Original, got.Status, want.kind, want.final, want.original, want.status)
					}
					if got.Kind != Ignore && got.Detail == "" {
						t.Errorf("recipient %d has no detail", i)
					}
				}
			})
		}
	}
}

func TestParseRefusesWhatIsNoReport(t *testing.T) {
	for _, tt := range []struct {
		name      string
		raw       []byte
		notReport bool
	}{
		{"human reply", fixture(t, "garbage.eml"), true},
		{"report naming no recipient", fixture(t, "broken-report.eml"), false},
		{"no header at all", []byte("just text\n"), true},
		{"multipart without boundary", []byte("Content-Type: multipart/report; report-type=delivery-status\n\nx\n"), true},
		{"feedback report without type", []byte("Message-ID: <a@b.c>\nContent-Type: multipart/report; boundary=B\n\n--B\nContent-Type: message/feedback-report\n\nVersion: 1\n\n--B--\n"), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Parse(tt.raw)
			if err == nil {
				t.Fatalf("Parse accepted it: %+v", rep)
			}
			if errors.Is(err, ErrNotReport) != tt.notReport {
				t.Fatalf("error %v: ErrNotReport = %v, want %v", err, errors.Is(err, ErrNotReport), tt.notReport)
			}
		})
	}
}

func TestReportIDWithoutMessageID(t *testing.T) {
	raw := bytes.Replace(fixture(t, "postfix-hard.eml"), []byte("Message-Id: <20090709060211.3F1A21C0A5@mail.daily.example.org>\n"), nil, 1)
	a, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Parse(raw)
	c, _ := Parse(append(raw, '\n'))
	if len(a.ID) != len("sha256:")+64 || a.ID != b.ID || a.ID == c.ID {
		t.Fatalf("ids %q %q %q: want a stable digest of the message", a.ID, b.ID, c.ID)
	}
}

func TestClassify(t *testing.T) {
	for _, tt := range []struct {
		action, status string
		want           Kind
	}{
		{"failed", "5.1.1", Hard},
		{"failed", "4.4.7", Soft},
		{"failed", "5.2.2", Soft},
		{"failed", "4.2.2", Soft},
		{"failed", "5.2.20", Hard},
		{"failed", "", Hard},
		{"delayed", "4.4.1", Ignore},
		{"delivered", "2.0.0", Ignore},
		{"relayed", "2.0.0", Ignore},
		{"", "5.0.0", Hard},
		{"", "", Ignore},
		{"weird", "5.1.1", Ignore},
	} {
		if got := classify(tt.action, tt.status); got != tt.want {
			t.Errorf("classify(%q, %q) = %v, want %v", tt.action, tt.status, got, tt.want)
		}
	}
}

func TestAddressOf(t *testing.T) {
	for in, want := range map[string]string{
		"rfc822; jane@example.org":        "jane@example.org",
		"RFC822;<jane@example.org>":       "jane@example.org",
		"rfc822;jane@example.org (Jane)":  "jane@example.org",
		"<jane@example.org>":              "jane@example.org",
		"jane@example.org":                "jane@example.org",
		"x400; /C=US/ADMD=/PRMD=Example/": "",
		"":                                "",
	} {
		if got := addressOf(in); got != want {
			t.Errorf("addressOf(%q) = %q, want %q", in, got, want)
		}
	}
}
