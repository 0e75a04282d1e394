package admin

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"masthead/auth"
	"masthead/internal/smtptest"
	"masthead/ledger"
	"masthead/newsletter"
)

// page GETs path with cookie and returns the page's body; it fails the test
// unless the answer is 200.
func (e *env) page(t *testing.T, path string, cookie *http.Cookie) string {
	t.Helper()
	req, err := http.NewRequest("GET", e.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.AddCookie(cookie)
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d\n%.500s", path, resp.StatusCode, body)
	}
	return string(body)
}

// TestTimesShowInThePublicationsZone schedules tomorrow's issue of a New York
// publication for 07:30: the issues list shows 07:30 as the issue's own page
// does, not the UTC hour, and the outbox's times are New York's too.
func TestTimesShowInThePublicationsZone(t *testing.T) {
	e := newEnv(t, smtptest.Options{})
	ctx := context.Background()
	e.pub.TimeZone = "America/New_York"
	if err := e.st.SavePublication(ctx, e.pub); err != nil {
		t.Fatal(err)
	}
	loc := e.pub.Location()
	day := e.pub.Today(time.Now()).AddDays(1)
	if err := e.st.SaveArticles(ctx, &newsletter.Article{PublicationID: e.pub.ID, Date: day, Section: "News",
		Title: "Bridge Vote", Body: "The council voted.", Status: newsletter.Ready}); err != nil {
		t.Fatal(err)
	}
	cookie, csrf := e.session(t, e.user(t, "perry@planet.example", auth.Admin))
	if resp := e.request(t, "POST", "/admin/issues/"+day.String()+"/assemble", cookie, url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("assemble: %d", resp.StatusCode)
	}
	if resp := e.request(t, "POST", "/admin/issues/"+day.String()+"/schedule", cookie, url.Values{"csrf": {csrf}, "at": {"07:30"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("schedule: %d", resp.StatusCode)
	}
	iss, err := e.st.IssueByDate(ctx, e.pub.ID, day)
	if err != nil {
		t.Fatal(err)
	}
	if got := iss.SendAt.In(loc).Format("15:04"); got != "07:30" {
		t.Fatalf("the issue goes at %s New York time, want 07:30", got)
	}

	if detail := e.page(t, "/admin/issues/"+day.String(), cookie); !strings.Contains(detail, "at 07:30 (America/New_York)") {
		t.Errorf("the issue's page does not say 07:30 New York time:\n%s", detail)
	}
	list := e.page(t, "/admin/issues", cookie)
	if want := `<span class="badge scheduled">scheduled</span> 07:30</td>`; !strings.Contains(list, want) {
		utc := iss.SendAt.UTC().Format("15:04")
		t.Errorf("the issues list does not show the send time as 07:30 (UTC would be %s); want %q in:\n%s", utc, want, list)
	}

	// Held, the page says the time comes back; released, it is scheduled for it again.
	for _, step := range []struct{ action, want string }{
		{"hold", "held</span> (its time 07:30 (America/New_York) comes back when released)"},
		{"release", "scheduled</span> at 07:30 (America/New_York)"},
	} {
		if resp := e.request(t, "POST", "/admin/issues/"+day.String()+"/"+step.action, cookie, url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: %d", step.action, resp.StatusCode)
		}
		if detail := e.page(t, "/admin/issues/"+day.String(), cookie); !strings.Contains(detail, step.want) {
			t.Errorf("after %s the issue's page lacks %q:\n%s", step.action, step.want, detail)
		}
	}

	m := &ledger.OutboxMessage{Recipient: "lois@example.org", Subject: "Hello", MessageID: "<a@planet.example>", Raw: []byte("Subject: Hello\r\n\r\nHi.\r\n")}
	if err := e.st.AddOutbox(ctx, m); err != nil {
		t.Fatal(err)
	}
	when := m.CreatedAt.In(loc).Format("2006-01-02 15:04:05 MST")
	if outbox := e.page(t, "/admin/outbox", cookie); !strings.Contains(outbox, "<td>"+when+"</td>") {
		t.Errorf("the outbox does not show the message's time as %s:\n%s", when, outbox)
	}
}

// TestOutboxShowsSubjectsDecoded keeps a message whose Subject is encoded as
// it is sent (RFC 2047, for the em dash): the outbox page shows it readable;
// a Subject that does not decode shows as kept.
func TestOutboxShowsSubjectsDecoded(t *testing.T) {
	e := newEnv(t, smtptest.Options{})
	ctx := context.Background()
	subject := "The Daily Planet — Friday, December 4, 2026 (Vol. 20, No. 301)"
	broken := "=?x-unknown?q?Odd?="
	for i, s := range []string{mime.QEncoding.Encode("UTF-8", subject), broken} {
		m := &ledger.OutboxMessage{Recipient: "lois@example.org", Subject: s, MessageID: fmt.Sprintf("<m%d@planet.example>", i), Raw: []byte("x")}
		if err := e.st.AddOutbox(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	cookie, _ := e.session(t, e.user(t, "lois@planet.example", auth.Editor))
	outbox := e.page(t, "/admin/outbox", cookie)
	if !strings.Contains(outbox, subject) || strings.Contains(outbox, "=?UTF-8?") {
		t.Errorf("the outbox does not show the subject %q decoded:\n%s", subject, outbox)
	}
	if !strings.Contains(outbox, broken) {
		t.Errorf("the outbox does not show the undecodable subject %q as kept:\n%s", broken, outbox)
	}
}

// A subscriber's page offers to unsubscribe only someone subscribed, and says
// when their record last changed, not only when they signed up.
func TestSubscriberPageAfterUnsubscribe(t *testing.T) {
	e := newEnv(t, smtptest.Options{})
	e.subscribers(t, 1)
	cookie, csrf := e.session(t, e.user(t, "perry@planet.example", auth.Editor))
	sub, err := e.st.SubscriberByEmail(context.Background(), "reader01@example.org")
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/admin/subscribers/%d", sub.ID)
	if page := e.page(t, path, cookie); !strings.Contains(page, "Unsubscribe from The Daily Planet") {
		t.Fatalf("an active subscriber's page has no unsubscribe button:\n%s", page)
	}
	if resp := e.request(t, "POST", path+"/unsubscribe", cookie, url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("unsubscribe: %d", resp.StatusCode)
	}
	page := e.page(t, path, cookie)
	if strings.Contains(page, "Unsubscribe from The Daily Planet") {
		t.Errorf("the page still offers to unsubscribe someone who left:\n%s", page)
	}
	if !strings.Contains(page, "subscriber since") || !strings.Contains(page, "last change") {
		t.Errorf("the page does not tell sign-up from last change:\n%s", page)
	}
}
