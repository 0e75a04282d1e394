package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"masthead/store"
	"masthead/subscribers"
	"masthead/workspace"
)

// subscriber returns the subscriber with the address and their status for the
// env's publication ("" when they have no subscription to it).
func (e *env) subscriber(email string) (*subscribers.Subscriber, subscribers.Status) {
	e.t.Helper()
	ctx := context.Background()
	sub, err := e.st.SubscriberByEmail(ctx, email)
	if err != nil {
		e.t.Fatalf("subscriber %s: %v", email, err)
	}
	subs, err := e.st.Subscriptions(ctx, sub.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, su := range subs {
		if su.PublicationID == e.pub.ID {
			return sub, su.Status
		}
	}
	return sub, ""
}

// confirmPath is the path of the confirm link in the newest email to rcpt.
func (e *env) confirmPath(rcpt string) string {
	e.t.Helper()
	body, _ := outboxMail(e.t, e.st, rcpt)
	if body == nil {
		e.t.Fatalf("no email to %s", rcpt)
	}
	link := confirmURLRE.FindString(body["text/plain"])
	if link == "" || !strings.Contains(body["text/html"], link) {
		e.t.Fatalf("no confirm link in both parts of the email:\n%s\n%s", body["text/plain"], body["text/html"])
	}
	u, err := url.Parse(link)
	if err != nil {
		e.t.Fatal(err)
	}
	return u.Path
}

func TestSubscribeAndConfirm(t *testing.T) {
	e := newEnv(t)
	res, _ := e.postForm("/subscribe", "email=Jane%40Example.ORG&name=Jane+Doe&publication=planet")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/subscribe/sent" {
		t.Fatalf("subscribe: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	res, body := e.get("/subscribe/sent")
	isPage(t, res, 200)
	accessible(t, body)
	if !strings.Contains(body, "Check your inbox") || !strings.Contains(body, "7 days") {
		t.Errorf("sent page: %s", body)
	}
	sub, st := e.subscriber("jane@example.org")
	if st != subscribers.Pending || sub.Name != "Jane Doe" {
		t.Fatalf("after the form: %+v %s, want pending", sub, st)
	}
	parts, hdr := outboxMail(t, e.st, "jane@example.org")
	if hdr.Get("Subject") != "Confirm your subscription to The Daily Planet" || hdr.Get("Auto-Submitted") != "auto-generated" ||
		!strings.Contains(hdr.Get("From"), "news@planet.example") {
		t.Errorf("headers: %v", hdr)
	}
	if !strings.Contains(parts["text/plain"], "jane@example.org") || !strings.Contains(parts["text/plain"], "Thursday, July 16, 2009") {
		t.Errorf("text part: %s", parts["text/plain"])
	}
	path := e.confirmPath("jane@example.org")

	// The link's page has a button and changes nothing.
	for range 2 {
		res, body = e.get(path)
		isPage(t, res, 200)
		accessible(t, body)
		if !strings.Contains(body, `<form method="post" action="`+path+`">`) || !strings.Contains(body, "Confirm my subscription") {
			t.Fatalf("confirm page: %s", body)
		}
	}
	if _, st := e.subscriber("jane@example.org"); st != subscribers.Pending {
		t.Fatalf("GET of the confirm link made the subscription %s", st)
	}
	// The button confirms; pressing it again is harmless.
	for range 2 {
		res, body = e.postForm(path, "")
		isPage(t, res, 200)
		if !strings.Contains(body, "You are subscribed") {
			t.Fatalf("after confirming: %s", body)
		}
	}
	sub, st = e.subscriber("jane@example.org")
	if st != subscribers.Active || sub.Status != subscribers.Active {
		t.Fatalf("after confirming: %s/%s, want active", sub.Status, st)
	}
	events, _ := e.st.SubscriberEvents(context.Background(), sub.ID)
	if last := events[len(events)-1]; last.Kind != subscribers.EventConfirmed || last.Via != subscribers.ViaLink {
		t.Errorf("last event %+v, want confirmed via link", last)
	}
}

// The answer to the form is the same whatever the address's state, and
// nobody who is already subscribed or suppressed gets an email.
func TestSubscribeRevealsNothing(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	mk := func(email string, st subscribers.Status) {
		if _, err := e.st.AddSubscriber(ctx, email, "Old Name", e.pub.ID, st, subscribers.ViaEditor); err != nil {
			t.Fatal(err)
		}
	}
	mk("active@example.org", subscribers.Active)
	mk("pending@example.org", subscribers.Pending)
	mk("left@example.org", subscribers.Active)
	left, _ := e.subscriber("left@example.org")
	if err := e.st.Unsubscribe(ctx, left.ID, 0, subscribers.ViaLink, ""); err != nil {
		t.Fatal(err)
	}
	mk("bounced@example.org", subscribers.Active)
	if err := e.st.Suppress(ctx, "bounced@example.org", subscribers.Bounced, subscribers.ViaBounce, "550"); err != nil {
		t.Fatal(err)
	}
	// An erased person (GDPR art. 17): only the hash of the address is left.
	mk("erased@example.org", subscribers.Active)
	if _, err := e.work.EraseSubscriber(ctx, "erased@example.org", "test"); err != nil {
		t.Fatal(err)
	}
	// The editor's pending subscriber got their confirmation from the queue.
	if _, err := e.queue.SendAll(ctx); err != nil {
		t.Fatal(err)
	}
	if n := outboxCount(t, e.st, "pending@example.org"); n != 1 {
		t.Fatalf("the editor's pending subscriber got %d confirmation emails, want 1", n)
	}
	wantMail := map[string]int{"new@example.org": 1, "active@example.org": 0, "pending@example.org": 1,
		"left@example.org": 1, "bounced@example.org": 0, "erased@example.org": 0}
	for email, n := range wantMail {
		before := outboxCount(t, e.st, email)
		res, body := e.postForm("/subscribe", "email="+url.QueryEscape(email)+"&name=Mallory")
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/subscribe/sent" || body != "" {
			t.Errorf("%s: %d %s %q", email, res.StatusCode, res.Header.Get("Location"), body)
		}
		if got := outboxCount(t, e.st, email) - before; got != n {
			t.Errorf("%s: %d emails, want %d", email, got, n)
		}
	}
	// The erased address is not written down again by its sign-up.
	if _, err := e.st.SubscriberByEmail(ctx, "erased@example.org"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the sign-up of an erased address made a subscriber: %v", err)
	}
	// Nobody can rename a subscriber through the form.
	if sub, _ := e.subscriber("active@example.org"); sub.Name != "Old Name" {
		t.Errorf("the form renamed a subscriber to %q", sub.Name)
	}
	// The one who had left is pending again, waiting for their confirmation.
	if _, st := e.subscriber("left@example.org"); st != subscribers.Pending {
		t.Errorf("re-subscribed: %s, want pending", st)
	}
	if _, st := e.subscriber("active@example.org"); st != subscribers.Active {
		t.Errorf("active subscriber became %s", st)
	}
}

func TestResubscribeAfterUnsubscribe(t *testing.T) {
	e := newEnv(t)
	e.postForm("/subscribe", "email=joe%40example.org")
	e.postForm(e.confirmPath("joe@example.org"), "")
	sub, _ := e.subscriber("joe@example.org")
	res, _ := e.postForm(e.signer.UnsubscribeURL("", sub.ID, e.pub.ID), "")
	if _, st := e.subscriber("joe@example.org"); res.StatusCode != 200 || st != subscribers.Unsubscribed {
		t.Fatalf("unsubscribe: %d, %s", res.StatusCode, st)
	}
	e.clock.add(time.Minute)
	e.postForm("/subscribe", "email=joe%40example.org")
	if n := outboxCount(t, e.st, "joe@example.org"); n != 2 {
		t.Fatalf("%d confirmation emails, want 2", n)
	}
	res, body := e.postForm(e.confirmPath("joe@example.org"), "")
	if _, st := e.subscriber("joe@example.org"); res.StatusCode != 200 || st != subscribers.Active {
		t.Fatalf("confirm again: %d %s\n%s", res.StatusCode, st, body)
	}
}

func TestSubscribeFormErrors(t *testing.T) {
	e := newEnv(t)
	savePub(t, e.st, "sport", "The Sporting Planet")
	for _, tt := range []struct{ form, want string }{
		{"email=not-an-address&name=Jane&publication=planet", "valid email address"},
		{"email=&publication=planet", "valid email address"},
		{"email=jane%40example.org%0D%0ABcc%3A+x%40example.org&publication=planet", "valid email address"},
		{"email=jane%40example.org&name=Jane%0D%0ABcc%3A+x%40example.org&publication=planet", "one line"},
		{"email=jane%40example.org&publication=nope", "choose at least one publication"},
		{"email=jane%40example.org", "choose at least one publication"},
	} {
		res, body := e.postForm("/subscribe", tt.form)
		isPage(t, res, http.StatusBadRequest)
		accessible(t, body)
		if !strings.Contains(body, tt.want) || !strings.Contains(body, `role="alert"`) || !strings.Contains(body, `aria-invalid="true"`) {
			t.Errorf("%s: page lacks %q", tt.form, tt.want)
		}
	}
	_, body := e.postForm("/subscribe", "email=not-an-address&name=Jane+%3Cb%3E&publication=sport&from=sport")
	if !strings.Contains(body, `value="not-an-address"`) || !strings.Contains(body, `value="Jane &lt;b&gt;"`) ||
		!strings.Contains(body, "Archive of The Sporting Planet") {
		t.Errorf("the form is not shown again with what was typed, on the page it came from: %s", body)
	}
	if n := outboxCount(t, e.st, ""); n != 0 {
		t.Errorf("%d emails sent for bad forms", n)
	}
}

func TestSubscribeSeveralPublications(t *testing.T) {
	e := newEnv(t)
	sport := savePub(t, e.st, "sport", "The Sporting Planet")
	e.postForm("/subscribe", "email=fan%40example.org&publication=planet&publication=sport")
	parts, hdr := outboxMail(t, e.st, "fan@example.org")
	links := confirmURLRE.FindAllString(parts["text/plain"], -1)
	if len(links) != 2 || hdr.Get("Subject") != "Confirm your subscription to The Daily Planet and The Sporting Planet" {
		t.Fatalf("one email with two links expected: %q %v", hdr.Get("Subject"), links)
	}
	u, _ := url.Parse(links[1])
	e.postForm(u.Path, "")
	sub, st := e.subscriber("fan@example.org")
	subs, _ := e.st.Subscriptions(context.Background(), sub.ID)
	if st != subscribers.Pending || len(subs) != 2 || subs[1].PublicationID != sport.ID || subs[1].Status != subscribers.Active {
		t.Errorf("after confirming the second link: %s %+v", st, subs)
	}
}

func TestSubscribeRateLimits(t *testing.T) {
	e := newEnv(t, func(d *Deps) { d.FormLimits = FormLimits{PerIP: 3, PerAddress: 2, Window: time.Hour} })
	post := func(ip, email string) int {
		r := httptestForm("/subscribe", "email="+url.QueryEscape(email))
		r.RemoteAddr = ip + ":1234"
		res, _ := e.do(r)
		return res.StatusCode
	}
	// One address from many places: the answer stays the same, the emails stop.
	for i, ip := range []string{"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"} {
		if code := post(ip, "target@example.org"); code != http.StatusSeeOther {
			t.Fatalf("post %d: %d", i, code)
		}
	}
	if n := outboxCount(t, e.st, "target@example.org"); n != 2 {
		t.Errorf("%d emails to one address, want the limit of 2", n)
	}
	// Many addresses from one place: refused after the limit.
	for i := range 3 {
		if code := post("198.51.100.7", "a"+string(rune('a'+i))+"@example.org"); code != http.StatusSeeOther {
			t.Fatalf("post %d from one IP: %d", i, code)
		}
	}
	if code := post("198.51.100.7", "ad@example.org"); code != http.StatusTooManyRequests {
		t.Errorf("4th post from one IP: %d, want 429", code)
	}
	// IPv6 neighbours share their /64.
	post("2001:db8::1", "v1@example.org")
	post("2001:db8::2", "v2@example.org")
	post("2001:db8::3", "v3@example.org")
	if code := post("2001:db8::4", "v4@example.org"); code != http.StatusTooManyRequests {
		t.Errorf("4th post from one /64: %d, want 429", code)
	}
	// The window passes.
	e.clock.add(time.Hour + time.Second)
	if code := post("198.51.100.7", "ae@example.org"); code != http.StatusSeeOther {
		t.Errorf("after the window: %d", code)
	}
	post("192.0.2.9", "target@example.org")
	if n := outboxCount(t, e.st, "target@example.org"); n != 3 {
		t.Errorf("%d emails after the window, want 3", n)
	}
}

func TestSubscribeCrossSite(t *testing.T) {
	e := newEnv(t)
	for _, tt := range []struct {
		name    string
		headers map[string]string
		want    int
	}{
		{"cross-site", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"same-site", map[string]string{"Sec-Fetch-Site": "same-site"}, http.StatusForbidden},
		{"foreign origin", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"own origin", map[string]string{"Origin": "https://planet.example"}, http.StatusSeeOther},
		{"same-origin", map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusSeeOther},
		{"not a browser", nil, http.StatusSeeOther},
	} {
		r := httptestForm("/subscribe", "email=x%40example.org")
		r.Header.Del("Sec-Fetch-Site")
		for k, v := range tt.headers {
			r.Header.Set(k, v)
		}
		if res, _ := e.do(r); res.StatusCode != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, res.StatusCode, tt.want)
		}
	}
}

