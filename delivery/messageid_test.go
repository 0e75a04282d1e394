package delivery

import (
	"regexp"
	"testing"
)

// TestValidMessageIDIsTheRegexp checks the byte-by-byte Message-ID check
// against the regular expression it replaced.
func TestValidMessageIDIsTheRegexp(t *testing.T) {
	re := regexp.MustCompile(`^<[^<>@\s"]+@[^<>@\s"]+>$`)
	ids := []string{
		"<a@b>", "<12.34.abc@news.example.org>", "<ünï@cødé>", "<a\xff@b>",
		"", "<>", "<@>", "<a@>", "<@b>", "a@b", "<a@b", "a@b>", "<a@b>x", "x<a@b>",
		"<a@@b>", "<a@b@c>", "<a b@c>", "<a@b c>", "<a\t@b>", "<a@b\r\n>", "<a\f@b>",
		"<a\v@b>", "<a\"@b>", "<a<@b>", "<a@>b>", "<<a@b>>", "<a@b>\n", "< @b>",
	}
	for _, id := range ids {
		if got, want := validMessageID(id), re.MatchString(id); got != want {
			t.Errorf("validMessageID(%q) = %v, the regexp says %v", id, got, want)
		}
	}
}
