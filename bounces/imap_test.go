package bounces

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"log"
	"math/big"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// imapTest is a real IMAP server (go-imap's in-memory one) on 127.0.0.1,
// speaking implicit TLS with a certificate made for the test.
type imapTest struct {
	addr string
	tls  *tls.Config // trusts the server's certificate
}

const (
	imapUser = "reports"
	imapPass = "s3cret"
)

// startIMAP starts a server with one user and the given mailboxes; caps
// chooses what it advertises (IMAP4rev2 has MOVE; IMAP4rev1 alone does not).
func startIMAP(t *testing.T, caps imap.CapSet, mailboxes ...string) *imapTest {
	t.Helper()
	cert, pool := testCert(t)
	mem := imapmemserver.New()
	user := imapmemserver.NewUser(imapUser, imapPass)
	for _, m := range mailboxes {
		if err := user.Create(m, nil); err != nil {
			t.Fatal(err)
		}
	}
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         caps,
		InsecureAuth: true, // the listener is TLS already; the server cannot tell
		Logger:       log.New(t.Output(), "imap server: ", 0),
	})
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
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
	return &imapTest{addr: ln.Addr().String(), tls: &tls.Config{RootCAs: pool}}
}

func (s *imapTest) url(mailbox string) string {
	return "imaps://" + imapUser + ":" + imapPass + "@" + s.addr + "/" + mailbox
}

// client logs in as the test's own mail client, to fill and inspect mailboxes.
func (s *imapTest) client(t *testing.T) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialTLS(s.addr, &imapclient.Options{TLSConfig: s.tls})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(imapUser, imapPass).Wait(); err != nil {
		t.Fatal(err)
	}
	return c
}

// appendMsg stores one message (with CRLF line ends, as on the wire).
func appendMsg(t *testing.T, c *imapclient.Client, mailbox string, raw []byte) {
	t.Helper()
	raw = crlf(raw)
	cmd := c.Append(mailbox, int64(len(raw)), nil)
	if _, err := cmd.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
}

// flagsByID lists each message of a mailbox by Message-ID (no angle
// brackets) with its flags.
func flagsByID(t *testing.T, c *imapclient.Client, mailbox string) map[string][]imap.Flag {
	t.Helper()
	sel, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]imap.Flag{}
	if sel.NumMessages == 0 {
		return out
	}
	msgs, err := c.Fetch(imap.SeqSetNum(seqRange(sel.NumMessages)...), &imap.FetchOptions{Flags: true, Envelope: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		out[m.Envelope.MessageID] = m.Flags
	}
	return out
}

func seqRange(n uint32) []uint32 {
	out := make([]uint32, n)
	for i := range out {
		out[i] = uint32(i) + 1
	}
	return out
}

// hasFlag: flags are case-insensitive (the in-memory server lower-cases them).
func hasFlag(flags []imap.Flag, f imap.Flag) bool {
	return slices.ContainsFunc(flags, func(g imap.Flag) bool { return strings.EqualFold(string(g), string(f)) })
}

// testCert makes a self-signed certificate for 127.0.0.1.
func testCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "masthead test IMAP"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
