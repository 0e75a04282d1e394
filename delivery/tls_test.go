package delivery

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"math/big"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/wneessen/go-mail"

	"masthead/internal/smtptest"
)

// Over STARTTLS the transaction is the same: pipelined BDAT through the TLS
// connection go-mail set up, the bytes received those composed, and a
// refusal in the batch leaves the connection usable.
func TestConversationOverSTARTTLS(t *testing.T) {
	srv, err := smtptest.Start(smtptest.Options{TLS: selfSigned(t), Inject: func(stage smtptest.Stage, _, rcpt string) *smtptest.Fault {
		if stage == smtptest.StageRcpt && rcpt == "gone@example.net" {
			return &smtptest.Fault{Code: 550, Text: "5.1.1 no such user"}
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	host, port, _ := net.SplitHostPort(srv.Addr)
	p, _ := strconv.Atoi(port)
	client, err := mail.NewClient(host, mail.WithPort(p), mail.WithTimeout(5*time.Second),
		mail.WithTLSPolicy(mail.TLSMandatory), mail.WithTLSConfig(&tls.Config{InsecureSkipVerify: true}))
	if err != nil {
		t.Fatal(err)
	}
	conn := &smtpConn{client: client, timeout: 5 * time.Second}
	defer conn.Close()
	body := hostileBodies(t)["theme"]
	c := testComposerAt(t, "https://planet.example", body[0], body[1], time.Now())
	var buf Buffers
	for i, rcpt := range []string{"a@example.net", "gone@example.net", "b@example.net"} {
		m, err := c.Compose(Recipient{SubscriberID: int64(i + 1), Email: rcpt, MessageID: "<" + strconv.Itoa(i) + ".tls@planet.example>"}, &buf)
		if err != nil {
			t.Fatal(err)
		}
		want := string(m.AppendTo(nil, false))
		err = conn.Send(context.Background(), &Message{Mail: m, To: rcpt})
		if rcpt == "gone@example.net" {
			if re, ok := err.(*ReplyError); !ok || re.Stage != StageRcpt || re.Code != 550 {
				t.Fatalf("%s: %v, want a 550 at RCPT", rcpt, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", rcpt, err)
		}
		if state, err := conn.sc.GetTLSConnectionState(); err != nil || !state.HandshakeComplete {
			t.Fatalf("not over TLS: %v", err)
		}
		msgs := srv.Messages()
		if got := string(msgs[len(msgs)-1].Data); got != want {
			t.Fatalf("%s: received bytes differ from the composed ones", rcpt)
		}
	}
	// go-smtp starts a session at the EHLO before STARTTLS and another at the
	// one after: one connection is two.
	if srv.Count() != 2 || srv.Connections() != 2 {
		t.Fatalf("%d messages over %d sessions, want 2 over 2 (one connection)", srv.Count(), srv.Connections())
	}
}

// selfSigned is a TLS configuration with a new self-signed certificate for
// 127.0.0.1.
func selfSigned(t *testing.T) *tls.Config {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: priv}}}
}
