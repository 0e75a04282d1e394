package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"masthead/ledger"
	"masthead/newsletter"
	"masthead/store"
	"masthead/subscribers"
)

// hook posts a webhook body; auth is the Authorization header ("" for none).
func (e *env) hook(body, auth string, header ...string) *http.Response {
	e.t.Helper()
	r := httptest.NewRequest("POST", "/webhooks/bounces", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	res, _ := e.do(r)
	return res
}

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (e *env) status(email string) subscribers.Status {
	e.t.Helper()
	sub, err := e.st.SubscriberByEmail(context.Background(), email)
	if err != nil {
		e.t.Fatal(err)
	}
	return sub.Status
}

func TestWebhookAuth(t *testing.T) {
	e := newEnv(t)
	e.active("jane@example.org")
	body := `{"type":"bounce","email":"jane@example.org","hard":true,"detail":"550 no such user"}`
	for _, auth := range []string{"", "Bearer wrong", "Bearer ", "Basic bWFzdGhlYWQ6d3Jvbmc=", "hook-secret"} {
		if res := e.hook(body, auth); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("auth %q: %d, want 401", auth, res.StatusCode)
		}
	}
	if st := e.status("jane@example.org"); st != subscribers.Active {
		t.Fatalf("an unauthenticated report changed the subscriber to %s", st)
	}
	// Not configured: the webhook does not exist.
	e2 := newEnv(t, func(d *Deps) { d.WebhookSecret = "" })
	if res := e2.hook(body, "Bearer "); res.StatusCode != http.StatusNotFound {
		t.Errorf("unconfigured webhook: %d", res.StatusCode)
	}
}

func TestWebhookOwnJSON(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, a := range []string{"hard@example.org", "soft@example.org", "grumpy@example.org"} {
		e.active(a)
	}
	iss := e.publish(e.pub, day("2009-07-09"), []string{"Lead"}, newsletter.Assembled)
	if _, err := e.st.StartSend(ctx, iss.ID, newsletter.Statuses(newsletter.IssueStatus.EditorCanStart), ""); err != nil {
		t.Fatal(err)
	}
	res := e.hook(`[{"type":"bounce","email":"Hard@Example.org","hard":true,"detail":"550 5.1.1 no such user"},
		{"type":"bounce","email":"soft@example.org","hard":false,"detail":"452 mailbox full"},
		{"type":"complaint","email":"grumpy@example.org"},
		{"type":"bounce","email":"stranger@example.org","hard":true}]`, "Bearer hook-secret")
	if res.StatusCode != 200 {
		t.Fatalf("webhook: %d", res.StatusCode)
	}
	want := map[string]subscribers.Status{"hard@example.org": subscribers.Bounced, "soft@example.org": subscribers.Active,
		"grumpy@example.org": subscribers.Complained}
	for a, st := range want {
		if got := e.status(a); got != st {
			t.Errorf("%s: %s, want %s", a, got, st)
		}
	}
	if sub, _ := e.st.SubscriberByEmail(ctx, "soft@example.org"); sub.SoftBounces != 1 {
		t.Errorf("soft bounces: %d, want 1", sub.SoftBounces)
	}
	// A stranger's address is suppressed too, so an import cannot add it.
	if sup, _ := e.st.IsSuppressed(ctx, "stranger@example.org"); !sup {
		t.Error("the stranger's address is not suppressed")
	}
	if _, err := e.st.AddSubscriber(ctx, "stranger@example.org", "", e.pub.ID, subscribers.Active, subscribers.ViaImport); err == nil {
		t.Error("a suppressed address could be added")
	}
	// The suppressed ones' queued deliveries are skipped.
	rows, _ := e.st.Deliveries(ctx, store.DeliveryFilter{IssueID: iss.ID})
	for _, d := range rows {
		want := ledger.DeliverySkipped
		if d.Email == "soft@example.org" {
			want = ledger.DeliveryQueued
		}
		if d.Status != want {
			t.Errorf("delivery to %s: %s, want %s", d.Email, d.Status, want)
		}
	}
	// Soft bounces in a row make a bounce; a report with an id counts once.
	for range 2 {
		e.hook(`{"id":"<r1@mx.example.org>","type":"bounce","email":"soft@example.org","detail":"452"}`, "Bearer hook-secret")
	}
	if st := e.status("soft@example.org"); st != subscribers.Active {
		t.Fatalf("after 2 soft bounces: %s", st)
	}
	e.hook(`{"type":"bounce","email":"soft@example.org","detail":"452"}`, "Bearer hook-secret")
	if st := e.status("soft@example.org"); st != subscribers.Bounced {
		t.Fatalf("after 3 soft bounces: %s", st)
	}
	// Basic auth with the secret as password works as well (an SNS URL's form).
	e.active("later@example.org")
	r := httptest.NewRequest("POST", "/webhooks/bounces", strings.NewReader(`{"type":"complaint","email":"later@example.org"}`))
	r.SetBasicAuth("masthead", "hook-secret")
	if res, _ := e.do(r); res.StatusCode != 200 || e.status("later@example.org") != subscribers.Complained {
		t.Errorf("basic auth: %d %s", res.StatusCode, e.status("later@example.org"))
	}
}

