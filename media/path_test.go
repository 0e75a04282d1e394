package media

import (
	"strings"
	"testing"
)

func TestPathRoundTrip(t *testing.T) {
	sha := strings.Repeat("ab", 32)
	for _, f := range []Format{JPEG, PNG, GIF, WebP} {
		p := Path(sha, 1200, f)
		gotSHA, w, gotF, ok := ParsePath("https://news.example" + p + "?x=1")
		if !ok || gotSHA != sha || w != 1200 || gotF != f {
			t.Errorf("ParsePath(%q) = %q %d %q %v", p, gotSHA, w, gotF, ok)
		}
	}
	for _, bad := range []string{
		"/media/" + sha + ".jpg", "/media/" + sha + "-0.jpg", "/media/" + sha + "-012.jpg",
		"/media/" + sha + "-12.bmp", "/media/abc-12.jpg", "/media/" + strings.Repeat("zz", 32) + "-12.jpg",
		"/static/" + sha + "-12.jpg", "https://other.example/cat.jpg",
	} {
		if _, _, _, ok := ParsePath(bad); ok {
			t.Errorf("ParsePath(%q) accepted", bad)
		}
	}
}
