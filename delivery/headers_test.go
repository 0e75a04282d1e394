package delivery_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"io"
	"masthead/store"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"

	"masthead/delivery"
	"masthead/internal/smtptest"
	"masthead/ledger"
	"masthead/subscribers"
)

// TestHeadersAndDKIM checks every header a subscriber's message carries, that
// no value can add a header, and that the DKIM signature (RSA and Ed25519)
// verifies with go-msgauth and covers both List-Unsubscribe headers.
func TestHeadersAndDKIM(t *testing.T) {
	for _, alg := range []string{"ed25519", "rsa"} {
		t.Run(alg, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, 1)
			f.addSubscribers(t, 0, 1, nil)
			// A name that tries to smuggle a header.
			openRaw(t, f).Exec(`UPDATE subscribers SET name = 'Eve' || char(13) || char(10) || 'Bcc: spy@evil.example'`)
			keyFile, txt := dkimKey(t, alg)
			signer, err := delivery.LoadDKIM(delivery.DKIMConfig{Domain: "planet.example", Selector: "mh", KeyFile: keyFile})
			if err != nil {
				t.Fatal(err)
			}
			srv := startServer(t, smtptest.Options{})
			cfg := f.fastConfig(1)
			cfg.DKIM = signer
			e := f.engine(t, smtpTo(t, srv, 5*time.Second), cfg)
			if _, err := e.Start(ctx, f.issue.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := e.Run(ctx, f.issue.ID); err != nil {
				t.Fatal(err)
			}
			msgs := srv.Messages()
			if len(msgs) != 1 {
				t.Fatalf("%d messages", len(msgs))
			}
			raw := msgs[0].Data
			rows, _ := f.st.Deliveries(ctx, store.DeliveryFilter{IssueID: f.issue.ID})
			checkHeaders(t, f, raw, rows[0])

			verifs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{
				LookupTXT: func(domain string) ([]string, error) {
					if domain != "mh._domainkey.planet.example" {
						t.Errorf("DKIM lookup of %s", domain)
					}
					return []string{txt}, nil
				}})
			if err != nil || len(verifs) != 1 {
				t.Fatalf("DKIM: %v, %d signatures", err, len(verifs))
			}
			if verifs[0].Err != nil {
				t.Fatalf("DKIM does not verify: %v", verifs[0].Err)
			}
			signed := strings.ToLower(strings.Join(verifs[0].HeaderKeys, ":"))
			for _, h := range []string{"from", "subject", "message-id", "list-unsubscribe", "list-unsubscribe-post", "list-id"} {
				if !strings.Contains(":"+signed+":", ":"+h+":") {
					t.Errorf("h= %s does not cover %s", signed, h)
				}
			}
		})
	}
}

func checkHeaders(t *testing.T, f *fixture, raw []byte, row *ledger.Delivery) {
	t.Helper()
	if bytes.Contains(raw, []byte("\nBcc:")) || bytes.Contains(raw, []byte("\r\nBcc")) {
		t.Fatalf("a name added a header:\n%s", raw[:bytes.Index(raw, []byte("\r\n\r\n"))])
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	h := m.Header
	want := map[string]string{
		"From":                  `"The Daily Planet" <news@planet.example>`,
		"Reply-To":              "<letters@planet.example>",
		"Message-Id":            row.MessageID,
		"List-Id":               "<planet.planet.example>",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		"Mime-Version":          "1.0",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	if to, err := h.AddressList("To"); err != nil || len(to) != 1 || to[0].Address != row.Email {
		t.Errorf("To: %q (%v)", h.Get("To"), err)
	}
	dec := new(mime.WordDecoder)
	if subj, _ := dec.DecodeHeader(h.Get("Subject")); subj != f.issue.Subject {
		t.Errorf("Subject %q, want %q", subj, f.issue.Subject)
	}
	if d, err := h.Date(); err != nil || time.Since(d) > time.Minute {
		t.Errorf("Date %q: %v", h.Get("Date"), err)
	}
	lu := h.Get("List-Unsubscribe")
	parts := strings.Split(lu, ",")
	if len(parts) != 2 || !strings.HasPrefix(strings.TrimSpace(parts[0]), "<"+testBaseURL+"/unsubscribe/") ||
		!strings.HasPrefix(strings.TrimSpace(parts[1]), "<mailto:unsubscribe@planet.example?subject=unsubscribe%20") {
		t.Errorf("List-Unsubscribe %q", lu)
	}
	link := strings.Trim(strings.TrimSpace(parts[0]), "<>")
	token := link[strings.LastIndexByte(link, '/')+1:]
	tok, err := f.signer.Verify(token, subscribers.PurposeUnsubscribe, time.Now())
	if err != nil || tok.SubscriberID != row.SubscriberID || tok.PublicationID != f.pub.ID {
		t.Errorf("unsubscribe token %+v: %v", tok, err)
	}
	// multipart/alternative: text, then HTML; both carry the link.
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q", h.Get("Content-Type"))
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	var types []string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		types = append(types, ct)
		body, _ := io.ReadAll(p) // the multipart reader decodes quoted-printable
		if !bytes.Contains(body, []byte(link)) {
			t.Errorf("%s part lacks the unsubscribe link", ct)
		}
		if ct == "text/plain" && !bytes.Contains(body, []byte(strings.Fields(row.Name)[0])) {
			t.Errorf("text part lacks the subscriber's name %q:\n%s", row.Name, body)
		}
	}
	if strings.Join(types, ",") != "text/plain,text/html" {
		t.Errorf("parts %v", types)
	}
}

// dkimKey writes a new private key as PEM and returns its file and the DNS
// TXT record of its public key.
func dkimKey(t testing.TB, alg string) (file, txt string) {
	t.Helper()
	var der []byte
	var err error
	switch alg {
	case "ed25519":
		pub, priv, _ := ed25519.GenerateKey(rand.Reader)
		der, err = x509.MarshalPKCS8PrivateKey(priv)
		txt = "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)
	case "rsa":
		priv, _ := rsa.GenerateKey(rand.Reader, 2048)
		der = x509.MarshalPKCS1PrivateKey(priv)
		pubDER, _ := x509.MarshalPKIXPublicKey(&priv.PublicKey)
		txt = "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(pubDER)
	}
	if err != nil {
		t.Fatal(err)
	}
	blockType := "PRIVATE KEY"
	if alg == "rsa" {
		blockType = "RSA PRIVATE KEY"
	}
	file = filepath.Join(t.TempDir(), alg+".pem")
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return file, txt
}
