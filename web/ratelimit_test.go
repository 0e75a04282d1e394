package web

import (
	"net/http/httptest"
	"testing"
	"time"
)

func TestClientIP(t *testing.T) {
	for _, tt := range []struct {
		remote string
		xff    []string
		trust  bool
		want   string
	}{
		{"192.0.2.1:5555", nil, false, "192.0.2.1"},
		{"192.0.2.1:5555", []string{"203.0.113.9"}, false, "192.0.2.1"}, // not behind a proxy: the header is the client's word
		{"10.0.0.1:5555", []string{"198.51.100.1, 203.0.113.9"}, true, "203.0.113.9"},
		{"10.0.0.1:5555", []string{"spoofed", "203.0.113.9"}, true, "203.0.113.9"},
		{"10.0.0.1:5555", []string{"not an ip"}, true, "10.0.0.1"},
		{"[2001:db8:1:2:3:4:5:6]:443", nil, false, "2001:db8:1:2::/64"},
	} {
		s := &Server{trustProxy: tt.trust}
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.remote
		for _, v := range tt.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := s.clientIP(r); got != tt.want {
			t.Errorf("%s %v trust=%v: %q, want %q", tt.remote, tt.xff, tt.trust, got, tt.want)
		}
	}
}

func TestLimiterForgets(t *testing.T) {
	l := newLimiter(2, time.Minute)
	now := time.Date(2009, 7, 9, 0, 0, 0, 0, time.UTC)
	for i := range 1000 {
		l.allow(string(rune('a'+i%26))+string(rune(i)), now)
	}
	first, second, third := l.allow("x", now), l.allow("x", now), l.allow("x", now)
	if !first || !second || third {
		t.Error("the limit of 2 does not hold")
	}
	l.allow("y", now.Add(2*time.Minute))
	if n := len(l.counts); n != 1 {
		t.Errorf("%d keys kept after the window, want 1", n)
	}
}
