package cli

import (
	"strings"
	"testing"
)

func TestSignupSettingsAndFormSnippet(t *testing.T) {
	db := newDB(t)
	setupPlanet(t, db)
	if code, _, errs := runCLI(t, db, "", "publication", "set", "--signup-origins", "https://www.example.org,example.org"); code != 2 ||
		!strings.Contains(errs, `--signup-origins: "example.org": an origin starts with http:// or https://`) {
		t.Fatalf("bad origin: exit %d %s", code, errs)
	}
	if code, _, errs := runCLI(t, db, "", "publication", "set", "--signup-origins", "https://www.example.org",
		"--signup-confirmed-url", "https://evil.example/"); code != 1 || !strings.Contains(errs, "signup-confirmed-url") {
		t.Fatalf("confirmed URL elsewhere: exit %d %s", code, errs)
	}
	code, out, errs := runCLI(t, db, "", "publication", "set", "--signup-origins", "HTTPS://www.example.org/, https://example.org",
		"--signup-confirmed-url", "https://www.example.org/welcome", "--welcome-email", "--welcome-subject", "Hello from the Planet",
		"--welcome-body", "Thank you for subscribing.\n\nThe first issue comes tomorrow.")
	if code != 0 {
		t.Fatalf("publication set: %d %s %s", code, out, errs)
	}
	_, out, _ = runCLI(t, db, "", "publication", "show")
	for _, want := range []string{"signup-origins:          https://www.example.org,https://example.org",
		"signup-confirmed-url:    https://www.example.org/welcome", "welcome-email:           on",
		"welcome-subject:         Hello from the Planet", "  The first issue comes tomorrow."} {
		if !strings.Contains(out, want) {
			t.Errorf("publication show lacks %q:\n%s", want, out)
		}
	}
	if _, out, _ = runCLI(t, db, "", "publication", "list"); !strings.Contains(out, "https://www.example.org,https://example.org") {
		t.Errorf("publication list: %s", out)
	}

	code, out, errs = runCLI(t, db, "", "form", "snippet", "--base-url", "https://news.example.org", "--redirect", "https://example.org/thanks")
	if code != 0 {
		t.Fatalf("form snippet: %d %s", code, errs)
	}
	for _, want := range []string{`<form method="post" action="https://news.example.org/subscribe"`,
		`<input type="hidden" name="publication" value="the-daily-planet">`,
		`<input type="hidden" name="redirect" value="https://example.org/thanks">`, `name="email"`, `name="website"`,
		`<input type="hidden" name="timezone" value="">`} {
		if !strings.Contains(out, want) {
			t.Errorf("snippet lacks %s:\n%s", want, out)
		}
	}
	// The form needs no script or style; the one line after it, which
	// records the reader's time zone, may be left out.
	form, after, ok := strings.Cut(out, "</form>\n")
	if !ok || strings.Contains(form, "<script") || strings.Contains(out, "style=") {
		t.Errorf("the form needs script or style:\n%s", out)
	}
	if want := `<script src="https://news.example.org/static/timezone.js" defer></script>` + "\n"; after != want {
		t.Errorf("after the form:\n%s\nwant:\n%s", after, want)
	}
	if code, _, errs = runCLI(t, db, "", "form", "snippet", "--redirect", "https://evil.example/"); code != 2 ||
		!strings.Contains(errs, `--redirect "https://evil.example/" must be an http(s) address on one of the-daily-planet's signup origins (https://www.example.org, https://example.org)`) {
		t.Errorf("redirect elsewhere: exit %d %s", code, errs)
	}
}
