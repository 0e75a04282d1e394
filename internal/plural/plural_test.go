package plural

import "testing"

func TestCount(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{0, "0 articles"}, {1, "1 article"}, {2, "2 articles"}, {-1, "-1 articles"}} {
		if got := Count(c.n, "article", "articles"); got != c.want {
			t.Errorf("Count(%d) = %q, want %q", c.n, got, c.want)
		}
	}
	if got := Count(int64(1), "copy", "copies"); got != "1 copy" {
		t.Errorf("int64: %q", got)
	}
}
