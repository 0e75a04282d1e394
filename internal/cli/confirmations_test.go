package cli

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"masthead/internal/testenv"
	"masthead/ledger"
	"masthead/store"
	"masthead/subscribers"
)

// Pending subscribers added by an editor (subscriber add --pending, a CSV
// import with status pending) get one confirmation email each from serve's
// confirmation loop; its link confirms; a restarted serve sends none again;
// and 'subscriber send-confirmations' sends the queue without serve.
func TestPendingSubscribersGetConfirmations(t *testing.T) {
	db := newDB(t)
	setupPlanet(t, db)
	st := openStoreAt(t, db)
	ctx := context.Background()
	code, out, errs := runCLI(t, db, "", "subscriber", "add", "ann@example.org", "--pending")
	if code != 0 || !strings.Contains(out, "1 subscriber waits for their confirmation email: a running 'masthead serve' sends it") {
		t.Fatalf("subscriber add --pending: %d\n%s%s", code, out, errs)
	}
	csv := filepath.Join(t.TempDir(), "list.csv")
	os.WriteFile(csv, []byte("email,name,status\nbea@example.org,Bea,pending\ncal@example.org,Cal,pending\ndot@example.org,Dot,active\n"), 0o644)
	if code, out, errs := runCLI(t, db, "", "subscriber", "import", csv); code != 0 || !strings.Contains(out, "3 subscribers wait for their confirmation email") {
		t.Fatalf("import: %d\n%s%s", code, out, errs)
	}
	confirmations := func(rcpt string) []*ledger.OutboxMessage {
		t.Helper()
		list, err := st.Outbox(ctx, store.OutboxFilter{Recipient: rcpt})
		if err != nil {
			t.Fatal(err)
		}
		return list
	}
	pending := []string{"ann@example.org", "bea@example.org", "cal@example.org"}

	first := serveAt(t, db, testenv.Addr(testenv.FreePort(t)))
	for deadline := time.Now().Add(15 * time.Second); len(confirmations("")) < 3 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(2500 * time.Millisecond) // one more pass of the loop (every 2s) finds nothing more
	first.stop(t)
	for _, rcpt := range pending {
		if n := len(confirmations(rcpt)); n != 1 {
			t.Errorf("%s got %d confirmation emails, want 1\n%s", rcpt, n, first.log())
		}
	}
	if n := len(confirmations("")); n != 3 {
		t.Fatalf("the outbox has %d messages, want the 3 confirmations", n)
	}

	// A restarted serve sends nothing again; the link confirms.
	addr := testenv.Addr(testenv.FreePort(t))
	second := serveAt(t, db, addr)
	waitHTTP(t, second, "http://"+addr+"/healthz")
	link := confirmLink(t, st, "ann@example.org")
	res, err := http.Post("http://"+addr+link, "application/x-www-form-urlencoded", nil)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("confirm %s: %v %v", link, res, err)
	}
	res.Body.Close()
	time.Sleep(2500 * time.Millisecond)
	second.stop(t)
	if n := len(confirmations("")); n != 3 {
		t.Errorf("after a restart the outbox has %d messages, want still 3\n%s", n, second.log())
	}
	sub, err := st.SubscriberByEmail(ctx, "ann@example.org")
	if err != nil || sub.Status != subscribers.Active {
		t.Fatalf("after the link: %v, %v; want active", sub, err)
	}

	// Without serve: the command sends the queue, once.
	runCLI(t, db, "", "subscriber", "add", "eve@example.org", "--pending")
	if code, out, errs := runCLI(t, db, "", "subscriber", "send-confirmations"); code != 0 || !strings.Contains(out, "1 confirmation email sent via outbox") {
		t.Fatalf("send-confirmations: %d\n%s%s", code, out, errs)
	}
	if code, out, _ := runCLI(t, db, "", "subscriber", "send-confirmations"); code != 0 || !strings.Contains(out, "0 confirmation emails sent") {
		t.Fatalf("send-confirmations again: %d\n%s", code, out)
	}
	if n := len(confirmations("eve@example.org")); n != 1 {
		t.Errorf("eve got %d confirmation emails, want 1", n)
	}
}

// serveAt runs `masthead serve --no-sample` on db at addr in this process.
func serveAt(t *testing.T, db, addr string) *serving {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &serving{cancel: cancel, done: make(chan int, 1), buf: &lockedBuf{}}
	env := map[string]string{"MASTHEAD_DB": db}
	go func() {
		s.done <- Run(ctx, []string{"serve", "--addr", addr, "--no-sample"}, Env{
			Getenv: testGetenv(env), Stdin: strings.NewReader(""), Stdout: s.buf, Stderr: s.buf})
	}()
	t.Cleanup(cancel)
	return s
}

var confirmPathRE = regexp.MustCompile(`/confirm/[A-Za-z0-9_-]+`)

// confirmLink is the path of the confirm link in the outbox's email to rcpt.
func confirmLink(t *testing.T, st *store.Store, rcpt string) string {
	t.Helper()
	list, err := st.Outbox(context.Background(), store.OutboxFilter{Recipient: rcpt, Limit: 1})
	if err != nil || len(list) == 0 {
		t.Fatalf("no email to %s: %v", rcpt, err)
	}
	m, err := st.OutboxByID(context.Background(), list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(m.Raw))
	if err != nil {
		t.Fatal(err)
	}
	var text string
	var walk func(ct, cte string, body io.Reader)
	walk = func(ct, cte string, body io.Reader) {
		mt, params, _ := mime.ParseMediaType(ct)
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for p, err := mr.NextRawPart(); err == nil; p, err = mr.NextRawPart() {
				walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p)
			}
			return
		}
		if strings.EqualFold(cte, "quoted-printable") {
			body = quotedprintable.NewReader(body)
		}
		if b, _ := io.ReadAll(body); mt == "text/plain" {
			text = string(b)
		}
	}
	walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	link := confirmPathRE.FindString(text)
	if link == "" {
		t.Fatalf("no confirm link in the email to %s:\n%s", rcpt, text)
	}
	return link
}
