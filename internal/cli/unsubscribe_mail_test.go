package cli

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"masthead/newsletter"
	"masthead/store"
	"masthead/subscribers"
)

// TestBouncesPollAppliesUnsubscribeMail: mail to a publication's unsubscribe
// address, read by the same mailbox poll as the bounce reports, ends the
// subscription its signed token names, and only that one, with a history
// line saying mailto; a forged or tampered token changes nothing and its
// message is left in the mailbox.
func TestBouncesPollAppliesUnsubscribeMail(t *testing.T) {
	ctx := context.Background()
	db := newDB(t)
	setupPlanet(t, db)
	if code, out, errs := runCLI(t, db, "", "publication", "set", "the-daily-planet", "--unsubscribe-mailto", "unsubscribe@planet.example"); code != 0 {
		t.Fatal(out, errs)
	}
	if code, out, errs := runCLI(t, db, "", "publication", "set", "the-weekly", "--name", "The Weekly", "--from", "weekly@planet.example",
		"--address", "Metropolis", "--unsubscribe-mailto", "unsubscribe@planet.example"); code != 0 {
		t.Fatal(out, errs)
	}
	const secret = "a test secret of thirty-two bytes!"
	st, err := store.Open(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	daily, _ := st.PublicationBySlug(ctx, "the-daily-planet")
	weekly, _ := st.PublicationBySlug(ctx, "the-weekly")
	subs := map[string]*subscribers.Subscriber{}
	for _, e := range []string{"lois@example.org", "clark@example.org", "jimmy@example.org", "perry@example.org"} {
		for _, p := range []*newsletter.Publication{daily, weekly} {
			s, err := st.AddSubscriber(ctx, e, "", p.ID, subscribers.Active, subscribers.ViaEditor)
			if err != nil {
				t.Fatal(err)
			}
			subs[e] = s
		}
	}
	st.Close()
	signer := subscribers.NewSigner([]byte(secret))
	token := func(email string, p *newsletter.Publication) string {
		return signer.Sign(subscribers.Token{Purpose: subscribers.PurposeUnsubscribe, SubscriberID: subs[email].ID, PublicationID: p.ID})
	}
	msg := func(id, to, subject string) []byte {
		return []byte(fmt.Sprintf("From: someone@example.org\nTo: %s\nSubject: %s\nMessage-ID: <%s@example.org>\n"+
			"Date: Thu, 09 Jul 2009 07:00:00 +0000\nContent-Type: text/plain\n\nPlease take me off the list.\n", to, subject, id))
	}
	lois, clark, jimmy := token("lois@example.org", daily), token("clark@example.org", weekly), token("jimmy@example.org", daily)
	forged := jimmy[:len(jimmy)-2] + map[bool]string{true: "AA", false: "AB"}[strings.HasSuffix(jimmy, "AA")]
	other := subscribers.NewSigner([]byte("another secret, not this server's")).Sign(subscribers.Token{
		Purpose: subscribers.PurposeUnsubscribe, SubscriberID: subs["perry@example.org"].ID, PublicationID: daily.ID})
	addr := plainIMAP(t,
		msg("lois", "<unsubscribe+"+lois+"@planet.example>", "unsubscribe"), // plus-addressed
		msg("clark", "unsubscribe@planet.example", "unsubscribe "+clark),    // the mailto link's subject; the weekly only
		msg("jimmy", "<unsubscribe+"+forged+"@planet.example>", "unsubscribe "+forged),
		msg("perry", "unsubscribe@planet.example", "unsubscribe "+other),
	)
	url := "imap://reports:pw@" + addr + "/INBOX?tls=none"
	env := map[string]string{"MASTHEAD_DB": db, "MASTHEAD_SECRET": secret}
	code, out := runEnv(t, env, "bounces", "poll", "--once", "--imap", url)
	if code != 0 || !strings.Contains(out, "4 messages: 0 reports") || !strings.Contains(out, "2 unsubscribe requests; 2 left in the mailbox") {
		t.Fatalf("poll: exit %d\n%s", code, out)
	}

	st, err = store.Open(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	statuses := func(email string) string {
		list, err := st.Subscriptions(ctx, subs[email].ID)
		if err != nil {
			t.Fatal(err)
		}
		var b []string
		for _, s := range list {
			b = append(b, s.PublicationSlug+"="+string(s.Status))
		}
		return strings.Join(b, " ")
	}
	for email, want := range map[string]string{
		"lois@example.org":  "the-daily-planet=unsubscribed the-weekly=active",
		"clark@example.org": "the-daily-planet=active the-weekly=unsubscribed",
		"jimmy@example.org": "the-daily-planet=active the-weekly=active",
		"perry@example.org": "the-daily-planet=active the-weekly=active",
	} {
		if got := statuses(email); got != want {
			t.Errorf("%s: %s, want %s", email, got, want)
		}
	}
	evs, err := st.SubscriberEvents(ctx, subs["lois@example.org"].ID)
	if err != nil {
		t.Fatal(err)
	}
	last := evs[len(evs)-1]
	if last.Via != subscribers.ViaMailto || last.Kind != subscribers.EventKind("unsubscribed") || last.PublicationID != daily.ID {
		t.Errorf("lois's last event: %+v", last)
	}
	// The two applied are marked processed; the next poll sees only the
	// two left (and changes nothing).
	code, out = runEnv(t, env, "bounces", "poll", "--once", "--imap", url)
	if code != 0 || !strings.Contains(out, "2 messages: 0 reports") || !strings.Contains(out, "0 unsubscribe requests; 2 left") {
		t.Fatalf("second poll: exit %d\n%s", code, out)
	}
	if got := statuses("jimmy@example.org"); got != "the-daily-planet=active the-weekly=active" {
		t.Errorf("jimmy after a second poll: %s", got)
	}
}
