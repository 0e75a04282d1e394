package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"masthead/newsletter"
	"masthead/store"
	"masthead/store/storetest"
	"masthead/subscribers"
)

// The web edition's reads and writes on every database the store supports.
func TestBackends(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnvOn(t, st, func(d *Deps) { d.PageSize = 2 })
		sport := savePub(t, e.st, "sport", "The Sporting Planet")
		e.publish(e.pub, day("2009-07-07"), []string{"Tuesday"})
		e.publish(e.pub, day("2009-07-08"), []string{"Wednesday"})
		e.publish(sport, day("2009-07-08"), []string{"Match"})
		e.publish(e.pub, day("2009-07-09"), []string{"Thursday"})
		e.publish(e.pub, day("2009-07-10"), []string{"Unsent"}, newsletter.Assembled)

		_, body := e.get("/")
		if i, j := strings.Index(body, "/issues/planet/2009-07-09"), strings.Index(body, "/issues/sport/2009-07-08"); i < 0 || j < i ||
			!strings.Contains(body, "Page 1 of 2") {
			t.Errorf("front page:\n%s", body)
		}
		_, body = e.get("/issues/planet/?page=2")
		if !strings.Contains(body, "/issues/planet/2009-07-07") || strings.Contains(body, "2009-07-08") {
			t.Errorf("publication archive page 2:\n%s", body)
		}
		if res, body := e.get("/issues/planet/2009-07-09"); res.StatusCode != 200 || !strings.Contains(body, "Thursday") {
			t.Errorf("issue page: %d", res.StatusCode)
		}
		if res, _ := e.get("/feed.atom"); res.StatusCode != 200 {
			t.Errorf("feed: %d", res.StatusCode)
		}

		e.postForm("/subscribe", "email=jane%40example.org&publication=planet")
		e.postForm(e.confirmPath("jane@example.org"), "")
		sub, status := e.subscriber("jane@example.org")
		if status != subscribers.Active {
			t.Fatalf("after confirming: %s", status)
		}
		if res, _ := e.do(oneClick(e.signer.UnsubscribeURL("", sub.ID, e.pub.ID))); res.StatusCode != 200 {
			t.Fatalf("one-click: %d", res.StatusCode)
		}
		if _, status := e.subscriber("jane@example.org"); status != subscribers.Unsubscribed {
			t.Fatalf("after one-click: %s", status)
		}
		if res := e.hook(`{"type":"complaint","email":"jane@example.org"}`, "Bearer hook-secret"); res.StatusCode != http.StatusOK {
			t.Fatalf("webhook: %d", res.StatusCode)
		}
		if sup, err := e.st.IsSuppressed(context.Background(), "jane@example.org"); err != nil || !sup {
			t.Errorf("suppressed: %v %v", sup, err)
		}
	})
}