func TestWebhookBadReports(t *testing.T) {
	e := newEnv(t)
	for _, body := range []string{``, `nope`, `{"type":"delivery","email":"a@example.org"}`,
		`{"type":"bounce","email":"not an address"}`, `{"type":"bounce","email":"a@example.org\r\nBcc: b@example.org"}`,
		`[{"type":"bounce"}]`} {
		if res := e.hook(body, "Bearer hook-secret"); res.StatusCode != http.StatusBadRequest {
			t.Errorf("%q: %d, want 400", body, res.StatusCode)
		}
	}
	big := `{"type":"bounce","email":"a@example.org","detail":"` + strings.Repeat("x", webhookLimit) + `"}`
	if res := e.hook(big, "Bearer hook-secret"); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized report: %d", res.StatusCode)
	}
}

func TestWebhookSES(t *testing.T) {
	e := newEnv(t)
	e.active("jane@example.org")
	e.active("joe@example.org")
	e.active("grumpy@example.org")
	sns := []string{"X-Amz-Sns-Message-Type", "Notification", "Content-Type", "text/plain; charset=UTF-8"}

	if res := e.hook(fixture(t, "ses-bounce.json"), "Bearer hook-secret", sns...); res.StatusCode != 200 {
		t.Fatalf("SES bounce: %d", res.StatusCode)
	}
	if st := e.status("jane@example.org"); st != subscribers.Bounced {
		t.Errorf("after a Permanent bounce: %s, want bounced", st)
	}
	sup, err := e.st.Suppression(context.Background(), "jane@example.org")
	if err != nil || !strings.Contains(sup.Detail, "5.1.1") {
		t.Errorf("suppression %+v %v", sup, err)
	}
	// A Transient bounce counts but does not suppress; the envelope is
	// recognised without its header too. SNS retries the same notification
	// (same MessageId): it counts once.
	for range 2 {
		if res := e.hook(fixture(t, "ses-soft-bounce.json"), "Bearer hook-secret"); res.StatusCode != 200 {
			t.Fatalf("SES soft bounce: %d", res.StatusCode)
		}
	}
	if sub, _ := e.st.SubscriberByEmail(context.Background(), "joe@example.org"); sub.Status != subscribers.Active || sub.SoftBounces != 1 {
		t.Errorf("after a Transient bounce: %s, %d soft", sub.Status, sub.SoftBounces)
	}
	if res := e.hook(fixture(t, "ses-complaint.json"), "Bearer hook-secret", sns...); res.StatusCode != 200 {
		t.Fatalf("SES complaint: %d", res.StatusCode)
	}
	if st := e.status("grumpy@example.org"); st != subscribers.Complained {
		t.Errorf("after a complaint: %s", st)
	}
	// A subscription confirmation is logged, never fetched.
	res := e.hook(fixture(t, "sns-subscription-confirmation.json"), "Bearer hook-secret",
		"X-Amz-Sns-Message-Type", "SubscriptionConfirmation")
	if res.StatusCode != 200 || !strings.Contains(e.logs.String(), "Action=ConfirmSubscription") {
		t.Errorf("subscription confirmation: %d; log: %s", res.StatusCode, e.logs.String())
	}
}

func TestDeriveWebhookSecret(t *testing.T) {
	a, b := DeriveWebhookSecret([]byte("one")), DeriveWebhookSecret([]byte("two"))
	if a == b || len(a) != 64 || a != DeriveWebhookSecret([]byte("one")) {
		t.Errorf("derived secrets %q %q", a, b)
	}
}
