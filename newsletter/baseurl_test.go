package newsletter

import "testing"

func TestParseBaseURL(t *testing.T) {
	for in, want := range map[string]string{
		"":                                  "",
		" https://News.Example.org/ ":       "https://news.example.org",
		"https://example.org/news/":         "https://example.org/news",
		"http://127.0.0.1:8080":             "http://127.0.0.1:8080",
		"HTTPS://news.dailyplanet.com:8443": "https://news.dailyplanet.com:8443",
	} {
		if got, err := ParseBaseURL(in); err != nil || got != want {
			t.Errorf("ParseBaseURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"news.example.org", "ftp://news.example.org", "https://", "https://u:p@news.example.org",
		"https://news.example.org/?a=1", "https://news.example.org/#x", "https://news.example.org/?", "mailto:a@b.org"} {
		if got, err := ParseBaseURL(bad); err == nil {
			t.Errorf("ParseBaseURL(%q) = %q, want an error", bad, got)
		}
	}
}

func TestPublicLinkProblem(t *testing.T) {
	for _, ok := range []string{"https://news.dailyplanet.com", "https://example.org/news", "https://93.184.215.14"} {
		if p := PublicLinkProblem(ok); p != "" {
			t.Errorf("%s: %s", ok, p)
		}
	}
	for _, bad := range []string{"http://news.dailyplanet.com", "http://127.0.0.1:8080", "https://127.0.0.1", "https://10.1.2.3",
		"https://192.168.0.2", "https://[::1]", "https://localhost", "https://news.localhost", "https://planet.test",
		"https://planet.example", "https://intranet", "https://printer.local", "https://svc.internal"} {
		if PublicLinkProblem(bad) == "" {
			t.Errorf("%s passes", bad)
		}
	}
}
