package newsletter

import (
	"strings"
	"testing"
)

func TestParseOrigin(t *testing.T) {
	for _, tt := range []struct{ in, want, err string }{
		{"https://www.example.org", "https://www.example.org", ""},
		{" HTTPS://WWW.Example.ORG/ ", "https://www.example.org", ""},
		{"https://example.org:443", "https://example.org", ""},
		{"http://example.org:80", "http://example.org", ""},
		{"http://localhost:8080", "http://localhost:8080", ""},
		{"http://[::1]:8080", "http://[::1]:8080", ""},
		{"https://example.org:8443", "https://example.org:8443", ""},
		{"", "", "not an origin"},
		{"example.org", "", "http:// or https://"},
		{"ftp://example.org", "", "http:// or https://"},
		{"javascript:alert(1)", "", "http:// or https://"},
		{"https://", "", "needs a host"},
		{"https://example.org/signup", "", "no path"},
		{"https://example.org?x=1", "", "no path"},
		{"https://example.org#top", "", "no path"},
		{"https://user:pw@example.org", "", "no user"},
		{"null", "", "http:// or https://"},
	} {
		got, err := ParseOrigin(tt.in)
		switch {
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("ParseOrigin(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("ParseOrigin(%q) = %q, %v; want an error with %q", tt.in, got, err, tt.err)
		}
	}
	list, err := ParseOrigins("https://www.example.org, https://example.org,https://www.example.org/")
	if err != nil || strings.Join(list, " ") != "https://www.example.org https://example.org" {
		t.Errorf("ParseOrigins: %q %v", list, err)
	}
	if _, err := ParseOrigins("https://www.example.org,www.example.org"); err == nil || !strings.Contains(err.Error(), `"www.example.org"`) {
		t.Errorf("ParseOrigins with a bad one: %v, want it named", err)
	}
}

func TestSignupReturnRefusesOtherSites(t *testing.T) {
	p := &Publication{SignupOrigins: []string{"https://www.example.org", "http://localhost:8080"}}
	for _, ok := range []string{"https://www.example.org/", "https://www.example.org/thanks?x=1#done",
		"https://WWW.EXAMPLE.ORG:443/thanks", "http://localhost:8080/a"} {
		if _, got := p.SignupReturn(ok); !got {
			t.Errorf("SignupReturn(%q) refused", ok)
		}
	}
	for _, bad := range []string{"", "/thanks", "//evil.example/", "https://evil.example/", "http://www.example.org/",
		"https://www.example.org.evil.example/", "https://www.example.org@evil.example/", "https://evil.example\\@www.example.org/",
		"javascript:alert(1)", "data:text/html,x", "http://localhost:8081/", "https://www.example.org/\r\nX: y",
		"https://www.example.org:8443/"} {
		if u, got := p.SignupReturn(bad); got {
			t.Errorf("SignupReturn(%q) = %q, want refused", bad, u)
		}
	}
}

func TestValidateSignupSettings(t *testing.T) {
	base := func() *Publication {
		return &Publication{Slug: "planet", Name: "The Daily Planet", From: "news@planet.example", TimeZone: "UTC",
			VolumeStart: Date{2007, 2, 7}}
	}
	p := base()
	p.SignupOrigins = []string{"HTTPS://www.example.org/", "https://www.example.org:443"}
	p.SignupConfirmedURL = " https://www.example.org/welcome "
	p.Normalize()
	if err := p.Validate(); err != nil || len(p.SignupOrigins) != 1 || p.SignupOrigins[0] != "https://www.example.org" || p.SignupConfirmedURL != "https://www.example.org/welcome" {
		t.Fatalf("normalized settings: %+v %v", p.SignupOrigins, err)
	}
	for _, tt := range []struct {
		field string
		set   func(p *Publication)
	}{
		{"signup-origins", func(p *Publication) { p.SignupOrigins = []string{"www.example.org"} }},
		{"signup-confirmed-url", func(p *Publication) { p.SignupConfirmedURL = "https://elsewhere.example/" }},
		{"signup-confirmed-url", func(p *Publication) {
			p.SignupOrigins, p.SignupConfirmedURL = []string{"https://www.example.org"}, "https://evil.example/"
		}},
		{"welcome-subject", func(p *Publication) { p.WelcomeSubject = "Hello\r\nBcc: x@y.example" }},
		{"welcome-body", func(p *Publication) { p.WelcomeBody = strings.Repeat("x", 20001) }},
	} {
		p := base()
		tt.set(p)
		p.Normalize()
		err := p.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.field) {
			t.Errorf("%s: %v, want an error naming it", tt.field, err)
		}
	}
}
