package subscribers

import (
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	long := strings.Repeat("a", 65)
	tests := []struct {
		in, want string
		bad      bool
	}{
		{in: "jane@example.org", want: "jane@example.org"},
		{in: "  Jane.Doe@Example.ORG \t", want: "jane.doe@example.org"},
		{in: "jane+news@mail.example.co.uk", want: "jane+news@mail.example.co.uk"},
		{in: "jörg@Bücher.DE", want: "jörg@bücher.de"},
		{in: "jorg@xn--bcher-kva.de", want: "jorg@bücher.de"},
		{in: "o'brien@example.ie", want: "o'brien@example.ie"},
		{in: "", bad: true},
		{in: "jane", bad: true},
		{in: "jane@", bad: true},
		{in: "@example.org", bad: true},
		{in: "jane@localhost", bad: true},
		{in: "jane@example", bad: true},
		{in: "jane@[192.0.2.1]", bad: true},
		{in: "jane@192.0.2.1", bad: true},
		{in: "jane@exa mple.org", bad: true},
		{in: "jane@-example.org", bad: true},
		{in: "jane@example..org", bad: true},
		{in: "Jane Doe <jane@example.org>", bad: true},
		{in: "<jane@example.org>", bad: true},
		{in: `"jane doe"@example.org`, bad: true},
		{in: "jane@example.org (Jane)", bad: true},
		{in: "jane@example.org\r\nBcc: victim@example.org", bad: true},
		{in: "jane@exam\nple.org", bad: true},
		{in: "jane\x00@example.org", bad: true},
		{in: "jane\x7f@example.org", bad: true},
		{in: "jane@example.org,joe@example.org", bad: true},
		{in: "ja\xffne@example.org", bad: true},
		{in: long + "@example.org", bad: true},
		{in: strings.Repeat("a", 64) + "@example.org", want: strings.Repeat("a", 64) + "@example.org"},
		{in: "a@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 63) + "." + strings.Repeat("e", 60) + ".org", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Normalize(tt.in)
			if tt.bad {
				if err == nil {
					t.Fatalf("Normalize(%q) = %q, want an error", tt.in, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("Normalize(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Fatalf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			again, err := Normalize(got)
			if err != nil || again != got {
				t.Fatalf("Normalize is not idempotent: %q -> %q, %v", got, again, err)
			}
		})
	}
}

func TestASCIIAddress(t *testing.T) {
	got, err := ASCIIAddress("jorg@bücher.de")
	if err != nil || got != "jorg@xn--bcher-kva.de" {
		t.Fatalf("ASCIIAddress = %q, %v", got, err)
	}
}

func TestNormalizeName(t *testing.T) {
	tests := []struct {
		in, want string
		bad      bool
	}{
		{in: "  Jane Doe ", want: "Jane Doe"},
		{in: "Zoë Ångström", want: "Zoë Ångström"},
		{in: "", want: ""},
		{in: "Jane\r\nBcc: x@example.org", bad: true},
		{in: "Jane\nDoe", bad: true},
		{in: "Jane\x00", bad: true},
		{in: "Jane\x1b[31m", bad: true},
		{in: "J\xffane", bad: true},
		{in: strings.Repeat("é", 200), want: strings.Repeat("é", 200)},
		{in: strings.Repeat("é", 201), bad: true},
	}
	for _, tt := range tests {
		got, err := NormalizeName(tt.in)
		if tt.bad != (err != nil) || got != tt.want && !tt.bad {
			t.Errorf("NormalizeName(%q) = %q, %v", tt.in, got, err)
		}
	}
}

func TestParseStatus(t *testing.T) {
	if s, err := ParseStatus(" Active "); err != nil || s != Active {
		t.Fatalf("ParseStatus = %q, %v", s, err)
	}
	if _, err := ParseStatus("gone"); err == nil {
		t.Fatal("ParseStatus(gone) succeeded")
	}
}

// A refused address is explained in plain words, without the mail package's
// grammar.
func TestNormalizeSaysWhy(t *testing.T) {
	for in, want := range map[string]string{
		"jane":              "not an email address: it has no @",
		"jane@":             "not an email address: nothing after the @",
		"@example.org":      "not an email address: nothing before the @",
		"jane@exa mple.org": "not an email address",
	} {
		_, err := Normalize(in)
		if err == nil || !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "mail:") || strings.Contains(err.Error(), "angle-addr") {
			t.Errorf("Normalize(%q): %v; want %q in plain words", in, err, want)
		}
	}
}
