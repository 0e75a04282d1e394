package cli

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"masthead/store"
	"masthead/subscribers"
)

// plainIMAP starts go-imap's in-memory server on 127.0.0.1 without TLS and
// stores msgs in the INBOX of user "reports" (password "pw").
func plainIMAP(t *testing.T, msgs ...[]byte) string {
	t.Helper()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser("reports", "pw")
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-done; err != nil && !errors.Is(err, net.ErrClosed) {
			t.Errorf("imap server: %v", err)
		}
	})
	c, err := imapclient.DialInsecure(ln.Addr().String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("reports", "pw").Wait(); err != nil {
		t.Fatal(err)
	}
	for _, raw := range msgs {
		raw = []byte(strings.ReplaceAll(string(raw), "\n", "\r\n"))
		cmd := c.Append("INBOX", int64(len(raw)), nil)
		cmd.Write(raw)
		cmd.Close()
		if _, err := cmd.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	return ln.Addr().String()
}

func TestBouncesPollOnce(t *testing.T) {
	ctx := context.Background()
	db := newDB(t)
	st, err := store.Open(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddSubscriber(ctx, "alice@example.org", "Alice", 0, subscribers.Active, subscribers.ViaEditor); err != nil {
		t.Fatal(err)
	}
	st.Close()
	report, err := os.ReadFile("../../bounces/testdata/postfix-hard.eml")
	if err != nil {
		t.Fatal(err)
	}
	addr := plainIMAP(t, report)
	url := "imap://reports:pw@" + addr + "/INBOX?tls=none"

	code, out, errs := runCLI(t, db, "", "bounces", "poll", "--once", "--imap", url)
	if code != 0 || !strings.Contains(out, "1 message: 1 report (1 applied,") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
	st, err = store.Open(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sub, err := st.SubscriberByEmail(ctx, "alice@example.org")
	if err != nil || sub.Status != subscribers.Bounced {
		t.Fatalf("alice: %+v, %v", sub, err)
	}
	// Again: nothing left to do (flags before the positional-free command work too).
	code, out, _ = runCLI(t, db, "", "bounces", "poll", "--imap", url, "--once")
	if code != 0 || !strings.HasPrefix(out, "0 messages:") {
		t.Fatalf("second poll: exit %d, stdout %q", code, out)
	}
}

func TestBouncesPollRefusesBadSettings(t *testing.T) {
	db := newDB(t)
	setupPlanet(t, db)
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "--imap (or MASTHEAD_IMAP) is required"},
		{[]string{"--imap", "pop3://u:topsecret@host/INBOX"}, "scheme must be imaps or imap"},
		{[]string{"--imap", "imaps://u:topsecret@host/INBOX", "--interval", "0s"}, "must be positive"},
		{[]string{"--imap", "imaps://u:topsecret@host/INBOX", "--soft-bounce-limit", "0"}, "--soft-bounce-limit must be at least 1"},
	} {
		code, _, errs := runCLI(t, db, "", append([]string{"bounces", "poll", "--once"}, c.args...)...)
		if code != 2 || !strings.Contains(errs, c.want) || strings.Contains(errs, "topsecret") {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 mentioning %q and no password", c.args, code, errs, c.want)
		}
	}
}
