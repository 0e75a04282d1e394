package delivery

import (
	"strings"
	"testing"
	"time"
)

func TestParseSMTPURL(t *testing.T) {
	tests := []struct {
		raw  string
		want SMTPConfig
		str  string
	}{
		{"smtp://mail.example.org", SMTPConfig{Host: "mail.example.org", Port: 25, TLS: TLSOpportunistic},
			"smtp://mail.example.org:25?tls=opportunistic"},
		{"smtp://u%40x:p%3Ass@relay.example:2525?tls=required&timeout=10s",
			SMTPConfig{Host: "relay.example", Port: 2525, Username: "u@x", Password: "p:ss", TLS: TLSRequired, Timeout: 10 * time.Second},
			"smtp://u%40x:xxxxx@relay.example:2525?tls=required"},
		{"smtp://user:secret@relay.example", SMTPConfig{Host: "relay.example", Port: 587, Username: "user", Password: "secret", TLS: TLSOpportunistic},
			"smtp://user:xxxxx@relay.example:587?tls=opportunistic"},
		{"smtp://127.0.0.1:1025?tls=none", SMTPConfig{Host: "127.0.0.1", Port: 1025, TLS: TLSNone}, "smtp://127.0.0.1:1025?tls=none"},
		{"smtps://user:secret@smtp.example?auth=login", SMTPConfig{Host: "smtp.example", Port: 465, Username: "user", Password: "secret", TLS: TLSImplicit, Auth: "LOGIN"},
			"smtps://user:xxxxx@smtp.example:465"},
	}
	for _, tt := range tests {
		got, err := ParseSMTPURL(tt.raw)
		if err != nil {
			t.Errorf("%s: %v", tt.raw, err)
			continue
		}
		if got != tt.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.raw, got, tt.want)
		}
		if s := got.String(); s != tt.str {
			t.Errorf("%s: String() = %s, want %s", tt.raw, s, tt.str)
		}
	}
	for _, bad := range []string{
		"http://mail.example", "smtp://", "smtp://h:0", "smtp://h:x", "smtp://h?tls=maybe", "smtps://h?tls=none",
		"smtp://h?timeout=soon", "smtp://h?port=25", "smtp://user:sec ret@h\x7f",
	} {
		_, err := ParseSMTPURL(bad)
		if err == nil {
			t.Errorf("%q: no error", bad)
		} else if strings.Contains(err.Error(), "sec ret") || strings.Contains(err.Error(), "secret") {
			t.Errorf("%q: error shows the password: %v", bad, err)
		}
	}
}