func TestSubscribeHoneypot(t *testing.T) {
	e := newEnv(t)
	res, _ := e.postForm("/subscribe", "email=bot%40example.org&website=http%3A%2F%2Fspam.example")
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("honeypot: %d", res.StatusCode)
	}
	if _, err := e.st.SubscriberByEmail(context.Background(), "bot@example.org"); err == nil {
		t.Error("a robot's form made a subscriber")
	}
}

// Without a confirmation queue in the process, double opt-in cannot work:
// the form is closed.
func TestSubscribeWithoutConfirmations(t *testing.T) {
	e := newEnv(t)
	work, err := workspace.New(workspace.Config{Store: e.st, BaseURL: "https://planet.example"})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Deps{Work: work, Signer: e.signer, BaseURL: "https://planet.example", Now: e.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	e.srv, e.queue = srv, nil
	res, _ := e.postForm("/subscribe", "email=x%40example.org")
	isPage(t, res, http.StatusServiceUnavailable)
}

func TestConfirmBadLinks(t *testing.T) {
	e := newEnv(t)
	e.postForm("/subscribe", "email=jane%40example.org")
	good := e.confirmPath("jane@example.org")
	tok := strings.TrimPrefix(good, "/confirm/")
	sub, _ := e.subscriber("jane@example.org")
	flip := []byte(tok)
	flip[3] ^= 1
	for name, path := range map[string]string{
		"truncated":    good[:len(good)-4],
		"tampered":     "/confirm/" + string(flip),
		"garbage":      "/confirm/%FF%FE",
		"empty-ish":    "/confirm/x",
		"unsubscribe":  e.signer.UnsubscribeURL("", sub.ID, e.pub.ID),
		"other secret": subscribers.NewSigner([]byte("another secret, another server!!")).ConfirmURL("", sub.ID, e.pub.ID, e.clock.now(), time.Hour),
	} {
		path = strings.Replace(path, "/unsubscribe/", "/confirm/", 1)
		for _, method := range []string{"GET", "POST"} {
			var res *http.Response
			var body string
			if method == "GET" {
				res, body = e.get(path)
			} else {
				res, body = e.postForm(path, "")
			}
			isPage(t, res, http.StatusBadRequest)
			if !strings.Contains(body, "This link does not work") {
				t.Errorf("%s %s: %s", method, name, body)
			}
		}
	}
	// Expired: the link works for ConfirmTTL.
	e.clock.add(7*24*time.Hour + time.Minute)
	res, _ := e.postForm(good, "")
	isPage(t, res, http.StatusBadRequest)
	if _, st := e.subscriber("jane@example.org"); st != subscribers.Pending {
		t.Errorf("a bad link changed the subscription to %s", st)
	}
}

func TestConfirmAfterUnsubscribe(t *testing.T) {
	e := newEnv(t)
	e.postForm("/subscribe", "email=jane%40example.org")
	path := e.confirmPath("jane@example.org")
	sub, _ := e.subscriber("jane@example.org")
	if err := e.st.Unsubscribe(context.Background(), sub.ID, 0, subscribers.ViaLink, ""); err != nil {
		t.Fatal(err)
	}
	res, body := e.postForm(path, "")
	isPage(t, res, http.StatusConflict)
	if !strings.Contains(body, "Nothing to confirm") {
		t.Errorf("page: %s", body)
	}
	if _, st := e.subscriber("jane@example.org"); st != subscribers.Unsubscribed {
		t.Errorf("status %s", st)
	}
}
