package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"masthead/ledger"
	"masthead/newsletter"
	"masthead/store"
	"masthead/subscribers"
)

// active adds an active subscriber of the env's publication.
func (e *env) active(email string) *subscribers.Subscriber {
	e.t.Helper()
	sub, err := e.st.AddSubscriber(context.Background(), email, "", e.pub.ID, subscribers.Active, subscribers.ViaEditor)
	if err != nil {
		e.t.Fatal(err)
	}
	return sub
}

// oneClick is the request Gmail's servers send for RFC 8058 one-click: a
// form-encoded body and nothing else (no cookie, no Origin, no page).
func oneClick(path string) *http.Request {
	r := httptest.NewRequest("POST", path, strings.NewReader("List-Unsubscribe=One-Click"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("User-Agent", "Mozilla/5.0 (compatible; Google-Unsubscribe)")
	return r
}

func TestOneClickUnsubscribe(t *testing.T) {
	e := newEnv(t)
	sub := e.active("jane@example.org")
	path := e.signer.UnsubscribeURL("", sub.ID, e.pub.ID)

	// Link scanners GET the URL: nothing changes.
	res, _ := e.get(path)
	isPage(t, res, 200)
	if _, st := e.subscriber("jane@example.org"); st != subscribers.Active {
		t.Fatalf("GET changed the subscription to %s", st)
	}
	// The one-click POST unsubscribes at once, with a 200 and no redirect;
	// again, it changes nothing more.
	for range 2 {
		res, body := e.do(oneClick(path))
		if res.StatusCode != 200 || res.Header.Get("Location") != "" {
			t.Fatalf("one-click: %d %q", res.StatusCode, body)
		}
	}
	if _, st := e.subscriber("jane@example.org"); st != subscribers.Unsubscribed {
		t.Fatalf("after one-click: %s", st)
	}
	events, _ := e.st.SubscriberEvents(context.Background(), sub.ID)
	n := 0
	for _, ev := range events {
		if ev.Kind == subscribers.EventUnsubscribed {
			n++
			if ev.Via != subscribers.ViaOneClick {
				t.Errorf("unsubscribed via %s, want one-click", ev.Via)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d unsubscribe events, want 1", n)
	}
}

func TestOneClickMultipart(t *testing.T) {
	e := newEnv(t)
	sub := e.active("jane@example.org")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("List-Unsubscribe", "One-Click")
	mw.Close()
	r := httptest.NewRequest("POST", e.signer.UnsubscribeURL("", sub.ID, e.pub.ID), &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	if res, _ := e.do(r); res.StatusCode != 200 {
		t.Fatalf("multipart one-click: %d", res.StatusCode)
	}
	if _, st := e.subscriber("jane@example.org"); st != subscribers.Unsubscribed {
		t.Fatalf("after multipart one-click: %s", st)
	}
}

func TestUnsubscribeSkipsQueuedDeliveries(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	sub := e.active("jane@example.org")
	e.active("joe@example.org")
	iss := e.publish(e.pub, day("2009-07-09"), []string{"Lead"}, newsletter.Assembled)
	if _, err := e.st.StartSend(ctx, iss.ID, newsletter.Statuses(newsletter.IssueStatus.EditorCanStart), ""); err != nil {
		t.Fatal(err)
	}
	e.do(oneClick(e.signer.UnsubscribeURL("", sub.ID, e.pub.ID)))
	rows, err := e.st.Deliveries(ctx, store.DeliveryFilter{IssueID: iss.ID})
	if err != nil || len(rows) != 2 {
		t.Fatal(rows, err)
	}
	for _, d := range rows {
		want := ledger.DeliveryQueued
		if d.SubscriberID == sub.ID {
			want = ledger.DeliverySkipped
		}
		if d.Status != want {
			t.Errorf("delivery to %s: %s, want %s", d.Email, d.Status, want)
		}
	}
}

func TestUnsubscribePage(t *testing.T) {
	e := newEnv(t)
	sub := e.active("jane@example.org")
	path := e.signer.UnsubscribeURL("", sub.ID, e.pub.ID)
	res, body := e.get(path)
	isPage(t, res, 200)
	accessible(t, body)
	if !strings.Contains(body, `action="`+path+`"`) || !strings.Contains(body, ">Unsubscribe</button>") ||
		strings.Contains(body, `type="checkbox"`) || !strings.Contains(body, "jane@example.org") {
		t.Fatalf("unsubscribe page: %s", body)
	}
	// The page's button, as the browser sends it.
	res, body = e.postForm(path, "publication="+strconv.FormatInt(e.pub.ID, 10))
	isPage(t, res, 200)
	accessible(t, body)
	if !strings.Contains(body, "You are unsubscribed") || !strings.Contains(body, "The Daily Planet will not be sent") {
		t.Fatalf("after the button: %s", body)
	}
	if _, st := e.subscriber("jane@example.org"); st != subscribers.Unsubscribed {
		t.Fatalf("after the button: %s", st)
	}
	events, _ := e.st.SubscriberEvents(context.Background(), sub.ID)
	if last := events[len(events)-1]; last.Kind != subscribers.EventUnsubscribed || last.Via != subscribers.ViaLink {
		t.Errorf("last event %+v, want unsubscribed via link", last)
	}
	// Again: idempotent, and the page says there is nothing left.
	res, _ = e.postForm(path, "")
	isPage(t, res, 200)
	_, body = e.get(path)
	if !strings.Contains(body, "You are not subscribed") {
		t.Errorf("page after leaving: %s", body)
	}
}

func TestUnsubscribeChoosePublications(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	sport := savePub(t, e.st, "sport", "The Sporting Planet")
	third := savePub(t, e.st, "third", "The Third Planet")
	sub := e.active("fan@example.org")
	for _, p := range []*newsletter.Publication{sport, third} {
		if err := e.st.Subscribe(ctx, sub.ID, p.ID, subscribers.Active, subscribers.ViaEditor); err != nil {
			t.Fatal(err)
		}
	}
	path := e.signer.UnsubscribeURL("", sub.ID, sport.ID)
	_, body := e.get(path)
	accessible(t, body)
	for _, want := range []string{`value="` + strconv.FormatInt(sport.ID, 10) + `" checked`,
		`value="` + strconv.FormatInt(e.pub.ID, 10) + `">`, "The Third Planet", "<legend>"} {
		if !strings.Contains(body, want) {
			t.Errorf("choice page lacks %q: %s", want, body)
		}
	}
	// Leave sport and the daily; keep the third. An id the subscriber has
	// no subscription to is ignored.
	form := "publication=" + strconv.FormatInt(sport.ID, 10) + "&publication=" + strconv.FormatInt(e.pub.ID, 10) + "&publication=999"
	_, body = e.postForm(path, form)
	if !strings.Contains(body, "The Daily Planet and The Sporting Planet will not be sent") {
		t.Errorf("after leaving two: %s", body)
	}
	subs, _ := e.st.Subscriptions(ctx, sub.ID)
	got := map[string]subscribers.Status{}
	for _, su := range subs {
		got[su.PublicationSlug] = su.Status
	}
	if got["planet"] != subscribers.Unsubscribed || got["sport"] != subscribers.Unsubscribed || got["third"] != subscribers.Active {
		t.Errorf("subscriptions after leaving two: %v", got)
	}
}

func TestUnsubscribeBadTokens(t *testing.T) {
	e := newEnv(t)
	sub := e.active("jane@example.org")
	good := e.signer.UnsubscribeURL("", sub.ID, e.pub.ID)
	tok := []byte(strings.TrimPrefix(good, "/unsubscribe/"))
	tok[5] ^= 2
	confirm := e.signer.ConfirmURL("", sub.ID, e.pub.ID, e.clock.now(), 3600e9)
	// A test send's link changed, or another word in place of "preview".
	test := []byte(strings.TrimPrefix(e.signer.UnsubscribeURL("", 0, e.pub.ID), "/unsubscribe/"))
	test[3] ^= 1
	for name, path := range map[string]string{
		"truncated": good[:len(good)-3],
		"tampered":  "/unsubscribe/" + string(tok),
		"confirm":   "/unsubscribe/" + strings.TrimPrefix(confirm, "/confirm/"),
		"junk":      "/unsubscribe/..%2F..%2Fetc",
		"id":        "/unsubscribe/" + strconv.FormatInt(sub.ID, 10),
		"test send": "/unsubscribe/" + string(test),
		"previews":  "/unsubscribe/previews",
		"Preview":   "/unsubscribe/Preview",
	} {
		res, body := e.get(path)
		isPage(t, res, http.StatusBadRequest)
		if !strings.Contains(body, "This link does not work") || !strings.Contains(body, "incomplete or has been changed") {
			t.Errorf("GET %s: %s", name, body)
		}
		res, _ = e.postForm(path, "")
		isPage(t, res, http.StatusBadRequest)
		if res, _ = e.do(oneClick(path)); res.StatusCode != http.StatusBadRequest {
			t.Errorf("one-click %s: %d", name, res.StatusCode)
		}
	}
	if _, st := e.subscriber("jane@example.org"); st != subscribers.Active {
		t.Errorf("a forged token changed the subscription to %s", st)
	}
}

// A deleted subscriber is gone: the link gets a calm answer, never a 500.
func TestUnsubscribeNobody(t *testing.T) {
	e := newEnv(t)
	path := e.signer.UnsubscribeURL("", 424242, e.pub.ID)
	res, body := e.get(path)
	isPage(t, res, 200)
	if !strings.Contains(body, "You are not subscribed") {
		t.Errorf("page: %s", body)
	}
	if res, _ := e.do(oneClick(path)); res.StatusCode != 200 {
		t.Errorf("one-click for nobody: %d", res.StatusCode)
	}
}

// The unsubscribe link of a test send (signed, naming subscriber 0) and of a
// preview (/unsubscribe/preview) is what an editor clicks to check the link:
// it says so, says where a real issue's link leads, and changes nothing,
// whether fetched, posted from the page or posted as a one-click.
func TestUnsubscribeTestLinks(t *testing.T) {
	e := newEnv(t)
	sub := e.active("jane@example.org")
	before, _ := e.st.SubscriberEvents(context.Background(), sub.ID)
	explains := func(t *testing.T, what, body string) {
		t.Helper()
		for _, want := range []string{"test or preview message", "one button", "Nothing was changed"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s lacks %q: %s", what, want, body)
			}
		}
		for _, bad := range []string{"This link does not work", "You are unsubscribed", "You are not subscribed", "<form"} {
			if strings.Contains(body, bad) {
				t.Errorf("%s says %q: %s", what, bad, body)
			}
		}
	}
	for name, path := range map[string]string{
		"test send": e.signer.UnsubscribeURL("", 0, e.pub.ID),
		"preview":   "/unsubscribe/preview",
	} {
		t.Run(name, func(t *testing.T) {
			res, body := e.get(path)
			isPage(t, res, http.StatusOK)
			accessible(t, body)
			explains(t, "GET", body)
			if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q", cc)
			}
			res, body = e.postForm(path, "publication="+strconv.FormatInt(e.pub.ID, 10))
			isPage(t, res, http.StatusOK)
			explains(t, "the button", body)
			res, body = e.do(oneClick(path))
			if res.StatusCode != http.StatusOK || res.Header.Get("Location") != "" {
				t.Errorf("one-click: %d %q", res.StatusCode, body)
			}
		})
	}
	if _, st := e.subscriber("jane@example.org"); st != subscribers.Active {
		t.Errorf("a test link changed the subscription to %s", st)
	}
	if after, _ := e.st.SubscriberEvents(context.Background(), sub.ID); len(after) != len(before) {
		t.Errorf("a test link recorded events: %+v", after[len(before):])
	}
}

func TestUnsubscribeBodyLimit(t *testing.T) {
	e := newEnv(t)
	sub := e.active("jane@example.org")
	r := oneClick(e.signer.UnsubscribeURL("", sub.ID, e.pub.ID))
	r.Body = http.NoBody
	big := strings.NewReader("List-Unsubscribe=One-Click&x=" + strings.Repeat("a", formLimit))
	r = httptest.NewRequest("POST", r.URL.Path, big)
	r.ContentLength = -1 // chunked: the limit is found while reading
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, _ := e.do(r)
	isPage(t, res, http.StatusRequestEntityTooLarge)
	if _, st := e.subscriber("jane@example.org"); st != subscribers.Active {
		t.Errorf("status %s", st)
	}
}
