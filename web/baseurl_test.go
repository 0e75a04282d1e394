package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"
)

// A publication with its own base URL: the subscribe form posted from that
// address is the web edition's own (not a foreign site's), and the
// confirmation email's links, every one of them, are under it.
func TestPublicationBaseURL(t *testing.T) {
	e := newEnv(t)
	weekly := savePub(t, e.st, "weekly", "The Weekly Planet")
	weekly.BaseURL = "https://weekly.planet.example.net"
	if err := e.work.SavePublication(context.Background(), weekly); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		headers map[string]string
		want    int
	}{
		{"the publication's origin, cross-site", map[string]string{"Origin": "https://weekly.planet.example.net", "Sec-Fetch-Site": "cross-site"}, http.StatusSeeOther},
		{"the publication's origin, old browser", map[string]string{"Origin": "https://weekly.planet.example.net"}, http.StatusSeeOther},
		{"another host", map[string]string{"Origin": "https://other.planet.example.net", "Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
	} {
		r := httptestForm("/subscribe", "email=reader%40example.org&publication=weekly")
		r.Header.Del("Sec-Fetch-Site")
		for k, v := range tt.headers {
			r.Header.Set(k, v)
		}
		if res, _ := e.do(r); res.StatusCode != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, res.StatusCode, tt.want)
		}
	}
	parts, _ := outboxMail(t, e.st, "reader@example.org")
	links := regexp.MustCompile(`https?://[^\s"<>]+`).FindAllString(parts["text/plain"]+parts["text/html"], -1)
	var confirms int
	for _, l := range links {
		u, err := url.Parse(l)
		if err != nil || u.Host != "weekly.planet.example.net" {
			t.Errorf("link %q is not under the weekly's base URL", l)
		}
		if confirmURLRE.MatchString(l) {
			confirms++
		}
	}
	if confirms < 2 {
		t.Errorf("%d confirm links in %v", confirms, links)
	}
}
